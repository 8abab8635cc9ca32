"""The one place where the router writes to Kafka: topic creation and producing.

A batch's records are written with one aiokafka producer (``acks=all``, idempotent)
through a :class:`Shipment`, whose ``settle`` returns only when the broker acknowledged
every record; the agent acks the source offsets after that, so a source offset is
committed only after all of its deliveries are durable (at-least-once). Exactly-once will
wrap a shipment and the offset commit in one producer transaction here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.partitioner import DefaultPartitioner

from cablerouter.config import Settings
from cablerouter.router.envelope import OutRecord
from cablerouter.router.topics import create_missing_topics

__all__ = ("DeliverySink", "OutRecord", "Shipment")

log = logging.getLogger("cablerouter.sink")


class DeliverySink:
    """Produces the router's output and creates addressee topics on first use.

    Parameters
    ----------
    settings
        Bootstrap servers, producer tuning, topic partitions/replication and the cap on
        created topics.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._producer: AIOKafkaProducer | None = None
        self._admin: AIOKafkaAdminClient | None = None
        self._known_topics: set[str] = set()
        self._created = 0
        self._lock = asyncio.Lock()
        self._partitioner = DefaultPartitioner()

    async def start(self) -> None:
        s = self._settings
        self._admin = AIOKafkaAdminClient(bootstrap_servers=s.bootstrap_servers)
        await self._admin.start()
        self._known_topics = set(await self._admin.list_topics())
        self._producer = AIOKafkaProducer(
            bootstrap_servers=s.bootstrap_servers,
            acks="all",
            enable_idempotence=True,
            linger_ms=s.linger_ms,
            max_batch_size=1_048_576,
            max_request_size=4 * 1_048_576,
            compression_type=None if s.compression == "none" else s.compression,
        )
        await self._producer.start()
        # The router's own output topics exist from the start, so readers can wait for them.
        await self.create_topics([s.deadletter_topic, s.routed_topic])

    async def stop(self) -> None:
        if self._producer is not None:
            await self._producer.stop()
            self._producer = None
        if self._admin is not None:
            await self._admin.close()
            self._admin = None

    def unknown_topics(self, topics: Iterable[str]) -> set[str]:
        """The topics among ``topics`` that do not exist yet (as far as this worker knows)."""
        return {t for t in topics if t not in self._known_topics}

    def room_for(self, count: int) -> bool:
        """Whether ``count`` more topics may be created under the configured cap."""
        return self._created + count <= self._settings.max_topics

    async def create_topics(self, topics: Iterable[str]) -> int:
        """Create ``topics`` (already-existing ones are fine); returns how many were new."""
        assert self._admin is not None, "sink not started"
        wanted = sorted(self.unknown_topics(topics))
        if not wanted:
            return 0
        async with self._lock:
            wanted = sorted(self.unknown_topics(wanted))
            if not wanted:
                return 0
            s = self._settings
            spec = (s.topic_partitions, s.topic_replication, {})
            created = len(await create_missing_topics(self._admin, {t: spec for t in wanted}))
            self._known_topics.update(wanted)
            self._created += created
            if created:
                log.info("created topics", extra={"topics": wanted[:20], "count": created})
            return created

    def shipment(self) -> Shipment:
        """Start a :class:`Shipment` on this sink's producer."""
        assert self._producer is not None, "sink not started"
        return Shipment(self)

    async def _group(self, records: Sequence[OutRecord]) -> dict[tuple[str, int], list[OutRecord]]:
        """``records`` by topic partition, in input order within each.

        The partition is Kafka's default for the key (murmur2), as the producer's own
        ``send`` would pick it.
        """
        producer = self._producer
        assert producer is not None, "sink not started"
        groups: dict[tuple[str, int], list[OutRecord]] = {}
        partitions: dict[str, list[int]] = {}
        for r in records:
            parts = partitions.get(r.topic)
            if parts is None:
                parts = partitions[r.topic] = sorted(await producer.partitions_for(r.topic))
            p = parts[0] if len(parts) == 1 else self._partitioner(r.key, parts, parts)
            group = groups.get((r.topic, p))
            if group is None:
                group = groups[(r.topic, p)] = []
            group.append(r)
        return groups

    async def _enqueue_partition(self, topic: str, partition: int, records: list[OutRecord]) -> list[_Sent]:
        producer = self._producer
        assert producer is not None
        sent: list[_Sent] = []
        batch = producer.create_batch()
        members: list[OutRecord] = []
        for r in records:
            if batch.append(key=r.key, value=r.value, timestamp=None, headers=r.headers) is None:
                # Full: ship it and start the next (an empty batch takes any one record).
                batch.close()
                sent.append((await producer.send_batch(batch, topic, partition=partition), members))
                batch = producer.create_batch()
                members = []
                batch.append(key=r.key, value=r.value, timestamp=None, headers=r.headers)
            members.append(r)
        batch.close()
        sent.append((await producer.send_batch(batch, topic, partition=partition), members))
        return sent


