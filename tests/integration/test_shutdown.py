"""SIGTERM ends ``cablerouter worker`` within ``CABLEROUTER_SHUTDOWN_SECONDS`` whatever the
brokers do: none at all, one that accepts connections and never answers, one killed or
paused while the worker runs (a one-node cluster of its own beside the test broker, so
the other tests' broker is never touched). With the broker up the worker leaves its
consumer group at once, and /readyz says so when the broker goes away."""

from __future__ import annotations

import asyncio
import json
import os
import pathlib
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import msgspec
import pytest
from aiokafka.admin import AIOKafkaAdminClient

from cablerouter.config import Settings
from cablerouter.router.topics import ensure_router_topics

from tests.integration.routerutil import WorkerProcess

REPO = pathlib.Path(__file__).resolve().parents[2]
LAUNCHER = REPO / "deploy" / "kafka" / "local-kafka"
HOME = REPO / ".cache" / "kafka-shutdown-test"  # fixed: a run killed hard is cleaned up by the next
SHIFT = 700  # the fault suite's cluster uses 500, local-kafka's own test 300
LAUNCHER_ENV = {**os.environ, "CABLEROUTER_KAFKA_HOME": str(HOME), "LOCAL_KAFKA_PORT_SHIFT": str(SHIFT)}
SHUTDOWN = 4.0  # CABLEROUTER_SHUTDOWN_SECONDS in these tests
SLACK = 2.0  # process exit, the test's own polling


def launcher(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LAUNCHER), *args], env=LAUNCHER_ENV, capture_output=True,
                          text=True, timeout=timeout, check=False)


def ok(*args: str, timeout: float = 180) -> str:
    proc = launcher(*args, timeout=timeout)
    logs = "\n".join(p.read_text(errors="replace")[-3000:] for p in HOME.glob("run/node*/broker.log"))
    assert proc.returncode == 0, f"local-kafka {' '.join(args)}: {proc.stderr}\n{logs}"
    return proc.stdout


@pytest.fixture
def env(unique_name: str) -> dict[str, str]:
    u = unique_name
    return {
        "CABLEROUTER_APP_ID": f"{u}.app",
        "CABLEROUTER_RAW_TOPIC": f"{u}.raw",
        "CABLEROUTER_DEADLETTER_TOPIC": f"{u}.dead",
        "CABLEROUTER_ROUTED_TOPIC": f"{u}.routed",
        "CABLEROUTER_DIRECTORY_TOPIC": f"{u}.directory",
        "CABLEROUTER_TOPIC_PREFIX": f"{u}.to.",
        "CABLEROUTER_SHUTDOWN_SECONDS": f"{SHUTDOWN:g}",
        "CABLEROUTER_DECODE_PROCESSES": "1",
    }


@pytest.fixture
def workers(tmp_path) -> Iterator[list[WorkerProcess]]:
    started: list[WorkerProcess] = []
    yield started
    for w in started:
        if w.proc is not None and w.proc.poll() is None:
            w.kill()


def start(workers: list[WorkerProcess], env: dict[str, str], log: pathlib.Path) -> WorkerProcess:
    w = WorkerProcess(env, log)
    workers.append(w)
    return w.start()


def log_records(w: WorkerProcess) -> list[dict]:
    out = []
    for line in w.log_path.read_text(errors="replace").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def terminate_and_time(w: WorkerProcess) -> tuple[int, float]:
    """SIGTERM ``w``; its exit status and the seconds it took."""
    assert w.proc is not None and w.proc.poll() is None, w.log_tail()
    started = time.monotonic()
    w.proc.send_signal(signal.SIGTERM)
    try:
        rc = w.wait(SHUTDOWN + 30)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"no exit {SHUTDOWN + 30:g} s after SIGTERM:\n{w.log_tail()}") from None
    return rc, time.monotonic() - started


def assert_bounded_exit(w: WorkerProcess, rc: int, took: float) -> None:
    assert took <= SHUTDOWN + SLACK, f"SIGTERM took {took:.1f} s:\n{w.log_tail()}"
    assert rc != -signal.SIGTERM, "SIGTERM arrived before the worker handled signals"
    if rc == 128 + signal.SIGTERM:  # the deadline, not the graceful stop, ended it
        messages = [r["message"] for r in log_records(w)]
        assert any(m.startswith(f"stop did not finish within {SHUTDOWN:g} s of SIGTERM")
                   for m in messages), w.log_tail()
    else:
        assert rc in (0, 1), w.log_tail()


def wait_logging(w: WorkerProcess, timeout: float = 60) -> None:
    """Until the worker has set up logging (its signal handlers come with it), plus a moment."""
    deadline = time.monotonic() + timeout
    while not log_records(w):
        assert w.proc is not None
        if w.proc.poll() is not None or time.monotonic() > deadline:
            return
        time.sleep(0.1)
    time.sleep(1.0)


