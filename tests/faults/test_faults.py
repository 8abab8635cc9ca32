"""Fault injection: the router on a real 3-node cluster loses nothing and duplicates
nothing for a ``read_committed`` reader, whatever is killed when.

Every scenario has its own topics and consumer group, publishes real cables (the corpus
repeated, each copy with its own key) and poison records, injects its faults while the
router works, and ends with the independent checker (:mod:`tests.faults.checker`): every
raw offset has exactly one outcome, every delivery ``cablerouter route`` predicts is on
its topic exactly once. Workers run supervised: one that exits is started again.
"""

from __future__ import annotations

import asyncio

from tests.faults.cables import (
    DeadLettered,
    corpus,
    corpus_stream,
    held_out_rng,
    poison_catalogue,
)
from tests.faults.checker import Report, read_committed
from tests.faults.cluster import NODES, Cluster
from tests.faults.scenario import ALL_PARTITIONS, RAW_PARTITIONS, Scenario


def verdict(report: Report, scenario: Scenario) -> str:
    return "\n".join([report.line(), *report.problems, scenario.logs(15)])


async def test_a_worker_killed_three_times(scenario_factory, record_report) -> None:
    """kill -9 of the only worker three times while 2,000 cables stream in (60 a second
    after the corpus once); the supervisor restarts it each time. The first kill comes in
    steady state, the next ones once the restarted worker has written outcomes again."""
    sc = scenario_factory("a worker kill -9 x3")
    await sc.setup()
    w = sc.worker()
    await asyncio.to_thread(w.wait_ready)
    warm = await sc.warm_up()
    sc.publish(corpus_stream(2000 - len(warm)), per_second=60)
    await sc.wait_caught_up()
    rng = held_out_rng("a")  # a held-out run kills at other moments
    await asyncio.sleep(rng.uniform(0.2, 5) if rng else 2)
    for i in (1, 2, 3):
        if i > 1:
            await sc.watcher.wait_appended_after(
                sc.faults[-1].at, rng.randrange(5, 200) if rng else 50, timeout=150)
        assert len(sc.watcher.seen) < 2000, f"all cables routed before kill #{i}"
        sc.fault(w.kill9(), f"kill -9 worker #{i}", ALL_PARTITIONS)
    report = await sc.finish(timeout=150)
    record_report(report)
    assert report.restarts == 3
    assert report.ok and not report.problems, verdict(report, sc)


async def test_b_controller_killed_while_topics_are_created(
        cluster, scenario_factory, record_report) -> None:
    """kill -9 of the broker that is the active KRaft controller as soon as the router
    starts creating a fresh set of addressee topics (2,000 cables at once, ~310 new topics),
    back 10 s later."""
    sc = scenario_factory("b controller kill -9 during topic creation")
    await sc.setup()
    w = sc.worker()
    await asyncio.to_thread(w.wait_ready)
    await cluster.wait_in_sync()
    controller = await asyncio.to_thread(cluster.controller)
    sc.publish(corpus_stream(2000))
    prefix = sc.settings.topic_prefix
    deadline = asyncio.get_running_loop().time() + 60
    while not await cluster.topics_with_prefix(prefix):
        assert asyncio.get_running_loop().time() < deadline, "no addressee topic created in 60s"
        await asyncio.sleep(0.05)
    sc.fault(await asyncio.to_thread(cluster.kill, controller),
             f"kill -9 controller node {controller}")
    created = len(await cluster.topics_with_prefix(prefix))
    await asyncio.sleep(10)
    await asyncio.to_thread(cluster.restart, controller)
    report = await sc.finish(timeout=150)
    report.problems += [] if created < 300 else [
        f"{created} addressee topics existed right after the kill: it missed topic creation"]
    record_report(report)
    assert report.ok and not report.problems, verdict(report, sc)


async def _victim(cluster: Cluster, sc: Scenario) -> int:
    """A broker that is not the active controller, preferably the audit topic's leader
    (it then carries the router's most written partition)."""
    await cluster.wait_in_sync()
    controller = await asyncio.to_thread(cluster.controller)
    leader = (await cluster.leaders(sc.settings.routed_topic))[0]
    if leader != controller:
        return leader
    return next(n for n in range(1, NODES + 1) if n != controller)


async def _streaming_with_a_victim(cluster, sc) -> int:
    """Start ``sc``'s worker, warm it up, stream the rest of 2,000 cables at 100 a second
    and return a broker to hurt once the worker has caught up (steady state)."""
    await sc.setup()
    w = sc.worker()
    await asyncio.to_thread(w.wait_ready)
    warm = await sc.warm_up()
    node = await _victim(cluster, sc)
    sc.publish(corpus_stream(2000 - len(warm)), per_second=100)
    await sc.wait_caught_up()
    await asyncio.sleep(2)
    return node


