"""Route a batch of raw cables: decode, resolve, fan out, dead-letter, account.

This is the body of the router's agent, kept free of Faust so it is tested directly. Every
source record ends as exactly one of: routed (all deliveries and its audit record
acknowledged) or dead-lettered (original bytes and reason acknowledged on the dead-letter
topic). A cable's audit record is written only after all of its deliveries are
acknowledged, so a reader of the routed topic can rely on finding them. Nothing escapes
:meth:`BatchRouter.route` for bad input. The CPU-bound part (decoding, resolving,
encoding) is :mod:`cablerouter.router.prepare`'s, run in the event loop or in child
processes.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence

import msgspec

from cablerouter import __version__
from cablerouter.config import Settings
from cablerouter.directory import Directory
from cablerouter.metrics import RouterMetrics
from cablerouter.router.envelope import OutRecord, deadletter_headers
from cablerouter.router.prepare import (
    Failed,
    InlineStage,
    Params,
    ProcessStage,
    Rejected,
    Routed,
    SourceRecord,
)
from cablerouter.router.progress import Progress
from cablerouter.router.sink import DeliverySink
from cablerouter.telegram import DecodeLimits

__all__ = ("BatchRouter", "SourceRecord", "stage_for")

log = logging.getLogger("cablerouter.router")

# Cables prepared between two hand-overs to the producer.
_SHIP_EVERY = 100


class _Routed(msgspec.Struct):
    source: SourceRecord
    cable_id: str | None
    records: list[OutRecord]
    deliveries: list[tuple[str, str | None, str, bool]]


class _Rejected(msgspec.Struct):
    source: SourceRecord
    reason: str
    detail: str
    line: int | None = None
    cable_id: str | None = None


def stage_for(settings: Settings) -> InlineStage | ProcessStage:
    """The preparing stage ``settings`` ask for (``decode_processes``; 0 = in the loop)."""
    params = Params(
        limits=DecodeLimits(max_bytes=settings.max_cable_bytes, max_addressees=settings.max_addressees),
        topic_prefix=settings.topic_prefix, routed_topic=settings.routed_topic,
        router_version=__version__,
    )
    if settings.decode_processes == 0:
        return InlineStage(params)
    return ProcessStage(params, settings.decode_processes)


class BatchRouter:
    """Routes batches of source records through an injected sink.

    Parameters
    ----------
    settings
        Topic names, limits and the internal-error policy.
    sink
        Where records are produced (started by the caller).
    metrics
        Counters and histograms to update.
    progress
        Processed offsets for lag and readiness.
    directory
        A callable returning the routing directory snapshot to use now (it changes with
        live updates).
    stage
        Where cables are prepared (:func:`stage_for`; in the event loop by default).
    clock
        Monotonic clock for progress (``time.monotonic``).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        sink: DeliverySink,
        metrics: RouterMetrics,
        progress: Progress,
        directory: Callable[[], Directory],
        stage: InlineStage | ProcessStage | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._s = settings
        self._sink = sink
        self._metrics = metrics
        self._progress = progress
        self._directory = directory
        self._stage = stage if stage is not None else stage_for(settings.replace(decode_processes=0))
        self._clock = clock

    def _internal_error(self, source: SourceRecord, failure: Failed) -> _Rejected:
        self._metrics.internal_errors.inc()
        log.error(
            "internal error while routing",
            extra={"topic": source.topic, "partition": source.partition, "offset": source.offset,
                   "error": failure.error, "traceback": failure.trace},
        )
        if self._s.on_internal_error == "crash":
            # Stop hard, before anything of this batch is acknowledged, so the input is
            # re-read by the next worker (letting it raise would ack it: Faust acks events
            # whose agent raised).
            logging.shutdown()
            os._exit(70)
        return _Rejected(source, "internal_error", failure.error)

    def _outcome(self, source: SourceRecord, result: Routed | Rejected | Failed) -> _Routed | _Rejected:
        self._metrics.decode_seconds.observe(result.seconds)
        if isinstance(result, Routed):
            records = result.records()
            largest = max(records[:-1], key=lambda r: len(r.value))
            if len(largest.value) <= self._s.max_delivery_bytes:
                return _Routed(source, result.cable_id, records, result.deliveries)
            # The broker would refuse it, and no retry would change that.
            return _Rejected(
                source, "delivery_too_large",
                f"Expected enriched messages of at most {self._s.max_delivery_bytes} bytes "
                f"(CABLEROUTER_MAX_DELIVERY_BYTES), got {len(largest.value)} for {largest.topic}",
                cable_id=result.cable_id,
            )
        if isinstance(result, Rejected):
            return _Rejected(source, result.reason, result.detail, result.line, result.cable_id)
        return self._internal_error(source, result)

    async def route(self, batch: Sequence[SourceRecord]) -> None:
        """Route ``batch``; returns once every outcome is acknowledged by the broker.

        The batch is prepared ``_SHIP_EVERY`` cables at a time and each part's records are
        handed to the producer as soon as the part is ready, so the broker writes one part
        while the next is prepared (in child processes, or in the event loop).
        """
        m = self._metrics
        m.consumed.inc(len(batch))
        m.in_flight.inc(len(batch))
        parts = [batch[i : i + _SHIP_EVERY] for i in range(0, len(batch), _SHIP_EVERY)]
        shipment = self._sink.shipment()
        outcomes: list[_Routed | _Rejected] = []
        audits: list[OutRecord] = []
        async for part, results in self._stage.run(parts, self._directory()):
            done = [self._outcome(source, result) for source, result in zip(part, results)]
            done = await self._ensure_topics(done)
            records: list[OutRecord] = []
            for outcome in done:
                if isinstance(outcome, _Routed):
                    records.extend(outcome.records[:-1])
                    audits.append(outcome.records[-1])
                else:
                    records.append(self._deadletter_record(outcome))
            await shipment.add(records)
            outcomes.extend(done)
        await shipment.settle()
        if audits:  # only now: every delivery they report is acknowledged
            audit = self._sink.shipment()
            await audit.add(audits)
            await audit.settle()
        self._account(outcomes)

    async def _ensure_topics(self, outcomes: list[_Routed | _Rejected]) -> list[_Routed | _Rejected]:
        wanted: set[str] = set()
        for o in outcomes:
            if isinstance(o, _Routed):
                wanted.update(r.topic for r in o.records[:-1])
        missing = self._sink.unknown_topics(wanted)
        if not missing:
            return outcomes
        if self._sink.room_for(len(missing)):
            created = await self._sink.create_topics(missing)
            self._metrics.topics_created.inc(created)
            return outcomes
        # Over the cap: create what fits cable by cable; a cable that needs more is rejected.
        result: list[_Routed | _Rejected] = []
        for o in outcomes:
            if isinstance(o, _Routed):
                need = self._sink.unknown_topics(r.topic for r in o.records[:-1])
                if need and not self._sink.room_for(len(need)):
                    result.append(_Rejected(
                        o.source, "topic_limit",
                        f"Expected at most {self._s.max_topics} created topics, "
                        f"got {len(need)} more needed", cable_id=o.cable_id,
                    ))
                    continue
                if need:
                    self._metrics.topics_created.inc(await self._sink.create_topics(need))
            result.append(o)
        return result

    def _deadletter_record(self, o: _Rejected) -> OutRecord:
        src = o.source
        headers = deadletter_headers(
            reason=o.reason, detail=o.detail, topic=src.topic, partition=src.partition,
            offset=src.offset, line=o.line, cable_id=o.cable_id,
        )
        return OutRecord(self._s.deadletter_topic, src.key, src.value or b"", headers)

    def _account(self, outcomes: list[_Routed | _Rejected]) -> None:
        m = self._metrics
        wall = time.time()
        mono = self._clock()
        # Tallied first, counted once per label value (each increment takes a lock).
        by_role: dict[tuple[str, str], int] = {}
        by_addressee: dict[str, int] = {}
        routed = unknown_count = 0
        for o in outcomes:
            src = o.source
            if isinstance(o, _Routed):
                routed += 1
                m.fanout.observe(len(o.deliveries))
                for role, precedence, addressee, unknown in o.deliveries:
                    key = (role, precedence or "NONE")
                    by_role[key] = by_role.get(key, 0) + 1
                    by_addressee[addressee] = by_addressee.get(addressee, 0) + 1
                    unknown_count += unknown
                m.end_to_end_seconds.observe(max(0.0, wall - src.timestamp))
            else:
                m.dead_lettered.labels(o.reason).inc()
                log.warning(
                    "cable dead-lettered",
                    extra={
                        "cable_id": o.cable_id or (src.key or b"").decode("utf-8", "replace") or None,
                        "reason": o.reason, "detail": o.detail, "line": o.line,
                        "topic": src.topic, "partition": src.partition, "offset": src.offset,
                    },
                )
            self._progress.processed(src.topic, src.partition, src.offset, mono)
        if routed:
            m.routed.inc(routed)
            m.count_deliveries(by_role, by_addressee)
            if unknown_count:
                m.unknown_addressees.inc(unknown_count)
        m.in_flight.dec(len(outcomes))
