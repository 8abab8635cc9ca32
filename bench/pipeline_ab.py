"""Compare two worker configurations against the same plain-producer baseline, in one run.

Usage (from the repository root, after ``deploy/setup``; a broker must be running, e.g.
``deploy/kafka/local-kafka start``)::

    .venv/bin/python bench/pipeline_ab.py --repeat 6 \\
        --a CABLEROUTER_DECODE_PROCESSES=0 --b CABLEROUTER_DECODE_PROCESSES=1

Two workers (A and B, each with its own input and addressee topics) run side by side.
Each pair measures the baseline of ``bench/pipeline.py`` (the faster of its two ways),
then one round through A and one through B, in alternating order. It prints per round
deliveries/s, the worker's CPU (its child processes included), the broker's CPU and the
ratio to the pair's baseline; then each side's median ratio and the median of B/A per
pair. On a noisy shared machine the per-pair B/A is the figure to judge a change by:
absolute ratios drift by ±0.1 between runs taken minutes apart.

``--a-source DIR`` (or ``--b-source``) runs that side's worker from another checkout's
``services/`` (e.g. ``git worktree add /tmp/before <commit>``), to compare code before and
after a change with the same settings.
"""

from __future__ import annotations

import argparse
import asyncio
import pathlib
import statistics
import subprocess
import sys
import time
import uuid

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import pipeline as bench_pipeline

from tests.integration.routerutil import WorkerProcess


def _broker_pid() -> int | None:
    found = subprocess.run(["pgrep", "-f", r"kafka\.Kafka"], capture_output=True, text=True, check=False)
    return int(found.stdout.split()[0]) if found.stdout.split() else None


async def _round(worker: WorkerProcess, publisher, raw: str, cables: list[bytes], done: int,
                 broker: int | None) -> tuple[dict, float, float, float]:
    started = time.perf_counter()
    cpu0, bk0 = bench_pipeline.tree_cpu_seconds(worker.proc.pid), bench_pipeline.cpu_seconds(broker) if broker else 0.0
    await bench_pipeline.publish_raw(publisher, raw, cables)
    after = await bench_pipeline.wait_routed(worker, done + len(cables))
    seconds = time.perf_counter() - started
    bk = (bench_pipeline.cpu_seconds(broker) - bk0) / seconds if broker else float("nan")
    return after, seconds, (bench_pipeline.tree_cpu_seconds(worker.proc.pid) - cpu0) / seconds, bk


