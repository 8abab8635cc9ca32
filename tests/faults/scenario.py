"""One fault scenario: its own topics and consumer group on the shared cluster, supervised
workers, a publisher, a watcher of progress, the faults it injected, and the checker's
report at the end.

What was published is read back from the raw topic at the end, so the checker's list of
raw offsets is the topic's, not the publisher's idea of it (a publisher that retried a
send may have written a cable twice: both copies then need their outcome).
"""

from __future__ import annotations

import asyncio
import pathlib
import time
import uuid

from aiokafka import AIOKafkaProducer

from cablerouter.config import Settings, load_settings

from tests.faults.cables import Outcome, Predictor, corpus
from tests.faults.checker import (
    Fault,
    Report,
    Source,
    Watcher,
    check,
    failover,
    read_committed,
    recovery,
)
from tests.faults.cluster import Cluster
from tests.faults.workers import SupervisedWorker

RAW_PARTITIONS = 4
ALL_PARTITIONS = frozenset(range(RAW_PARTITIONS))
_REPLICATED = {"min.insync.replicas": "2"}
# The checker times records by when the broker wrote them (see tests/faults/checker.py).
_TIMED = {**_REPLICATED, "message.timestamp.type": "LogAppendTime"}
TICK = 0.2  # a paced publisher sends every TICK seconds


