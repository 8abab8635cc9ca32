"""The one place where the router writes to Kafka: topic creation and transactions.

Every input partition has its own transactional producer, whose ``transactional.id`` is
derived from the app id, the input topic and the partition
(:func:`transactional_id`). A worker that takes a partition over starts that producer,
which fences the previous owner: its open transaction is aborted (or, if it was already
committing, finished) before :meth:`DeliverySink.writer` returns, and a zombie that tries
to go on fails with ``ProducerFenced``. Only then is the group's committed offset for the
partition read, so it is stable. Records and the input offsets are written in one
:class:`Transaction`: a ``read_committed`` reader sees all of a batch's outcomes, or none.

The producer of aiokafka 0.14 commits offsets in a transaction without the consumer
group's generation (``TxnOffsetCommit`` v0, before KIP-447); fencing per input partition
is what makes a replaced worker harmless, as in Kafka Streams' first exactly-once mode.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Sequence

from aiokafka import AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.partitioner import DefaultPartitioner

from cablerouter.config import Settings
from cablerouter.router.envelope import OutRecord
from cablerouter.router.topics import create_missing_topics

__all__ = (
    "DeliverySink",
    "OutRecord",
    "PartitionWriter",
    "Shipment",
    "Transaction",
    "transactional_id",
)

log = logging.getLogger("cablerouter.sink")

Partition = tuple[str, int]


def transactional_id(app_id: str, topic: str, partition: int) -> str:
    """The ``transactional.id`` of the producer that routes ``topic``/``partition``:
    the same in every worker of the group, so each owner fences the one before."""
    return f"{app_id}.{topic}.{partition}"


class DeliverySink:
    """Creates addressee topics and owns one transactional producer per input partition.

    Parameters
    ----------
    settings
        Bootstrap servers, producer tuning, topic partitions/replication, the cap on
        created topics, the group (``app_id``) whose offsets transactions commit.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._admin: AIOKafkaAdminClient | None = None
        self._known_topics: set[str] = set()
        self._created = 0
        self._lock = asyncio.Lock()
        self._writers: dict[Partition, asyncio.Task[PartitionWriter]] = {}

    async def start(self) -> None:
        s = self._settings
        self._admin = AIOKafkaAdminClient(
            bootstrap_servers=s.bootstrap_servers, request_timeout_ms=10_000,
        )
        await self._admin.start()
        self._known_topics = set(await self._admin.list_topics())

    async def stop(self) -> None:
        await self.release(list(self._writers))
        if self._admin is not None:
            await self._admin.close()
            self._admin = None

    # -- topics ---------------------------------------------------------------------

    def unknown_topics(self, topics: Iterable[str]) -> set[str]:
        """The topics among ``topics`` that do not exist yet (as far as this worker knows)."""
        return {t for t in topics if t not in self._known_topics}

    def room_for(self, count: int) -> bool:
        """Whether ``count`` more topics may be created under the configured cap."""
        return self._created + count <= self._settings.max_topics

    async def create_topics(self, topics: Iterable[str]) -> int:
        """Create ``topics`` (already-existing ones are fine); returns how many were new.

        Raises whatever the admin client raises (a timeout when the controller is gone);
        the caller retries.
        """
        assert self._admin is not None, "sink not started"
        wanted = sorted(self.unknown_topics(topics))
        if not wanted:
            return 0
        async with self._lock:
            wanted = sorted(self.unknown_topics(wanted))
            if not wanted:
                return 0
            s = self._settings
            spec = (s.topic_partitions, s.topic_replication,
                    {"min.insync.replicas": str(s.topic_min_insync_replicas)})
            created = len(await create_missing_topics(self._admin, dict.fromkeys(wanted, spec)))
            self._known_topics.update(wanted)
            self._created += created
            if created:
                log.info("created topics", extra={"topics": wanted[:20], "count": created})
            return created

    # -- transactional producers ----------------------------------------------------

    async def writer(self, tp: Partition) -> PartitionWriter:
        """The started writer of input partition ``tp`` (fences its previous owner)."""
        task = self._writers.get(tp)
        if task is None or (task.done() and (task.cancelled() or task.exception() is not None)):
            task = self._writers[tp] = asyncio.ensure_future(self._open(tp))
        return await asyncio.shield(task)

    async def _open(self, tp: Partition) -> PartitionWriter:
        s = self._settings
        producer = AIOKafkaProducer(
            bootstrap_servers=s.bootstrap_servers,
            transactional_id=transactional_id(s.app_id, *tp),
            transaction_timeout_ms=int(s.transaction_timeout_seconds * 1000),
            acks="all",
            enable_idempotence=True,
            linger_ms=s.linger_ms,
            max_batch_size=1_048_576,
            max_request_size=4 * 1_048_576,
            compression_type=None if s.compression == "none" else s.compression,
        )
        try:
            await producer.start()  # InitProducerId: fences the partition's previous owner
            committed = await self.committed_offset(tp)
        except BaseException:
            await _stop_quietly(producer)
            raise
        log.info("input partition writer ready",
                 extra={"topic": tp[0], "partition": tp[1], "committed": committed})
        return PartitionWriter(producer, tp, committed, group=s.app_id)

    async def committed_offset(self, tp: Partition) -> int | None:
        """The group's committed offset of ``tp`` (the next one to route), if any."""
        assert self._admin is not None, "sink not started"
        answer = await self._admin.list_consumer_group_offsets(
            self._settings.app_id, partitions=[TopicPartition(*tp)],
        )
        meta = answer.get(TopicPartition(*tp))
        if meta is None or meta.offset is None or meta.offset < 0:
            return None
        return meta.offset

    async def release(self, tps: Iterable[Partition]) -> None:
        """Stop the writers of ``tps``: partitions this worker no longer owns, or a writer
        broken by a failure (the next use starts, and fences with, a fresh one)."""
        for tp in list(tps):
            task = self._writers.pop(tp, None)
            if task is None:
                continue
            if not task.done():
                task.cancel()
            try:
                writer = await task
            except BaseException:  # noqa: BLE001, S112 - never started; nothing to stop
                continue
            await _stop_quietly(writer.producer)


