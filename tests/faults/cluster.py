"""The fault suite's own 3-node Kafka cluster, driven through ``deploy/kafka/local-kafka``.

It runs beside the integration tests' single broker: its own ``CABLEROUTER_KAFKA_HOME``
(``.cache/kafka-faults``), every port shifted by :data:`PORT_SHIFT` (brokers on
19592/29592/39592), the jars shared with the default home. Per-node faults (``kill``,
``restart``, ``pause``, ``resume``) and the active controller's id come from the launcher
too, so the suite injects exactly what an operator would.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import subprocess
import time

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, NodeNotReadyError, RequestTimedOutError, TopicAlreadyExistsError

# What the suite's own admin calls may meet right after a broker was killed: the client
# still routes a request to the dead node until its metadata says otherwise.
_OBSERVER_ERRORS = (KafkaConnectionError, NodeNotReadyError, RequestTimedOutError)

REPO = pathlib.Path(__file__).resolve().parents[2]
LAUNCHER = REPO / "deploy" / "kafka" / "local-kafka"
HOME = REPO / ".cache" / "kafka-faults"
PORT_SHIFT = 500
NODES = 3


class LauncherError(RuntimeError):
    pass


class Cluster:
    """A running 3-node cluster: bootstrap servers, per-node faults, topic helpers."""

    def __init__(self, home: pathlib.Path = HOME, shift: int = PORT_SHIFT) -> None:
        self.home = home
        self.shift = shift
        self.bootstrap = ""
        self.env = {
            **os.environ,
            "CABLEROUTER_KAFKA_HOME": str(home),
            "LOCAL_KAFKA_PORT_SHIFT": str(shift),
            "LOCAL_KAFKA_LIBS": str(REPO / ".cache" / "kafka" / "libs"),
        }
        self.faults: list[tuple[float, str]] = []  # (wall time, what), for the logs
        self.down: set[int] = set()  # killed and not restarted
        self.paused: set[int] = set()

    def launcher(self, *args: str, timeout: float = 180, check: bool = True) -> str:
        proc = subprocess.run([str(LAUNCHER), *args], env=self.env, capture_output=True,
                              text=True, timeout=timeout, check=False)
        if check and proc.returncode != 0:
            raise LauncherError(
                f"local-kafka {' '.join(args)} exited with {proc.returncode}:\n"
                f"{proc.stderr[-3000:]}\n{self.broker_logs()}")
        return proc.stdout

    def start(self, attempts: int = 3) -> str:
        """A fresh cluster: whatever an earlier run left in this home is stopped first.

        Node 3's port is in Linux's ephemeral range (32768-60999), where a client that
        probes it before the broker listens can be handed that very port as its own and
        connect to itself; the broker then fails to bind ("Address already in use"). Such
        a start is retried with the ports shifted by another 100.
        """
        self.launcher("stop", check=False)
        for attempt in range(attempts):
            try:
                out = self.launcher("start", "--nodes", str(NODES), timeout=300)
            except LauncherError:
                bind = "Address already in use" in self.broker_logs(2000)
                self.launcher("stop", check=False)
                if not bind or attempt == attempts - 1:
                    raise
                self.shift += 100
                self.env["LOCAL_KAFKA_PORT_SHIFT"] = str(self.shift)
                continue
            self.bootstrap = out.strip().splitlines()[-1]
            return self.bootstrap
        raise AssertionError("unreachable")

    def stop(self) -> None:
        self.launcher("stop", check=False, timeout=120)

    def broker_port(self, node: int) -> int:
        return node * 10000 + 9092 + self.shift

    def controller(self) -> int:
        """The node id of the active KRaft controller."""
        return int(self.launcher("controller", timeout=60).strip().splitlines()[-1])

    def _fault(self, what: str, node: int) -> float:
        at = time.time()
        self.launcher(what, str(node), timeout=180)
        self.faults.append((at, f"{what} {node}"))
        {"kill": self.down.add, "restart": self.down.discard,
         "pause": self.paused.add, "resume": self.paused.discard}[what](node)
        return at

    def heal(self) -> None:
        """Bring back every node a test left killed or paused (a test that failed half way),
        so that the next scenario starts on the whole cluster."""
        for node in sorted(self.paused):
            self.resume(node)
        for node in sorted(self.down):
            self.restart(node)

    def kill(self, node: int) -> float:
        """SIGKILL node ``node``; returns the wall time just before the kill."""
        return self._fault("kill", node)

    def restart(self, node: int, attempts: int = 4) -> float:
        """Start node ``node`` again; returns when it answers (wall time of the request).
        A start that failed to bind its port (see :meth:`start`) is tried again."""
        for attempt in range(attempts):
            try:
                return self._fault("restart", node)
            except LauncherError:
                if attempt == attempts - 1 or "Address already in use" not in self.broker_logs(200):
                    raise
                time.sleep(5)
        raise AssertionError("unreachable")

    def pause(self, node: int) -> float:
        return self._fault("pause", node)

    def resume(self, node: int) -> float:
        return self._fault("resume", node)

    def broker_logs(self, lines: int = 30) -> str:
        out = []
        for log in sorted(self.home.glob("run/node*/broker.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"--- {log}\n" + "\n".join(line[:300] for line in tail))
        return "\n".join(out)

    def admin(self) -> AIOKafkaAdminClient:
        return AIOKafkaAdminClient(bootstrap_servers=self.bootstrap, request_timeout_ms=30_000)

    async def create_topics(self, specs: dict[str, tuple[int, dict[str, str]]]) -> None:
        """Create topics (name -> partitions, configs) with replication 3."""
        admin = self.admin()
        await admin.start()
        try:
            new = [NewTopic(name, partitions, NODES, topic_configs=configs)
                   for name, (partitions, configs) in specs.items()]
            try:
                response = await admin.create_topics(new, timeout_ms=60_000)
            except TopicAlreadyExistsError:
                return
            errors = [(t, code) for t, code, *_ in getattr(response, "topic_errors", [])
                      if code not in (0, TopicAlreadyExistsError.errno)]
            assert not errors, f"creating topics failed: {errors}"
        finally:
            await admin.close()

    async def topics_with_prefix(self, prefix: str, timeout: float = 60.0) -> list[str]:
        """The topics named ``prefix...``; asked again, on a new connection, while the answer
        is lost to a broker that was just killed (an observer's trouble, not the router's)."""
        deadline = time.monotonic() + timeout
        while True:
            admin = self.admin()
            try:
                await admin.start()
                return sorted(t for t in await admin.list_topics() if t.startswith(prefix))
            except _OBSERVER_ERRORS:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)
            finally:
                await admin.close()

    async def wait_in_sync(self, timeout: float = 90.0) -> None:
        """Wait until every partition's replicas are all in sync again (a broker back from
        a fault has caught up), so that the next fault is a single one."""
        deadline = time.monotonic() + timeout
        admin = self.admin()
        await admin.start()
        try:
            while True:
                behind = [(d["topic"], p["partition"]) for d in await admin.describe_topics()
                          for p in d["partitions"] if len(p["isr"]) < len(p["replicas"])]
                if not behind:
                    return
                assert time.monotonic() < deadline, (
                    f"{len(behind)} partitions still under-replicated after {timeout}s: "
                    f"{behind[:5]}")
                await asyncio.sleep(1)
        finally:
            await admin.close()

    async def leaders(self, topic: str) -> dict[int, int]:
        """Partition -> leader node of ``topic``."""
        admin = self.admin()
        await admin.start()
        try:
            described = await admin.describe_topics([topic])
        finally:
            await admin.close()
        return {p["partition"]: p["leader"] for d in described for p in d["partitions"]}
