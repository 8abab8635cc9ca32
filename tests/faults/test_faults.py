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

from tests.faults.cables import corpus_stream
from tests.faults.checker import Report
from tests.faults.scenario import ALL_PARTITIONS, Scenario


def verdict(report: Report, scenario: Scenario) -> str:
    return "\n".join([report.line(), *report.problems, scenario.logs(15)])


async def test_a_worker_killed_three_times(scenario_factory, record_report) -> None:
    """kill -9 of the only worker three times while 2,000 cables stream in (60 a second);
    the supervisor restarts it each time. Each kill comes once the worker before it has
    routed cables, the next ones once the restarted worker has written outcomes again."""
    sc = scenario_factory("a worker kill -9 x3")
    await sc.setup()
    cables = corpus_stream(2000)
    w = sc.worker()
    await asyncio.to_thread(w.wait_ready)
    sc.publish(cables, per_second=60)
    await sc.watcher.wait_count(300, timeout=120)
    for i in (1, 2, 3):
        if i > 1:
            await sc.watcher.wait_appended_after(sc.faults[-1].at, 50, timeout=150)
        assert len(sc.watcher.seen) < len(cables), f"all cables routed before kill #{i}"
        sc.fault(w.kill9(), f"kill -9 worker #{i}", ALL_PARTITIONS)
    report = await sc.finish(timeout=150)
    record_report(report)
    assert report.restarts == 3
    assert report.ok and not report.problems, verdict(report, sc)
