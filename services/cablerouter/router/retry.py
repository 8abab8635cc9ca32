"""Bounded back-off: the one schedule of retries the router uses for the broker."""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ("Backoff",)


class Backoff:
    """Delays of 0.5, 1, 2, 4, 5, 5, ... seconds until ``seconds`` have passed since it was
    made; :meth:`next` answers ``None`` when waiting once more would pass that bound.

    Parameters
    ----------
    seconds
        How long retries may go on (``stage_retry_seconds``).
    clock
        Monotonic clock (``time.monotonic``; tests pass their own).
    """

    def __init__(self, seconds: float, *, clock: Callable[[], float] = time.monotonic,
                 first: float = 0.5, most: float = 5.0) -> None:
        self._clock = clock
        self._deadline = clock() + seconds
        self._delay = first
        self._most = most

    def next(self) -> float | None:
        """The delay before the next attempt, or ``None``: give up."""
        delay = self._delay
        if self._clock() + delay > self._deadline:
            return None
        self._delay = min(delay * 2, self._most)
        return delay
