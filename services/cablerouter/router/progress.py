"""Progress of the router, which readiness and lag are judged by.

A consumer can stall silently after a rebalance or a broker restart while its process is
up, and a broker can vanish while the worker still holds its partitions, so readiness is
judged by evidence, not by the process being alive. The worker is ready when every rule
holds, checked in this order (the most fundamental cause first):

``directory_not_loaded``
    the routing directory is loaded;
``broker_unreachable``
    the last probe of the cluster (``cablerouter.router.health``) got an answer; before
    the first probe nothing is known and the rule holds;
``no_partitions``
    input partitions are assigned;
``batch_stalled``
    no batch has been in flight (taken from the input, not yet committed or aborted) for
    longer than ``stall_seconds``;
``produce_failing``
    producing has not kept failing: failures spread over at least ``stall_seconds`` with
    no success since the first of them, the last one within ``stall_seconds`` (a failure
    that a retry cures never counts);
``lag_stalled``
    no assigned partition has lag above zero without its processed offset advancing for
    ``stall_seconds``.

``/readyz`` answers 503 with every failed rule's code in ``failed`` and the first one's
explanation in ``reason``.
"""

from __future__ import annotations

import msgspec

__all__ = ("RULES", "Progress", "Readiness")

#: Readiness rules in the order they are checked and reported.
RULES = ("directory_not_loaded", "broker_unreachable", "no_partitions", "batch_stalled",
         "produce_failing", "lag_stalled")


class Readiness(msgspec.Struct, frozen=True):
    """The answer of ``/readyz``."""

    ready: bool
    reason: str
    assigned: int
    lag: int
    stalled: list[str] = []
    #: Codes of every rule that does not hold (see :data:`RULES`), first the one
    #: ``reason`` explains.
    failed: list[str] = []
    #: Age of the oldest batch in flight (0 when none).
    oldest_batch_seconds: float = 0.0
    #: The last probe's error while the broker is unreachable.
    broker_error: str = ""
    #: The last produce error while producing keeps failing.
    produce_error: str = ""


class Progress:
    """Processed offsets, batches in flight, produce and broker health.

    Times are plain floats from a monotonic clock the caller passes in, so this class
    holds no clock of its own and is tested without sleeping.
    """

    def __init__(self, *, stall_seconds: float) -> None:
        self._stall_seconds = stall_seconds
        self._next_offset: dict[tuple[str, int], int] = {}
        self._advanced_at: dict[tuple[str, int], float] = {}
        self._assigned: set[tuple[str, int]] = set()
        self._lag: dict[tuple[str, int], int] = {}
        self.directory_loaded = False
        self._batches: dict[object, float] = {}
        # The current run of produce failures: when it began, the last one and its error.
        self._failing_since: float | None = None
        self._last_failure = 0.0
        self._produce_error = ""
        # None until the first probe.
        self._broker_ok: bool | None = None
        self._broker_error = ""
        self._broker_down_since = 0.0

    # -- input partitions ---------------------------------------------------------------
    def assign(self, partitions: set[tuple[str, int]], now: float) -> None:
        """Record a new assignment; each partition's stall clock starts now."""
        self._assigned = set(partitions)
        for tp in partitions:
            self._advanced_at.setdefault(tp, now)
        for tp in list(self._lag):
            if tp not in self._assigned:
                del self._lag[tp]

    def processed(self, topic: str, partition: int, offset: int, now: float) -> None:
        """Record that ``offset`` of ``topic``/``partition`` is done."""
        tp = (topic, partition)
        if offset + 1 > self._next_offset.get(tp, -1):
            self._next_offset[tp] = offset + 1
            self._advanced_at[tp] = now

    def next_offset(self, topic: str, partition: int) -> int | None:
        return self._next_offset.get((topic, partition))

    def observe_highwater(self, topic: str, partition: int, highwater: int, position: int | None) -> int:
        """Compute and remember the lag of a partition; returns it.

        The lag counts from the next offset to route; for a partition nothing was routed
        from yet, from ``position`` (the consumer's), else from the start.
        """
        tp = (topic, partition)
        position = self._next_offset.get(tp, position if position is not None else 0)
        lag = max(0, highwater - position)
        self._lag[tp] = lag
        return lag

    # -- batches in flight ----------------------------------------------------------------
    def batch_started(self, token: object, now: float) -> None:
        """A batch identified by ``token`` was taken from the input at ``now``; starting
        the same token again keeps its first start."""
        self._batches.setdefault(token, now)

    def batch_finished(self, token: object) -> None:
        """The batch ``token`` is committed or aborted (unknown tokens are ignored)."""
        self._batches.pop(token, None)

    def oldest_batch_age(self, now: float) -> float:
        """Seconds since the oldest batch in flight started; 0 when none is."""
        if not self._batches:
            return 0.0
        return max(0.0, now - min(self._batches.values()))

    # -- producing --------------------------------------------------------------------------
    def produce_failed(self, now: float, error: str) -> None:
        """A produce, transaction or topic creation attempt failed with ``error``."""
        if self._failing_since is None:
            self._failing_since = now
        self._last_failure = now
        self._produce_error = error

    def produce_succeeded(self, now: float) -> None:
        """Something was produced (committed): a run of failures is over."""
        self._failing_since = None
        self._produce_error = ""

    def _producing_keeps_failing(self, now: float) -> bool:
        return (self._failing_since is not None
                and self._last_failure - self._failing_since >= self._stall_seconds
                and now - self._last_failure <= self._stall_seconds)

    # -- the broker -----------------------------------------------------------------------
    def broker_reachable(self, ok: bool, now: float, error: str = "") -> None:
        """The result of one probe of the cluster; ``error`` says why it failed."""
        if not ok and self._broker_ok is not False:
            self._broker_down_since = now
        self._broker_ok = ok
        self._broker_error = "" if ok else (error or "no answer")

    # -- readiness -------------------------------------------------------------------------
    def readiness(self, now: float) -> Readiness:
        assigned = len(self._assigned)
        lag = sum(self._lag.get(tp, 0) for tp in self._assigned)
        oldest = self.oldest_batch_age(now)
        stalled = sorted(
            f"{t}[{p}]"
            for (t, p) in self._assigned
            if self._lag.get((t, p), 0) > 0
            and now - self._advanced_at.get((t, p), now) > self._stall_seconds
        )
        failing = self._producing_keeps_failing(now)
        failing_for = now - self._failing_since if self._failing_since is not None else 0.0
        limit = f"{self._stall_seconds:g} s"
        checks = (
            ("directory_not_loaded", not self.directory_loaded,
             "routing directory not loaded yet"),
            ("broker_unreachable", self._broker_ok is False,
             f"broker unreachable for {now - self._broker_down_since:.0f} s: {self._broker_error}"),
            ("no_partitions", not self._assigned, "no input partitions assigned"),
            ("batch_stalled", oldest > self._stall_seconds,
             f"a batch has been in flight for {oldest:.0f} s (limit {limit})"),
            ("produce_failing", failing,
             (f"producing has failed for {failing_for:.0f} s "
             f"without a success (limit {limit}): {self._produce_error}")),
            ("lag_stalled", bool(stalled), "lag is growing and no progress was made"),
        )
        failed = [(code, text) for code, bad, text in checks if bad]
        if not failed:
            return Readiness(True, "ok", assigned, lag, oldest_batch_seconds=round(oldest, 3))
        return Readiness(
            False, failed[0][1], assigned, lag, stalled, failed=[code for code, _ in failed],
            oldest_batch_seconds=round(oldest, 3),
            broker_error=self._broker_error,
            produce_error=self._produce_error if failing else "",
        )
