"""Creating topics: the one helper the router, its feed and the CLI share, and the specs of
the router's own topics.

Brokers run with ``auto.create.topics.enable=false`` (as production clusters do), so every
topic the router reads or writes is created here, with the configured partitions,
replication and ``min.insync.replicas``, before anything is produced to it.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

from cablerouter.config import Settings

__all__ = (
    "TopicSpec", "create_missing_topics", "directory_topic_spec", "ensure_router_topics",
    "raw_topic_spec", "router_topic_specs",
)

TopicSpec = tuple[int, int, Mapping[str, str]]
"""Partitions, replication factor and topic configs of a topic to create."""


async def create_missing_topics(admin: AIOKafkaAdminClient, specs: Mapping[str, TopicSpec]) -> set[str]:
    """Create the topics of ``specs`` that do not exist; returns the ones created here.

    A topic created meanwhile by someone else (``TopicAlreadyExists``) is fine; any other
    per-topic error raises :class:`aiokafka.errors.KafkaError` naming the topic.
    """
    missing = sorted(set(specs) - set(await admin.list_topics()))
    if not missing:
        return set()
    new = [NewTopic(t, specs[t][0], specs[t][1], topic_configs=dict(specs[t][2])) for t in missing]
    try:
        response = await admin.create_topics(new)
    except TopicAlreadyExistsError:
        return set()
    created = set()
    for topic, code, *_ in getattr(response, "topic_errors", []):
        if code == 0:
            created.add(topic)
        elif code != TopicAlreadyExistsError.errno:
            raise KafkaError(f"creating topic {topic!r} failed with error code {code}")
    return created


def _durability(settings: Settings) -> dict[str, str]:
    return {"min.insync.replicas": str(settings.topic_min_insync_replicas)}


def raw_topic_spec(settings: Settings) -> TopicSpec:
    """The input topic: ``raw_partitions`` (the most workers that share the input)."""
    return (settings.raw_partitions, settings.topic_replication, _durability(settings))


def directory_topic_spec(settings: Settings) -> TopicSpec:
    """The directory topic: compacted (the latest entry per key is the directory), and one
    partition, so that every update applies in the order it was written."""
    return (1, settings.topic_replication, {**_durability(settings), "cleanup.policy": "compact"})


def router_topic_specs(settings: Settings) -> dict[str, TopicSpec]:
    """The router's own topics and how to create each: the raw input, the dead-letter and
    audit outputs (``topic_partitions``, as addressee topics) and the directory topic."""
    output = (settings.topic_partitions, settings.topic_replication, _durability(settings))
    specs = {
        settings.deadletter_topic: output,
        settings.routed_topic: output,
        settings.directory_topic: directory_topic_spec(settings),
    }
    specs[settings.raw_topic] = raw_topic_spec(settings)  # the input's spec wins a name clash
    return specs


async def ensure_router_topics(admin: AIOKafkaAdminClient, settings: Settings) -> set[str]:
    """Create the router's own topics (:func:`router_topic_specs`) that do not exist yet;
    returns the names created here.

    Existing topics are left as they are. Raises :class:`aiokafka.errors.KafkaError` when
    a topic cannot be created (for example a replication factor above the broker count).
    """
    return await create_missing_topics(admin, router_topic_specs(settings))
