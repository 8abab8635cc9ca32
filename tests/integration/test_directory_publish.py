"""`cablerouter directory publish` on the real broker: a file's entries reach the live
directory topic in one transaction, only what changed is written, `--replace` deletes what
the file no longer carries, and a running worker routes with the published entries."""

from __future__ import annotations

import asyncio
import os
import pathlib
import subprocess
import sys

import msgspec

from tests.integration.kafkautil import read_to_end
from tests.integration.test_router import create_raw_topic, publish_values, small_cable, wait_accounted

REPO = pathlib.Path(__file__).resolve().parents[2]

FIRST = """\
addressees:
  - {id: TEST POST ALPHA, plad: TEST POST ALPHA, ri: RUEHTPA}
  - {id: TEST POST BETA, plad: TEST POST BETA, ri: RUEHTPB}
collectives:
  - {id: TEST PUBLISHED COLLECTIVE, plad: TEST PUBLISHED COLLECTIVE, ri: RUCNTPC,
     members: [TEST POST ALPHA, TEST POST BETA]}
"""
# BETA is gone, ALPHA's RI changed, GAMMA is new; the collective now lists ALPHA and GAMMA.
SECOND = """\
addressees:
  - {id: TEST POST ALPHA, plad: TEST POST ALPHA, ri: RUEHTPX}
  - {id: TEST POST GAMMA, plad: TEST POST GAMMA, ri: RUEHTPG}
collectives:
  - {id: TEST PUBLISHED COLLECTIVE, plad: TEST PUBLISHED COLLECTIVE, ri: RUCNTPC,
     members: [TEST POST ALPHA, TEST POST GAMMA]}
"""


def publish(env: dict[str, str], path: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cablerouter", "directory", "publish", str(path), *args],
                          env={**os.environ, **env}, cwd=REPO, capture_output=True, text=True, timeout=120)


async def test_publish_writes_what_changed_and_a_worker_routes_with_it(
        bootstrap, router_env, worker_factory, tmp_path) -> None:
    env = router_env
    topic, prefix = env["CABLEROUTER_DIRECTORY_TOPIC"], env["CABLEROUTER_TOPIC_PREFIX"]
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    first.write_text(FIRST)
    second.write_text(SECOND)

    dry = await asyncio.to_thread(publish, env, first, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "+ addressee:TEST POST ALPHA" in dry.stdout and "would write 3 records" in dry.stdout

    done = await asyncio.to_thread(publish, env, first)
    assert done.returncode == 0, done.stderr
    assert "3 added, 0 changed, 0 removed, 0 unchanged; wrote 3 records" in done.stdout, done.stdout
    again = await asyncio.to_thread(publish, env, first)
    assert "0 added, 0 changed, 0 removed, 3 unchanged; wrote 0 records" in again.stdout, again.stdout

    # A worker started now loads the published entries on top of the default directory.
    await create_raw_topic(bootstrap, env["CABLEROUTER_RAW_TOPIC"])
    worker = worker_factory()
    await asyncio.to_thread(worker.wait_ready, 60)
    await publish_values(bootstrap, env["CABLEROUTER_RAW_TOPIC"], [small_cable(to=b"RUCNTPC/TEST PUBLISHED COLLECTIVE")])
    routed, _ = await wait_accounted(bootstrap, env, 1)
    topics = msgspec.json.decode(routed[0].value)["topics"]
    assert {f"{prefix}test-post-alpha", f"{prefix}test-post-beta"} <= set(topics), topics

    replaced = await asyncio.to_thread(publish, env, second, "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert "1 added, 2 changed, 1 removed, 0 unchanged; wrote 4 records" in replaced.stdout, replaced.stdout
    records = (await read_to_end(bootstrap, [topic]))[topic]
    assert [(r.key, r.value is None) for r in records][-4:] == [
        (b"addressee:TEST POST ALPHA", False), (b"addressee:TEST POST BETA", True),
        (b"addressee:TEST POST GAMMA", False), (b"collective:TEST PUBLISHED COLLECTIVE", False)]

    # The running worker applies the second publish live: BETA is out, GAMMA is in.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while loop.time() < deadline:
        if (await asyncio.to_thread(worker.metrics)).get("cablerouter_directory_updates_total", 0) >= 7:
            break
        await asyncio.sleep(0.3)
    await publish_values(bootstrap, env["CABLEROUTER_RAW_TOPIC"], [small_cable(to=b"RUCNTPC/TEST PUBLISHED COLLECTIVE")])
    routed, _ = await wait_accounted(bootstrap, env, 2)
    latest = next(msgspec.json.decode(r.value)["topics"] for r in routed
                  if f"{prefix}test-post-gamma" in msgspec.json.decode(r.value)["topics"])
    assert f"{prefix}test-post-beta" not in latest
    assert worker.terminate() == 0


async def test_an_invalid_file_is_refused_before_anything_is_written(router_env, tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("addressees:\n  - {id: X, plad: X, ri: RUEHX, colour: red}\n")
    done = await asyncio.to_thread(publish, router_env, bad)
    assert done.returncode == 1
    assert "invalid" in done.stderr and "colour" in done.stderr, done.stderr
