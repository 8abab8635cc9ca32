"""The router on the real broker: the corpus fans out exactly as predicted, bad input is
dead-lettered with its reason, metrics agree, the worker survives SIGTERM, shares
partitions with a second worker, picks up live directory updates and never routes a cable
of an aborted upstream transaction."""

from __future__ import annotations

import asyncio
import collections
import pathlib
import shutil
import subprocess

import msgspec
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from cablerouter.router.envelope import EnrichedCable

from tests.integration.kafkautil import consume_all, read_to_end

REPO = pathlib.Path(__file__).resolve().parents[2]
CORPUS = [*sorted((REPO / "tests/corpus/cables").glob("*.txt")), REPO / "tests/corpus/seed/10ASTANA179.txt"]
KCAT = shutil.which("kcat")


async def create_raw_topic(bootstrap: str, name: str, partitions: int = 4) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        await admin.close()


def kcat_publish_files(bootstrap: str, topic: str, files: list[pathlib.Path]) -> None:
    """Each file becomes one message (kcat -P with file arguments)."""
    assert KCAT, "kcat is not installed (deploy/setup installs it)"
    # Keyless messages go to one "sticky" partition for sticky.partitioning.linger.ms,
    # whatever the partitioner (librdkafka's CONFIGURATION.md), and kcat can send the whole
    # corpus within that time. With stickiness off, the random partitioner spreads them over
    # every partition, as many publishers would.
    proc = subprocess.run([KCAT, "-b", bootstrap, "-t", topic, "-P", "-X", "acks=all",
                           "-X", "partitioner=random", "-X", "sticky.partitioning.linger.ms=0",
                           *map(str, files)],
                          capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()


def expected_deliveries(files: list[pathlib.Path], prefix: str) -> collections.Counter:
    """What `cablerouter route` predicts: (topic, cable id) -> number of deliveries."""
    import os
    import sys

    env = {**os.environ, "CABLEROUTER_TOPIC_PREFIX": prefix}
    proc = subprocess.run([sys.executable, "-m", "cablerouter", "route", *map(str, files)],
                          capture_output=True, env=env, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    expected: collections.Counter = collections.Counter()
    for line in proc.stdout.splitlines():
        routed = msgspec.json.decode(line)
        for d in routed["deliveries"]:
            expected[(d["topic"], routed["id"])] += 1
    assert sum(1 for _ in proc.stdout.splitlines()) == len(files)
    return expected


async def end_offsets(bootstrap: str, topic: str) -> dict[int, int]:
    """Partition -> end offset of ``topic``."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics([topic])
    finally:
        await admin.close()
    tps = [TopicPartition(topic, p["partition"]) for d in described for p in d["partitions"]]
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None,
                                isolation_level="read_committed")
    await consumer.start()
    try:
        return {tp.partition: offset for tp, offset in (await consumer.end_offsets(tps)).items()}
    finally:
        await consumer.stop()


async def topics_with_prefix(bootstrap: str, prefix: str) -> list[str]:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return sorted(t for t in await admin.list_topics() if t.startswith(prefix))
    finally:
        await admin.close()


async def wait_accounted(bootstrap: str, env: dict[str, str], expect: int, timeout: float = 120) -> tuple[list, list]:
    """Read audit and dead-letter topics until ``expect`` source offsets are accounted for."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    routed_topic, dead_topic = env["CABLEROUTER_ROUTED_TOPIC"], env["CABLEROUTER_DEADLETTER_TOPIC"]
    while True:
        if set(await topics_with_prefix(bootstrap, routed_topic)) >= {routed_topic}:
            got = await read_to_end(bootstrap, [routed_topic, dead_topic])
            routed, dead = got[routed_topic], got[dead_topic]
            if len(_source_offsets(routed, dead)) >= expect or loop.time() > deadline:
                return routed, dead
        elif loop.time() > deadline:
            return [], []
        await asyncio.sleep(0.5)


@pytest.mark.parametrize("decode_processes", ["0", "2"])
async def test_corpus_fans_out_exactly_as_route_predicts(
    bootstrap, router_env, worker_factory, decode_processes
) -> None:
    env = router_env
    prefix = env["CABLEROUTER_TOPIC_PREFIX"]
    await create_raw_topic(bootstrap, env["CABLEROUTER_RAW_TOPIC"])
    worker = worker_factory(CABLEROUTER_DECODE_PROCESSES=decode_processes)
    await asyncio.to_thread(worker.wait_ready)
    await asyncio.to_thread(kcat_publish_files, bootstrap, env["CABLEROUTER_RAW_TOPIC"], CORPUS)

    routed, dead = await wait_accounted(bootstrap, env, len(CORPUS))
    assert not dead, [dict(r.headers) for r in dead]
    assert len(routed) == len(CORPUS)

    expected = expected_deliveries(CORPUS, prefix)
    # A committed transaction's markers reach its partitions one by one after the commit
    # (the audit record can be readable before every delivery is): read again, for up to a
    # minute, until the deliveries equal the prediction.
    deadline = asyncio.get_running_loop().time() + 60
    while True:
        got: collections.Counter = collections.Counter()
        delivered = await read_to_end(bootstrap, await topics_with_prefix(bootstrap, prefix))
        for topic, records in delivered.items():
            for r in records:
                msg = msgspec.json.decode(r.value, type=EnrichedCable)
                headers = dict(r.headers)
                assert headers["content-type"] == b"application/json"
                assert headers["cable-id"].decode() == (msg.cable.id or "")
                assert msg.delivery.topic == topic
                assert msg.delivery in msg.distribution.deliveries
                assert msg.provenance.topic == env["CABLEROUTER_RAW_TOPIC"]
                got[(topic, msg.cable.id)] += 1
        if got == expected or asyncio.get_running_loop().time() > deadline:
            break
        await asyncio.sleep(1)
    assert got == expected

    seed_topic = f"{prefix}secstate-washdc"
    assert got[(seed_topic, "10ASTANA179")] == 1

    m = await asyncio.to_thread(worker.metrics)
    assert m["cablerouter_consumed_cables_total"] == len(CORPUS)
    assert m["cablerouter_routed_cables_total"] == len(CORPUS)
    assert sum(v for k, v in m.items() if k.startswith("cablerouter_deliveries_total")) == sum(expected.values())
    assert worker.terminate() == 0, worker.log_tail()


SEED = (REPO / "tests/corpus/seed/10ASTANA179.txt").read_bytes()

SMALL = b"""VZCZCXRO0001
RR RUEHC
DE RUEHTA #0001 0420828
ZNR UUUUU ZZH
R 110828Z FEB 10
FM AMEMBASSY ASTANA
TO %(to)s
INFO RUEHBJ/AMEMBASSY BEIJING 0001
%(xmt)s
UNCLAS ASTANA 000001

SUBJECT: TEST CABLE

1. (U) Test.
"""


def small_cable(to: bytes = b"RUEHC/SECSTATE WASHDC 0001", xmt: bytes = b"") -> bytes:
    return SMALL % {b"to": to, b"xmt": xmt}


async def publish_values(bootstrap: str, topic: str, values: list[bytes | None]) -> None:
    from aiokafka import AIOKafkaProducer

    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", max_request_size=4_000_000)
    await producer.start()
    try:
        for i, value in enumerate(values):
            await producer.send_and_wait(topic, value, key=f"bad{i}".encode())
    finally:
        await producer.stop()


def _source_offsets(routed: list, dead: list) -> collections.Counter:
    seen: collections.Counter = collections.Counter()
    for r in routed:
        audit = msgspec.json.decode(r.value)
        seen[(audit["partition"], audit["offset"])] += 1
    for r in dead:
        h = dict(r.headers)
        seen[(int(h["source-partition"]), int(h["source-offset"]))] += 1
    return seen


async def test_sigterm_mid_stream_then_restart_routes_everything(bootstrap, router_env, worker_factory) -> None:
    env = router_env
    files = CORPUS * 4
    await create_raw_topic(bootstrap, env["CABLEROUTER_RAW_TOPIC"])
    await asyncio.to_thread(kcat_publish_files, bootstrap, env["CABLEROUTER_RAW_TOPIC"], files)

    first = worker_factory(CABLEROUTER_BATCH_SIZE="10")
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 90
    while loop.time() < deadline:  # stop it somewhere in the middle of the stream
        routed = await consume_all(bootstrap, env["CABLEROUTER_ROUTED_TOPIC"], expect=50, timeout=1)
        if len(routed) >= 50:
            break
    assert len(routed) >= 50, first.log_tail()
    assert await asyncio.to_thread(first.terminate) == 0, first.log_tail()
    routed_topic = env["CABLEROUTER_ROUTED_TOPIC"]
    routed_before = (await read_to_end(bootstrap, [routed_topic]))[routed_topic]
    assert len(routed_before) < len(files), "the first worker finished before SIGTERM: nothing was tested"

    second = worker_factory()
    routed, dead = await wait_accounted(bootstrap, env, len(files), timeout=150)
    seen = _source_offsets(routed, dead)
    assert not dead
    assert len(seen) == len(files), second.log_tail()  # every source offset routed in the end
    duplicates = sum(n - 1 for n in seen.values())
    print(f"SIGTERM restart: {len(files)} cables, {len(routed_before)} routed before SIGTERM, "
          f"{duplicates} routed twice")
    assert duplicates == 0, f"{duplicates} cables routed twice: not exactly once"
    assert await asyncio.to_thread(second.terminate) == 0


async def test_a_worker_creates_its_input_topic_with_its_partitions_before_subscribing(
        bootstrap, router_env, worker_factory) -> None:
    # No topic exists: the broker (auto.create.topics.enable=false) would not create one,
    # and a worker that subscribed first would wait for a metadata refresh.
    env = router_env
    worker = worker_factory()
    started = asyncio.get_running_loop().time()
    await asyncio.to_thread(worker.wait_ready, 60)
    ready_after = asyncio.get_running_loop().time() - started
    assert (await end_offsets(bootstrap, env["CABLEROUTER_RAW_TOPIC"])).keys() == {0, 1, 2, 3}
    assert msgspec.json.decode(worker.get("/readyz")[1])["assigned"] == 4
    await asyncio.to_thread(kcat_publish_files, bootstrap, env["CABLEROUTER_RAW_TOPIC"], CORPUS[:5])
    routed, dead = await wait_accounted(bootstrap, env, 5, timeout=60)
    assert len(_source_offsets(routed, dead)) == 5
    print(f"fresh cluster: worker ready after {ready_after:.1f}s")
    assert worker.terminate() == 0


async def test_two_workers_share_partitions_and_route_everything(bootstrap, router_env, worker_factory) -> None:
    env = router_env
    await create_raw_topic(bootstrap, env["CABLEROUTER_RAW_TOPIC"])
    a, b = worker_factory(), worker_factory()
    await asyncio.gather(asyncio.to_thread(a.wait_ready), asyncio.to_thread(b.wait_ready))
    # The group settles when each worker holds two of the four partitions.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while loop.time() < deadline:
        states = [msgspec.json.decode(w.get("/readyz")[1]) for w in (a, b)]
        if [s["assigned"] for s in states] == [2, 2] and all(s["ready"] for s in states):
            break
        await asyncio.sleep(0.3)
    assert [s["assigned"] for s in states] == [2, 2], states
    await asyncio.to_thread(kcat_publish_files, bootstrap, env["CABLEROUTER_RAW_TOPIC"], CORPUS)
    ends = await end_offsets(bootstrap, env["CABLEROUTER_RAW_TOPIC"])
    assert all(ends.values()), f"the publisher left partitions empty, nothing to share: {ends}"
    routed, dead = await wait_accounted(bootstrap, env, len(CORPUS))
    assert not dead and len(_source_offsets(routed, dead)) == len(CORPUS)
    ma, mb = await asyncio.gather(asyncio.to_thread(a.metrics), asyncio.to_thread(b.metrics))
    ca, cb = ma["cablerouter_consumed_cables_total"], mb["cablerouter_consumed_cables_total"]
    assert ca > 0 and cb > 0, (ca, cb)
    assert ca + cb >= len(CORPUS)
    assert a.terminate() == 0 and b.terminate() == 0


async def test_live_directory_update_applies_without_restart(bootstrap, router_env, worker_factory) -> None:
    from aiokafka import AIOKafkaProducer

    from cablerouter.directory import CollectiveEntry, encode_entry, entry_key

    env = router_env
    prefix = env["CABLEROUTER_TOPIC_PREFIX"]
    raw = env["CABLEROUTER_RAW_TOPIC"]
    await create_raw_topic(bootstrap, raw)
    worker = worker_factory()
    await asyncio.to_thread(worker.wait_ready)
    cable = small_cable(to=b"RUCNTST/TEST ATLANTIS COLLECTIVE")

    await publish_values(bootstrap, raw, [cable])
    routed, _ = await wait_accounted(bootstrap, env, 1)
    before = msgspec.json.decode(routed[0].value)["topics"]
    assert f"{prefix}amembassy-tokyo" not in before

    entry = CollectiveEntry(id="TEST ATLANTIS COLLECTIVE", plad="TEST ATLANTIS COLLECTIVE",
                            ri="RUCNTST", members=["AMEMBASSY TOKYO", "AMEMBASSY SEOUL"])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        # A broken record in the same batch is rejected alone; the good one still applies.
        await producer.send(env["CABLEROUTER_DIRECTORY_TOPIC"], b"{not json",
                            key=b"collective:BROKEN")
        await producer.send_and_wait(env["CABLEROUTER_DIRECTORY_TOPIC"], encode_entry(entry),
                                     key=entry_key(entry).encode())
    finally:
        await producer.stop()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 30
    while loop.time() < deadline:
        if (await asyncio.to_thread(worker.metrics)).get("cablerouter_directory_updates_total", 0) >= 1:
            break
        await asyncio.sleep(0.3)

    await publish_values(bootstrap, raw, [cable])
    routed, _ = await wait_accounted(bootstrap, env, 2)
    after = msgspec.json.decode(routed[1].value)["topics"]
    assert f"{prefix}amembassy-tokyo" in after and f"{prefix}amembassy-seoul" in after
    assert "directory update rejected" in worker.log_path.read_text()
    assert (await asyncio.to_thread(worker.metrics))["cablerouter_directory_updates_total"] == 1
    assert worker.terminate() == 0


def _malformed_catalogue() -> list[tuple[str, bytes | None, str]]:
    """(kind, value, expected reason): every kind of bad input the worker must survive."""
    padded_info = b"INFO RUCNCIS/CIS COLLECTIVE 2441\n" + b"".join(
        b"RUEHXX/AMEMBASSY NOWHERE%d\n" % i for i in range(50))
    return [
        ("empty", b"", "empty_input"),
        ("blank lines only", b"\r\n \n\t\n", "empty_input"),
        ("null value", None, "empty_input"),
        ("binary", bytes(range(256)) * 4, "binary_input"),
        ("invalid UTF-8", b"\xff\xfe\xfd\xc3(" * 200, "binary_input"),
        ("text without header", b"UNCLAS\n\nSUBJECT: NOTHING\n\n1. Body.\n", "no_addressees"),
        ("truncated header", SEED[:60], "no_addressees"),
        ("header without addressees", SEED.split(b"TO RUEHC")[0], "no_addressees"),
        ("garbage DTG", SEED.replace(b"O 110828Z FEB 10", b"O 119999Z FOO 10"), "bad_dtg"),
        ("oversized", SEED + b"X" * 25_000, "oversized_input"),
        ("too many addressees",
         SEED.replace(b"INFO RUCNCIS/CIS COLLECTIVE 2441\n", padded_info), "too_many_addressees"),
        ("needs more topics than allowed", SEED, "topic_limit"),
        ("deliveries over the size limit", small_cable() + b"2. " + b"LONG TEXT " * 1_800 + b"\n",
         "delivery_too_large"),
    ]


async def test_malformed_input_is_dead_lettered_and_the_worker_keeps_going(
    bootstrap, router_env, worker_factory
) -> None:
    env = router_env
    raw = env["CABLEROUTER_RAW_TOPIC"]
    await create_raw_topic(bootstrap, raw, partitions=1)  # one partition: offsets = publish order
    worker = worker_factory(CABLEROUTER_MAX_CABLE_BYTES="20000", CABLEROUTER_MAX_ADDRESSEES="40",
                            CABLEROUTER_MAX_TOPICS="6", CABLEROUTER_MAX_DELIVERY_BYTES="16000")
    await asyncio.to_thread(worker.wait_ready)
    catalogue = _malformed_catalogue()
    good = small_cable()  # needs 2 topics, within the cap of 6
    values = [good] + [value for _, value, _ in catalogue] + [good]
    await publish_values(bootstrap, raw, values)

    routed, dead = await wait_accounted(bootstrap, env, len(values))
    by_offset = {int(dict(r.headers)["source-offset"]): r for r in dead}
    assert sorted(by_offset) == list(range(1, len(catalogue) + 1)), "only the bad ones are dead-lettered"
    for offset, (kind, value, reason) in enumerate(catalogue, start=1):
        record = by_offset[offset]
        headers = {k: v.decode() for k, v in record.headers}
        assert headers["reason"] == reason, (kind, headers)
        assert headers["detail"], kind
        assert headers["source-topic"] == raw and headers["source-partition"] == "0"
        assert record.value == (value or b""), f"{kind}: original bytes not kept"
        assert record.key == f"bad{offset}".encode()
    assert sorted(msgspec.json.decode(r.value)["offset"] for r in routed) == [0, len(values) - 1]

    assert worker.proc.poll() is None, "the worker must keep running"
    status, _ = await asyncio.to_thread(worker.get, "/healthz")
    assert status == 200
    m = await asyncio.to_thread(worker.metrics)
    reasons = collections.Counter(reason for _, _, reason in catalogue)
    for reason, n in reasons.items():
        assert m[f'cablerouter_dead_lettered_cables_total{{reason="{reason}"}}'] == n, reason
    dead_total = sum(v for k, v in m.items() if k.startswith("cablerouter_dead_lettered_cables_total{"))
    assert m["cablerouter_consumed_cables_total"] == len(values)
    assert m["cablerouter_consumed_cables_total"] == m["cablerouter_routed_cables_total"] + dead_total
    assert m["cablerouter_internal_errors_total"] == 0
    log = worker.log_path.read_text()
    assert '"reason": "bad_dtg"' in log.replace('":"', '": "') and "10ASTANA179" in log
    assert worker.terminate() == 0


async def test_an_aborted_upstream_transaction_is_never_routed(bootstrap, router_env, worker_factory) -> None:
    # An upstream publisher that writes cables.raw in transactions and aborts one has taken
    # those cables back: the router must read its input read_committed.
    from aiokafka import AIOKafkaProducer

    env = router_env
    raw = env["CABLEROUTER_RAW_TOPIC"]
    await create_raw_topic(bootstrap, raw)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, transactional_id=f"{raw}.upstream")
    await producer.start()
    try:
        async with producer.transaction():
            await producer.send_and_wait(raw, small_cable(), partition=0)
            await producer.send_and_wait(raw, small_cable(), partition=0)
        await producer.begin_transaction()
        await producer.send_and_wait(raw, small_cable(b"RUEHMO/AMEMBASSY MOSCOW 0001"), partition=0)
        await producer.abort_transaction()
        async with producer.transaction():
            await producer.send_and_wait(raw, small_cable(), partition=0)
    finally:
        await producer.stop()
    # Partition 0 now holds: committed 0, 1 (marker 2), aborted 3 (marker 4), committed 5.
    worker = worker_factory()
    routed, dead = await wait_accounted(bootstrap, env, 3, timeout=90)
    seen = _source_offsets(routed, dead)
    assert set(seen) >= {(0, 0), (0, 1), (0, 5)}, worker.log_tail()
    assert (0, 3) not in seen, "the aborted cable was routed"
    assert not dead
    assert await asyncio.to_thread(worker.terminate) == 0


async def test_a_directory_written_in_transactions_loads_and_ignores_aborted_updates(
        bootstrap, router_env, worker_factory) -> None:
    # A publisher may write the directory topic in transactions: the topic then ends with a
    # transaction marker, which no consumer ever receives as a record. The worker must still
    # see the directory loaded (and become ready), and never apply an aborted update.
    from aiokafka import AIOKafkaProducer

    from cablerouter.directory import CollectiveEntry, encode_entry, entry_key

    env = router_env
    prefix, raw = env["CABLEROUTER_TOPIC_PREFIX"], env["CABLEROUTER_RAW_TOPIC"]
    directory = env["CABLEROUTER_DIRECTORY_TOPIC"]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(directory, 1, 1, topic_configs={"cleanup.policy": "compact"})])
    finally:
        await admin.close()
    kept = CollectiveEntry(id="TEST ATLANTIS COLLECTIVE", plad="TEST ATLANTIS COLLECTIVE", ri="RUCNTST",
                           members=["AMEMBASSY TOKYO", "AMEMBASSY SEOUL"])
    aborted = CollectiveEntry(id="TEST ABORTED COLLECTIVE", plad="TEST ABORTED COLLECTIVE", ri="RUCNTSX",
                              members=["AMEMBASSY TOKYO"])
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, transactional_id=f"{directory}.publisher")
    await producer.start()
    try:
        async with producer.transaction():
            await producer.send_and_wait(directory, encode_entry(kept), key=entry_key(kept).encode())
        await producer.begin_transaction()
        await producer.send_and_wait(directory, encode_entry(aborted), key=entry_key(aborted).encode())
        await producer.abort_transaction()
    finally:
        await producer.stop()

    await create_raw_topic(bootstrap, raw)
    worker = worker_factory()
    await asyncio.to_thread(worker.wait_ready, 60)
    await publish_values(bootstrap, raw, [small_cable(to=b"RUCNTST/TEST ATLANTIS COLLECTIVE"),
                                          small_cable(to=b"RUCNTSX/TEST ABORTED COLLECTIVE")])
    routed, dead = await wait_accounted(bootstrap, env, 2)
    assert not dead and len(routed) == 2, worker.log_tail()
    to_kept, to_aborted = sorted((msgspec.json.decode(r.value)["topics"] for r in routed),
                                 key=lambda topics: f"{prefix}test-aborted-collective" in topics)
    assert {f"{prefix}amembassy-seoul", f"{prefix}amembassy-tokyo"} <= set(to_kept)
    # The aborted collective was never applied: it is unknown, delivered to its own topic.
    assert f"{prefix}test-aborted-collective" in to_aborted and f"{prefix}amembassy-tokyo" not in to_aborted
    assert worker.terminate() == 0