async def test_c_broker_killed_in_steady_state(cluster, scenario_factory, record_report) -> None:
    """kill -9 of a broker that is not the controller while cables stream in (100 a
    second), back 10 s later."""
    sc = scenario_factory("c broker kill -9 in steady state")
    node = await _streaming_with_a_victim(cluster, sc)
    sc.fault(await asyncio.to_thread(cluster.kill, node), f"kill -9 broker node {node}")
    await asyncio.sleep(10)
    await asyncio.to_thread(cluster.restart, node)
    report = await sc.finish(timeout=150)
    record_report(report)
    assert report.ok and not report.problems, verdict(report, sc)


async def test_d_broker_paused_for_20s(cluster, scenario_factory, record_report) -> None:
    """SIGSTOP of a broker that is not the controller for 20 s while cables stream in
    (100 a second): its connections stay open and nothing answers; then SIGCONT."""
    sc = scenario_factory("d broker SIGSTOP 20s")
    node = await _streaming_with_a_victim(cluster, sc)
    sc.fault(await asyncio.to_thread(cluster.pause, node), f"SIGSTOP broker node {node}")
    try:
        await asyncio.sleep(20)
    finally:
        await asyncio.to_thread(cluster.resume, node)
    report = await sc.finish(timeout=150)
    record_report(report)
    assert report.ok and not report.problems, verdict(report, sc)


async def test_e_poison_records_at_every_size_limit(scenario_factory, record_report) -> None:
    """Records at and around every size limit (README defaults), empty, null and binary
    values, each between two normal cables of its partition: each is dead-lettered exactly
    once with its reason (or routed, when it is within every limit), the cables around it
    are routed, and the record too large for its own dead letter gets a truncated one."""
    sc = scenario_factory("e poison records")
    await sc.setup()
    catalogue = poison_catalogue(sc.settings, sc.predict)
    for p in catalogue:  # the prediction agrees with what each record was built to be
        got = sc.predict(p.value)
        assert (got.reason if isinstance(got, DeadLettered) else "routed") == p.expect, p.kind
    normal = corpus()
    values: list[bytes | None] = []
    partitions: list[int] = []
    for i, p in enumerate(catalogue):
        for value in (normal[2 * i], p.value, normal[2 * i + 1]):
            values.append(value)
            partitions.append(i % RAW_PARTITIONS)
    w = sc.worker()
    await asyncio.to_thread(w.wait_ready)
    await sc.publish(values, partitions=partitions)
    sc.publish(corpus_stream(200))
    report = await sc.finish(timeout=120)
    record_report(report)
    assert report.ok and not report.problems, verdict(report, sc)
    dead = await read_committed(sc.cluster.bootstrap, [sc.settings.deadletter_topic])
    truncated = [r for r in dead[sc.settings.deadletter_topic]
                 if dict(r.headers).get("original-length") == b"1048400"]
    assert len(truncated) == 1 and len(truncated[0].value) < 1_048_400, (
        "the 1,048,400-byte record's dead letter is not the truncated one")


async def test_f_two_workers_one_killed(scenario_factory, record_report) -> None:
    """Two workers in one group share the four input partitions; one is killed -9 while
    cables stream in (100 a second) and started again by its supervisor."""
    sc = scenario_factory("f two workers, one kill -9")
    await sc.setup()
    a, b = sc.worker("a"), sc.worker("b")
    await asyncio.gather(asyncio.to_thread(a.wait_ready), asyncio.to_thread(b.wait_ready))
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 60
    while loop.time() < deadline:  # the group settles with two partitions each
        states = await asyncio.gather(asyncio.to_thread(a.readiness), asyncio.to_thread(b.readiness))
        if [s["assigned"] for s in states] == [2, 2]:
            break
        await asyncio.sleep(0.3)
    assert [s["assigned"] for s in states] == [2, 2], states
    warm = await sc.warm_up()
    sc.publish(corpus_stream(2000 - len(warm)), per_second=100)
    await sc.wait_caught_up()
    await asyncio.sleep(2)
    held = a.assigned_partitions(sc.raw_topic) or set(ALL_PARTITIONS)
    sc.fault(a.kill9(), f"kill -9 worker a (partitions {sorted(held)})", frozenset(held))
    report = await sc.finish(timeout=150)
    record_report(report)
    assert report.ok and not report.problems, verdict(report, sc)
