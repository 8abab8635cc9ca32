"""The broker probe against fake clients: which answers count, what is reported, that it
never holds up start or stop; and the oldest-batch-age gauge."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import ClassVar

import pytest
from aiokafka.errors import KafkaConnectionError, NodeNotReadyError
from prometheus_client import CollectorRegistry, generate_latest

from cablerouter.metrics import RouterMetrics
from cablerouter.router.health import BrokerProbe, track_oldest_batch_age
from cablerouter.router.progress import Progress


class _Broker:
    def __init__(self, node_id: int) -> None:
        self.nodeId = node_id


class _Cluster:
    def __init__(self, nodes: list[int]) -> None:
        self.nodes = nodes
        self.updates = 0

    def brokers(self) -> set[_Broker]:
        return {_Broker(n) for n in self.nodes}

    def update_metadata(self, response: object) -> None:
        assert response == "metadata"
        self.updates += 1


class FakeClient:
    """Nodes answer, fail or hang as ``behaviour[node]`` says ("ok", "fail", "hang")."""

    made: ClassVar[list[FakeClient]] = []

    def __init__(self, servers: list[str], *, behaviour: dict[int, str],
                 bootstrap: str = "ok") -> None:
        self.servers = servers
        self.behaviour = behaviour
        self.bootstrap_behaviour = bootstrap
        self.cluster = _Cluster(sorted(behaviour))
        self.sent: list[int] = []
        self.closed = False
        FakeClient.made.append(self)

    async def bootstrap(self) -> None:
        if self.bootstrap_behaviour == "hang":
            await asyncio.sleep(3600)
        if self.bootstrap_behaviour == "fail":
            raise KafkaConnectionError(f"Unable to bootstrap from {self.servers}")

    async def send(self, node: int, request: object) -> str:
        self.sent.append(node)
        what = self.behaviour[node]
        if what == "hang":
            await asyncio.sleep(3600)
        if what == "fail":
            raise NodeNotReadyError(f"node {node}")
        return "metadata"

    async def close(self) -> None:
        self.closed = True


def probe_with(progress: Progress, timeout: float = 0.2, **client_kwargs) -> BrokerProbe:
    FakeClient.made = []
    return BrokerProbe("a:1, b:2 ,c:3", progress=progress, timeout_seconds=timeout,
                       interval_seconds=0.05,
                       client_factory=lambda servers: FakeClient(servers, **client_kwargs))


async def test_first_probe_bootstraps_then_asks_every_known_broker_at_once() -> None:
    probe = probe_with(Progress(stall_seconds=30), timeout=2.0,
                       behaviour={1: "hang", 2: "fail", 3: "ok"})
    started = time.monotonic()
    assert await probe.probe() == ""  # one paused and one dead broker of three: reachable
    assert time.monotonic() - started < 1.0  # not held up by the paused one
    client = FakeClient.made[0]
    assert sorted(client.servers) == ["a:1", "b:2", "c:3"]
    assert sorted(client.sent) == [1, 2, 3] and client.cluster.updates == 1
    assert await probe.probe() == ""
    assert len(client.sent) == 6 and client.cluster.updates == 2
    assert len(FakeClient.made) == 1 and not client.closed


async def test_no_broker_answering_is_reported_and_the_client_replaced() -> None:
    behaviour = {1: "fail", 2: "fail"}
    probe = probe_with(Progress(stall_seconds=30), behaviour=behaviour)
    # bootstrapped, but the brokers' own addresses do not answer
    assert (await probe.probe()).startswith("NodeNotReadyError('node ")
    assert FakeClient.made[0].closed
    behaviour[2] = "ok"
    assert await probe.probe() == ""  # a fresh client bootstraps again
    assert len(FakeClient.made) == 2 and not FakeClient.made[1].closed


async def test_hanging_brokers_count_as_unreachable_after_the_timeout() -> None:
    probe = probe_with(Progress(stall_seconds=30), behaviour={1: "hang", 2: "hang"})
    started = time.monotonic()
    assert await probe.probe() == "no answer within 0.2 s"
    assert 0.15 < time.monotonic() - started < 1.5
    assert FakeClient.made[0].closed


async def test_failed_and_hanging_bootstrap() -> None:
    probe = probe_with(Progress(stall_seconds=30), behaviour={1: "ok"}, bootstrap="fail")
    assert (await probe.probe()).startswith("KafkaConnectionError(")
    probe = probe_with(Progress(stall_seconds=30), behaviour={1: "ok"}, bootstrap="hang")
    started = time.monotonic()
    assert await probe.probe() == "no answer within 0.2 s"
    # each of the three bootstrap servers gets the whole timeout
    assert 0.55 < time.monotonic() - started < 2.0
    assert FakeClient.made[0].closed


async def test_service_reports_to_progress_and_logs_once_per_outage(caplog) -> None:
    progress = Progress(stall_seconds=30)
    progress.directory_loaded = True
    progress.assign({("raw", 0)}, 0)
    behaviour = {1: "fail"}
    probe = probe_with(progress, behaviour=behaviour)
    caplog.set_level(logging.INFO, logger="cablerouter.router.health")
    await probe.start()
    try:
        await asyncio.sleep(0.3)
        r = progress.readiness(time.monotonic())
        assert not r.ready and r.failed == ["broker_unreachable"]
        assert "NodeNotReadyError" in r.broker_error
        behaviour[1] = "ok"
        await asyncio.sleep(0.3)
        assert progress.readiness(time.monotonic()).ready
    finally:
        await probe.stop()
    lines = [(r.levelname, r.getMessage()) for r in caplog.records
             if r.name == "cablerouter.router.health" and "Kafka" in r.getMessage()]
    assert lines == [("ERROR", "Kafka cluster unreachable: no broker answers"),
                     ("INFO", "Kafka cluster reachable again")]


@pytest.mark.parametrize("where", ["bootstrap", "request"])
async def test_stop_is_prompt_while_the_cluster_does_not_answer(where: str) -> None:
    kwargs = ({"behaviour": {1: "hang"}, "bootstrap": "hang"} if where == "bootstrap"
              else {"behaviour": {1: "hang"}})
    probe = probe_with(Progress(stall_seconds=30), timeout=3.0, **kwargs)
    started = time.monotonic()
    await probe.start()
    assert time.monotonic() - started < 1.0  # starting does not wait for the cluster
    await asyncio.sleep(0.25)
    started = time.monotonic()
    await probe.stop()
    assert time.monotonic() - started < 1.0  # nor does stopping
    assert all(c.closed for c in FakeClient.made)


def test_oldest_batch_age_gauge_reads_progress_when_scraped() -> None:
    registry = CollectorRegistry()
    metrics = RouterMetrics(registry)
    progress = Progress(stall_seconds=30)
    now = [100.0]
    track_oldest_batch_age(metrics.oldest_batch_age, progress, clock=lambda: now[0])
    assert b"cablerouter_oldest_batch_age_seconds 0.0" in generate_latest(registry)
    progress.batch_started("b", now=90.0)
    now[0] = 102.5
    assert b"cablerouter_oldest_batch_age_seconds 12.5" in generate_latest(registry)


def test_probe_ties_the_gauge_when_given_the_metrics() -> None:
    registry = CollectorRegistry()
    progress = Progress(stall_seconds=30)
    BrokerProbe("x:1", progress=progress, metrics=RouterMetrics(registry), clock=lambda: 50.0)
    progress.batch_started("b", now=20.0)
    assert b"cablerouter_oldest_batch_age_seconds 30.0" in generate_latest(registry)
