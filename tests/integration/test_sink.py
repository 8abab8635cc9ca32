"""DeliverySink on the real broker: records land where the producer's own ``send`` would put
them (Kafka's default key partitioning), in order per partition, none lost; large groups
span several record batches."""

from __future__ import annotations

import os

from cablerouter.config import Settings
from cablerouter.router.sink import DeliverySink, OutRecord
from tests.integration.kafkautil import read_to_end


async def test_batched_send_places_records_like_send_and_keeps_order(bootstrap, topic_factory, producer) -> None:
    by_sink = await topic_factory("sink", partitions=3)
    by_send = await topic_factory("send", partitions=3)
    single = await topic_factory("single")
    keys = [f"0{i}STATE{i * 37}".encode() for i in range(40)]
    # ~5.6 MB to one topic partition: more than one 1 MiB record batch.
    big = os.urandom(140_000)
    records = [OutRecord(by_sink, key, b"%d" % i, [("n", b"%d" % i)]) for i, key in enumerate(keys)]
    records += [OutRecord(single, b"k", big + b"%d" % i, []) for i in range(40)]
    sink = DeliverySink(Settings().replace(bootstrap_servers=bootstrap))
    await sink.start()
    try:
        shipment = sink.shipment()
        await shipment.add(records)
        await shipment.settle()
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