_Sent = tuple[asyncio.Future, list[OutRecord]]


class Shipment:
    """Records handed to the producer as they are built, acknowledged together at the end.

    Records are written as record batches, one per topic partition (or more when a group
    outgrows the batch size), in input order: building batches directly skips the
    producer's per-record bookkeeping (a coroutine and a future per record), which was a
    large share of the worker's CPU. The producer holds at most one unsent batch per
    partition, so a busy partition's next batch waits until the previous one is in a
    request; that wait happens in a task per partition (chained, to keep each partition in
    order) and never holds up :meth:`add`'s caller or the other partitions.

    :meth:`settle` returns once the broker acknowledged every record added. A failure is
    retried with back-off until it succeeds: records are never dropped, and a record
    acknowledged before the failure may be written twice (at-least-once).
    """

    def __init__(self, sink: DeliverySink) -> None:
        self._sink = sink
        self._queued: list[tuple[asyncio.Task[list[_Sent]], list[OutRecord]]] = []
        self._tails: dict[tuple[str, int], asyncio.Task[list[_Sent]]] = {}

    async def add(self, records: Sequence[OutRecord]) -> None:
        """Queue ``records`` on the producer (returns before they are acknowledged)."""
        if not records:
            return
        for (topic, partition), group in (await self._sink._group(records)).items():
            previous = self._tails.get((topic, partition))
            task = asyncio.ensure_future(self._enqueue_after(previous, topic, partition, group))
            self._tails[(topic, partition)] = task
            self._queued.append((task, group))
        await asyncio.sleep(0)  # let the batches of free partitions go out now

    async def _enqueue_after(
        self, previous: asyncio.Task[list[_Sent]] | None, topic: str, partition: int,
        records: list[OutRecord],
    ) -> list[_Sent]:
        if previous is not None:
            await asyncio.wait([previous])  # its outcome is collected by settle()
        return await self._sink._enqueue_partition(topic, partition, records)

    async def settle(self) -> None:
        """Return once every record added is acknowledged, sending failed ones again."""
        delay = 0.5
        while True:
            retry: list[OutRecord] = []
            first: BaseException | None = None
            for future, records in await self._collect():
                try:
                    await future
                except Exception as exc:  # noqa: BLE001 - retried below
                    retry.extend(records)
                    first = first or exc
            if not retry:
                return
            log.warning(
                "produce failed; retrying",
                extra={"failed": len(retry), "error": repr(first), "retry_in": delay},
            )
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)
            await self.add(retry)

    async def _collect(self) -> list[_Sent]:
        """The record batches queued so far, with their (unawaited) acknowledgements."""
        queued, self._queued, self._tails = self._queued, [], {}
        sent: list[_Sent] = []
        for task, records in queued:
            try:
                sent.extend(await task)
            except Exception as exc:  # noqa: BLE001 - not even queued: failed, retried
                failed: asyncio.Future = asyncio.get_running_loop().create_future()
                failed.set_exception(exc)
                sent.append((failed, records))
        return sent
