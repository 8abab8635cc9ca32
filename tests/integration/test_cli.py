"""The command line against the real broker: publish, worker, tail, summary."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import msgspec

from tests.integration.test_router import (
    CORPUS,
    REPO,
    create_raw_topic,
    wait_accounted,
)


def cli(env: dict[str, str], *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cablerouter", *args], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)


async def test_publish_worker_tail_and_summary(bootstrap, router_env, worker_factory) -> None:
    env = router_env
    await create_raw_topic(bootstrap, env["CABLEROUTER_RAW_TOPIC"])
    worker = worker_factory()
    await asyncio.to_thread(worker.wait_ready)

    published = await asyncio.to_thread(cli, env, "publish", "tests/corpus/cables", "tests/corpus/seed")
    assert published.returncode == 0, published.stderr
    assert f"published {len(CORPUS)} of {len(CORPUS)} cables" in published.stderr
    await wait_accounted(bootstrap, env, len(CORPUS))

    tail = await asyncio.to_thread(cli, env, "tail", "SECSTATE WASHDC", "--from-beginning",
                                   "--json", "--idle-timeout", "3")
    assert tail.returncode == 0, tail.stderr
    messages = [msgspec.json.decode(line) for line in tail.stdout.splitlines()]
    assert {m["delivery"]["addressee"] for m in messages} == {"SECSTATE WASHDC"}
    assert "10ASTANA179" in {m["cable"]["id"] for m in messages}

    pretty = await asyncio.to_thread(cli, env, "tail", "RUEHC", "--from-beginning", "--max", "500",
                                     "--idle-timeout", "3")
    seed_line = next(line for line in pretty.stdout.splitlines() if line.startswith("10ASTANA179"))
    assert "action" in seed_line and "IMMEDIATE" in seed_line and "KAZAKHSTAN URGES" in seed_line

    summary = await asyncio.to_thread(cli, env, "summary", "--expect", str(len(CORPUS)), "--timeout", "30")
    assert summary.returncode == 0, summary.stderr
    assert f"routed cables: {len(CORPUS)}" in summary.stdout
    assert "dead-lettered: 0" in summary.stdout

    m = await asyncio.to_thread(worker.metrics)
    lag = {k: v for k, v in m.items() if k.startswith("cablerouter_consumer_lag_messages{")}
    assert len(lag) == 4 and set(lag.values()) == {0.0}, lag
    assert m["cablerouter_directory_entries"] > 4000
    assert any(k.startswith("cablerouter_directory_info{version=") for k in m)
    assert m["cablerouter_in_flight_cables"] == 0
    assert worker.terminate() == 0

    # A new worker taking over fully consumed partitions is ready with no lag: it measures
    # from the group's position, not from offset zero, and routes nothing again.
    again = worker_factory(CABLEROUTER_STALL_SECONDS="2")
    await asyncio.to_thread(again.wait_ready)
    await asyncio.sleep(4)  # past the stall limit: a lag counted from zero would turn it red
    status, body = await asyncio.to_thread(again.get, "/readyz")
    assert status == 200, body
    state = msgspec.json.decode(body)
    assert state["lag"] == 0 and state["assigned"] == 4
    m = await asyncio.to_thread(again.metrics)
    assert m["cablerouter_consumed_cables_total"] == 0
    assert again.terminate() == 0


def test_commands_fail_clearly_without_a_broker_or_with_bad_settings() -> None:
    down = cli({"CABLEROUTER_BOOTSTRAP_SERVERS": "127.0.0.1:1"}, "publish", "tests/corpus/seed", timeout=60)
    assert down.returncode == 1 and "is the broker at CABLEROUTER_BOOTSTRAP_SERVERS running?" in down.stderr
    bad = cli({"CABLEROUTER_WEB_PORT": "0"}, "worker", timeout=60)
    assert bad.returncode == 2 and "CABLEROUTER_WEB_PORT" in bad.stderr
    helptext = cli({}, "worker", "--help", timeout=60)
    assert helptext.returncode == 0 and "CABLEROUTER_BOOTSTRAP_SERVERS" in helptext.stdout
