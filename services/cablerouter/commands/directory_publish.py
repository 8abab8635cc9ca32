"""``cablerouter directory publish FILE``: put an operator's directory file on the live
directory topic, as the records every worker applies (:mod:`cablerouter.directory.update`).

The topic is read first (``read_committed``, to its end), and only new and changed entries
are written; ``--replace`` also deletes the entries the topic carries and the file does not.
The records go out in one transaction, with a transactional id per application
(``<app id>.directory-publisher``): a publish that fails half-way leaves nothing a worker
applies, and a second publisher running at the same time fences the first.
"""

from __future__ import annotations

import asyncio

from cablerouter.config import Settings
from cablerouter.directory import Directory, UpdatePlan, directory_records, plan_updates

__all__ = ("publish_directory", "read_directory_topic")


async def read_directory_topic(settings: Settings) -> dict[str, bytes]:
    """The current value of every key on the directory topic (tombstoned keys left out)."""
    from aiokafka import AIOKafkaConsumer, TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        if settings.directory_topic not in await admin.list_topics():
            return {}
        [described] = await admin.describe_topics([settings.directory_topic])
    finally:
        await admin.close()
    tps = [TopicPartition(settings.directory_topic, p["partition"]) for p in described["partitions"]]
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                isolation_level="read_committed")
    await consumer.start()
    current: dict[str, bytes] = {}
    try:
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        while [tp for tp in tps if await consumer.position(tp) < end[tp]]:
            batch = await consumer.getmany(*tps, timeout_ms=1000)
            for records in batch.values():
                for record in records:
                    key = (record.key or b"").decode("utf-8", "replace")
                    if record.value is None:
                        current.pop(key, None)
                    else:
                        current[key] = record.value
    finally:
        await consumer.stop()
    return current


async def publish_directory(settings: Settings, directory: Directory, *, replace: bool,
                            dry_run: bool = False) -> UpdatePlan:
    """Bring the directory topic to ``directory``'s entries; returns what was (or, with
    ``dry_run``, would be) written."""
    from aiokafka import AIOKafkaProducer
    from aiokafka.admin import AIOKafkaAdminClient

    from cablerouter.router.topics import create_missing_topics, directory_topic_spec

    if not dry_run:
        admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
        await admin.start()
        try:
            await create_missing_topics(admin, {settings.directory_topic: directory_topic_spec(settings)})
        finally:
            await admin.close()
    plan = plan_updates(await read_directory_topic(settings), dict(directory_records(directory)),
                        replace=replace)
    if dry_run or not plan.records:
        return plan
    producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers,
                                transactional_id=f"{settings.app_id}.directory-publisher",
                                max_request_size=settings.max_message_bytes)
    await producer.start()
    try:
        async with producer.transaction():
            sent = [await producer.send(settings.directory_topic, value, key=key.encode())
                    for key, value in plan.records]
            await asyncio.gather(*sent)
    finally:
        await producer.stop()
    return plan