class Scenario:
    """Names, settings and bookkeeping of one scenario (``label``: e.g. ``a kill -9 worker x3``)."""

    def __init__(self, cluster: Cluster, label: str, log_dir: pathlib.Path,
                 **settings: str) -> None:
        self.cluster = cluster
        self.label = label
        self.tag = label.split(maxsplit=1)[0]
        self.log_dir = log_dir
        base = f"faults.{self.tag}.{uuid.uuid4().hex[:6]}"
        self.env: dict[str, str] = {
            "CABLEROUTER_BOOTSTRAP_SERVERS": cluster.bootstrap,
            "CABLEROUTER_APP_ID": f"{base}.app",
            "CABLEROUTER_RAW_TOPIC": f"{base}.raw",
            "CABLEROUTER_RAW_PARTITIONS": str(RAW_PARTITIONS),
            "CABLEROUTER_DEADLETTER_TOPIC": f"{base}.dead",
            "CABLEROUTER_ROUTED_TOPIC": f"{base}.routed",
            "CABLEROUTER_DIRECTORY_TOPIC": f"{base}.directory",
            "CABLEROUTER_TOPIC_PREFIX": f"{base}.to.",
            "CABLEROUTER_TOPIC_REPLICATION": "3",
            "CABLEROUTER_TOPIC_MIN_INSYNC_REPLICAS": "2",
            **settings,
        }
        self.settings: Settings = load_settings(self.env)
        self.predict = Predictor(self.settings)
        self.workers: list[SupervisedWorker] = []
        self.faults: list[Fault] = []
        self.watcher = Watcher(cluster.bootstrap, self.settings.raw_topic,
                               self.settings.routed_topic, self.settings.deadletter_topic)
        self.started = time.monotonic()
        self.sent = 0  # records the publishers had acknowledged
        self.publish_errors: list[str] = []
        self._keys = 0
        self._publishing: list[asyncio.Task] = []
        self.timeline: list[tuple[float, int, Source]] = []
        self.published_at: dict[Source, float] = {}

    @property
    def raw_topic(self) -> str:
        return self.settings.raw_topic

    async def setup(self) -> None:
        """Create the input, audit and dead-letter topics (3 replicas, min.insync 2) and
        start watching."""
        s = self.settings
        await self.cluster.create_topics({
            s.raw_topic: (RAW_PARTITIONS, _TIMED),
            s.routed_topic: (s.topic_partitions, _TIMED),
            s.deadletter_topic: (s.topic_partitions, _TIMED),
        })
        await self.watcher.start()

    def worker(self, name: str = "w") -> SupervisedWorker:
        w = SupervisedWorker(f"{self.tag}-{name}", self.env, self.log_dir).start()
        self.workers.append(w)
        return w

    # -- input -----------------------------------------------------------------------------
    def publish(self, values: list[bytes | None], *, per_second: float | None = None,
                partitions: list[int] | None = None) -> asyncio.Task:
        """Publish ``values`` (acks=all) in the background, each with its own key, round
        robin over the raw partitions unless ``partitions`` says; all at once, or
        ``per_second`` (sent every :data:`TICK` s). :meth:`finish` waits for it."""
        task = asyncio.create_task(self._publish(values, per_second, partitions))
        self._publishing.append(task)
        return task

    async def _publish(self, values: list[bytes | None], per_second: float | None,
                       partitions: list[int] | None) -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=self.cluster.bootstrap, acks="all", enable_idempotence=True,
            linger_ms=20, max_batch_size=1_000_000, max_request_size=2 * 1_048_576,
            request_timeout_ms=30_000, retry_backoff_ms=200, metadata_max_age_ms=5_000)
        await producer.start()
        pending: list[tuple[bytes, bytes | None, int, asyncio.Future]] = []
        try:
            chunk = len(values) if per_second is None else max(1, round(per_second * TICK))
            started = time.monotonic()
            for n, first in enumerate(range(0, len(values), chunk)):
                if per_second is not None:
                    await asyncio.sleep(max(0.0, started + n * TICK - time.monotonic()))
                for i in range(first, min(first + chunk, len(values))):
                    p = partitions[i] if partitions is not None else self._keys % RAW_PARTITIONS
                    key = f"{self.tag}-{self._keys:05d}".encode()
                    self._keys += 1
                    future = await producer.send(self.raw_topic, values[i], key=key, partition=p)
                    future.add_done_callback(self._acked)
                    pending.append((key, values[i], p, future))
            for _attempt in range(5):
                failed = []
                for key, value, p, future in pending:
                    try:
                        await future
                    except Exception as exc:  # noqa: BLE001 - sent again below
                        self.publish_errors.append(f"{key.decode()}: {exc!r}")
                        failed.append((key, value, p))
                if not failed:
                    break
                await asyncio.sleep(1)
                pending = []
                for key, value, p in failed:
                    future = await producer.send(self.raw_topic, value, key=key, partition=p)
                    future.add_done_callback(self._acked)
                    pending.append((key, value, p, future))
            else:
                raise AssertionError(f"publishing failed: {self.publish_errors[-3:]}")
        finally:
            await producer.stop()

    def _acked(self, future: asyncio.Future) -> None:
        if not future.cancelled() and future.exception() is None:
            self.sent += 1

    async def warm_up(self, timeout: float = 120.0) -> list[bytes]:
        """Publish the corpus once and wait until it is routed: the router has then created
        the scenario's addressee topics, and what follows is its steady state."""
        cables = corpus()
        await self.publish(cables)
        await self.watcher.wait_count(len(cables), timeout)
        return cables

    async def wait_caught_up(self, timeout: float = 120.0, slack: int = 100) -> None:
        """Wait until the router keeps up with the input: at most ``slack`` acknowledged
        raw records (a second's worth) without their outcome."""
        await self.watcher.wait_for(lambda: len(self.watcher.seen) >= self.sent - slack > 0,
                                    timeout, "the router catching up with the input")

    def fault(self, at: float, what: str, partitions: frozenset[int] = ALL_PARTITIONS) -> None:
        self.faults.append(Fault(at, what, frozenset(partitions)))

    # -- the end -----------------------------------------------------------------------------
    async def finish(self, timeout: float = 120.0) -> Report:
        """Wait until the input is published and every raw record's outcome is visible
        (or ``timeout``), stop the workers with SIGTERM, read everything back and check it."""
        await asyncio.gather(*self._publishing)
        s = self.settings
        raw = (await read_committed(self.cluster.bootstrap, [s.raw_topic]))[s.raw_topic]
        published: dict[Source, bytes | None] = {(r.partition, r.offset): r.value for r in raw}
        published_at = {(r.partition, r.offset): r.timestamp / 1000 for r in raw}
        predicted: dict[Source, Outcome] = {src: self.predict(v) for src, v in published.items()}
        self.watcher.expect(set(published))
        complete = await self.watcher.wait_complete(timeout)
        await self.watcher.stop()
        statuses = await asyncio.gather(*(asyncio.to_thread(w.terminate) for w in self.workers))

        report = Report(self.label, len(published))
        report.restarts = sum(w.restarts for w in self.workers)
        report.unplanned_exits = [e.status for w in self.workers for e in w.unplanned_exits]
        if not complete:
            report.problems.append(
                f"only {len(self.watcher.seen & set(published))} of {len(published)} "
                f"outcomes visible after {timeout}s")
        for w, status in zip(self.workers, statuses, strict=True):
            if status not in (0, None):
                report.problems.append(f"worker {w.name} exited with {status} on SIGTERM")
        if len(published) != self.sent:
            report.problems.append(f"the raw topic holds {len(published)} records, "
                                   f"the publisher had {self.sent} acknowledged")

        topics = await self.cluster.topics_with_prefix(s.topic_prefix)
        got = await read_committed(self.cluster.bootstrap,
                                   [s.routed_topic, s.deadletter_topic, *topics])
        timeline = check(
            report, raw_topic=s.raw_topic, published=published, predicted=predicted,
            routed_records=got.pop(s.routed_topic), dead_records=got.pop(s.deadletter_topic),
            delivery_records=got,
        )
        self.timeline, self.published_at = timeline, published_at  # for a closer look
        faults = sorted(self.faults, key=lambda f: f.at)
        report.failovers = [
            -1.0 if (v := failover(timeline, f, nxt.at if nxt else None)) is None else round(v, 2)
            for f, nxt in zip(faults, [*faults[1:], None][: len(faults)], strict=True)  # none when no faults
        ]
        measured = [v for v in report.failovers if v >= 0]
        report.failover_s = max(measured) if measured else None
        if faults:
            report.recovery_s = recovery(timeline, published_at, faults[-1].at)
        report.seconds = time.monotonic() - self.started
        return report

    def stop(self) -> None:
        """Clean up after a failure: kill whatever still runs."""
        for task in self._publishing:
            task.cancel()
        for w in self.workers:
            w.stop()

    def logs(self, lines: int = 30) -> str:
        out = []
        for w in self.workers:
            for path in w.all_logs()[-2:]:
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                out.append(f"--- {path.name}\n" + "\n".join(tail))
        return "\n".join(out)
