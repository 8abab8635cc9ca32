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
