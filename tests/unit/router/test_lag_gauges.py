"""The consumer-lag gauges follow the worker's assignment: a partition handed to another
worker loses its series here (its new owner reports it), so no stale lag is left behind."""

from __future__ import annotations

import types
from typing import NamedTuple

from prometheus_client import CollectorRegistry, generate_latest

from cablerouter.metrics import RouterMetrics
from cablerouter.router.app import Router
from cablerouter.router.progress import Progress

RAW = "cables.raw"


class TP(NamedTuple):
    topic: str
    partition: int


class FakeConsumer:
    def __init__(self) -> None:
        self.assigned: set[TP] = set()
        self.highwaters: dict[TP, int] = {}

    def assignment(self) -> set[TP]:
        return set(self.assigned)

    def highwater(self, tp: TP) -> int:
        return self.highwaters[tp]

    async def position(self, tp: TP) -> int:
        return 0


def _lag_lines(registry: CollectorRegistry) -> list[str]:
    return sorted(line for line in generate_latest(registry).decode().splitlines()
                  if line.startswith("cablerouter_consumer_lag_messages{"))


async def test_lag_series_of_revoked_partitions_are_removed() -> None:
    registry = CollectorRegistry()
    consumer = FakeConsumer()
    router = Router(types.SimpleNamespace(consumer=consumer), metrics=RouterMetrics(registry),
                    progress=Progress(stall_seconds=30), feed=None, sink=None,
                    registry=registry, raw_topic=RAW)
    p0, p1, internal = TP(RAW, 0), TP(RAW, 1), TP("cablerouter-__assignor-__leader", 0)
    consumer.assigned = {p0, p1, internal}
    consumer.highwaters = {p0: 40, p1: 7, internal: 3}
    await router.update_lag()
    assert _lag_lines(registry) == [
        'cablerouter_consumer_lag_messages{partition="0",topic="cables.raw"} 40.0',
        'cablerouter_consumer_lag_messages{partition="1",topic="cables.raw"} 7.0',
    ]
    consumer.assigned = {p1, internal}  # partition 0 went to another worker, lag and all
    await router.update_lag()
    assert _lag_lines(registry) == ['cablerouter_consumer_lag_messages{partition="1",topic="cables.raw"} 7.0']
    consumer.assigned = set()
    await router.update_lag()
    assert _lag_lines(registry) == []
    consumer.assigned = {p0}  # and back
    await router.update_lag()
    assert _lag_lines(registry) == ['cablerouter_consumer_lag_messages{partition="0",topic="cables.raw"} 40.0']
