"""Every Grafana dashboard query returns data from a real Prometheus scraping a real worker.

A worker on the real broker routes the corpus twice, bad input and mutants (so the
dead-letter panels have data) and applies a live directory update, while a real Prometheus
scrapes it every second. Then every panel's every query of the generated dashboards
(deploy/grafana/dashboards.py) runs through Prometheus' HTTP API with Grafana's variables
substituted as Grafana would: range queries over the run at a 1 s step, instant ones at its
end. A query without data fails the test, naming its panel; so does a query that stays 0
where the run must have moved it (everything but gauges of transient state and error
counters). One line per query, with its value, goes to the test log and to
``.cache/dashboards/panel-queries.txt``.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import math
import pathlib
import re
import shutil
import subprocess
import time
import urllib.parse
import urllib.request

from tests.integration.conftest import (  # noqa: F401 - the broker fixtures, used by name
    bootstrap,
    kafka_broker,
    router_env,
    unique_name,
    worker_factory,
)
from tests.integration.routerutil import free_port
from tests.integration.test_router import (
    CORPUS,
    SEED,
    create_raw_topic,
    kcat_publish_files,
    publish_values,
    wait_accounted,
)
from tests.mutants import mutants

REPO = pathlib.Path(__file__).resolve().parents[2]
RULES = REPO / "deploy" / "prometheus" / "alerts.yml"
RESULTS = REPO / ".cache" / "dashboards" / "panel-queries.txt"
PROMETHEUS = shutil.which("prometheus")
JOB = "cablerouter"
SCRAPE_SECONDS = 1
STEP_SECONDS = 1
# Grafana's $__rate_interval: max($__interval + scrape interval, 4 * scrape interval).
RATE_INTERVAL = f"{max(STEP_SECONDS + SCRAPE_SECONDS, 4 * SCRAPE_SECONDS)}s"
# Metrics that are rightly 0 throughout a healthy run: gauges of transient state (a 1 s
# scrape may never catch a batch in flight) and error counters. A query reading only these
# must return data, but its data may be 0.
MAY_STAY_ZERO = {
    "cablerouter_consumer_lag_messages", "cablerouter_in_flight_cables",
    "cablerouter_oldest_batch_age_seconds", "cablerouter_produce_errors_total",
    "cablerouter_internal_errors_total", "cablerouter_skipped_committed_cables_total",
}
VARIABLE = re.compile(r"\$(?:\{(\w+)(?::\w+)?\}|(\w+))")

BAD_INPUT = [
    b"",                                                                   # empty_input
    bytes(range(256)) * 4,                                                 # binary_input
    b"UNCLAS\n\nSUBJECT: NOTHING\n\n1. Body.\n",                           # no_addressees
    SEED.replace(b"O 110828Z FEB 10", b"O 119999Z FOO 10"),                # bad_dtg
]


def _generator():
    spec = importlib.util.spec_from_file_location(
        "grafana_dashboards", REPO / "deploy" / "grafana" / "dashboards.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _api(port: int, path: str, params: dict | list) -> dict:
    url = f"http://127.0.0.1:{port}/api/v1/{path}?" + urllib.parse.urlencode(params)
    with urllib.request.urlopen(url, timeout=30) as r:
        body = json.load(r)
    assert body["status"] == "success", body
    return body["data"]


def _scalar(port: int, expr: str) -> float | None:
    result = _api(port, "query", {"query": expr})["result"]
    return float(result[0]["value"][1]) if result else None


def grafana_expr(expr: str, *, instance: str, range_seconds: int) -> str:
    """``expr`` with Grafana's variables replaced as Grafana sends it: a multi-value
    variable as a regular expression of the chosen value (escaped, in a PromQL string)."""
    regex = re.escape(instance).replace("\\", "\\\\")
    values = {"job": JOB, "instance": regex, "__rate_interval": RATE_INTERVAL,
              "__interval": f"{STEP_SECONDS}s", "__interval_ms": str(STEP_SECONDS * 1000),
              "__range": f"{range_seconds}s", "__range_s": str(range_seconds),
              "__range_ms": str(range_seconds * 1000)}
    out = VARIABLE.sub(lambda m: values[m.group(1) or m.group(2)], expr)
    assert "$" not in out, out
    return out


def _describe(series: list[dict], instant: bool) -> tuple[list[float], str]:
    """Every finite value of a query's answer, and a short account of it."""
    finite: list[float] = []
    best: tuple[float, dict] | None = None
    for s in series:
        points = [s["value"]] if instant else s["values"]
        for _, raw in points:
            v = float(raw)
            if math.isfinite(v):
                finite.append(v)
                if best is None or v > best[0]:
                    best = (v, s["metric"])
    if best is None:
        return finite, f"{len(series)} series, no finite value"
    labels = ",".join(f"{k}={v}" for k, v in sorted(best[1].items()) if k not in ("job", "instance"))
    last = [float((s["value"] if instant else s["values"][-1])[1]) for s in series]
    return finite, (f"{len(series)} series, max {best[0]:.6g}{' {' + labels + '}' if labels else ''}, "
                    f"last {', '.join(f'{v:.6g}' for v in last[:6])}{' ...' if len(last) > 6 else ''}")


async def _apply_directory_update(bootstrap: str, topic: str) -> None:
    from aiokafka import AIOKafkaProducer

    from cablerouter.directory import CollectiveEntry, encode_entry, entry_key

    entry = CollectiveEntry(id="TEST DASHBOARD COLLECTIVE", plad="TEST DASHBOARD COLLECTIVE",
                            ri="RUCNDSH", members=["AMEMBASSY TOKYO", "AMEMBASSY SEOUL"])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(topic, encode_entry(entry), key=entry_key(entry).encode())
    finally:
        await producer.stop()


