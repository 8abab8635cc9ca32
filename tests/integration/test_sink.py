"""DeliverySink on the real broker: records land where the producer's own ``send`` would put
them (Kafka's default key partitioning), in order per partition, none lost; large groups
span several record batches; a transaction commits its records with the input offset, an
aborted one is invisible, and a new owner of an input partition fences the old one."""

from __future__ import annotations

import asyncio
import os

import pytest
from aiokafka.errors import KafkaError

from cablerouter.config import Settings
from cablerouter.router.sink import DeliverySink, OutRecord

from tests.integration.kafkautil import read_to_end


async def _committed_soon(sink: DeliverySink, tp: tuple[str, int], timeout: float = 15.0) -> int | None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while (offset := await sink.committed_offset(tp)) is None and loop.time() < deadline:
        await asyncio.sleep(0.1)
    return offset


async def test_batched_send_places_records_like_send_and_keeps_order(bootstrap, topic_factory, producer,
                                                                    unique_name) -> None:
    by_sink = await topic_factory("sink", partitions=3)
    by_send = await topic_factory("send", partitions=3)
    single = await topic_factory("single")
    keys = [f"0{i}STATE{i * 37}".encode() for i in range(40)]
    # ~5.6 MB to one topic partition: more than one 1 MiB record batch.
    big = os.urandom(140_000)
    records = [OutRecord(by_sink, key, b"%d" % i, [("n", b"%d" % i)]) for i, key in enumerate(keys)]
    records += [OutRecord(single, b"k", big + b"%d" % i, []) for i in range(40)]
    raw = (await topic_factory("raw"), 0)  # the input partition whose offsets are committed
    sink = DeliverySink(Settings().replace(bootstrap_servers=bootstrap, app_id=unique_name))
    await sink.start()
    try:
        writer = await sink.writer(raw)
        assert writer.committed is None  # a new group has committed nothing
        txn = await writer.begin()
        await txn.add(records)
        await txn.commit(41)
        # The commit returns when the coordinator has decided; the offset is visible once
        # its marker is written, a moment later.
        assert await _committed_soon(sink, raw) == 41
    finally:
        await sink.stop()
    for i, key in enumerate(keys):
        await producer.send(by_send, b"%d" % i, key=key)
    await producer.flush()

    got = await read_to_end(bootstrap, [by_sink, by_send, single])
    placed = {r.key: r.partition for r in got[by_sink]}
    expected = {r.key: r.partition for r in got[by_send]}
    assert len(got[by_sink]) == 40
    assert placed == expected
    assert len(set(placed.values())) == 3  # the keys really spread over the partitions
    for p in range(3):  # input order kept within each partition, headers kept
        values = [int(r.value) for r in got[by_sink] if r.partition == p]
        assert values == sorted(values)
    assert all(dict(r.headers)["n"] == r.value for r in got[by_sink])
    assert [int(r.value[len(big):]) for r in got[single]] == list(range(40))


async def test_aborted_records_are_invisible_and_a_new_owner_fences_the_old(bootstrap, topic_factory,
                                                                          unique_name) -> None:
    out = await topic_factory("out")
    raw = (await topic_factory("raw"), 0)
    settings = Settings().replace(bootstrap_servers=bootstrap, app_id=unique_name)
    old, new = DeliverySink(settings), DeliverySink(settings)
    await old.start()
    await new.start()
    try:
        first = await old.writer(raw)
        txn = await first.begin()
        await txn.add([OutRecord(out, b"k", b"committed", [])])
        await txn.commit(1)
        txn = await first.begin()
        await txn.add([OutRecord(out, b"k", b"aborted", [])])
        await txn.abort()
        # A zombie: still has a transaction open when the partition's next owner starts.
        zombie = await first.begin()
        await zombie.add([OutRecord(out, b"k", b"zombie", [])])
        second = await new.writer(raw)  # fences the first, aborting its open transaction
        assert second.committed == 1
        with pytest.raises(KafkaError):
            await zombie.commit(2)
        txn = await second.begin()
        await txn.add([OutRecord(out, b"k", b"by the new owner", [])])
        await txn.commit(2)
    finally:
        await old.stop()
        await new.stop()
    got = await read_to_end(bootstrap, [out])
    assert [r.value for r in got[out]] == [b"committed", b"by the new owner"]
    check = DeliverySink(settings)
    await check.start()
    try:
        assert await _committed_soon(check, raw) == 2
    finally:
        await check.stop()
