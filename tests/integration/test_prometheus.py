"""A real Prometheus server scrapes a routing worker with the shipped alert rules; promtool
lints what it serves."""

from __future__ import annotations

import asyncio
import json
import pathlib
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

from tests.integration.routerutil import free_port
from tests.integration.test_router import (
    CORPUS,
    create_raw_topic,
    expected_deliveries,
    kcat_publish_files,
    wait_accounted,
)

RULES = pathlib.Path(__file__).resolve().parents[2] / "deploy" / "prometheus" / "alerts.yml"
PROMETHEUS = shutil.which("prometheus")
PROMTOOL = shutil.which("promtool")


def _query(port: int, expr: str) -> float | None:
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    with urllib.request.urlopen(url, timeout=5) as r:
        result = json.load(r)["data"]["result"]
    return float(result[0]["value"][1]) if result else None


async def test_prometheus_scrapes_the_worker_and_sees_every_cable(
    bootstrap, router_env, worker_factory, tmp_path
) -> None:
    assert PROMETHEUS and PROMTOOL, "prometheus/promtool not installed (deploy/setup installs them)"
    env = router_env
    await create_raw_topic(bootstrap, env["CABLEROUTER_RAW_TOPIC"])
    worker = worker_factory()
    await asyncio.to_thread(worker.wait_ready)
    await asyncio.to_thread(kcat_publish_files, bootstrap, env["CABLEROUTER_RAW_TOPIC"], CORPUS)
    routed, dead = await wait_accounted(bootstrap, env, len(CORPUS))
    assert len(routed) == len(CORPUS) and not dead
    deliveries = sum(expected_deliveries(CORPUS, env["CABLEROUTER_TOPIC_PREFIX"]).values())

    _status, exposition = worker.get("/metrics")
    lint = subprocess.run([PROMTOOL, "check", "metrics"], input=exposition.encode(),
                          capture_output=True, timeout=30)
    assert lint.returncode == 0, lint.stdout.decode() + lint.stderr.decode()

    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global: {scrape_interval: 1s, evaluation_interval: 1s}\n"
        f"rule_files: ['{RULES}']\n"
        "scrape_configs:\n"
        "  - job_name: cablerouter\n"
        f"    static_configs: [{{targets: ['127.0.0.1:{worker.port}']}}]\n"
    )
    prom_log = (tmp_path / "prometheus.log").open("wb")
    prom = subprocess.Popen(
        [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=prom_log,
    )
    try:
        deadline = time.monotonic() + 60
        routed_seen = delivered_seen = None
        while time.monotonic() < deadline:
            try:
                routed_seen = _query(port, "cablerouter_routed_cables_total")
                delivered_seen = _query(port, "sum(cablerouter_deliveries_total)")
            except OSError:
                pass
            if routed_seen == len(CORPUS) and delivered_seen == deliveries:
                break
            await asyncio.sleep(0.5)
        assert routed_seen == len(CORPUS), (tmp_path / "prometheus.log").read_text()[-2000:]
        assert delivered_seen == deliveries
        assert _query(port, 'up{job="cablerouter"}') == 1
        assert _query(port, "cablerouter_end_to_end_seconds_count") == len(CORPUS)
        # The accounting identity the alert rests on holds on a real worker (nothing is in
        # flight now), and none of the routing alerts is pending or firing.
        deadline = time.monotonic() + 30
        while _query(port, "cablerouter:unaccounted_cables") is None and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
        assert _query(port, "cablerouter:unaccounted_cables") == 0
        assert _query(port, "cablerouter_oldest_batch_age_seconds") == 0
        assert _query(port, 'count(ALERTS{alertname=~"Cablerouter(BatchStalled|AccountingMismatch'
                            '|TransactionsAborted|ProduceErrors|InternalErrors)"})') is None
    finally:
        prom.terminate()
        prom.wait(30)
        prom_log.close()
    assert worker.terminate() == 0
