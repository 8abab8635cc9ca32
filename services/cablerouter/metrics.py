"""Prometheus metrics of the router, built on an injected ``CollectorRegistry``.

Names follow Prometheus conventions: prefix ``cablerouter_``, base units, ``_total`` for
counters and ``_seconds`` for durations. Every label has a bounded set of values: reasons
and precedences are fixed vocabularies, and per-addressee series are limited to the first
``max_addressees`` distinct addressees seen (the rest are counted as ``other``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import get_args

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info

from cablerouter.errors import DeadLetterReason
from cablerouter.telegram.model import PRECEDENCES

__all__ = ("DEAD_LETTER_REASONS", "RouterMetrics")

DEAD_LETTER_REASONS: tuple[DeadLetterReason, ...] = get_args(DeadLetterReason)
"""Every dead-letter reason: the decoder's and the router's own."""

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_PREPARE_BUCKETS = (0.00002, 0.00005, 0.0001, 0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05)
_FANOUT_BUCKETS = (0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 500, 1000)


class RouterMetrics:
    """Every metric of one router instance.

    Parameters
    ----------
    registry
        Where the metrics are registered (a fresh one per app and per test).
    max_addressees
        How many distinct addressees get their own ``addressee`` label value.
    """

    def __init__(self, registry: CollectorRegistry, *, max_addressees: int = 50) -> None:
        self.registry = registry
        self._max_addressees = max_addressees
        self._addressee_labels: set[str] = set()
        self._delivery_children: dict[tuple[str, str], Counter] = {}
        self._addressee_children: dict[str, Counter] = {}
        ns = "cablerouter"
        self.consumed = Counter(
            "consumed_cables", "Raw cables consumed from the input topic.",
            namespace=ns, registry=registry,
        )
        self.routed = Counter(
            "routed_cables", "Cables whose every delivery was acknowledged by the broker.",
            namespace=ns, registry=registry,
        )
        self.dead_lettered = Counter(
            "dead_lettered_cables", "Cables sent to the dead-letter topic, by reason code.",
            ["reason"], namespace=ns, registry=registry,
        )
        self.internal_errors = Counter(
            "internal_errors", "Unexpected exceptions while routing (bugs, not bad input).",
            namespace=ns, registry=registry,
        )
        self.deliveries = Counter(
            "deliveries", "Enriched copies delivered to addressee topics.",
            ["role", "precedence"], namespace=ns, registry=registry,
        )
        self.addressee_deliveries = Counter(
            "addressee_deliveries",
            "Deliveries per addressee; only the first N distinct addressees get their own "
            "series, the rest are `other`.",
            ["addressee"], namespace=ns, registry=registry,
        )
        self.unknown_addressees = Counter(
            "unknown_addressees", "Deliveries to addressees the directory does not know.",
            namespace=ns, registry=registry,
        )
        self.unreadable_addressee_lines = Counter(
            "unreadable_addressee_lines",
            "Addressee lines the decoder could not read, in cables routed without them.",
            namespace=ns, registry=registry,
        )
        self.topics_created = Counter(
            "topics_created", "Addressee topics created by this worker.",
            namespace=ns, registry=registry,
        )
        self.prepare_seconds = Histogram(
            "prepare_seconds",
            "Time to prepare one cable: decode it, resolve it against the directory and "
            "encode its deliveries and audit record.",
            namespace=ns, registry=registry, buckets=_PREPARE_BUCKETS,
        )
        self.native_scanner_failures = Counter(
            "native_scanner_failures",
            "Cables the native scanner failed on (a panic: a bug in it); the Python parsers "
            "decoded them instead.",
            namespace=ns, registry=registry,
        )
        self.end_to_end_seconds = Histogram(
            "end_to_end_seconds",
            "From the raw message's broker timestamp to all its deliveries acknowledged.",
            namespace=ns, registry=registry, buckets=_LATENCY_BUCKETS,
        )
        self.end_to_end_by_precedence_seconds = Histogram(
            "end_to_end_by_precedence_seconds",
            "end_to_end_seconds per cable precedence: the highest precedence of its "
            "deliveries (NONE when none has one).",
            ["precedence"], namespace=ns, registry=registry, buckets=_LATENCY_BUCKETS,
        )
        self.fanout = Histogram(
            "fanout_deliveries", "Deliveries per routed cable.",
            namespace=ns, registry=registry, buckets=_FANOUT_BUCKETS,
        )
        self.directory_entries = Gauge(
            "directory_entries", "Entries (stations, addressees, collectives) in the directory.",
            namespace=ns, registry=registry,
        )
        self.directory_updates = Counter(
            "directory_updates", "Live directory updates applied from the directory topic.",
            namespace=ns, registry=registry,
        )
        self.directory_info = Info(
            "directory", "Version of the routing directory in use.",
            namespace=ns, registry=registry,
        )
        self.consumer_lag = Gauge(
            "consumer_lag_messages", "Messages not yet routed, per input partition.",
            ["topic", "partition"], namespace=ns, registry=registry,
        )
        self.in_flight = Gauge(
            "in_flight_cables", "Cables taken from the input and not yet acknowledged.",
            namespace=ns, registry=registry,
        )

        self.transactions = Counter(
            "transactions", "Routing transactions by outcome (committed, aborted).",
            ["outcome"], namespace=ns, registry=registry,
        )
        self.oldest_batch_age = Gauge(
            "oldest_batch_age_seconds",
            "Age of the oldest batch taken from the input and not yet committed (0 when none).",
            namespace=ns, registry=registry,
        )
        self.produce_errors = Counter(
            "produce_errors", "Failed attempts to create topics or produce (retried or fatal).",
            namespace=ns, registry=registry,
        )
        self.skipped_committed = Counter(
            "skipped_committed_cables",
            "Input records skipped because a transaction had already committed their outcome "
            "(re-delivered after a rebalance).",
            namespace=ns, registry=registry,
        )

        # Series of the fixed vocabularies exist from the start at 0: a series that appears
        # with its first count has no earlier sample, so rate() and increase() (dashboards,
        # alerts) would never see that first rise.
        for reason in DEAD_LETTER_REASONS:
            self.dead_lettered.labels(reason)
        for outcome in ("committed", "aborted"):
            self.transactions.labels(outcome)
        for precedence in (*PRECEDENCES, "NONE"):
            self.end_to_end_by_precedence_seconds.labels(precedence)
            for role in ("action", "info"):
                key = (role, precedence)
                self._delivery_children[key] = self.deliveries.labels(*key)

    def count_deliveries(self, by_role: Mapping[tuple[str, str], int], by_addressee: Mapping[str, int]) -> None:
        """Count deliveries tallied by (role, precedence) and by addressee: one increment
        per label value, however many deliveries (each increment takes a lock)."""
        for key, n in by_role.items():
            child = self._delivery_children.get(key)
            if child is None:
                child = self._delivery_children[key] = self.deliveries.labels(*key)
            child.inc(n)
        by_label: dict[str, int] = {}
        for addressee, n in by_addressee.items():
            label = self.addressee_label(addressee)
            by_label[label] = by_label.get(label, 0) + n
        for label, n in by_label.items():
            child = self._addressee_children.get(label)
            if child is None:
                child = self._addressee_children[label] = self.addressee_deliveries.labels(label)
            child.inc(n)

    def addressee_label(self, addressee: str) -> str:
        """The bounded label value for ``addressee``."""
        if addressee in self._addressee_labels:
            return addressee
        if len(self._addressee_labels) < self._max_addressees:
            self._addressee_labels.add(addressee)
            return addressee
        return "other"
