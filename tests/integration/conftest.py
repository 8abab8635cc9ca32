"""The real Kafka broker, started once per test session.

With ``KAFKA_BOOTSTRAP`` set, that broker is used as it is. Otherwise the project's launcher
``deploy/kafka/local-kafka`` starts a single KRaft node (or reuses a running one) and stops
it at the end if this session started it. A broker that cannot be reached or started ends
the whole run with its log: broker tests never skip.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import re
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator

import msgspec
import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from tests.integration.routerutil import WorkerProcess

REPO = pathlib.Path(__file__).resolve().parents[2]
LAUNCHER = REPO / "deploy" / "kafka" / "local-kafka"


class KafkaBroker(msgspec.Struct, frozen=True):
    bootstrap_servers: str
    started_here: bool


def _launcher(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LAUNCHER), *args], capture_output=True, text=True, timeout=300, check=False
    )


async def _describe(bootstrap: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10_000)
    await admin.start()
    try:
        await admin.describe_cluster()
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def kafka_broker() -> Iterator[KafkaBroker]:
    given = os.environ.get("KAFKA_BOOTSTRAP")
    if given:
        try:
            asyncio.run(_describe(given))
        except Exception as exc:  # noqa: BLE001 - any failure ends the run
            pytest.exit(f"KAFKA_BOOTSTRAP={given} does not answer: {exc!r}", returncode=3)
        yield KafkaBroker(given, started_here=False)
        return
    was_running = _launcher("status").returncode == 0
    proc = _launcher("start")
    if proc.returncode != 0:
        log = "\n".join(
            p.read_text(errors="replace")[-4000:]
            for p in (REPO / ".cache/kafka/run").glob("node*/broker.log")
        )
        pytest.exit(
            f"Could not start the Kafka broker with {LAUNCHER}:\n{proc.stderr}\n{log}", returncode=3
        )
    bootstrap = proc.stdout.strip().splitlines()[-1]
    yield KafkaBroker(bootstrap, started_here=not was_running)
    if not was_running:
        _launcher("stop")


@pytest.fixture
def bootstrap(kafka_broker: KafkaBroker) -> str:
    return kafka_broker.bootstrap_servers


@pytest.fixture
def unique_name(request: pytest.FixtureRequest) -> str:
    """A topic/group-safe name unique to this test (so tests never share topics)."""
    base = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:60]
    return f"t.{base}.{uuid.uuid4().hex[:8]}"


@pytest.fixture
def topic_factory(bootstrap: str, unique_name: str):
    """Create topics named after the test; returns their names."""
    counter = iter(range(1000))

    async def create(suffix: str = "", *, partitions: int = 1, config: dict | None = None) -> str:
        name = f"{unique_name}{'.' + suffix if suffix else ''}.{next(counter)}"
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        await admin.start()
        try:
            await admin.create_topics(
                [NewTopic(name, partitions, 1, topic_configs=config or {})]
            )
        finally:
            await admin.close()
        return name

    return create


@pytest.fixture
async def producer(bootstrap: str) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await p.start()
    try:
        yield p
    finally:
        await p.stop()


@pytest.fixture
def router_env(bootstrap: str, unique_name: str) -> dict[str, str]:
    u = unique_name
    return {
        "CABLEROUTER_BOOTSTRAP_SERVERS": bootstrap,
        "CABLEROUTER_APP_ID": f"{u}.app",
        "CABLEROUTER_RAW_TOPIC": f"{u}.raw",
        "CABLEROUTER_RAW_PARTITIONS": "4",
        "CABLEROUTER_DEADLETTER_TOPIC": f"{u}.dead",
        "CABLEROUTER_ROUTED_TOPIC": f"{u}.routed",
        "CABLEROUTER_DIRECTORY_TOPIC": f"{u}.directory",
        "CABLEROUTER_TOPIC_PREFIX": f"{u}.to.",
        "CABLEROUTER_BATCH_SECONDS": "0.05",
    }


@pytest.fixture
def worker_factory(router_env, tmp_path):
    started: list[WorkerProcess] = []

    def make(**overrides: str) -> WorkerProcess:
        w = WorkerProcess({**router_env, **overrides}, tmp_path / f"worker{len(started)}.log")
        started.append(w)
        return w.start()

    yield make
    for w in started:
        if w.proc is not None and w.proc.poll() is None:
            w.kill()
