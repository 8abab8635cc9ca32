"""Shipments of a partition writer without a broker: partitions are chosen as the producer
would, in input order, a failure is raised (the transaction is then aborted), and a busy
partition holds up nobody."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka.partitioner import DefaultPartitioner

from cablerouter.router.sink import OutRecord, PartitionWriter, Shipment, transactional_id


class FakeBatch:
    def __init__(self, capacity: int) -> None:
        self.records: list[tuple[bytes | None, bytes]] = []
        self.capacity = capacity
        self.closed = False

    def append(self, *, key, value, timestamp, headers):
        if self.closed or (self.records and len(self.records) >= self.capacity):
            return None
        self.records.append((key, value))
        return object()

    def close(self) -> None:
        self.closed = True


class FakeProducer:
    """Acknowledges record batches, failing the first ``fail`` of them."""

    def __init__(self, partitions: dict[str, int], fail: int) -> None:
        self.partitions = partitions
        self.fail = fail
        self.written: list[tuple[str, int, list]] = []

    async def partitions_for(self, topic: str) -> set[int]:
        return set(range(self.partitions[topic]))

    def create_batch(self) -> FakeBatch:
        return FakeBatch(capacity=3)

    async def send_batch(self, batch: FakeBatch, topic: str, *, partition: int) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        if self.fail:
            self.fail -= 1
            future.set_exception(RuntimeError("broker said no"))
        else:
            self.written.append((topic, partition, batch.records))
            future.set_result(None)
        return future


def _writer(producer) -> PartitionWriter:
    return PartitionWriter(producer, ("cables.raw", 0), None, group="g")  # type: ignore[arg-type]


async def _send(records: list[OutRecord], producer: FakeProducer) -> list:
    shipment = Shipment(_writer(producer))
    await shipment.add(records)
    await shipment.settle()
    return [(t, p, k, v) for t, p, batch in producer.written for k, v in batch]


def _records() -> list[OutRecord]:
    records = [OutRecord("a", b"k%d" % i, b"a%d" % i, []) for i in range(7)]
    records += [OutRecord("b", b"key-%d" % i, b"b%d" % i, []) for i in range(20)]
    return records


async def test_records_go_to_the_key_partition_in_input_order() -> None:
    producer = FakeProducer({"a": 1, "b": 4}, fail=0)
    written = await _send(_records(), producer)
    assert sorted(v for *_, v in written) == sorted(r.value for r in _records())
    partitioner = DefaultPartitioner()
    for topic, partition, key, _ in written:
        parts = list(range(producer.partitions[topic]))
        assert partition == partitioner(key, parts, parts)
    assert len({p for t, p, *_ in written if t == "b"}) > 1
    for topic, partition in {(t, p) for t, p, *_ in written}:
        values = [v for t, p, _, v in written if (t, p) == (topic, partition)]
        assert values == sorted(values, key=lambda v: int(v[1:]))
    assert len(producer.written) > 2  # several record batches per partition (capacity 3)


async def test_a_failed_batch_is_raised_by_settle_not_resent() -> None:
    # Inside a transaction a failed batch cannot be sent again: the caller aborts the
    # transaction and starts over, so settle() must say so instead of hiding it.
    producer = FakeProducer({"a": 1, "b": 4}, fail=1)
    with pytest.raises(RuntimeError, match="broker said no"):
        await _send(_records(), producer)
    assert producer.fail == 0


def test_every_worker_derives_the_same_transactional_id_per_input_partition() -> None:
    assert transactional_id("app", "cables.raw", 3) == "app.cables.raw.3"
    assert transactional_id("app", "cables.raw", 3) != transactional_id("app", "cables.raw", 2)
    assert transactional_id("app", "cables.raw", 3) != transactional_id("other", "cables.raw", 3)


class DrainingProducer(FakeProducer):
    """Like the real producer, holds a partition's next batch until ``drained`` is set
    (the previous batch went out in a request)."""

    def __init__(self, partitions: dict[str, int]) -> None:
        super().__init__(partitions, fail=0)
        self.drained = asyncio.Event()
        self.unsent: set[tuple[str, int]] = set()

    async def send_batch(self, batch: FakeBatch, topic: str, *, partition: int) -> asyncio.Future:
        if (topic, partition) in self.unsent:
            await self.drained.wait()
        self.unsent.add((topic, partition))
        return await super().send_batch(batch, topic, partition=partition)


async def test_a_busy_partition_holds_up_neither_the_caller_nor_other_partitions() -> None:
    producer = DrainingProducer({"hot": 1, "cold": 1})
    shipment = Shipment(_writer(producer))
    # 5 records to "hot" need two batches of 3: the second waits for the first to drain.
    # Neither add() waits for the drain (a blocking add would time out here).
    await asyncio.wait_for(shipment.add([OutRecord("hot", None, b"h%d" % i, []) for i in range(5)]
                                        + [OutRecord("cold", None, b"c0", [])]), 5)
    await asyncio.wait_for(shipment.add([OutRecord("hot", None, b"h%d" % i, []) for i in range(5, 7)]
                                        + [OutRecord("cold", None, b"c1", [])]), 5)
    assert [(t, [v for _, v in batch]) for t, _, batch in producer.written] == [
        ("hot", [b"h0", b"h1", b"h2"]), ("cold", [b"c0"])]
    producer.drained.set()
    await shipment.settle()
    hot = [v for t, _, batch in producer.written if t == "hot" for _, v in batch]
    assert hot == [b"h%d" % i for i in range(7)]  # in order across both add() calls
    assert [v for t, _, batch in producer.written if t == "cold" for _, v in batch] == [b"c0", b"c1"]
