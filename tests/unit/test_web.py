"""The HTTP edge without a broker: /metrics whole or restricted to named samples."""

from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer
from prometheus_client import CollectorRegistry

from cablerouter.metrics import RouterMetrics
from cablerouter.router.progress import Progress
from cablerouter.web import build_web_app


async def test_metrics_whole_or_restricted_to_named_samples() -> None:
    registry = CollectorRegistry()
    metrics = RouterMetrics(registry)
    metrics.routed.inc(3)
    metrics.consumed.inc(4)
    progress = Progress(stall_seconds=30)
    app = build_web_app(registry=registry, readiness=progress.readiness)
    async with TestClient(TestServer(app)) as client:
        whole = await (await client.get("/metrics")).text()
        assert "cablerouter_routed_cables_total 3.0" in whole
        assert "cablerouter_consumed_cables_total 4.0" in whole
        response = await client.get("/metrics", params=[("name[]", "cablerouter_routed_cables_total")])
        assert response.status == 200
        restricted = await response.text()
        assert "cablerouter_routed_cables_total 3.0" in restricted
        assert "cablerouter_consumed_cables_total" not in restricted


async def test_readyz_names_the_failed_rule_and_turns_green_when_it_holds() -> None:
    registry = CollectorRegistry()
    progress = Progress(stall_seconds=30)
    progress.directory_loaded = True
    progress.assign({("cables.raw", 0)}, now=0)
    progress.broker_reachable(False, now=0, error="TimeoutError()")
    app = build_web_app(registry=registry, readiness=lambda now: progress.readiness(1.0))
    async with TestClient(TestServer(app)) as client:
        response = await client.get("/readyz")
        assert response.status == 503
        body = await response.json()
        assert body["ready"] is False and body["failed"] == ["broker_unreachable"]
        assert body["reason"] == "broker unreachable for 1 s: TimeoutError()"
        assert body["broker_error"] == "TimeoutError()" and body["assigned"] == 1
        assert response.headers["Cache-Control"] == "no-store"
        progress.broker_reachable(True, now=1)
        response = await client.get("/readyz")
        assert response.status == 200 and (await response.json())["failed"] == []
        assert (await client.get("/healthz")).status == 200  # liveness never depends on it