def _env(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.startswith("CABLEROUTER_"):
            raise SystemExit(f"expected CABLEROUTER_NAME=VALUE, got {pair!r}")
        out[key] = value
    return out


async def run(bootstrap: str, rounds: int, repeat: int, env_a: dict, env_b: dict,
              sources: dict[str, str | None]) -> None:
    run_id = uuid.uuid4().hex[:8]
    cables = bench_pipeline.corpus() * rounds
    base_prefix = f"ab.{run_id}.base.to."
    records = bench_pipeline.enriched_records(cables, base_prefix)
    topics = {t for t, *_ in records}
    every = set(topics)
    for side in "ab":
        every |= {t.replace(base_prefix, f"ab.{run_id}.{side}.to.", 1) for t in topics}
    await bench_pipeline.create_topics(bootstrap, every)
    await bench_pipeline.wait_for_leaders(bootstrap, every)
    logs = bench_pipeline.REPO / "var"
    logs.mkdir(exist_ok=True)
    workers: dict[str, list] = {}
    for side, extra in (("a", env_a), ("b", env_b)):
        raw = f"ab.{run_id}.{side}.raw"
        await bench_pipeline.create_topics(bootstrap, {raw}, partitions=4)
        env = {
            "CABLEROUTER_BOOTSTRAP_SERVERS": bootstrap, "CABLEROUTER_APP_ID": f"ab-{run_id}-{side}",
            "CABLEROUTER_RAW_TOPIC": raw, "CABLEROUTER_TOPIC_PREFIX": f"ab.{run_id}.{side}.to.",
            "CABLEROUTER_DEADLETTER_TOPIC": f"ab.{run_id}.{side}.dead",
            "CABLEROUTER_ROUTED_TOPIC": f"ab.{run_id}.{side}.routed",
            "CABLEROUTER_DIRECTORY_TOPIC": f"ab.{run_id}.{side}.directory",
            "CABLEROUTER_LOG_LEVEL": "WARNING", **extra,
        }
        if sources.get(side):
            env["PYTHONPATH"] = str(pathlib.Path(sources[side]).resolve() / "services")
        workers[side] = [WorkerProcess(env, logs / f"bench-ab-{run_id}-{side}.log").start(), raw, 0]
    print(f"{len(cables)} cables, {len(records)} deliveries to {len(topics)} topics; "
          f"A = {env_a or 'defaults'} {sources.get('a') or ''}, "
          f"B = {env_b or 'defaults'} {sources.get('b') or ''}; {repeat} pairs", flush=True)
    broker = _broker_pid()
    publisher = bench_pipeline.raw_producer(bootstrap)
    await publisher.start()
    ratios: dict[str, list[float]] = {"a": [], "b": []}
    try:
        for side in "ab":  # warm-up: one untimed round each
            w = workers[side]
            await asyncio.to_thread(w[0].wait_ready)
            await _round(w[0], publisher, w[1], cables, w[2], broker)
            w[2] += len(cables)
        for mode in bench_pipeline.BASELINE_MODES:
            await bench_pipeline.baseline(bootstrap, records, mode)
        for i in range(repeat):
            timings = {mode: await bench_pipeline.baseline(bootstrap, records, mode)
                       for mode in bench_pipeline.BASELINE_MODES}
            base = len(records) / min(timings.values())
            line = f"pair {i + 1}: baseline {base:7,.0f} deliveries/s"
            for side in ("ab" if i % 2 == 0 else "ba"):
                w = workers[side]
                before = await asyncio.to_thread(w[0].metrics)
                after, seconds, cpu, bk = await _round(w[0], publisher, w[1], cables, w[2], broker)
                w[2] += len(cables)
                rate = bench_pipeline._deliveries(bench_pipeline._delta(after, before)) / seconds
                ratios[side].append(rate / base)
                line += (f" | {side.upper()} {rate:7,.0f} (worker CPU {cpu:.2f}, broker {bk:.2f}) "
                         f"ratio {rate / base:.2f}")
            print(line, flush=True)
    finally:
        for w in workers.values():
            w[0].terminate()
        await publisher.stop()
    for side in "ab":
        print(f"{side.upper()} median ratio {statistics.median(ratios[side]):.2f} "
              f"({' '.join(f'{r:.2f}' for r in ratios[side])})")
    per_pair = [b / a for a, b in zip(ratios["a"], ratios["b"], strict=True)]
    print(f"B/A per pair {' '.join(f'{r:.2f}' for r in per_pair)}; median {statistics.median(per_pair):.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10, help="times the corpus is sent per round (default 10)")
    parser.add_argument("--repeat", type=int, default=6, help="baseline/A/B triples (default 6)")
    parser.add_argument("--bootstrap", default="127.0.0.1:19092", help="broker (default 127.0.0.1:19092)")
    parser.add_argument("--a", nargs="*", default=[], metavar="CABLEROUTER_X=V", help="settings of worker A")
    parser.add_argument("--b", nargs="*", default=[], metavar="CABLEROUTER_X=V", help="settings of worker B")
    parser.add_argument("--a-source", metavar="DIR", help="run worker A from this checkout's services/")
    parser.add_argument("--b-source", metavar="DIR", help="run worker B from this checkout's services/")
    args = parser.parse_args()
    asyncio.run(run(args.bootstrap, args.rounds, args.repeat, _env(args.a), _env(args.b),
                    {"a": args.a_source, "b": args.b_source}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
