"""BatchRouter's accounting without a broker: every source record ends as exactly one of
routed (its deliveries + one audit record) or dead-lettered (original bytes + reason)."""

from __future__ import annotations

import pathlib

import msgspec
from prometheus_client import CollectorRegistry

from cablerouter.config import Settings
from cablerouter.directory_files import load_default_directory
from cablerouter.metrics import RouterMetrics
from cablerouter.router import prepare as prepare_module
from cablerouter.router.batch import BatchRouter, SourceRecord
from cablerouter.router.envelope import EnrichedCable
from cablerouter.router.progress import Progress

SEED = (pathlib.Path(__file__).resolve().parents[2] / "corpus/seed/10ASTANA179.txt").read_bytes()
DIRECTORY = load_default_directory()


class FakeSink:
    """Records what would be produced; topics exist once 'created'."""

    def __init__(self, max_topics: int) -> None:
        self.known: set[str] = {"cables.deadletter", "cables.routed"}
        self.created = 0
        self.max_topics = max_topics
        self.sent: list = []
        self.settled: list[list] = []  # what each settle() acknowledged, in order

    def unknown_topics(self, topics):
        return {t for t in topics if t not in self.known}

    def room_for(self, count: int) -> bool:
        return self.created + count <= self.max_topics

    async def create_topics(self, topics) -> int:
        new = self.unknown_topics(topics)
        self.known |= new
        self.created += len(new)
        return len(new)

    def shipment(self) -> FakeShipment:
        return FakeShipment(self)


class FakeShipment:
    """Records count as sent once settled, as with the real sink."""

    def __init__(self, sink: FakeSink) -> None:
        self._sink = sink
        self._added: list = []

    async def add(self, records) -> None:
        self._added.extend(records)

    async def settle(self) -> None:
        self._sink.sent.extend(self._added)
        self._sink.settled.append(self._added)
        self._added = []


def make_router(**settings: object) -> tuple[BatchRouter, FakeSink, RouterMetrics]:
    s = Settings().replace(**settings)
    sink = FakeSink(s.max_topics)
    metrics = RouterMetrics(CollectorRegistry())
    router = BatchRouter(s, sink=sink, metrics=metrics, progress=Progress(stall_seconds=30),
                         directory=lambda: DIRECTORY, clock=lambda: 0.0)
    return router, sink, metrics


def record(offset: int, value: bytes | None) -> SourceRecord:
    return SourceRecord(topic="cables.raw", partition=0, offset=offset, timestamp=1_700_000_000.0,
                        key=f"k{offset}".encode(), value=value)


def by_topic(sent, topic):
    return [r for r in sent if r.topic == topic]


async def test_seed_routes_to_every_delivery_plus_one_audit_record() -> None:
    router, sink, metrics = make_router()
    await router.route([record(0, SEED)])
    audits = by_topic(sink.sent, "cables.routed")
    assert len(audits) == 1
    audit = msgspec.json.decode(audits[0].value)
    deliveries = [r for r in sink.sent if r.topic.startswith("cables.to.")]
    assert audit["deliveries"] == len(deliveries) == 26
    assert audit["topics"] == [r.topic for r in deliveries]
    first = msgspec.json.decode(deliveries[0].value, type=EnrichedCable)
    assert (first.delivery.addressee, first.delivery.role, first.delivery.precedence) == (
        "SECSTATE WASHDC", "action", "IMMEDIATE")
    assert first.cable.id == "10ASTANA179" and first.provenance.offset == 0
    assert dict(deliveries[0].headers)["cable-id"] == b"10ASTANA179"
    assert deliveries[0].key == b"10ASTANA179"
    assert metrics.routed._value.get() == 1 and metrics.consumed._value.get() == 1
    assert metrics.in_flight._value.get() == 0


async def test_bad_input_is_dead_lettered_with_its_bytes_and_the_rest_routes() -> None:
    router, sink, metrics = make_router()
    await router.route([record(0, b""), record(1, SEED), record(2, None), record(3, b"\x00" * 100)])
    dead = by_topic(sink.sent, "cables.deadletter")
    reasons = [dict(r.headers)["reason"] for r in dead]
    assert reasons == [b"empty_input", b"empty_input", b"binary_input"]
    assert [dict(r.headers)["source-offset"] for r in dead] == [b"0", b"2", b"3"]
    assert dead[2].value == b"\x00" * 100 and dead[2].key == b"k3"
    assert len(by_topic(sink.sent, "cables.routed")) == 1
    assert metrics.dead_lettered.labels("empty_input")._value.get() == 2


