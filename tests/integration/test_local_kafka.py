"""``deploy/kafka/local-kafka`` controls single nodes of a 3-node cluster that runs beside the
integration tests' broker (its own home, ports shifted): a killed node leaves acks=all
produce working (min.insync.replicas 2), it comes back from its data with ``restart``, a
paused one shows as paused and is resumed, and ``controller`` names the quorum leader."""

from __future__ import annotations

import asyncio
import fcntl
import os
import pathlib
import shutil
import subprocess
import time

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

REPO = pathlib.Path(__file__).resolve().parents[2]
LAUNCHER = REPO / "deploy" / "kafka" / "local-kafka"
HOME = REPO / ".cache" / "kafka-nodes-test"  # fixed: a run killed hard is cleaned up by the next
SHIFT = 300
BOOTSTRAP = ",".join(f"127.0.0.1:{n * 10000 + 9092 + SHIFT}" for n in (1, 2, 3))
ENV = {**os.environ, "CABLEROUTER_KAFKA_HOME": str(HOME), "LOCAL_KAFKA_PORT_SHIFT": str(SHIFT)}


def launcher(*args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(LAUNCHER), *args], env=ENV, capture_output=True, text=True,
                          timeout=timeout, check=False)


def ok(*args: str, timeout: float = 180) -> str:
    proc = launcher(*args, timeout=timeout)
    assert proc.returncode == 0, f"local-kafka {' '.join(args)}: {proc.stderr}\n{_logs()}"
    return proc.stdout


def _logs(lines: int = 20) -> str:
    return "\n".join(f"--- {log}\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
                     for log in sorted(HOME.glob("run/node*/broker.log")))


def controller() -> int:
    return int(ok("controller", timeout=90).strip().splitlines()[-1])


async def produce(topic: str, values: list[bytes], partitions: int) -> None:
    """acks=all to every partition; each send must succeed (retrying leader moves)."""
    producer = AIOKafkaProducer(bootstrap_servers=BOOTSTRAP, acks="all", request_timeout_ms=30_000,
                                retry_backoff_ms=250)
    await producer.start()
    try:
        for i, value in enumerate(values):
            await asyncio.wait_for(producer.send_and_wait(topic, value, partition=i % partitions), 60)
    finally:
        await producer.stop()


async def read_all(topic: str, partitions: int) -> list[bytes]:
    consumer = AIOKafkaConsumer(bootstrap_servers=BOOTSTRAP, group_id=None, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in range(partitions)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        out: list[bytes] = []
        deadline = time.monotonic() + 30
        while sum(end.values()) > len(out) and time.monotonic() < deadline:
            for records in (await consumer.getmany(timeout_ms=500)).values():
                out.extend(r.value for r in records)
        return sorted(out)
    finally:
        await consumer.stop()


@pytest.fixture(scope="module")
def cluster():
    # One test session at a time owns this cluster: another one waits here instead of
    # stopping the cluster under the first one's feet. The lock goes with its process, so a
    # run killed hard leaves only its brokers behind, which 'stop' below removes.
    HOME.mkdir(parents=True, exist_ok=True)
    with open(HOME / "test.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        launcher("stop")  # whatever an earlier, interrupted run left
        try:
            out = ok("start", "--nodes", "3", timeout=240)
            yield out.strip().splitlines()[-1]
        finally:
            _keep_logs_and_stop()


def _keep_logs_and_stop() -> None:
    # 'stop' removes the run folder: keep the brokers' logs of the last run beside it
    kept = HOME / "last-run-logs"
    shutil.rmtree(kept, ignore_errors=True)
    kept.mkdir(parents=True)
    for log in HOME.glob("run/node*/broker.log"):
        shutil.copy(log, kept / f"{log.parent.name}.log")
    launcher("stop", timeout=120)
    assert "not running" in launcher("status").stdout


async def test_kill_restart_pause_resume_and_controller(cluster) -> None:
    assert cluster == BOOTSTRAP
    assert ok("bootstrap").strip() == BOOTSTRAP
    admin = AIOKafkaAdminClient(bootstrap_servers=BOOTSTRAP, request_timeout_ms=20_000)
    await admin.start()
    try:
        [broker] = await admin.describe_configs([ConfigResource(ConfigResourceType.BROKER, "1")])
        entries = {e[0]: e[1] for e in broker.resources[0][4]}
        assert entries["auto.create.topics.enable"] == "false"
        assert entries["min.insync.replicas"] == "2" and entries["default.replication.factor"] == "3"
        topic, partitions = "nodes.test", 3  # one partition led by each node
        await admin.create_topics([NewTopic(topic, partitions, 3,
                                            topic_configs={"min.insync.replicas": "2"})])
    finally:
        await admin.close()
    await produce(topic, [b"before-0", b"before-1", b"before-2"], partitions)

    # Per-node commands check their arguments; a shift other than the cluster's is refused.
    assert launcher("kill", "4").returncode == 1
    assert launcher("pause").returncode == 1
    wrong = subprocess.run([str(LAUNCHER), "status"], env={**ENV, "LOCAL_KAFKA_PORT_SHIFT": "7"},
                           capture_output=True, text=True, timeout=30, check=False)
    assert wrong.returncode == 1 and "LOCAL_KAFKA_PORT_SHIFT=300" in wrong.stderr

    assert controller() in (1, 2, 3)
    ok("kill", "2")
    status = ok("status")
    assert "running: 2/3" in status and "node 2 DOWN" in status, f"{status}\n{_logs()}"
    started = time.monotonic()
    await produce(topic, [b"down-0", b"down-1", b"down-2"], partitions)  # 2 of 3 in sync: enough
    print(f"acks=all produce with node 2 killed took {time.monotonic() - started:.1f}s")
    assert controller() in (1, 3)

    ok("restart", "2")
    assert "running: 3/3" in ok("status")
    ok("pause", "3")
    assert "node 3 pid" in (status := ok("status")) and "PAUSED" in status, status
    assert controller() in (1, 2)
    ok("resume", "3")
    assert "PAUSED" not in ok("status")
    await produce(topic, [b"after-0", b"after-1", b"after-2"], partitions)
    assert await read_all(topic, partitions) == sorted(
        f"{when}-{i}".encode() for when in ("before", "down", "after") for i in range(3))
