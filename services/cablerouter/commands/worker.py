"""``cablerouter worker``: run the router (a Faust worker) until SIGTERM or SIGINT.

A stop first runs normally (batches in flight commit, the consumer leaves its group), but
never for longer than ``CABLEROUTER_SHUTDOWN_SECONDS``: with no broker reachable the
Kafka clients' own stop hangs (aiokafka's consumer waits out its request timeout, and
mode gives the consumer thread 60 s), so a :class:`ShutdownDeadline` ends the process
when the time is up. Nothing is lost by that: a transaction left open is aborted and its
input routed again.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

from cablerouter.config import load_settings, settings_help

__all__ = ("ShutdownDeadline", "register")

log = logging.getLogger("cablerouter.worker")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "worker",
        help="run the streaming router: cables.raw -> one enriched copy per addressee topic",
        description="Consume raw cables, decode them, resolve their addressees against the "
        "routing directory and deliver one enriched copy to each addressee's topic. Bad input "
        "goes to the dead-letter topic with its reason. Serves /healthz, /readyz and /metrics. "
        "Stops gracefully on SIGTERM/SIGINT (finishing the batch in flight), but exits after "
        "CABLEROUTER_SHUTDOWN_SECONDS whatever still hangs (exit status 128 + the signal's "
        "number: 143 for SIGTERM, 130 for SIGINT), and at once on a second signal. Several "
        "workers with the same CABLEROUTER_APP_ID share the input partitions.",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(handler=_run)


class ShutdownDeadline:
    """Ends the process ``seconds`` after a stop began, if it is still running then.

    :meth:`signalled` is called for SIGTERM/SIGINT (the first starts the clock, a second
    one exits at once); :meth:`arm` for a stop with another cause. Expiry logs one line
    and calls ``exit`` (``os._exit``: no clean-up that could hang again) from a daemon
    thread, so a blocked event loop or a thread that never ends cannot hold it up.
    """

    def __init__(
        self,
        seconds: float,
        *,
        exit: Callable[[int], object] = os._exit,  # noqa: A002 - the stand-in for os._exit
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.seconds = seconds
        self._exit = exit
        self._clock = clock
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None
        self._began = 0.0

    @property
    def armed(self) -> bool:
        return self._timer is not None

    def signalled(self, signum: int) -> None:
        name = signal.Signals(signum).name
        if self.armed:
            self._expire(f"a second {name}", 128 + signum)
            return
        log.info("%s received: stopping, for at most %g s", name, self.seconds,
                 extra={"signal": name, "shutdown_seconds": self.seconds})
        self.arm(name, 128 + signum)

    def arm(self, cause: str, exit_status: int) -> None:
        """Start the clock (once; later calls change nothing)."""
        with self._lock:
            if self._timer is not None:
                return
            self._began = self._clock()
            self._timer = threading.Timer(self.seconds, self._expire, (cause, exit_status))
            self._timer.daemon = True
            self._timer.name = "shutdown-deadline"
            self._timer.start()

    def cancel(self) -> None:
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()

    def _expire(self, cause: str, exit_status: int) -> None:
        waited = self._clock() - self._began
        log.warning(
            "stop did not finish within %g s of %s: exiting now; transactions left open are "
            "aborted and their input is routed again", self.seconds, cause,
            extra={"cause": cause, "shutdown_seconds": self.seconds,
                   "waited_seconds": round(waited, 2), "exit_status": exit_status},
        )
        for flushable in (*logging.getLogger().handlers, sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # exiting anyway
                flushable.flush()
        self._exit(exit_status)


def build_worker(app, *, deadline: ShutdownDeadline, **kwargs):
    """A :class:`faust.Worker` for ``app`` whose stops are bounded by ``deadline``."""
    import faust

    class _Worker(faust.Worker):
        # mode's Worker routes both SIGTERM and SIGINT through here (and ignores repeats).
        def _schedule_shutdown(self, signum: signal.Signals) -> None:
            deadline.signalled(int(signum))
            super()._schedule_shutdown(signum)

        def on_worker_shutdown(self) -> None:
            # Reached on every stop: after a signal (armed already) or a crash.
            deadline.arm("its beginning", 1)
            super().on_worker_shutdown()

    return _Worker(app, **kwargs)


def _run(args: argparse.Namespace) -> int:
    from prometheus_client import CollectorRegistry

    from cablerouter.directory_files import load_directory
    from cablerouter.logs import logging_config
    from cablerouter.router.app import create_app
    from cablerouter.router.health import BrokerProbe
    from cablerouter.web import WebService, build_web_app

    settings = load_settings(os.environ)
    directory = load_directory(settings.directory_file)
    registry = CollectorRegistry()
    router = create_app(settings, registry=registry, directory=directory)
    web_app = build_web_app(
        registry=registry,
        readiness=router.progress.readiness,
    )
    router.app.add_dependency(WebService(web_app, host=settings.web_host, port=settings.web_port))
    router.app.add_dependency(BrokerProbe(settings.bootstrap_servers, progress=router.progress,
                                          metrics=router.metrics))
    worker = build_worker(
        router.app,
        deadline=ShutdownDeadline(settings.shutdown_seconds),
        loglevel=settings.log_level,
        logging_config=logging_config(settings.log_level, settings.log_format),
        quiet=True,
    )
    # What is built so far (the directory and its indexes, the app) lives as long as the
    # process: freeze it out of the cyclic collector's way, so that the full collections
    # routing's allocations trigger scan only young objects, and collect the youngest
    # generation every 20,000 allocations instead of 700 (batches in flight hold many
    # objects that were scanned over and over). How much it saved, and how that was
    # measured: bench/RESULTS.md, "Pipeline", third round.
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
    worker.execute_from_commandline()
    return 0
