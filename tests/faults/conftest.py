"""Fault injection against a real 3-node cluster, started once for ``tests/faults``.

The cluster is the project's launcher with its own home and shifted ports
(:mod:`tests.faults.cluster`), so it runs beside the integration tests' single broker. A
cluster that cannot be started fails every fault test (they never skip). Each scenario
adds a line to a table printed at the end of the session and written to
``.cache/faults/results.md``.
"""

from __future__ import annotations

import datetime as dt
import pathlib
import subprocess
import time
from collections.abc import Iterator

import pytest

from tests.faults.checker import Report
from tests.faults.cluster import REPO, Cluster
from tests.faults.scenario import Scenario

RESULTS = REPO / ".cache" / "faults" / "results.md"
_reports: list[Report] = []
_session: dict[str, float] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = pathlib.Path(__file__).parent
    for item in items:
        if here in item.path.parents:
            item.add_marker(pytest.mark.faults)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    _session["started"] = time.monotonic()
    c = Cluster()
    try:
        c.start()
    except (OSError, subprocess.SubprocessError, RuntimeError) as exc:
        c.stop()
        pytest.fail(f"could not start the fault suite's 3-node cluster: {exc}", pytrace=False)
    _session["cluster_up"] = time.monotonic()
    yield c
    c.stop()
    _session["finished"] = time.monotonic()


@pytest.fixture
def scenario_factory(cluster: Cluster, tmp_path: pathlib.Path):
    """``make(label, **settings)``: a scenario on the shared cluster; whatever workers it
    started are killed at the end of the test if still running, and any broker it left
    killed or paused is brought back for the next scenario."""
    made: list[Scenario] = []

    def make(label: str, **settings: str) -> Scenario:
        s = Scenario(cluster, label, tmp_path, **settings)
        made.append(s)
        return s

    yield make
    for s in made:
        s.stop()
    cluster.heal()


@pytest.fixture
def record_report():
    """``record(report)``: keep a scenario's report for the session table (and print it)."""

    def record(report: Report) -> None:
        _reports.append(report)
        print(report.line())
        for p in report.problems[:20]:
            print("   ", p)

    return record


def _table() -> list[str]:
    rows = [
        ("| scenario | cables | lost | duplicated | unexpected | outcomes missing/dup/wrong "
         "| failover s | recovery s | restarts | unplanned exits | verdict | run s |"),
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for r in _reports:
        fo = "-" if r.failover_s is None else f"{r.failover_s:.1f}"
        if len(r.failovers) > 1:
            fo += " (" + ", ".join("-" if v < 0 else f"{v:.1f}" for v in r.failovers) + ")"
        rec = "-" if r.recovery_s is None else f"{r.recovery_s:.1f}"
        rows.append(
            f"| {r.scenario} | {r.cables} | {r.lost} | {r.duplicated} | {r.unexpected} "
            f"| {r.outcomes_missing}/{r.outcomes_duplicated}/{r.outcomes_wrong} | {fo} | {rec} "
            f"| {r.restarts} | {', '.join(map(str, r.unplanned_exits)) or '-'} "
            f"| {'ok' if r.ok and not r.problems else 'FAIL'} | {r.seconds:.0f} |")
    return rows


def pytest_terminal_summary(terminalreporter) -> None:
    if not _reports:
        return
    started = _session.get("started")
    total = (_session.get("finished", time.monotonic()) - started) if started else None
    up = (_session["cluster_up"] - started) if "cluster_up" in _session and started else None
    lines = _table()
    footer = (f"fault suite: {total:.0f}s in all" if total is not None else "") + (
        f", cluster start {up:.0f}s" if up is not None else "")
    terminalreporter.write_sep("=", "fault injection results")
    for line in lines:
        terminalreporter.write_line(line)
    terminalreporter.write_line(footer)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    RESULTS.write_text(f"# Fault suite results, {stamp}\n\n" + "\n".join(lines) + f"\n\n{footer}\n")
    terminalreporter.write_line(f"(written to {RESULTS.relative_to(REPO)})")
