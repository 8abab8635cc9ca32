"""CPU cost of the router's steps per cable, in one process, without a broker.

Usage (from the repository root, after ``deploy/setup``)::

    .venv/bin/python bench/route_steps.py [--rounds N]

Prints µs per cable (best of 7 samples of ``--rounds`` passes over the 150 corpus cables)
for: ``prepare`` (decode + resolve + encode every delivery and the audit record),
``encode_deliveries`` alone, ``BatchRouter._account`` (metrics and progress for a batch)
and ``BatchRouter.route`` end to end with a sink that writes nothing. These are the
worker's own costs on top of consuming and producing; ``bench/pipeline.py`` is the
end-to-end check against the broker. Prints figures only (no target).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import pathlib
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from prometheus_client import CollectorRegistry  # noqa: E402

from cablerouter.config import Settings  # noqa: E402
from cablerouter.directory import resolve_distribution  # noqa: E402
from cablerouter.directory_files import load_default_directory  # noqa: E402
from cablerouter.metrics import RouterMetrics  # noqa: E402
from cablerouter.router.batch import BatchRouter, SourceRecord  # noqa: E402
from cablerouter.router.envelope import Provenance, encode_deliveries  # noqa: E402
from cablerouter.router.prepare import prepare  # noqa: E402
from cablerouter.router.progress import Progress  # noqa: E402
from cablerouter.telegram import decode_telegram  # noqa: E402


class _NullShipment:
    async def add(self, records) -> None:
        pass

    async def settle(self) -> None:
        pass


class _NullSink:
    def unknown_topics(self, topics) -> set[str]:
        return set()

    def shipment(self) -> _NullShipment:
        return _NullShipment()


def _best(fn, n: int, rounds: int) -> float:
    fn()
    best = float("inf")
    for _ in range(7):
        started = time.perf_counter()
        for _ in range(rounds):
            fn()
        best = min(best, (time.perf_counter() - started) / (rounds * n))
    return best * 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the corpus per sample")
    args = parser.parse_args(argv)
    directory = load_default_directory()
    raws = [p.read_bytes() for p in sorted((REPO / "tests/corpus/cables").glob("*.txt"))]
    now = time.time()
    sources = [SourceRecord(topic="cables.raw", partition=0, offset=i, timestamp=now, key=None, value=v)
               for i, v in enumerate(raws)]
    router = BatchRouter(Settings(), sink=_NullSink(), metrics=RouterMetrics(CollectorRegistry()),  # type: ignore[arg-type]
                         progress=Progress(stall_seconds=30), directory=lambda: directory)
    params = router._stage._params  # the parameters the worker's default stage uses
    results = prepare(sources, directory, params)
    outcomes = [router._outcome(s, r) for s, r in zip(sources, results, strict=True)]
    when = dt.datetime.now(dt.UTC)
    provenance = Provenance(topic="cables.raw", partition=0, offset=0, received_at=when,
                            routed_at=when, router_version="bench")
    cables = [decode_telegram(raw) for raw in raws]
    pairs = [(c, resolve_distribution(c, directory, topic_prefix="cables.to.")) for c in cables]

    async def route_all() -> None:
        for i in range(0, len(sources), 500):
            await router.route(sources[i : i + 500])

    loop = asyncio.new_event_loop()
    try:
        figures = {
            "prepare (decode+resolve+encode)": _best(
                lambda: prepare(sources, directory, params), len(raws), args.rounds),
            "encode_deliveries": _best(
                lambda: [encode_deliveries(c, d, provenance) for c, d in pairs], len(raws), args.rounds),
            "account": _best(lambda: router._account(outcomes), len(raws), args.rounds),
            "route (null sink)": _best(lambda: loop.run_until_complete(route_all()), len(raws), args.rounds),
        }
    finally:
        loop.close()
    print(f"corpus: {len(raws)} cables, {args.rounds} rounds x 7 samples (best)")
    for name, us in figures.items():
        print(f"{name:34s} {us:8.1f} us/cable")
    return 0


if __name__ == "__main__":
    sys.exit(main())