async def _stop_quietly(producer: AIOKafkaProducer) -> None:
    try:
        await asyncio.wait_for(producer.stop(), timeout=5)
    except BaseException as exc:  # noqa: BLE001 - stopping a broken producer
        log.debug("stopping a producer failed", extra={"error": repr(exc)})


class PartitionWriter:
    """The transactional producer of one input partition.

    ``committed`` is the group's committed offset for the partition when the writer
    started (after fencing), then the offset after each committed transaction: records
    below it have their outcome written already.
    """

    def __init__(self, producer: AIOKafkaProducer, tp: Partition, committed: int | None,
                 *, group: str) -> None:
        self.producer = producer
        self.tp = tp
        self.committed = committed
        self._group = group
        self._partitioner = DefaultPartitioner()
        self._partitions: dict[str, list[int]] = {}

    async def begin(self) -> Transaction:
        await self.producer.begin_transaction()
        return Transaction(self)

    async def partitions_of(self, topic: str) -> list[int]:
        parts = self._partitions.get(topic)
        if parts is None:
            parts = self._partitions[topic] = sorted(await self.producer.partitions_for(topic))
        return parts

    async def group(self, records: Sequence[OutRecord]) -> dict[Partition, list[OutRecord]]:
        """``records`` by topic partition, in input order within each.

        The partition is Kafka's default for the key (murmur2), as the producer's own
        ``send`` would pick it.
        """
        groups: dict[Partition, list[OutRecord]] = {}
        for r in records:
            parts = await self.partitions_of(r.topic)
            p = parts[0] if len(parts) == 1 else self._partitioner(r.key, parts, parts)
            group = groups.get((r.topic, p))
            if group is None:
                group = groups[(r.topic, p)] = []
            group.append(r)
        return groups

    async def enqueue_partition(self, topic: str, partition: int,
                                records: list[OutRecord]) -> list[asyncio.Future]:
        producer = self.producer
        sent: list[asyncio.Future] = []
        batch = producer.create_batch()
        for r in records:
            if batch.append(key=r.key, value=r.value, timestamp=None, headers=r.headers) is None:
                # Full: ship it and start the next (an empty batch takes any one record).
                batch.close()
                sent.append(await producer.send_batch(batch, topic, partition=partition))
                batch = producer.create_batch()
                batch.append(key=r.key, value=r.value, timestamp=None, headers=r.headers)
        batch.close()
        sent.append(await producer.send_batch(batch, topic, partition=partition))
        return sent

    async def commit(self, next_offset: int) -> None:
        """Add ``next_offset`` of the input partition to the open transaction and commit."""
        await self.producer.send_offsets_to_transaction(
            {TopicPartition(*self.tp): next_offset}, self._group,
        )
        await self.producer.commit_transaction()
        self.committed = next_offset

    async def abort(self) -> None:
        await self.producer.abort_transaction()