class SilentBroker:
    """Accepts connections and never says a word (a paused broker looks like this)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.address = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._held.append(conn)

    def close(self) -> None:
        self.sock.close()
        for conn in self._held:
            conn.close()


@pytest.mark.parametrize("broker", ["refused", "silent"])
def test_sigterm_without_any_broker(broker: str, env, workers, tmp_path) -> None:
    silent = SilentBroker() if broker == "silent" else None
    try:
        bootstrap = silent.address if silent else "127.0.0.1:1"
        w = start(workers, {**env, "CABLEROUTER_BOOTSTRAP_SERVERS": bootstrap}, tmp_path / "w.log")
        began = time.monotonic()
        wait_logging(w)
        assert w.proc is not None
        if broker == "refused":
            # Nothing to connect to: the worker may give up by itself (a SIGTERM sent while
            # it is exiting, after its event loop closed, would only kill it), else it is
            # stopped like the silent one.
            try:
                rc = w.proc.wait(8)
            except subprocess.TimeoutExpired:
                pass
            else:
                assert rc not in (0, -signal.SIGTERM), w.log_tail()
                print(f"{broker}: the worker gave up by itself after "
                      f"{time.monotonic() - began:.1f} s, exit status {rc}")
                return
        rc, took = terminate_and_time(w)
        assert_bounded_exit(w, rc, took)
        print(f"{broker}: SIGTERM took {took:.1f} s, exit status {rc}")
    finally:
        if silent:
            silent.close()


async def test_sigterm_leaves_the_consumer_group_at_once(bootstrap, env, workers, tmp_path) -> None:
    env = {**env, "CABLEROUTER_BOOTSTRAP_SERVERS": bootstrap}
    await ensure_topics(bootstrap, env)
    w = start(workers, env, tmp_path / "w.log")
    await asyncio.to_thread(w.wait_ready)
    group = env["CABLEROUTER_APP_ID"]
    assert await group_members(bootstrap, group) == 1
    rc, took = await asyncio.to_thread(terminate_and_time, w)
    assert rc == 0 and took <= SHUTDOWN, (rc, took, w.log_tail())
    # Left, not merely silent: with the member still in, the group would keep it for the
    # session timeout (10 s) and hand its partitions to nobody meanwhile.
    assert await group_members(bootstrap, group) == 0


async def ensure_topics(bootstrap: str, env: dict[str, str]) -> None:
    settings = Settings().replace(
        bootstrap_servers=bootstrap, raw_topic=env["CABLEROUTER_RAW_TOPIC"],
        deadletter_topic=env["CABLEROUTER_DEADLETTER_TOPIC"],
        routed_topic=env["CABLEROUTER_ROUTED_TOPIC"],
        directory_topic=env["CABLEROUTER_DIRECTORY_TOPIC"],
    )
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=20_000)
    await admin.start()
    try:
        await ensure_router_topics(admin, settings)
    finally:
        await admin.close()


async def group_members(bootstrap: str, group: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=20_000)
    await admin.start()
    try:
        [response] = await admin.describe_consumer_groups([group])
    finally:
        await admin.close()
    [described] = response.groups
    return len(described[5])  # error_code, group_id, state, protocol_type, protocol, members


@pytest.fixture(scope="module")
def own_broker() -> Iterator[str]:
    """A one-node cluster of these tests' own, to kill and pause."""
    launcher("stop")  # whatever an earlier, interrupted run left
    try:
        yield ok("start", "--nodes", "1", timeout=240).strip().splitlines()[-1]
    finally:
        launcher("stop", timeout=120)


@pytest.mark.parametrize("fault", ["pause", "kill"])
async def test_sigterm_after_the_broker_went_away(fault: str, own_broker, env, workers,
                                                   tmp_path) -> None:
    env = {**env, "CABLEROUTER_BOOTSTRAP_SERVERS": own_broker}
    await ensure_topics(own_broker, env)
    w = start(workers, env, tmp_path / "w.log")
    await asyncio.to_thread(w.wait_ready)
    ok(fault, "1")
    try:
        # The probe (every 5 s, 3 s timeout) turns /readyz red.
        deadline = time.monotonic() + 20
        state: dict = {}
        while time.monotonic() < deadline:
            status, body = await asyncio.to_thread(w.get, "/readyz")
            state = msgspec.json.decode(body)
            if status == 503 and "broker_unreachable" in state["failed"]:
                break
            await asyncio.sleep(0.5)
        assert "broker_unreachable" in state.get("failed", []), (state, w.log_tail())
        rc, took = await asyncio.to_thread(terminate_and_time, w)
        assert_bounded_exit(w, rc, took)
        print(f"{fault}: SIGTERM took {took:.1f} s, exit status {rc}")
    finally:
        ok("resume" if fault == "pause" else "restart", "1")
