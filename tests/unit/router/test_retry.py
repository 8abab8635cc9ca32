"""The router's back-off schedule: doubling delays, capped, until the bound is reached."""

from __future__ import annotations

from cablerouter.router.retry import Backoff


def test_delays_double_up_to_the_cap_and_stop_at_the_bound() -> None:
    now = [0.0]
    backoff = Backoff(20, clock=lambda: now[0])
    delays = []
    while (delay := backoff.next()) is not None:
        delays.append(delay)
        now[0] += delay
    assert delays == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]  # 17.5 s; one more 5 s would pass 20
    assert sum(delays) <= 20


def test_no_retry_once_the_bound_has_passed() -> None:
    now = [0.0]
    backoff = Backoff(1, clock=lambda: now[0])
    now[0] = 1.0
    assert backoff.next() is None
