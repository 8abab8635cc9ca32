"""Run ``cablerouter worker`` as a real subprocess against the test broker."""

from __future__ import annotations

import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_metrics(text: str) -> dict[str, float]:
    """``name{labels}`` -> value for every sample line of a Prometheus text exposition."""
    out: dict[str, float] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            out[name] = float(value)
    return out


class WorkerProcess:
    """One router worker process with its own web port and log file."""

    def __init__(self, env: dict[str, str], log_path: pathlib.Path) -> None:
        self.port = free_port()
        self.env = {**os.environ, **env, "CABLEROUTER_WEB_PORT": str(self.port),
                    "CABLEROUTER_LOG_FORMAT": "json"}
        self.env.pop("KAFKA_BOOTSTRAP", None)
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> WorkerProcess:
        self._log = open(self.log_path, "ab")  # noqa: SIM115 - closed in wait()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cablerouter", "worker"], env=self.env, cwd=REPO,
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        )
        return self

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def wait_ready(self, timeout: float = 90.0) -> None:
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, (
                f"worker exited with {self.proc.returncode if self.proc else None}:\n{self.log_tail()}")
            try:
                status, body = self.get("/readyz")
                last = body
                if status == 200:
                    return
            except OSError as exc:
                last = repr(exc)
            time.sleep(0.3)
        raise AssertionError(f"worker not ready after {timeout}s (last /readyz: {last}):\n{self.log_tail()}")

    def metrics(self) -> dict[str, float]:
        status, body = self.get("/metrics")
        assert status == 200
        return parse_metrics(body)

    def terminate(self, timeout: float = 60.0) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.wait(timeout)

    def kill(self) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.kill()
        return self.wait(30)

    def wait(self, timeout: float) -> int:
        assert self.proc is not None
        try:
            rc = self.proc.wait(timeout)
        finally:
            self._log.close()
        return rc

    def log_tail(self, n: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"