async def test_a_cable_needing_more_topics_than_the_cap_is_dead_lettered() -> None:
    router, sink, _ = make_router(max_topics=5)
    await router.route([record(0, SEED)])
    dead = by_topic(sink.sent, "cables.deadletter")
    assert [dict(r.headers)["reason"] for r in dead] == [b"topic_limit"]
    assert dict(dead[0].headers)["cable-id"] == b"10ASTANA179"
    assert sink.created == 0


async def test_an_internal_error_is_dead_lettered_and_counted_apart(monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise ZeroDivisionError("bug")

    monkeypatch.setattr(prepare_module, "resolve_distribution", broken)
    router, sink, metrics = make_router()
    await router.route([record(0, SEED)])
    dead = by_topic(sink.sent, "cables.deadletter")
    assert dict(dead[0].headers)["reason"] == b"internal_error"
    assert b"ZeroDivisionError" in dict(dead[0].headers)["detail"]
    assert metrics.internal_errors._value.get() == 1


def test_crash_policy_exits_before_anything_is_sent() -> None:
    """With on_internal_error=crash the process exits 70 and produces nothing (so nothing
    is acked and the cable is re-read); run in a child process."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(f"""
        import asyncio, sys
        sys.path.insert(0, {str(pathlib.Path(__file__).resolve().parents[3])!r})
        from tests.unit.router import test_batch as t
        def broken(*a, **k):
            raise ZeroDivisionError("bug")
        t.prepare_module.resolve_distribution = broken
        router, sink, _ = t.make_router(on_internal_error="crash")
        try:
            asyncio.run(router.route([t.record(0, t.SEED)]))
        finally:
            print("sent", len(sink.sent))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 70, proc.stderr[-2000:]
    assert "sent" not in proc.stdout  # os._exit: not even the finally ran


async def test_a_cable_whose_deliveries_are_too_large_is_dead_lettered_not_retried() -> None:
    # The seed's enriched messages are ~11.5 KB each: over a 10 KB limit, so the broker
    # would refuse them; the cable is dead-lettered (its raw bytes fit) and the rest routes.
    router, sink, metrics = make_router(max_delivery_bytes=10_000)
    small = SEED.replace(b"INFO RUCNCIS/CIS COLLECTIVE 2441\n", b"").split(b"1. (SBU)")[0]
    await router.route([record(0, SEED), record(1, small)])
    dead = by_topic(sink.sent, "cables.deadletter")
    assert [dict(r.headers)["reason"] for r in dead] == [b"delivery_too_large"]
    headers = dict(dead[0].headers)
    assert headers["source-offset"] == b"0" and headers["cable-id"] == b"10ASTANA179"
    assert b"at most 10000 bytes" in headers["detail"] and b"cables.to." in headers["detail"]
    assert dead[0].value == SEED
    audits = [msgspec.json.decode(r.value) for r in by_topic(sink.sent, "cables.routed")]
    assert [a["offset"] for a in audits] == [1]
    assert all(len(r.value) <= 10_000 for r in sink.sent if r.topic.startswith("cables.to."))
    assert metrics.dead_lettered.labels("delivery_too_large")._value.get() == 1
    assert metrics.routed._value.get() == 1


async def test_an_audit_record_is_written_only_after_all_deliveries_are_acknowledged() -> None:
    router, sink, _ = make_router()
    bad = b"\x00\x01\x02" * 100
    # More cables than one part, so deliveries go out in several hand-overs.
    await router.route([record(i, SEED if i % 7 else bad) for i in range(230)])
    first_audit = next(i for i, rounds in enumerate(sink.settled)
                       if any(r.topic == "cables.routed" for r in rounds))
    before = [r for rounds in sink.settled[:first_audit] for r in rounds]
    after = [r for rounds in sink.settled[first_audit:] for r in rounds]
    assert all(r.topic == "cables.routed" for r in after)
    assert len(after) == 230 - len(range(0, 230, 7))
    assert len([r for r in before if r.topic.startswith("cables.to.")]) == 26 * len(after)
    assert len([r for r in before if r.topic == "cables.deadletter"]) == len(range(0, 230, 7))
