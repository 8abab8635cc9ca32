"""Creating topics: the one helper the router, its feed and the CLI share."""

from __future__ import annotations

from collections.abc import Mapping

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaError, TopicAlreadyExistsError

__all__ = ("TopicSpec", "create_missing_topics")

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
