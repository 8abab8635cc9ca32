"""BatchRouter's accounting without a broker: every source record ends as exactly one of
routed (its deliveries + one audit record) or dead-lettered (original bytes + reason)."""

from __future__ import annotations

import asyncio
import itertools
import pathlib

import msgspec
from aiokafka.errors import KafkaConnectionError, KafkaTimeoutError, ProducerFenced
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


class FakeTransaction:
    def __init__(self, writer: FakeWriter) -> None:
        self.writer = writer
        self.records: list = []

    async def add(self, records) -> None:
        self.records.extend(records)

    async def commit(self, next_offset: int) -> None:
        sink = self.writer.sink
        if sink.fail_commits:
            sink.fail_commits -= 1
            raise sink.failure
        held = sink.hold.get((self.writer.tp, next_offset))
        if held is not None:
            await held.wait()
        sink.sent.extend(self.records)
        sink.transactions.append((self.writer.tp, list(self.records), next_offset))
        self.writer.committed = next_offset

    async def abort(self) -> None:
        self.writer.sink.aborted.append((self.writer.tp, list(self.records)))


class FakeWriter:
    def __init__(self, sink: FakeSink, tp, committed) -> None:
        self.sink, self.tp, self.committed = sink, tp, committed

    async def begin(self) -> FakeTransaction:
        return FakeTransaction(self)


class FakeSink:
    """Records what committed transactions wrote; topics exist once 'created'."""

    def __init__(self, max_topics: int) -> None:
        self.known: set[str] = {"cables.deadletter", "cables.routed"}
        self.created = 0
        self.max_topics = max_topics
        self.sent: list = []  # records of committed transactions, in commit order
        self.transactions: list = []  # (input partition, records, next offset) per commit
        self.aborted: list = []
        self.committed: dict = {}  # the group's committed offsets when a writer starts
        self.writers: dict = {}
        self.fail_commits = 0
        self.fail_writers = 0
        self.failure: Exception = KafkaTimeoutError()
        self.hold: dict = {}  # (input partition, next offset) -> Event: commit waits for it

    def unknown_topics(self, topics):
        return {t for t in topics if t not in self.known}

    def room_for(self, count: int) -> bool:
        return self.created + count <= self.max_topics

    async def create_topics(self, topics) -> int:
        new = self.unknown_topics(topics)
        self.known |= new
        self.created += len(new)
        return len(new)

    async def writer(self, tp) -> FakeWriter:
        if self.fail_writers:
            self.fail_writers -= 1
            raise KafkaConnectionError("node not ready")
        if tp not in self.writers:
            self.writers[tp] = FakeWriter(self, tp, self.committed.get(tp))
        return self.writers[tp]

    async def release(self, tps) -> None:
        for tp in tps:
            self.writers.pop(tp, None)


def make_router(**settings: object) -> tuple[BatchRouter, FakeSink, RouterMetrics]:
    s = Settings().replace(**settings)
    sink = FakeSink(s.max_topics)
    metrics = RouterMetrics(CollectorRegistry())
    fatal: list[BaseException] = []
    router = BatchRouter(s, sink=sink, metrics=metrics, progress=Progress(stall_seconds=30),
                         directory=lambda: DIRECTORY, clock=lambda: 0.0, on_fatal=fatal.append)
    router.fatal = fatal  # type: ignore[attr-defined]
    return router, sink, metrics


