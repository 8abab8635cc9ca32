"""What becomes of each routed input record, and how it is counted.

A prepared cable (:mod:`cablerouter.router.prepare`) becomes a :class:`RoutedCable` (its
deliveries and audit record) or a :class:`RejectedCable` (its dead-letter reason);
:class:`Outcomes` turns them into the records to write and, once their transaction has
committed, into metrics, progress and the dead-letter log line.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence

import msgspec

from cablerouter.config import Settings
from cablerouter.errors import DeadLetterReason
from cablerouter.metrics import RouterMetrics
from cablerouter.router.envelope import OutRecord, deadletter_headers, deadletter_record
from cablerouter.router.prepare import DeliveryNote, Failed, Rejected, Routed, SourceRecord
from cablerouter.router.progress import Progress
from cablerouter.telegram.model import PRECEDENCES

__all__ = ("Outcome", "Outcomes", "RejectedCable", "RoutedCable")

log = logging.getLogger("cablerouter.router")

# Most urgent first: a cable's latency is counted under its most urgent delivery's precedence.
_URGENCY: dict[str | None, int] = {p: i for i, p in enumerate(PRECEDENCES)}


class RoutedCable(msgspec.Struct):
    """A routed cable: its deliveries' records and its audit record, written together."""

    source: SourceRecord
    cable_id: str | None
    delivery_records: list[OutRecord]
    audit: OutRecord
    deliveries: list[DeliveryNote]
    unreadable: list[int] = []


class RejectedCable(msgspec.Struct):
    source: SourceRecord
    reason: DeadLetterReason
    detail: str
    line: int | None = None
    cable_id: str | None = None


Outcome = RoutedCable | RejectedCable


class Outcomes:
    """Builds outcomes and their records, and accounts for them.

    Parameters
    ----------
    settings
        Topic names, size limits and the internal-error policy.
    metrics, progress
        What committed outcomes are counted in.
    clock
        Monotonic clock for progress.
    """

    def __init__(self, settings: Settings, *, metrics: RouterMetrics, progress: Progress,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._s = settings
        self._metrics = metrics
        self._progress = progress
        self._clock = clock
        self._scanner_failure_logged = False  # the first failure of the native scanner is logged

    def records(self, outcomes: Sequence[RoutedCable | RejectedCable]) -> list[OutRecord]:
        records: list[OutRecord] = []
        for outcome in outcomes:
            if isinstance(outcome, RoutedCable):
                records.extend(outcome.delivery_records)
                records.append(outcome.audit)
            else:
                records.append(self.deadletter_record(outcome))
        return records


    def _internal_error(self, source: SourceRecord, failure: Failed) -> RejectedCable:
        self._metrics.internal_errors.inc()
        log.error(
            "internal error while routing",
            extra={"topic": source.topic, "partition": source.partition, "offset": source.offset,
                   "error": failure.error, "traceback": failure.trace},
        )
        if self._s.on_internal_error == "crash":
            # Stop hard, before this batch's transaction commits, so the input is re-read
            # by the next worker.
            logging.shutdown()
            os._exit(70)
        return RejectedCable(source, "internal_error", failure.error)


    def _native_scanner_failed(self, source: SourceRecord) -> None:
        """Count a cable the native scanner failed on; log the first one of this process."""
        self._metrics.native_scanner_failures.inc()
        if not self._scanner_failure_logged:
            self._scanner_failure_logged = True
            log.error(
                "the native scanner failed on a cable; the Python parsers decoded it instead "
                "(logged once, counted in cablerouter_native_scanner_failures_total)",
                extra={"topic": source.topic, "partition": source.partition, "offset": source.offset},
            )

    def of(self, source: SourceRecord, result: Routed | Rejected | Failed) -> RoutedCable | RejectedCable:
        self._metrics.prepare_seconds.observe(result.seconds)
        if not isinstance(result, Failed) and result.scanner_failed:  # routed or rejected
            self._native_scanner_failed(source)
        if isinstance(result, Routed):
            records = result.delivery_records()
            largest = max(records, key=lambda r: len(r.value))
            if len(largest.value) <= self._s.max_delivery_bytes:
                return RoutedCable(source, result.cable_id, records, result.audit, result.deliveries,
                                   result.unreadable)
            # The broker would refuse it, and no retry would change that.
            return RejectedCable(
                source, "delivery_too_large",
                f"Expected enriched messages of at most {self._s.max_delivery_bytes} bytes "
                f"(CABLEROUTER_MAX_DELIVERY_BYTES), got {len(largest.value)} for {largest.topic}",
                cable_id=result.cable_id,
            )
        if isinstance(result, Rejected):
            return RejectedCable(source, result.reason, result.detail, result.line, result.cable_id)
        return self._internal_error(source, result)


    def deadletter_record(self, o: RejectedCable) -> OutRecord:
        src = o.source
        headers = deadletter_headers(
            reason=o.reason, detail=o.detail, topic=src.topic, partition=src.partition,
            offset=src.offset, line=o.line, cable_id=o.cable_id,
        )
        return deadletter_record(self._s.deadletter_topic, src.key, src.value or b"", headers,
                                 max_message_bytes=self._s.max_message_bytes)


    def account(self, outcomes: list[RoutedCable | RejectedCable], *, skipped: int = 0) -> None:
        m = self._metrics
        wall = time.time()
        mono = self._clock()
        # Tallied first, counted once per label value (each increment takes a lock).
        by_role: dict[tuple[str, str], int] = {}
        by_addressee: dict[str, int] = {}
        routed = unknown_count = 0
        for o in outcomes:
            src = o.source
            if isinstance(o, RoutedCable):
                routed += 1
                m.fanout.observe(len(o.deliveries))
                urgent: str | None = None
                for role, precedence, addressee, unknown in o.deliveries:
                    key = (role, precedence or "NONE")
                    by_role[key] = by_role.get(key, 0) + 1
                    by_addressee[addressee] = by_addressee.get(addressee, 0) + 1
                    unknown_count += unknown
                    if precedence and _URGENCY.get(precedence, 99) < _URGENCY.get(urgent, 100):
                        urgent = precedence
                if o.unreadable:
                    m.unreadable_addressee_lines.inc(len(o.unreadable))
                    log.warning(
                        "cable routed without its unreadable addressee lines",
                        extra={
                            "cable_id": o.cable_id, "lines": o.unreadable,
                            "topic": src.topic, "partition": src.partition, "offset": src.offset,
                        },
                    )
                latency = max(0.0, wall - src.timestamp)
                m.end_to_end_seconds.observe(latency)
                m.end_to_end_by_precedence_seconds.labels(urgent or "NONE").observe(latency)
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
        if skipped:
            m.skipped_committed.inc(skipped)