async def _wait_for(what: str, check, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if await asyncio.to_thread(check):
                return
        except OSError:
            pass
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.5)


async def test_every_dashboard_query_returns_data_from_a_real_prometheus(
    bootstrap, router_env, worker_factory, tmp_path
) -> None:
    assert PROMETHEUS, "prometheus not installed (deploy/setup installs the Debian package)"
    boards = _generator().build()
    env = router_env
    raw = env["CABLEROUTER_RAW_TOPIC"]
    await create_raw_topic(bootstrap, raw)
    worker = worker_factory()
    instance = f"127.0.0.1:{worker.port}"

    port = free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        f"global: {{scrape_interval: {SCRAPE_SECONDS}s, evaluation_interval: {SCRAPE_SECONDS}s}}\n"
        f"rule_files: ['{RULES}']\n"
        "scrape_configs:\n"
        f"  - job_name: {JOB}\n"
        f"    static_configs: [{{targets: ['{instance}']}}]\n"
    )
    prom_log_path = tmp_path / "prometheus.log"
    prom_log = prom_log_path.open("wb")
    prom = subprocess.Popen(
        [PROMETHEUS, f"--config.file={config}", f"--storage.tsdb.path={tmp_path / 'tsdb'}",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=prom_log,
    )
    try:
        await asyncio.to_thread(worker.wait_ready)
        await _wait_for("Prometheus scraping the worker",
                        lambda: _scalar(port, f'up{{job="{JOB}"}}') == 1)
        started = time.time()

        # The corpus, bad input and mutants, a live directory update, the corpus again.
        await asyncio.to_thread(kcat_publish_files, bootstrap, raw, CORPUS)
        sent = len(CORPUS)
        routed, dead = await wait_accounted(bootstrap, env, sent)
        assert len(routed) == len(CORPUS) and not dead, worker.log_tail()
        odd = mutants(CORPUS, [b"\n", b"ZZZZ", b"TO ", b"INFO ", b"\xff"], 40, seed=12)
        await publish_values(bootstrap, raw, BAD_INPUT + odd)
        sent += len(BAD_INPUT) + len(odd)
        routed, dead = await wait_accounted(bootstrap, env, sent)
        assert len(routed) + len(dead) == sent and len(dead) >= len(BAD_INPUT), worker.log_tail()
        await _apply_directory_update(bootstrap, env["CABLEROUTER_DIRECTORY_TOPIC"])
        await _wait_for("the directory update applied",
                        lambda: worker.metrics().get("cablerouter_directory_updates_total", 0) >= 1)
        await asyncio.to_thread(kcat_publish_files, bootstrap, raw, CORPUS)
        sent += len(CORPUS)
        routed, dead = await wait_accounted(bootstrap, env, sent)
        assert len(routed) + len(dead) == sent, worker.log_tail()

        # Prometheus has the final counts; two more scrapes close the last rate windows.
        await _wait_for("Prometheus seeing every cable", lambda: _scalar(
            port, "sum(cablerouter_routed_cables_total) + sum(cablerouter_dead_lettered_cables_total)"
        ) == sent)
        await asyncio.sleep(2 * SCRAPE_SECONDS + 0.5)
        end = time.time()
        range_seconds = math.ceil(end - started) + 5
        start = end - range_seconds

        # The variables' own queries find this job and worker.
        jobs = _api(port, "label/job/values", [("match[]", "cablerouter_consumed_cables_total")])
        assert JOB in jobs, jobs
        instances = _api(port, "label/instance/values",
                         [("match[]", f'cablerouter_consumed_cables_total{{job=~"{JOB}"}}')])
        assert instance in instances, instances

        facts: list[str] = []
        failures: list[str] = []
        for board in boards.values():
            for panel in board["panels"]:
                for t in panel.get("targets", []):
                    name = f"{board['title']} / {panel['title']} / {t['refId']}"
                    expr = grafana_expr(t["expr"], instance=instance, range_seconds=range_seconds)
                    if t["instant"]:
                        data = _api(port, "query", {"query": expr, "time": f"{end:.3f}"})
                    else:
                        data = _api(port, "query_range", {"query": expr, "start": f"{start:.3f}",
                                                          "end": f"{end:.3f}", "step": STEP_SECONDS})
                    finite, account = _describe(data["result"], t["instant"])
                    facts.append(f"{name} [{'instant' if t['instant'] else 'range'}]: {t['expr']}\n"
                                 f"    -> {account}")
                    metrics = set(re.findall(r"\bcablerouter_[a-z_]+", t["expr"]))
                    may_be_zero = (bool(metrics) and metrics <= MAY_STAY_ZERO) or "== 0" in t["expr"]
                    if not finite:
                        failures.append(f"{name}: no data for {expr}")
                    elif not may_be_zero and max(finite) <= 0:
                        failures.append(f"{name}: only 0 for {expr}")
        report = (f"{len(facts)} queries of {len(boards)} dashboards on a real Prometheus, "
                  f"{range_seconds} s of a worker routing {sent} cables (job={JOB}, "
                  f"instance={instance}, $__rate_interval={RATE_INTERVAL})\n\n" + "\n".join(facts) + "\n")
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(report)
        print(report)
        assert not failures, "\n".join(failures)
        assert len(facts) == sum(len(p.get("targets", [])) for b in boards.values() for p in b["panels"])
    finally:
        prom.terminate()
        prom.wait(30)
        prom_log.close()
    assert worker.terminate() == 0, worker.log_tail()