def record(offset: int, value: bytes | None, partition: int = 0) -> SourceRecord:
    return SourceRecord(topic="cables.raw", partition=partition, offset=offset, timestamp=1_700_000_000.0,
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
    # The seed's enriched messages are ~12.7 KB each, the shortened cable's ~10.3 KB: over
    # an 11 KB limit the broker would refuse the seed's; it is dead-lettered (its raw bytes
    # fit) and the rest routes.
    router, sink, metrics = make_router(max_delivery_bytes=11_000)
    small = SEED.replace(b"INFO RUCNCIS/CIS COLLECTIVE 2441\n", b"").split(b"1. (SBU)")[0]
    await router.route([record(0, SEED), record(1, small)])
    dead = by_topic(sink.sent, "cables.deadletter")
    assert [dict(r.headers)["reason"] for r in dead] == [b"delivery_too_large"]
    headers = dict(dead[0].headers)
    assert headers["source-offset"] == b"0" and headers["cable-id"] == b"10ASTANA179"
    assert b"at most 11000 bytes" in headers["detail"] and b"cables.to." in headers["detail"]
    assert dead[0].value == SEED
    audits = [msgspec.json.decode(r.value) for r in by_topic(sink.sent, "cables.routed")]
    assert [a["offset"] for a in audits] == [1]
    assert all(len(r.value) <= 11_000 for r in sink.sent if r.topic.startswith("cables.to."))
    assert metrics.dead_lettered.labels("delivery_too_large")._value.get() == 1
    assert metrics.routed._value.get() == 1


async def test_a_partitions_outcomes_commit_in_one_transaction_with_its_next_offset() -> None:
    router, sink, metrics = make_router()
    bad = b"\x00\x01\x02" * 100
    # More cables than one part, so records reach the transaction in several hand-overs.
    await router.route([record(i, SEED if i % 7 else bad) for i in range(230)])
    assert [(tp, offset) for tp, _, offset in sink.transactions] == [(("cables.raw", 0), 230)]
    records = sink.transactions[0][1]
    assert len(by_topic(records, "cables.routed")) == 230 - len(range(0, 230, 7))
    assert len(by_topic(records, "cables.deadletter")) == len(range(0, 230, 7))
    assert metrics.transactions.labels("committed")._value.get() == 1
    assert not sink.aborted and not router.fatal


async def test_each_input_partition_commits_its_own_part() -> None:
    router, sink, _ = make_router()
    await router.route([record(10, SEED, 0), record(3, b"", 1), record(11, SEED, 0)])
    done = {tp[1]: (offset, [r.topic for r in records if not r.topic.startswith("cables.to.")])
            for tp, records, offset in sink.transactions}
    assert done == {0: (12, ["cables.routed", "cables.routed"]), 1: (4, ["cables.deadletter"])}


async def test_a_failed_transaction_is_aborted_and_retried_and_written_once() -> None:
    router, sink, metrics = make_router()
    sink.fail_commits = 2
    await router.route([record(0, SEED), record(1, b"")])
    assert len(sink.aborted) == 2 and len(sink.transactions) == 1
    assert len(by_topic(sink.sent, "cables.routed")) == 1
    assert len(by_topic(sink.sent, "cables.deadletter")) == 1
    assert metrics.transactions.labels("aborted")._value.get() == 2
    assert metrics.produce_errors._value.get() == 2
    assert metrics.routed._value.get() == 1 and not router.fatal


async def test_a_writer_that_cannot_start_while_the_batch_is_prepared_is_retried() -> None:
    # The partition's producer is started as soon as the first records are ready; a broker
    # that just died makes that fail, and the commit's retries take over.
    router, sink, metrics = make_router()
    sink.fail_writers = 2
    await router.route([record(i, SEED) for i in range(150)])
    assert not router.fatal
    assert [offset for *_, offset in sink.transactions] == [150]
    assert len(by_topic(sink.sent, "cables.routed")) == 150
    assert metrics.produce_errors._value.get() == 2


async def test_retries_are_bounded_then_the_worker_stops_without_committing() -> None:
    ticks = itertools.count()
    router, sink, metrics = make_router(stage_retry_seconds=2)
    router._clock = lambda: float(next(ticks))  # each look at the clock: one second later
    sink.fail_commits = 1000
    await router.route([record(0, SEED)])
    assert len(router.fatal) == 1 and isinstance(router.fatal[0], KafkaTimeoutError)
    assert not sink.transactions and sink.aborted
    assert metrics.routed._value.get() == 0


async def test_a_fenced_worker_stops_at_once() -> None:
    router, sink, _ = make_router()
    sink.fail_commits, sink.failure = 5, ProducerFenced()
    await router.route([record(0, SEED)])
    assert len(router.fatal) == 1 and isinstance(router.fatal[0], ProducerFenced)
    assert len(sink.aborted) == 1 and not sink.transactions


async def test_input_whose_outcome_was_committed_by_the_previous_owner_is_skipped() -> None:
    router, sink, metrics = make_router()
    sink.committed[("cables.raw", 0)] = 2  # the previous owner committed offsets 0 and 1
    await router.route([record(i, SEED) for i in range(4)])
    assert [offset for *_, offset in sink.transactions] == [4]
    assert [msgspec.json.decode(r.value)["offset"] for r in by_topic(sink.sent, "cables.routed")] == [2, 3]
    assert metrics.skipped_committed._value.get() == 2
    assert metrics.consumed._value.get() == 4 and metrics.routed._value.get() == 2


async def test_a_partitions_batches_commit_in_input_order() -> None:
    router, sink, _ = make_router(agent_concurrency=3)
    first = sink.hold[(("cables.raw", 0), 1)] = asyncio.Event()
    await router.submit([record(0, SEED)])
    await router.submit([record(1, b""), record(0, b"", 1)])
    await asyncio.sleep(0.05)
    # Partition 1 is free to commit; partition 0's second batch waits for its first.
    assert [(tp[1], offset) for tp, _, offset in sink.transactions] == [(1, 1)]
    first.set()
    await router.drain()
    assert [(tp[1], offset) for tp, _, offset in sink.transactions] == [(1, 1), (0, 1), (0, 2)]


async def test_a_redelivered_record_already_submitted_is_skipped() -> None:
    router, sink, metrics = make_router()
    await router.route([record(0, SEED), record(1, b"")])
    await router.route([record(1, b""), record(2, b"")])
    assert [offset for *_, offset in sink.transactions] == [2, 3]
    assert len(by_topic(sink.sent, "cables.deadletter")) == 2
    assert metrics.skipped_committed._value.get() == 1


async def test_a_dead_letter_too_large_for_the_broker_is_truncated_with_its_digest() -> None:
    import hashlib

    router, sink, _ = make_router(max_cable_bytes=1_000, max_message_bytes=20_000)
    big = b"A" * 50_000
    await router.route([record(0, big)])
    dead = by_topic(sink.sent, "cables.deadletter")[0]
    headers = dict(dead.headers)
    assert headers["reason"] == b"oversized_input" and headers["truncated"] == b"true"
    assert headers["original-length"] == b"50000"
    assert headers["original-sha256"] == hashlib.sha256(big).hexdigest().encode()
    assert big.startswith(dead.value) and 15_000 < len(dead.value) < 20_000


# An addressee line no reader can make sense of (a 300-character name) in the seed's INFO block.
GARBLED = SEED.replace(b"RUEHBJ/AMEMBASSY BEIJING", b"AMEMBASSY " + b"X" * 300 + b"\nRUEHBJ/AMEMBASSY BEIJING", 1)


async def test_an_unreadable_addressee_line_is_listed_counted_and_logged(caplog) -> None:
    router, sink, metrics = make_router()
    with caplog.at_level("WARNING", logger="cablerouter.router"):
        await router.route([record(0, GARBLED)])
    (audit,) = [msgspec.json.decode(r.value) for r in by_topic(sink.sent, "cables.routed")]
    (line,) = audit["unreadable"]
    assert line["block"] == "info" and line["text"] == "AMEMBASSY " + "X" * 300
    assert audit["deliveries"] == 26  # every readable addressee still receives it
    assert metrics.unreadable_addressee_lines._value.get() == 1
    (logged,) = [r for r in caplog.records if "unreadable" in r.getMessage()]
    assert logged.cable_id == "10ASTANA179" and logged.lines == [line["line"]]


async def test_a_site_can_dead_letter_cables_with_unreadable_addressee_lines() -> None:
    router, sink, metrics = make_router(unreadable_addressee="deadletter")
    await router.route([record(0, GARBLED), record(1, SEED)])
    (dead,) = by_topic(sink.sent, "cables.deadletter")
    headers = dict(dead.headers)
    assert headers["reason"] == b"unreadable_addressee" and headers["cable-id"] == b"10ASTANA179"
    assert b"AMEMBASSY XXXX" in headers["detail"]
    assert [msgspec.json.decode(r.value)["offset"] for r in by_topic(sink.sent, "cables.routed")] == [1]
    assert metrics.dead_lettered.labels("unreadable_addressee")._value.get() == 1
