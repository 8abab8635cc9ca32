"""Small helpers for broker tests."""

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
