"""Progress of the router per input partition, which readiness and lag are judged by.

A consumer can stall silently after a rebalance or a broker restart while its process is
up, so readiness is judged by progress: the worker is ready when it has partitions
assigned, its directory is loaded, and no assigned partition has had lag above zero
without its processed offset advancing for ``stall_seconds``.
"""

from __future__ import annotations

import msgspec

__all__ = ("Progress", "Readiness")


class Readiness(msgspec.Struct, frozen=True):
    """The answer of ``/readyz``."""

    ready: bool
    reason: str
    assigned: int
    lag: int
    stalled: list[str] = []


class Progress:
    """Processed offsets and the time each partition last advanced.

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

    def readiness(self, now: float) -> Readiness:
        lag = sum(self._lag.get(tp, 0) for tp in self._assigned)
        if not self.directory_loaded:
            return Readiness(False, "routing directory not loaded yet", len(self._assigned), lag)
        if not self._assigned:
            return Readiness(False, "no input partitions assigned", 0, lag)
        stalled = sorted(
            f"{t}[{p}]"
            for (t, p) in self._assigned
            if self._lag.get((t, p), 0) > 0
            and now - self._advanced_at.get((t, p), now) > self._stall_seconds
        )
        if stalled:
            return Readiness(False, "lag is growing and no progress was made", len(self._assigned), lag, stalled)
        return Readiness(True, "ok", len(self._assigned), lag)
