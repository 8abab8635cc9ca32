"""The preparing stage: in child processes it gives exactly what it gives in the event loop,
follows live directory updates, and loses nothing when a child dies."""

from __future__ import annotations

import os
import pathlib
import pickle
import signal
import subprocess
import sys
import time

import msgspec

from cablerouter import __version__
from cablerouter.directory import Directory
from cablerouter.directory_files import load_default_directory
from cablerouter.router.prepare import (
    DeliveryNote,
    Failed,
    InlineStage,
    Params,
    ProcessStage,
    Rejected,
    Routed,
    SourceRecord,
    prepare,
)
from cablerouter.telegram import DecodeLimits

CORPUS = pathlib.Path(__file__).resolve().parents[2] / "corpus"
DIRECTORY = load_default_directory()
PARAMS = Params(limits=DecodeLimits(), topic_prefix="cables.to.", routed_topic="cables.routed",
                router_version=__version__)


def sources() -> list[SourceRecord]:
    raws = [p.read_bytes() for p in sorted(CORPUS.glob("**/*.txt"))] + [b"", b"no header here"]
    return [SourceRecord(topic="cables.raw", partition=0, offset=i, timestamp=1_700_000_000.0,
                         key=None, value=raw) for i, raw in enumerate(raws)]


def comparable(results) -> list:
    """Results without timings and routing timestamps (which differ run to run)."""
    out = []
    for r in results:
        if isinstance(r, Routed):
            records = [*r.delivery_records(), r.audit]
            values = [msgspec.json.decode(rec.value) for rec in records]
            for v in values:
                v.pop("routed_at", None)
                if "provenance" in v:
                    v["provenance"].pop("routed_at")
            out.append(("routed", r.cable_id, [(x.topic, x.key, x.headers) for x in records],
                        values, r.deliveries))
        else:
            out.append(r._replace(seconds=0.0))
    return out


async def collect(stage, parts, directory=DIRECTORY) -> list:
    results = []
    async for part, prepared in stage.run(parts, directory):
        assert len(prepared) == len(part)
        results.extend(prepared)
    return results


async def test_child_processes_prepare_exactly_what_the_event_loop_does() -> None:
    items = sources()
    parts = [items[i : i + 40] for i in range(0, len(items), 40)]
    inline = await collect(InlineStage(PARAMS), parts)
    stage = ProcessStage(PARAMS, processes=2)
    try:
        await stage.start(DIRECTORY)
        in_children = await collect(stage, parts)
    finally:
        stage.close()
    assert comparable(in_children) == comparable(inline)
    assert sum(isinstance(r, Routed) for r in inline) == 151
    assert [r.reason for r in inline if isinstance(r, Rejected)] == ["empty_input", "no_addressees"]


async def test_a_new_directory_starts_new_children_with_it() -> None:
    seed = [SourceRecord(topic="cables.raw", partition=0, offset=0, timestamp=1_700_000_000.0,
                         key=None, value=(CORPUS / "seed/10ASTANA179.txt").read_bytes())]
    smaller = Directory.from_entries(
        e for key, e in DIRECTORY.entries().items() if key not in ("addressee:SECSTATE WASHDC", "station:RUEHC"))
    stage = ProcessStage(PARAMS, processes=1)
    try:
        before = await collect(stage, [seed])
        after = await collect(stage, [seed], smaller)
    finally:
        stage.close()
    flags = {d[2]: d[3] for d in before[0].deliveries}
    assert flags["SECSTATE WASHDC"] is False
    assert {d[2]: d[3] for d in after[0].deliveries}["SECSTATE WASHDC"] is True  # now unknown


async def test_a_dead_child_loses_nothing() -> None:
    items = sources()
    parts = [items[i : i + 20] for i in range(0, len(items), 20)]
    stage = ProcessStage(PARAMS, processes=1)
    try:
        await stage.start(DIRECTORY)
        for pid in list(stage._pool._processes):  # type: ignore[union-attr]
            os.kill(pid, signal.SIGKILL)
        dead = stage._pool
        results = await collect(stage, parts)
        again = await collect(stage, parts[:1])  # and new children serve the next batch
        assert stage._pool is not None and stage._pool is not dead
    finally:
        stage.close()
    assert len(results) == len(items)
    assert comparable(results) == comparable(await collect(InlineStage(PARAMS), parts))
    assert len(again) == len(parts[0])


_KILLED_PARENT = """
import asyncio, os, sys
from cablerouter import __version__
from cablerouter.directory_files import load_default_directory
from cablerouter.router.prepare import Params, ProcessStage
from cablerouter.telegram import DecodeLimits

async def main():
    stage = ProcessStage(Params(limits=DecodeLimits(), topic_prefix="cables.to.",
                                routed_topic="cables.routed", router_version=__version__), 1)
    await stage.start(load_default_directory())
    print(os.getpid(), flush=True)
    await asyncio.sleep(600)

asyncio.run(main())
"""


def _children(pid: int) -> set[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False)
    return {int(p) for p in out.stdout.split()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    stat = pathlib.Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def test_children_exit_when_the_worker_is_killed_without_shutting_down() -> None:
    parent = subprocess.Popen([sys.executable, "-c", _KILLED_PARENT], stdout=subprocess.PIPE, text=True)
    try:
        assert int(parent.stdout.readline()) == parent.pid  # the child is up
        children = _children(parent.pid)
        assert children, "no child process started"
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(c) for c in children):
        time.sleep(0.1)
    left = [c for c in children if _alive(c)]
    for c in left:
        os.kill(c, signal.SIGKILL)
    assert not left, f"child processes outlived the killed worker: {left}"


def test_results_are_named_and_pickle() -> None:
    results = prepare(sources(), DIRECTORY, PARAMS)
    kinds = {type(r) for r in results}
    assert kinds == {Routed, Rejected}
    assert pickle.loads(pickle.dumps(results)) == results  # noqa: S301 - as child processes send them
    for r in results:
        if isinstance(r, Routed):
            assert r.deliveries and all(isinstance(d, DeliveryNote) for d in r.deliveries)
            assert [d.addressee for d in r.deliveries] == [
                msgspec.json.decode(rec.value)["delivery"]["addressee"] for rec in r.delivery_records()]
            assert r.audit.topic == "cables.routed"
    failed = Failed("ValueError: x", "trace", 0.1)
    assert pickle.loads(pickle.dumps(failed)) == failed  # noqa: S301 - bytes made here
