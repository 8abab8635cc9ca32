"""Route batches of raw cables: decode, resolve, fan out, dead-letter, account, commit.

This is the body of the router's agent, kept free of Faust so it is tested directly.
Every source record ends as exactly one of: routed (its deliveries and its audit record)
or dead-lettered (original bytes and reason on the dead-letter topic), written in a Kafka
transaction together with the input offset that says so. Each input partition's part of a
batch is its own transaction, on that partition's producer (:mod:`cablerouter.router.sink`),
and a partition's transactions commit in input order; up to ``agent_concurrency`` batches
are in flight, so one is prepared while another commits. A failure is retried (aborting
the transaction, with back-off) for ``stage_retry_seconds``; after that, or when another
worker has fenced this one, the worker stops (exit status 75) without committing, and
the input is routed again by the partition's next owner: nothing is skipped, nothing is
written twice for a ``read_committed`` reader. Nothing escapes for bad input. The
CPU-bound part (decoding, resolving, encoding) is :mod:`cablerouter.router.prepare`'s,
run in the event loop or in child processes.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence

from aiokafka.errors import (
    InvalidProducerEpoch,
    ProducerFenced,
    TransactionalIdAuthorizationFailed,
)

from cablerouter import __version__
from cablerouter.config import Settings
from cablerouter.directory import Directory
from cablerouter.metrics import RouterMetrics
from cablerouter.router.outcomes import Outcome, Outcomes, RejectedCable, RoutedCable
from cablerouter.router.prepare import (
    InlineStage,
    Params,
    ProcessStage,
    SourceRecord,
    Stage,
)
from cablerouter.router.progress import Progress
from cablerouter.router.retry import Backoff
from cablerouter.router.sink import DeliverySink, PartitionWriter, Transaction
from cablerouter.telegram import DecodeLimits

__all__ = ("BatchRouter", "SourceRecord", "stage_for")

log = logging.getLogger("cablerouter.router")

# Cables prepared between two hand-overs to the producer.
_SHIP_EVERY = 100


Partition = tuple[str, int]

# Errors no retry can cure: another worker owns the partition now, or this one may not
# write transactions at all.
_FATAL = (ProducerFenced, InvalidProducerEpoch, TransactionalIdAuthorizationFailed)

# Exit status of a worker that stopped because routing could not go on (EX_TEMPFAIL).
EXIT_ROUTING_FAILED = 75


def _retrieve(future: asyncio.Future[None]) -> None:
    if not future.cancelled():
        future.exception()  # seen by whoever awaits it; never "never retrieved"


def _exit_worker(exc: BaseException) -> None:
    """Stop the process without committing anything more: the partitions' next owner
    aborts what is open and routes the input again."""
    fenced = isinstance(exc, _FATAL)
    log.error(
        "another worker took over this worker's partitions; stopping" if fenced
        else "routing failed (after CABLEROUTER_STAGE_RETRY_SECONDS of retries, or a bug); "
        "stopping without committing",
        extra={"error": repr(exc), "exit_status": EXIT_ROUTING_FAILED},
    )
    logging.shutdown()
    os._exit(EXIT_ROUTING_FAILED)


class _Part:
    """One input partition's share of a batch: its outcomes and its transaction."""

    def __init__(self, tp: Partition, previous: asyncio.Future[None] | None,
                 turn: asyncio.Future[None]) -> None:
        self.tp = tp
        self.previous = previous  # the partition's previous transaction in this worker
        self.turn = turn  # done when this one is committed
        self.outcomes: list[Outcome] = []
        self.kept: list[Outcome] = []  # outcomes not committed before
        self.shipped = 0  # how many of ``outcomes`` were looked at for the transaction
        self.writer: PartitionWriter | None = None
        self.txn: Transaction | None = None
        self.failed_early = False  # shipping early failed: the rest waits for _commit

    def can_ship(self) -> bool:
        return (not self.failed_early and self.shipped < len(self.outcomes)
                and (self.previous is None or self.previous.done()))

    def restart(self) -> None:
        """Start over after an aborted attempt: every outcome goes in the next one."""
        self.kept = []
        self.shipped = 0
        self.writer = None


def stage_for(settings: Settings) -> Stage:
    """The preparing stage ``settings`` ask for (``decode_processes``; 0 = in the loop)."""
    params = Params(
        limits=DecodeLimits(max_bytes=settings.max_cable_bytes, max_addressees=settings.max_addressees),
        topic_prefix=settings.topic_prefix, routed_topic=settings.routed_topic,
        router_version=__version__, unreadable_addressee=settings.unreadable_addressee,
    )
    if settings.decode_processes == 0:
        return InlineStage(params)
    return ProcessStage(params, settings.decode_processes)


