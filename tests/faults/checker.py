"""The independent checker: what is on the topics, read committed, against the prediction.

It shares no code with the router: it reads the audit topic, the dead-letter topic and every
addressee topic of a scenario with ``isolation_level=read_committed`` (what a consumer of
the switch sees; aborted transactions are invisible), decodes only the fields it needs with
its own message types, and compares them with :mod:`tests.faults.cables`' prediction:

* every published raw offset has exactly one outcome: one audit record, or one dead letter
  (``source-partition``/``source-offset`` headers) with the predicted ``reason``;
* every predicted delivery (addressee topic, raw partition and offset, and the delivery
  object) is present exactly once: *lost* counts the missing ones, *duplicated* the extra
  copies, *unexpected* deliveries nobody predicted;
* a dead letter keeps the original bytes, or, when they would not fit the broker, a
  prefix of them with ``original-length`` and ``original-sha256`` headers that match.

Timing, from the broker's own clock (the scenario creates the raw, audit and dead-letter
topics with ``message.timestamp.type=LogAppendTime``, so a record's timestamp is when the
broker wrote it, not when a publisher or a worker built it):

* **failover seconds** of a fault: the longest pause in the committed outcomes of the raw
  partitions the fault affected, counted from the fault until the next fault (or the
  end). For a killed worker: until another worker (the restarted or a surviving one)
  wrote the first outcome for a partition the killed one held. For a broker fault: the
  longest the router's output stood still after it. With input arriving steadily (every
  0.2 s), an undisturbed router scores about 0.2.
* **recovery seconds**: from the (last) fault until every outcome the fault delayed is
  present: the broker time of the last outcome written more than :data:`LATE` seconds
  after its raw record, minus the fault's time (0 when no outcome was late). With all
  input published before the fault, that is when the last outcome arrived.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import hashlib
import time

import msgspec
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

from tests.faults.cables import DeadLettered, DeliveryKey, Outcome, Routed

Source = tuple[int, int]  # raw partition, raw offset

# An outcome written more than this long after its raw record was delayed (by a fault or
# by the topic creation at the start of a run); undisturbed, the router takes well under.
LATE = 2.0


# -- the checker's own view of the router's messages -------------------------------------

class _Delivery(msgspec.Struct):
    addressee: str
    topic: str
    role: str
    precedence: str | None = None
    via: list[str] = []
    mcn: str | None = None
    flags: list[str] = []


class _Provenance(msgspec.Struct):
    topic: str
    partition: int
    offset: int


class _Enriched(msgspec.Struct):
    delivery: _Delivery
    provenance: _Provenance


class _Audit(msgspec.Struct):
    topic: str
    partition: int
    offset: int
    topics: list[str] = []


_enriched = msgspec.json.Decoder(_Enriched)
_audit = msgspec.json.Decoder(_Audit)


# -- reading -----------------------------------------------------------------------------

def committed_consumer(bootstrap: str, **kwargs) -> AIOKafkaConsumer:
    """A group-less ``read_committed`` consumer with short timeouts, so that a stopped or
    dead broker delays it by seconds, not by the 40 s default request timeout."""
    return AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
        auto_offset_reset="earliest", isolation_level="read_committed",
        request_timeout_ms=10_000, metadata_max_age_ms=5_000, retry_backoff_ms=200,
        max_partition_fetch_bytes=4 * 1_048_576, fetch_max_bytes=64 * 1_048_576, **kwargs,
    )


async def partitions_of(bootstrap: str, topics: list[str], timeout: float = 30.0
                        ) -> list[TopicPartition]:
    """Every partition of ``topics`` (waiting a little for just-created ones to show up
    in the metadata of whichever broker answers)."""
    deadline = time.monotonic() + timeout
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        while True:
            described = await admin.describe_topics(list(topics))
            missing = [d["topic"] for d in described if d.get("error_code") or not d["partitions"]]
            if not missing:
                break
            assert time.monotonic() < deadline, f"topics not found: {missing[:5]}"
            await asyncio.sleep(0.5)
    finally:
        await admin.close()
    return [TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]]


async def read_committed(bootstrap: str, topics: list[str], timeout: float = 120.0
                         ) -> dict[str, list]:
    """Every committed record of ``topics``, from the beginning to the last stable offset
    as of the call."""
    out: dict[str, list] = {t: [] for t in topics}
    if not topics:
        return out
    tps = await partitions_of(bootstrap, topics)
    consumer = committed_consumer(bootstrap)
    await consumer.start()
    try:
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)  # read_committed: the last stable offsets
        remaining = {tp for tp in tps if end[tp] > 0}
        deadline = time.monotonic() + timeout
        while remaining and time.monotonic() < deadline:
            batch = await consumer.getmany(*remaining, timeout_ms=500)
            for tp, records in batch.items():
                out[tp.topic].extend(r for r in records if r.offset < end[tp])
            for tp in list(remaining):
                if await consumer.position(tp) >= end[tp]:
                    remaining.discard(tp)
        assert not remaining, (
            f"could not read {len(remaining)} partitions to their end in {timeout}s: "
            f"{sorted(map(str, remaining))[:5]}")
    finally:
        await consumer.stop()
    return out


def audit_source(record) -> tuple[str, Source]:
    a = _audit.decode(record.value)
    return a.topic, (a.partition, a.offset)


def deadletter_source(record) -> tuple[str, Source]:
    h = dict(record.headers)
    return (h.get("source-topic", b"").decode(),
            (int(h["source-partition"]), int(h["source-offset"])))


# -- watching progress while a scenario runs -------------------------------------------

class Watcher:
    """Follows the audit and dead-letter topics (read committed) while a scenario runs:
    which raw offsets have an outcome, when each outcome record was written, and when the
    last expected one became visible."""

    def __init__(self, bootstrap: str, raw_topic: str, routed_topic: str, dead_topic: str) -> None:
        self._bootstrap = bootstrap
        self._raw = raw_topic
        self._routed = routed_topic
        self._dead = dead_topic
        self.seen: set[Source] = set()
        self.appended: list[float] = []  # broker time of every outcome record seen
        self.expected: set[Source] | None = None
        self.complete_at: float | None = None  # wall time every expected outcome was seen
        self._task: asyncio.Task | None = None
        self._changed = asyncio.Event()
        self.error: BaseException | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def expect(self, sources: set[Source]) -> None:
        self.expected = set(sources)
        self._check_complete()

    def _check_complete(self) -> None:
        if self.complete_at is None and self.expected is not None and self.expected <= self.seen:
            self.complete_at = time.time()

    async def _run(self) -> None:
        try:
            tps = await partitions_of(self._bootstrap, [self._routed, self._dead])
            consumer = committed_consumer(self._bootstrap)
            await consumer.start()
            try:
                consumer.assign(tps)
                await consumer.seek_to_beginning(*tps)
                while True:
                    batch = await consumer.getmany(timeout_ms=200)
                    for tp, records in batch.items():
                        decode = audit_source if tp.topic == self._routed else deadletter_source
                        for r in records:
                            topic, source = decode(r)
                            if topic == self._raw:
                                self.seen.add(source)
                                self.appended.append(r.timestamp / 1000)
                    if batch:
                        self._check_complete()
                        self._changed.set()
                        self._changed = asyncio.Event()
            finally:
                await consumer.stop()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # noqa: BLE001 - reported by the waits
            self.error = exc
            self._changed.set()

    def appended_after(self, t: float) -> int:
        """Outcome records the broker wrote after wall time ``t``."""
        return sum(1 for a in self.appended if a > t)

    async def wait_for(self, predicate, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            if self.error is not None:
                raise AssertionError(f"watcher failed: {self.error!r}")
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{what}: not within {timeout}s ({len(self.seen)} outcomes seen)")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), min(left, 1.0))

    async def wait_count(self, n: int, timeout: float) -> None:
        await self.wait_for(lambda: len(self.seen) >= n, timeout, f"{n} outcomes")

    async def wait_appended_after(self, t: float, n: int, timeout: float) -> None:
        await self.wait_for(lambda: self.appended_after(t) >= n, timeout,
                            f"{n} outcomes written after the fault")

    async def wait_complete(self, timeout: float) -> bool:
        """Whether every expected outcome was seen within ``timeout``."""
        try:
            await self.wait_for(lambda: self.complete_at is not None, timeout, "all outcomes")
        except TimeoutError:
            return False
        return True


# -- the verdict -------------------------------------------------------------------------

class Fault(msgspec.Struct, frozen=True):
    at: float  # wall time
    what: str
    partitions: frozenset[int]  # raw partitions it affected


class Report(msgspec.Struct):
    scenario: str
    cables: int  # raw records published
    outcomes_missing: int = 0  # raw offsets with neither audit record nor dead letter
    outcomes_duplicated: int = 0  # extra outcomes (a raw offset routed/dead-lettered twice)
    outcomes_wrong: int = 0  # routed instead of dead-lettered, or another reason
    deliveries_expected: int = 0
    lost: int = 0  # predicted deliveries not on their topic
    duplicated: int = 0  # extra copies of predicted deliveries
    unexpected: int = 0  # deliveries nobody predicted
    deadletters_bad: int = 0  # a dead letter whose value/headers do not keep the original
    failover_s: float | None = None
    failovers: list[float] = []
    recovery_s: float | None = None
    restarts: int = 0
    unplanned_exits: list[int] = []
    problems: list[str] = []
    seconds: float = 0.0  # wall time of the whole scenario

    @property
    def ok(self) -> bool:
        return not (self.outcomes_missing or self.outcomes_duplicated or self.outcomes_wrong
                    or self.lost or self.duplicated or self.unexpected or self.deadletters_bad)

    def line(self) -> str:
        def s(v: float | None) -> str:
            return "-" if v is None else f"{v:.1f}"
        return (f"{self.scenario}: cables={self.cables} lost={self.lost} "
                f"duplicated={self.duplicated} unexpected={self.unexpected} "
                f"outcomes missing/duplicated/wrong={self.outcomes_missing}/"
                f"{self.outcomes_duplicated}/{self.outcomes_wrong} "
                f"failover_s={s(self.failover_s)} recovery_s={s(self.recovery_s)} "
                f"restarts={self.restarts} unplanned_exits={self.unplanned_exits or '-'} "
                f"({self.seconds:.0f}s)")


def _limit(problems: list[str], message: str) -> None:
    if len(problems) < 20:
        problems.append(message)


def check(
    report: Report,
    *,
    raw_topic: str,
    published: dict[Source, bytes | None],
    predicted: dict[Source, Outcome],
    routed_records: list,
    dead_records: list,
    delivery_records: dict[str, list],
) -> list[tuple[float, int, Source]]:
    """Fill ``report``'s counts; returns the committed outcomes' timeline (broker append
    time in seconds, raw partition, raw source), for :func:`failover` and :func:`recovery`."""
    problems = report.problems
    outcomes: dict[Source, list[tuple[str, object]]] = collections.defaultdict(list)
    timeline: list[tuple[float, int, Source]] = []
    for r in routed_records:
        topic, source = audit_source(r)
        if topic != raw_topic:
            continue
        outcomes[source].append(("routed", _audit.decode(r.value)))
        timeline.append((r.timestamp / 1000, source[0], source))
    for r in dead_records:
        topic, source = deadletter_source(r)
        if topic != raw_topic:
            continue
        outcomes[source].append(("dead", r))
        timeline.append((r.timestamp / 1000, source[0], source))

    for source in outcomes.keys() - published.keys():
        report.outcomes_wrong += len(outcomes[source])
        _limit(problems, f"outcome for a raw offset nobody published: {source}")

    expected_deliveries: collections.Counter[tuple[Source, DeliveryKey]] = collections.Counter()
    for source, want in predicted.items():
        if isinstance(want, Routed):
            expected_deliveries.update((source, d) for d in want.deliveries)
        got = outcomes.get(source, [])
        if not got:
            report.outcomes_missing += 1
            _limit(problems, f"no outcome for raw {source}: expected " + (
                f"cable {want.cable_id} routed to {len(want.deliveries)} topics"
                if isinstance(want, Routed) else f"a dead letter ({want.reason})"))
            continue
        if len(got) > 1:
            report.outcomes_duplicated += len(got) - 1
        kind, first = got[0]
        if isinstance(want, Routed):
            if kind != "routed":
                report.outcomes_wrong += 1
                _limit(problems, f"raw {source} dead-lettered ({dict(first.headers).get('reason')}), "
                                 f"expected routed")
            elif sorted(first.topics) != sorted(d[0] for d in want.deliveries):
                report.outcomes_wrong += 1
                _limit(problems, f"audit record of raw {source} lists other topics: {first.topics[:5]}")
            continue
        assert isinstance(want, DeadLettered)
        if kind != "dead":
            report.outcomes_wrong += 1
            _limit(problems, f"raw {source} routed, expected dead letter {want.reason}")
            continue
        for k, r in got:
            if k != "dead":
                continue
            headers = {h: v.decode("utf-8", "replace") for h, v in r.headers}
            if headers.get("reason") != want.reason:
                report.outcomes_wrong += 1
                _limit(problems, f"raw {source} dead-lettered with {headers.get('reason')}, "
                                 f"expected {want.reason}")
            trouble = _deadletter_trouble(published[source] or b"", r.value or b"", headers)
            if trouble:
                report.deadletters_bad += 1
                _limit(problems, f"dead letter of raw {source}: {trouble}")

    got_deliveries: collections.Counter[tuple[Source, DeliveryKey]] = collections.Counter()
    for topic, records in delivery_records.items():
        for r in records:
            m = _enriched.decode(r.value)
            p, d = m.provenance, m.delivery
            if p.topic != raw_topic:
                continue
            if d.topic != topic:
                _limit(problems, f"delivery for {d.topic} found on {topic}")
            key = (d.topic, d.addressee, d.role, d.precedence, tuple(d.via), d.mcn, tuple(d.flags))
            got_deliveries[((p.partition, p.offset), key)] += 1
    report.deliveries_expected = sum(expected_deliveries.values())
    for key, n in expected_deliveries.items():
        have = got_deliveries.get(key, 0)
        if have < n:
            report.lost += n - have
            _limit(problems, f"lost: {key[1][0]} of raw {key[0]}")
        elif have > n:
            report.duplicated += have - n
    for key, have in got_deliveries.items():
        if key not in expected_deliveries:
            report.unexpected += have
            _limit(problems, f"unexpected delivery {key[1][:2]} of raw {key[0]}")
    return timeline


def _deadletter_trouble(original: bytes, value: bytes, headers: dict[str, str]) -> str | None:
    for h in ("detail", "source-topic"):
        if not headers.get(h):
            return f"no {h} header"
    if value == original:
        return None
    if "original-length" not in headers or "original-sha256" not in headers:
        return (f"value of {len(value)} bytes differs from the original {len(original)} and no "
                "original-length/original-sha256 headers say why")
    if headers["original-length"] != str(len(original)):
        return f"original-length {headers['original-length']} != {len(original)}"
    if headers["original-sha256"].lower() != hashlib.sha256(original).hexdigest():
        return "original-sha256 does not match the original"
    if not original.startswith(value) or len(value) >= len(original):
        return "truncated value is not a shorter prefix of the original"
    return None


def failover(timeline: list[tuple[float, int, Source]], fault: Fault, until: float | None
             ) -> float | None:
    """The longest pause in committed outcomes of ``fault``'s partitions, from the fault
    until ``until`` (the next fault; None: the end). None when none came after it."""
    times = sorted(t for t, p, _ in timeline
                   if p in fault.partitions and t >= fault.at and (until is None or t < until))
    if not times:
        return None
    previous, longest = fault.at, 0.0
    for t in times:
        longest = max(longest, t - previous)
        previous = t
    return longest


def recovery(timeline: list[tuple[float, int, Source]], published_at: dict[Source, float],
             fault_at: float) -> float:
    """Seconds from ``fault_at`` until the last outcome written after it that came more
    than :data:`LATE` seconds after its raw record (0: none was late)."""
    first: dict[Source, float] = {}
    for t, _, source in timeline:
        if t < first.get(source, float("inf")):
            first[source] = t
    late = [t for source, t in first.items()
            if t >= fault_at and t - published_at.get(source, t) > LATE]
    return max(late) - fault_at if late else 0.0