class Shipment:
    """Records handed to the producer as they are built, acknowledged together at the end.

    Records are written as record batches, one per topic partition (or more when a group
    outgrows the batch size), in input order: building batches directly skips the
    producer's per-record bookkeeping (a coroutine and a future per record), which was a
    large share of the worker's CPU. The producer holds at most one unsent batch per
    partition, so a busy partition's next batch waits until the previous one is in a
    request; that wait happens in a task per partition (chained, to keep each partition in
    order) and never holds up :meth:`add`'s caller or the other partitions.

    :meth:`settle` returns once the broker acknowledged every record added, or raises the
    first failure (the producer already retried what can be retried; the transaction is
    then aborted by the caller).
    """

    def __init__(self, writer: PartitionWriter) -> None:
        self._writer = writer
        self._queued: list[asyncio.Task[list[asyncio.Future]]] = []
        self._tails: dict[Partition, asyncio.Task[list[asyncio.Future]]] = {}

    async def add(self, records: Sequence[OutRecord]) -> None:
        """Queue ``records`` on the producer (returns before they are acknowledged)."""
        if not records:
            return
        for (topic, partition), group in (await self._writer.group(records)).items():
            previous = self._tails.get((topic, partition))
            task = asyncio.ensure_future(self._enqueue_after(previous, topic, partition, group))
            self._tails[(topic, partition)] = task
            self._queued.append(task)
        await asyncio.sleep(0)  # let the batches of free partitions go out now

    async def _enqueue_after(
        self, previous: asyncio.Task[list[asyncio.Future]] | None, topic: str, partition: int,
        records: list[OutRecord],
    ) -> list[asyncio.Future]:
        if previous is not None:
            await asyncio.wait([previous])  # its outcome is collected by settle()
        return await self._writer.enqueue_partition(topic, partition, records)

    async def settle(self) -> None:
        """Return once every record added is acknowledged; raise the first failure."""
        queued, self._queued, self._tails = self._queued, [], {}
        first: BaseException | None = None
        for task in queued:
            try:
                futures = await task
            except Exception as exc:  # noqa: BLE001 - collected, raised below
                first = first or exc
                continue
            for future in futures:
                try:
                    await future
                except Exception as exc:  # noqa: BLE001 - collected, raised below
                    first = first or exc
        if first is not None:
            raise first

    def cancel(self) -> None:
        """Stop queueing what has not been handed to the producer (after a failure)."""
        for task in self._queued:
            task.cancel()
        self._queued, self._tails = [], {}


class Transaction:
    """One open transaction of a :class:`PartitionWriter`: records, then the commit."""

    def __init__(self, writer: PartitionWriter) -> None:
        self.writer = writer
        self._shipment = Shipment(writer)

    async def add(self, records: Sequence[OutRecord]) -> None:
        await self._shipment.add(records)

    async def commit(self, next_offset: int) -> None:
        """Wait for every record, then commit them with the input offset ``next_offset``."""
        await self._shipment.settle()
        await self.writer.commit(next_offset)

    async def abort(self) -> None:
        self._shipment.cancel()
        await self.writer.abort()