class BatchRouter:
    """Routes batches of source records through an injected sink, in transactions.

    Parameters
    ----------
    settings
        Topic names, limits, retry bounds, the pipeline depth (``agent_concurrency``) and
        the internal-error policy.
    sink
        Topic creation and each input partition's transactional writer (started by the
        caller).
    metrics
        Counters and histograms to update.
    progress
        Processed offsets, batches in flight and produce health, for lag and readiness.
    directory
        A callable returning the routing directory snapshot to use now (it changes with
        live updates).
    stage
        Where cables are prepared (:func:`stage_for`; in the event loop by default).
    clock
        Monotonic clock for progress (``time.monotonic``).
    on_fatal
        Called with the exception when routing cannot go on (retries exhausted, fenced);
        the default stops the process with exit status 75.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        sink: DeliverySink,
        metrics: RouterMetrics,
        progress: Progress,
        directory: Callable[[], Directory],
        stage: Stage | None = None,
        clock: Callable[[], float] = time.monotonic,
        on_fatal: Callable[[BaseException], None] | None = None,
    ) -> None:
        self._s = settings
        self._sink = sink
        self._metrics = metrics
        self._progress = progress
        self._directory = directory
        self._stage = stage if stage is not None else stage_for(settings.replace(decode_processes=0))
        self._clock = clock
        self._outcomes = Outcomes(settings, metrics=metrics, progress=progress, clock=clock)
        self._on_fatal = on_fatal or _exit_worker
        self._turns: dict[Partition, asyncio.Future[None]] = {}
        self._submitted: dict[Partition, int] = {}
        self._in_flight: set[asyncio.Task[None]] = set()
        self._failed = False

    # -- the pipeline -----------------------------------------------------------------

    async def submit(self, batch: Sequence[SourceRecord]) -> None:
        """Start routing ``batch``; return once fewer than ``agent_concurrency`` batches
        are in flight. Records at or below an offset already submitted are skipped (a
        re-delivery after a seek)."""
        fresh: list[SourceRecord] = []
        for r in batch:
            tp = (r.topic, r.partition)
            if r.offset < self._submitted.get(tp, -1):
                self._metrics.consumed.inc()
                self._metrics.skipped_committed.inc()
                continue
            self._submitted[tp] = r.offset + 1
            fresh.append(r)
        if fresh:
            loop = asyncio.get_running_loop()
            tps = list(dict.fromkeys((r.topic, r.partition) for r in fresh))
            previous = {tp: self._turns.get(tp) for tp in tps}
            mine: dict[Partition, asyncio.Future[None]] = {}
            for tp in tps:
                future = mine[tp] = loop.create_future()
                future.add_done_callback(_retrieve)
                self._turns[tp] = future
            task = asyncio.ensure_future(self._route(fresh, previous, mine))
            self._in_flight.add(task)
            task.add_done_callback(self._finished)
        while len(self._in_flight) >= self._s.agent_concurrency:
            await asyncio.wait(set(self._in_flight), return_when=asyncio.FIRST_COMPLETED)

    async def drain(self) -> None:
        """Wait until every batch submitted so far is committed (or has failed)."""
        while self._in_flight:
            await asyncio.wait(set(self._in_flight))

    async def route(self, batch: Sequence[SourceRecord]) -> None:
        """Route ``batch`` and wait until it and every batch before it are committed."""
        await self.submit(batch)
        await self.drain()

    def forget(self, tps: Iterable[Partition]) -> None:
        """Forget the order of partitions this worker no longer owns (after :meth:`drain`)."""
        for tp in tps:
            self._turns.pop(tp, None)
            self._submitted.pop(tp, None)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None and not self._failed:
            self._failed = True
            self._on_fatal(exc)

    # -- one batch --------------------------------------------------------------------

    async def _route(self, batch: list[SourceRecord], previous: dict[Partition, asyncio.Future[None] | None],
                     mine: dict[Partition, asyncio.Future[None]]) -> None:
        m = self._metrics
        m.consumed.inc(len(batch))
        m.in_flight.inc(len(batch))
        token = object()
        self._progress.batch_started(token, self._clock())
        parts = {tp: _Part(tp, previous[tp], mine[tp]) for tp in mine}
        try:
            chunks = [batch[i : i + _SHIP_EVERY] for i in range(0, len(batch), _SHIP_EVERY)]
            async for chunk, results in self._stage.run(chunks, self._directory()):
                done = [self._outcomes.of(source, result) for source, result in zip(chunk, results, strict=True)]
                done = await self._ensure_topics(done)
                for outcome in done:
                    parts[(outcome.source.topic, outcome.source.partition)].outcomes.append(outcome)
                for part in parts.values():  # ship early where the partition's turn has come
                    if part.can_ship():
                        await self._ship_early(part)
            commits = await asyncio.gather(*(self._commit(part) for part in parts.values()),
                                           return_exceptions=True)
            for commit in commits:
                if isinstance(commit, BaseException):
                    raise commit
        except BaseException as exc:
            for part in parts.values():
                if not part.turn.done():
                    part.turn.set_exception(exc)
            await asyncio.gather(*(self._abort(part) for part in parts.values()))
            raise
        finally:
            self._progress.batch_finished(token)
            m.in_flight.dec(len(batch))

    async def _ship(self, part: _Part) -> None:
        """Open ``part``'s transaction (first time) and add its outcomes not added yet."""
        if part.txn is None:
            part.writer = await self._sink.writer(part.tp)
            part.txn = await part.writer.begin()
        pending = part.outcomes[part.shipped:]
        part.shipped = len(part.outcomes)
        committed = part.writer.committed if part.writer is not None else None
        keep = [o for o in pending if committed is None or o.source.offset >= committed]
        if len(keep) < len(pending):
            log.info("skipping input whose outcome is committed already",
                     extra={"topic": part.tp[0], "partition": part.tp[1],
                            "count": len(pending) - len(keep), "committed": committed})
        part.kept.extend(keep)
        await part.txn.add(self._outcomes.records(keep))

    async def _ship_early(self, part: _Part) -> None:
        """:meth:`_ship` while the batch is still being prepared; a failure here is left
        to :meth:`_commit`, which starts the partition's part over with its retries."""
        try:
            await self._ship(part)
        except Exception as exc:  # noqa: BLE001 - retried in _commit
            await self._abort(part, exc)
            part.restart()
            part.failed_early = True

    async def _commit(self, part: _Part) -> None:
        """Commit ``part`` in its turn, retrying a failed transaction with back-off."""
        if part.previous is not None:
            await part.previous
        backoff = Backoff(self._s.stage_retry_seconds, clock=self._clock)
        while True:
            try:
                await self._ship(part)
                if part.kept:
                    last = part.kept[-1].source.offset
                    assert part.txn is not None
                    # A commit can wait forever on a broker that never answers (aiokafka
                    # retries without end): bounded, it fails like any other attempt.
                    await asyncio.wait_for(part.txn.commit(last + 1),
                                           timeout=self._s.transaction_timeout_seconds)
                    self._metrics.transactions.labels("committed").inc()
                elif part.txn is not None:
                    await part.txn.abort()  # nothing to write: its input was committed
                part.txn = None
                self._progress.produce_succeeded(self._clock())
                break
            except Exception as exc:
                await self._abort(part, exc)
                delay = None if isinstance(exc, _FATAL) else backoff.next()
                if delay is None:
                    raise
                log.warning("routing transaction failed; retrying",
                            extra={"topic": part.tp[0], "partition": part.tp[1],
                                   "error": repr(exc), "retry_in": delay})
                await asyncio.sleep(delay)
                part.restart()
        self._outcomes.account(part.kept, skipped=len(part.outcomes) - len(part.kept))
        part.turn.set_result(None)

    async def _abort(self, part: _Part, error: BaseException | None = None) -> None:
        """Abort ``part``'s open transaction, if any; a writer that cannot abort is
        dropped, so the next attempt starts (and fences) a fresh one."""
        txn, part.txn = part.txn, None
        if error is not None:
            self._metrics.produce_errors.inc()
            self._progress.produce_failed(self._clock(), repr(error))
        if txn is None:
            return
        self._metrics.transactions.labels("aborted").inc()
        try:
            await asyncio.wait_for(txn.abort(), timeout=10)
        except BaseException as exc:  # noqa: BLE001 - the writer is replaced
            log.warning("aborting a transaction failed; restarting the partition's producer",
                        extra={"topic": part.tp[0], "partition": part.tp[1], "error": repr(exc)})
            await self._sink.release([part.tp])

    async def _ensure_topics(self, outcomes: list[Outcome]) -> list[Outcome]:
        wanted: set[str] = set()
        for o in outcomes:
            if isinstance(o, RoutedCable):
                wanted.update(r.topic for r in o.delivery_records)
        missing = self._sink.unknown_topics(wanted)
        if not missing:
            return outcomes
        if self._sink.room_for(len(missing)):
            created = await self._create_topics(missing)
            self._metrics.topics_created.inc(created)
            return outcomes
        # Over the cap: create what fits cable by cable; a cable that needs more is rejected.
        result: list[Outcome] = []
        for o in outcomes:
            if isinstance(o, RoutedCable):
                need = self._sink.unknown_topics(r.topic for r in o.delivery_records)
                if need and not self._sink.room_for(len(need)):
                    result.append(RejectedCable(
                        o.source, "topic_limit",
                        f"Expected at most {self._s.max_topics} created topics, "
                        f"got {len(need)} more needed", cable_id=o.cable_id,
                    ))
                    continue
                if need:
                    self._metrics.topics_created.inc(await self._create_topics(need))
            result.append(o)
        return result

    async def _create_topics(self, topics: set[str]) -> int:
        """Create ``topics``, retrying with back-off for ``stage_retry_seconds`` (a
        controller that just died makes the call time out until another takes over)."""
        backoff = Backoff(self._s.stage_retry_seconds, clock=self._clock)
        while True:
            try:
                return await self._sink.create_topics(topics)
            except Exception as exc:
                self._metrics.produce_errors.inc()
                self._progress.produce_failed(self._clock(), repr(exc))
                delay = None if isinstance(exc, _FATAL) else backoff.next()
                if delay is None:
                    raise
                log.warning("creating topics failed; retrying",
                            extra={"count": len(topics), "error": repr(exc), "retry_in": delay})
                await asyncio.sleep(delay)
