"""Small helpers for broker tests. They read as the router's consumers must: committed
records only (``read_committed``); the end of a partition is its last stable offset."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer


async def consume_all(
    bootstrap: str, topic: str, *, expect: int, timeout: float = 30.0
) -> list:
    """Read ``topic`` from the beginning until ``expect`` records arrived (or time out)."""
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        isolation_level="read_committed",
    )
    await consumer.start()
    out: list = []
    try:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(out) < expect and loop.time() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for records in batch.values():
                out.extend(records)
    finally:
        await consumer.stop()
    return out


async def read_to_end(bootstrap: str, topics: list[str], timeout: float = 60.0) -> dict[str, list]:
    """Read every partition of ``topics`` from the beginning up to its current end offset."""
    from aiokafka import TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    out: dict[str, list] = {t: [] for t in topics}
    if not topics:
        return out
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    tps = [TopicPartition(d["topic"], p["partition"]) for d in described for p in d["partitions"]]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                isolation_level="read_committed")
    await consumer.start()
    try:
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)
        remaining = {tp for tp in tps if end[tp] > 0}
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while remaining and loop.time() < deadline:
            batch = await consumer.getmany(*remaining, timeout_ms=500)
            for tp, records in batch.items():
                out[tp.topic].extend(r for r in records if r.offset < end[tp])
            for tp in list(remaining):  # a commit marker may be the last offset: ask where we are
                if await consumer.position(tp) >= end[tp]:
                    remaining.discard(tp)
        assert not remaining, f"could not read to the end of {sorted(map(str, remaining))[:5]}"
    finally:
        await consumer.stop()
    return out
