"""Resolution overhead: decode alone vs decode + resolve over the corpus, in one process.

Usage::

    .venv/bin/python bench/route.py [--rounds N] [--max-overhead PERCENT]

Loads the shipped default directory once (indexes are built per snapshot, not per cable),
then times ``decode_telegram`` alone and ``decode_telegram`` + ``resolve_distribution`` over
every corpus cable in back-to-back pairs (the order alternating between pairs), so machine
noise hits both alike. A sample is one pass over the corpus by default (about 7 ms): on a
shared machine the speed drifts by tens of percent within seconds, and the two halves of a
short pair see the same speed, where the halves of long pairs did not (pairs of 20 passes
spread from -20 % to +90 %). The overhead is the median over the pairs of
``combined / decode - 1``; rates are the best sample of each variant. ``resolve`` alone (on
already decoded cables, 20 passes per sample) is shown for reference: right after decoding,
resolution costs more, because decoding evicts the directory's indexes from the CPU caches.
Exits 1 when the overhead exceeds the limit.
"""

from __future__ import annotations

import argparse
import gc
import pathlib
import statistics
import sys
import time

from cablerouter.directory import resolve_distribution
from cablerouter.directory_files import load_default_directory
from cablerouter.telegram import decode_telegram

ROOT = pathlib.Path(__file__).resolve().parents[1]
CORPUS = [ROOT / "tests" / "corpus" / "seed" / "10ASTANA179.txt",
          *sorted((ROOT / "tests" / "corpus" / "cables").glob("*.txt"))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=1, help="passes over the corpus per sample")
    parser.add_argument("--samples", type=int, default=301, help="pairs of samples")
    parser.add_argument("--max-overhead", type=float, default=20.0, help="percent allowed (exit 1 above)")
    args = parser.parse_args(argv)
    raws = [path.read_bytes() for path in CORPUS]
    start = time.perf_counter()
    directory = load_default_directory()
    build = time.perf_counter() - start

    def decode_only() -> None:
        for raw in raws:
            decode_telegram(raw)

    def decode_and_resolve() -> None:
        for raw in raws:
            resolve_distribution(decode_telegram(raw), directory)

    cables = [decode_telegram(raw) for raw in raws]

    def resolve_only() -> None:
        for cable in cables:
            resolve_distribution(cable, directory)

    best = {"decode": float("inf"), "decode+resolve": float("inf"), "resolve": float("inf")}
    for fn in (decode_only, decode_and_resolve, resolve_only):
        fn()  # warm-up
    gc.collect()

    def sample(fn: object, rounds: int) -> float:
        t0 = time.perf_counter()
        for _ in range(rounds):
            fn()  # type: ignore[operator]
        return (time.perf_counter() - t0) / (rounds * len(raws))

    ratios, added = [], []
    for i in range(args.samples):
        if i % 2:
            combined, alone = sample(decode_and_resolve, args.rounds), sample(decode_only, args.rounds)
        else:
            alone, combined = sample(decode_only, args.rounds), sample(decode_and_resolve, args.rounds)
        ratios.append(combined / alone - 1)
        added.append(combined - alone)
        best["decode"] = min(best["decode"], alone)
        best["decode+resolve"] = min(best["decode+resolve"], combined)
    for _ in range(15):
        best["resolve"] = min(best["resolve"], sample(resolve_only, 20))
    deliveries = sum(len(resolve_distribution(c, directory).deliveries) for c in cables)
    overhead = statistics.median(ratios) * 100
    print(f"corpus: {len(raws)} cables, {deliveries} deliveries; directory {directory!r} built in {build * 1e3:.0f} ms")
    print(f"{args.samples} pairs of samples, {args.rounds} passes over the corpus each")
    for name, seconds in best.items():
        print(f"{name:15s} {1 / seconds:10,.0f} cables/s {seconds * 1e6:8.1f} us/cable")
    spread = f"pairs {min(ratios) * 100:.1f}..{max(ratios) * 100:.1f} %"
    print(f"resolution right after decoding adds {statistics.median(added) * 1e6:.1f} us/cable (median of the pairs)")
    print(f"resolution overhead: {overhead:.1f} % of decode time, median ({spread}; limit {args.max_overhead:.0f} %)")
    if overhead > args.max_overhead:
        print("FAIL: resolution adds more than the limit", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
