"""Route a batch of raw cables: decode, resolve, fan out, dead-letter, account.

This is the body of the router's agent, kept free of Faust so it is tested directly. Every
source record ends as exactly one of: routed (all deliveries and its audit record
acknowledged) or dead-lettered (original bytes and reason acknowledged on the dead-letter
topic). Nothing escapes :meth:`BatchRouter.route` for bad input.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
from collections.abc import Callable, Sequence

import msgspec

from cablerouter import __version__
from cablerouter.config import Settings
from cablerouter.directory import Directory, DistributionList, resolve_distribution
from cablerouter.errors import CableRouterError
from cablerouter.metrics import RouterMetrics
from cablerouter.router.envelope import (
    AuditRecord,
    Provenance,
    deadletter_headers,
    delivery_headers,
    encode_deliveries,
)
from cablerouter.router.progress import Progress
from cablerouter.router.sink import DeliverySink, OutRecord
from cablerouter.telegram import Cable, DecodeLimits, decode_telegram

__all__ = ("BatchRouter", "SourceRecord")

log = logging.getLogger("cablerouter.router")

_audit_encoder = msgspec.json.Encoder()
# Cables decoded between two hand-overs to the producer (about 30 ms of decoding).
_SHIP_EVERY = 100
_UTC = dt.timezone.utc


class SourceRecord(msgspec.Struct, frozen=True):
    """One consumed raw record: where it was and what it held."""

    topic: str
    partition: int
    offset: int
    timestamp: float  # broker timestamp, seconds since the epoch
    key: bytes | None
    value: bytes | None


class _Routed(msgspec.Struct):
    source: SourceRecord
    cable: Cable
    distribution: DistributionList


class _Rejected(msgspec.Struct):
    source: SourceRecord
    reason: str
    detail: str
    line: int | None = None
    cable_id: str | None = None


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
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._s = settings
        self._sink = sink
        self._metrics = metrics
        self._progress = progress
        self._directory = directory
        self._clock = clock
        self._limits = DecodeLimits(
            max_bytes=settings.max_cable_bytes, max_addressees=settings.max_addressees
        )

    def _classify(self, source: SourceRecord, directory: Directory) -> _Routed | _Rejected:
        raw = source.value
        if raw is None:
            return _Rejected(source, "empty_input", "Expected cable text, got a null value")
        try:
            cable = decode_telegram(raw, limits=self._limits)
            distribution = resolve_distribution(cable, directory, topic_prefix=self._s.topic_prefix)
        except CableRouterError as exc:
            return _Rejected(source, exc.reason, exc.detail, exc.line)
        if not distribution.deliveries:
            return _Rejected(
                source, "no_deliveries", "Expected at least one addressee, got none after "
                "exemptions", cable_id=cable.id,
            )
        return _Routed(source, cable, distribution)

    def _internal_error(self, source: SourceRecord, exc: BaseException) -> _Rejected:
        self._metrics.internal_errors.inc()
        log.exception(
            "internal error while routing",
            extra={"topic": source.topic, "partition": source.partition, "offset": source.offset},
        )
        if self._s.on_internal_error == "crash":
            # Stop hard, before anything of this batch is acknowledged, so the input is
            # re-read by the next worker (letting it raise would ack it: Faust acks events
            # whose agent raised).
            logging.shutdown()
            os._exit(70)
        return _Rejected(source, "internal_error", f"{type(exc).__name__}: {exc}"[:500])

    async def route(self, batch: Sequence[SourceRecord]) -> None:
        """Route ``batch``; returns once every outcome is acknowledged by the broker.

        The batch is decoded ``_SHIP_EVERY`` cables at a time and each part's records are
        handed to the producer before the next part is decoded, so the broker writes one
        part while the worker decodes the next (instead of idling through a whole batch's
        decoding, then the worker idling through its writing).
        """
        m = self._metrics
        m.consumed.inc(len(batch))
        m.in_flight.inc(len(batch))
        directory = self._directory()
        shipment = self._sink.shipment()
        outcomes: list[_Routed | _Rejected] = []
        for start in range(0, len(batch), _SHIP_EVERY):
            part: list[_Routed | _Rejected] = []
            for source in batch[start : start + _SHIP_EVERY]:
                started = time.perf_counter()
                try:
                    outcome = self._classify(source, directory)
                except Exception as exc:  # noqa: BLE001 - the internal-error policy decides
                    outcome = self._internal_error(source, exc)
                m.decode_seconds.observe(time.perf_counter() - started)
                part.append(outcome)
            part = await self._ensure_topics(part)
            records: list[OutRecord] = []
            now = dt.datetime.now(_UTC)
            for outcome in part:
                if isinstance(outcome, _Routed):
                    routed = self._routed_records(outcome, now)
                    largest = max(routed, key=lambda r: len(r.value))
                    if len(largest.value) <= self._s.max_delivery_bytes:
                        records.extend(routed)
                        outcomes.append(outcome)
                        continue
                    # The broker would refuse it, and no retry would change that.
                    outcome = _Rejected(
                        outcome.source, "delivery_too_large",
                        f"Expected enriched messages of at most {self._s.max_delivery_bytes} bytes "
                        f"(CABLEROUTER_MAX_DELIVERY_BYTES), got {len(largest.value)} for "
                        f"{largest.topic}", cable_id=outcome.cable.id,
                    )
                records.append(self._deadletter_record(outcome))
                outcomes.append(outcome)
            await shipment.add(records)
        await shipment.settle()
        self._account(outcomes)

    async def _ensure_topics(self, outcomes: list[_Routed | _Rejected]) -> list[_Routed | _Rejected]:
        wanted: set[str] = set()
        for o in outcomes:
            if isinstance(o, _Routed):
                wanted.update(d.topic for d in o.distribution.deliveries)
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
                need = self._sink.unknown_topics(d.topic for d in o.distribution.deliveries)
                if need and not self._sink.room_for(len(need)):
                    result.append(_Rejected(
                        o.source, "topic_limit",
                        f"Expected at most {self._s.max_topics} created topics, "
                        f"got {len(need)} more needed", cable_id=o.cable.id,
                    ))
                    continue
                if need:
                    self._metrics.topics_created.inc(await self._sink.create_topics(need))
            result.append(o)
        return result

    def _routed_records(self, o: _Routed, now: dt.datetime) -> list[OutRecord]:
        src = o.source
        provenance = Provenance(
            topic=src.topic, partition=src.partition, offset=src.offset,
            received_at=dt.datetime.fromtimestamp(src.timestamp, _UTC),
            routed_at=now, router_version=__version__,
        )
        key = (o.cable.id or "").encode() or src.key
        out = [
            OutRecord(delivery.topic, key, value, delivery_headers(o.cable.id, delivery.precedence))
            for delivery, value in encode_deliveries(o.cable, o.distribution, provenance)
        ]
        audit = AuditRecord(
            id=o.cable.id, topic=src.topic, partition=src.partition, offset=src.offset,
            deliveries=len(out), topics=[r.topic for r in out], routed_at=now,
        )
        out.append(OutRecord(self._s.routed_topic, key, _audit_encoder.encode(audit),
                             [("content-type", b"application/json")]))
        return out

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
        for o in outcomes:
            src = o.source
            if isinstance(o, _Routed):
                m.routed.inc()
                deliveries = o.distribution.deliveries
                m.fanout.observe(len(deliveries))
                for d in deliveries:
                    m.count_delivery(d.role, d.precedence or "NONE", d.addressee)
                    if "unknown" in d.flags:
                        m.unknown_addressees.inc()
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
        m.in_flight.dec(len(outcomes))
