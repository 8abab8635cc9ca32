"""The worker's shutdown deadline, with a fake exit: it waits out the graceful stop, then
ends the process with one log line; a second signal ends it at once."""

from __future__ import annotations

import logging
import signal
import threading

from cablerouter.commands.worker import ShutdownDeadline


class FakeExit:
    def __init__(self) -> None:
        self.codes: list[int] = []
        self.called = threading.Event()

    def __call__(self, code: int) -> None:
        self.codes.append(code)
        self.called.set()


def test_exits_with_128_plus_the_signal_once_the_time_is_up(caplog) -> None:
    caplog.set_level(logging.INFO, logger="cablerouter.worker")
    exit_ = FakeExit()
    deadline = ShutdownDeadline(0.2, exit=exit_)
    deadline.signalled(signal.SIGTERM)
    assert deadline.armed and not exit_.called.wait(0.1)  # the graceful stop runs first
    assert exit_.called.wait(2) and exit_.codes == [143]
    messages = [(r.levelname, r.getMessage()) for r in caplog.records]
    assert messages[0] == ("INFO", "SIGTERM received: stopping, for at most 0.2 s")
    assert messages[-1] == (
        "WARNING", ("stop did not finish within 0.2 s of SIGTERM: exiting now; transactions "
        "left open are aborted and their input is routed again"))
    expired = caplog.records[-1]
    assert expired.exit_status == 143 and expired.waited_seconds >= 0.2


def test_a_second_signal_exits_at_once() -> None:
    exit_ = FakeExit()
    deadline = ShutdownDeadline(60, exit=exit_)
    deadline.signalled(signal.SIGTERM)
    deadline.signalled(signal.SIGINT)
    assert exit_.codes == [130]
    deadline.cancel()


def test_a_stop_that_finishes_in_time_is_not_cut_short() -> None:
    exit_ = FakeExit()
    deadline = ShutdownDeadline(0.1, exit=exit_)
    deadline.arm("its beginning", 1)
    deadline.cancel()
    assert not exit_.called.wait(0.3)


def test_arming_again_keeps_the_first_clock_and_cause() -> None:
    exit_ = FakeExit()
    deadline = ShutdownDeadline(0.1, exit=exit_)
    deadline.arm("its beginning", 1)
    deadline.arm("something else", 99)
    assert exit_.called.wait(2) and exit_.codes == [1]
