"""Router workers under supervision: a worker that exits, for whatever reason, is started
again, as systemd or an orchestrator would; the suite kills them with SIGKILL on purpose.

Each incarnation is a ``cablerouter worker`` subprocess (:class:`WorkerProcess` of the
integration tests) with its own web port, state directory and log file. Exits are recorded
with their status and whether the suite caused them (``kill -9``, SIGTERM at the end), so
a report can tell planned restarts from a worker that stopped by itself (a transactional
worker exits with status 75 when routing cannot go on, or when it was fenced).
"""

from __future__ import annotations

import pathlib
import subprocess
import sys
import threading
import time

import msgspec

from tests.integration.routerutil import REPO, WorkerProcess

RESTART_DELAY = 0.5  # seconds between an exit and the next start, like a supervisor's
# Runs `cablerouter worker` with PR_SET_PDEATHSIG (1) = SIGKILL (9): it dies with the thread
# that started it, so a test run that is killed leaves no worker behind hammering the
# cluster's ports (set in the child itself, which keeps it over the exec).
_DIE_WITH_PARENT = (
    "import ctypes, os, sys\n"
    "ctypes.CDLL(None).prctl(1, 9)\n"
    "os.execv(sys.executable, [sys.executable, '-m', 'cablerouter', 'worker'])\n"
)


class _Worker(WorkerProcess):
    """:class:`WorkerProcess` that does not outlive the test process."""

    def start(self) -> _Worker:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in wait()
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _DIE_WITH_PARENT], env=self.env, cwd=REPO,
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        return self


class Exit(msgspec.Struct, frozen=True):
    at: float  # wall time the exit was seen
    status: int
    planned: bool  # the suite killed or stopped it


class SupervisedWorker:
    """One supervised worker slot (``name``) of a scenario."""

    def __init__(self, name: str, env: dict[str, str], log_dir: pathlib.Path) -> None:
        self.name = name
        self._env = env
        self._log_dir = log_dir
        self._lock = threading.Lock()
        self._stopping = False
        self._planned = False
        self.incarnation = -1
        self.current: WorkerProcess | None = None
        self.exits: list[Exit] = []
        self.started_at: list[float] = []
        self._thread: threading.Thread | None = None

    # -- life cycle ---------------------------------------------------------------------
    def start(self) -> SupervisedWorker:
        self._spawn()
        self._thread = threading.Thread(target=self._supervise, name=f"supervise-{self.name}",
                                        daemon=True)
        self._thread.start()
        return self

    def _spawn(self) -> None:
        self.incarnation += 1
        n = self.incarnation
        state = self._log_dir / f"{self.name}.{n}.state"
        state.mkdir(parents=True, exist_ok=True)
        env = {**self._env, "CABLEROUTER_STATE_DIR": str(state)}
        w = _Worker(env, self._log_dir / f"{self.name}.{n}.log")
        # The launcher's variable shares the settings' prefix; a worker rejects it.
        w.env.pop("CABLEROUTER_KAFKA_HOME", None)
        self.current = w.start()
        self.started_at.append(time.time())

    def _supervise(self) -> None:
        while True:
            w = self.current
            assert w is not None and w.proc is not None
            status = w.wait(None)  # also closes its log file
            with self._lock:
                self.exits.append(Exit(time.time(), status, self._planned or self._stopping))
                self._planned = False
                if self._stopping:
                    return
            time.sleep(RESTART_DELAY)
            with self._lock:
                if self._stopping:
                    return
                self._spawn()

    def kill9(self) -> float:
        """SIGKILL the running incarnation (the supervisor starts the next); returns the
        wall time of the kill."""
        with self._lock:
            w = self.current
            assert w is not None and w.proc is not None
            self._planned = True
            at = time.time()
            w.proc.kill()
        return at

    def terminate(self, timeout: float = 30.0) -> int | None:
        """Stop supervising and SIGTERM the running incarnation; its exit status."""
        with self._lock:
            self._stopping = True
            w = self.current
        if w is None or w.proc is None:
            return None
        if w.proc.poll() is None:
            w.proc.terminate()
        try:
            return w.proc.wait(timeout)
        except Exception:  # noqa: BLE001 - a worker that ignores SIGTERM is killed
            w.proc.kill()
            return w.proc.wait(10)
        finally:
            if self._thread is not None:
                self._thread.join(15)

    def stop(self) -> None:
        """Stop supervising and SIGKILL whatever runs (clean-up after a failure)."""
        with self._lock:
            self._stopping = True
            w = self.current
        if w is not None and w.proc is not None and w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait(10)

    # -- observation --------------------------------------------------------------------
    @property
    def restarts(self) -> int:
        return self.incarnation

    @property
    def unplanned_exits(self) -> list[Exit]:
        return [e for e in self.exits if not e.planned]

    def wait_ready(self, timeout: float = 90.0) -> None:
        assert self.current is not None
        self.current.wait_ready(timeout)

    def readiness(self) -> dict:
        assert self.current is not None
        return msgspec.json.decode(self.current.get("/readyz")[1])

    def assigned_partitions(self, raw_topic: str) -> set[int] | None:
        """The input partitions the running incarnation last logged as assigned, or None
        when its log does not say."""
        assert self.current is not None
        found = None
        try:
            lines = self.current.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return None
        for line in lines:
            if "partitions assigned" not in line:
                continue
            try:
                entry = msgspec.json.decode(line)
            except msgspec.DecodeError:
                continue
            parts = entry.get("partitions") if isinstance(entry, dict) else None
            if isinstance(parts, list):
                found = {p for p in parts if isinstance(p, int)}
        return found

    def log_tail(self, n: int = 40) -> str:
        return self.current.log_tail(n) if self.current is not None else "(never started)"

    def all_logs(self) -> list[pathlib.Path]:
        return sorted(self._log_dir.glob(f"{self.name}.*.log"))
