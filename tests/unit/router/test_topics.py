"""The router's own topics without a broker: what each is created with, that only missing
ones are created, and that a broker's refusal names the topic."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from cablerouter.config import Settings
from cablerouter.router.topics import (
    directory_topic_spec,
    ensure_router_topics,
    raw_topic_spec,
    router_topic_specs,
)

SETTINGS = Settings().replace(
    raw_topic="in", raw_partitions=6, deadletter_topic="dead", routed_topic="audit",
    directory_topic="dir", topic_partitions=2, topic_replication=3, topic_min_insync_replicas=2,
)


class FakeAdmin:
    """Knows ``existing`` topics; answers create_topics with ``codes`` (topic -> error code)."""

    def __init__(self, existing: set[str] = frozenset(), codes: dict[str, int] | None = None) -> None:
        self.existing = set(existing)
        self.codes = codes or {}
        self.requests: list[list] = []

    async def list_topics(self) -> list[str]:
        return sorted(self.existing)

    async def create_topics(self, new_topics) -> SimpleNamespace:
        self.requests.append(list(new_topics))
        errors = []
        for t in new_topics:
            code = self.codes.get(t.name, 0)
            if code == 0:
                self.existing.add(t.name)
            errors.append((t.name, code, None))
        return SimpleNamespace(topic_errors=errors)


def test_specs_follow_the_settings() -> None:
    specs = router_topic_specs(SETTINGS)
    isr = {"min.insync.replicas": "2"}
    assert specs == {
        "in": (6, 3, isr),
        "dead": (2, 3, isr),
        "audit": (2, 3, isr),
        "dir": (1, 3, {**isr, "cleanup.policy": "compact"}),
    }
    assert specs["in"] == raw_topic_spec(SETTINGS)
    assert specs["dir"] == directory_topic_spec(SETTINGS)


def test_defaults_suit_a_single_broker() -> None:
    specs = router_topic_specs(Settings())
    assert set(specs) == {"cables.raw", "cables.deadletter", "cables.routed", "cables.directory"}
    assert all(rf == 1 and cfg["min.insync.replicas"] == "1" for _, rf, cfg in specs.values())
    assert specs["cables.raw"][0] == 4


def test_the_input_spec_wins_when_the_raw_topic_shares_a_name() -> None:
    same = SETTINGS.replace(deadletter_topic="in")
    assert router_topic_specs(same)["in"] == raw_topic_spec(same)


async def test_creates_only_what_is_missing_with_its_spec() -> None:
    admin = FakeAdmin(existing={"audit", "other"})
    created = await ensure_router_topics(admin, SETTINGS)  # type: ignore[arg-type]
    assert created == {"in", "dead", "dir"}
    [request] = admin.requests
    by_name = {t.name: t for t in request}
    assert sorted(by_name) == ["dead", "dir", "in"]
    assert (by_name["in"].num_partitions, by_name["in"].replication_factor) == (6, 3)
    assert by_name["dir"].num_partitions == 1
    assert by_name["dir"].topic_configs == {"min.insync.replicas": "2", "cleanup.policy": "compact"}
    assert by_name["dead"].topic_configs == {"min.insync.replicas": "2"}

    assert await ensure_router_topics(admin, SETTINGS) == set()  # type: ignore[arg-type]
    assert len(admin.requests) == 1, "nothing missing: no create request"


async def test_a_topic_created_meanwhile_by_another_worker_is_fine() -> None:
    admin = FakeAdmin(codes={"dead": TopicAlreadyExistsError.errno})
    assert await ensure_router_topics(admin, SETTINGS) == {"in", "audit", "dir"}  # type: ignore[arg-type]


async def test_a_refused_topic_raises_naming_it() -> None:
    admin = FakeAdmin(codes={"in": 38})  # INVALID_REPLICATION_FACTOR: more replicas than brokers
    with pytest.raises(KafkaError, match="'in'"):
        await ensure_router_topics(admin, SETTINGS)  # type: ignore[arg-type]
