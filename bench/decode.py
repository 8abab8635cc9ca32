"""Decoder throughput: decode every corpus cable repeatedly in one process.

Usage::

    .venv/bin/python bench/decode.py [--rounds N] [--target CABLES_PER_S]

Prints cables/s and µs per cable for the full decode (header, text fields and body) and,
measured the same way in the same run, for a floor of ``bytes.decode`` +
``str.splitlines`` over the same inputs and for the decoder without its native scanner
(``decode_with(..., native=False)``: the Python parsers alone). Exits 1 when the decoder
is below the target.
"""

from __future__ import annotations

import argparse
import gc
import pathlib
import sys
import time

from cablerouter.telegram import DecodeLimits, decode_telegram
from cablerouter.telegram._scan import INSTALLED, scan_decode
from cablerouter.telegram.decode import decode_with

ROOT = pathlib.Path(__file__).resolve().parents[1]
CORPUS = [ROOT / "tests" / "corpus" / "seed" / "10ASTANA179.txt",
          *sorted((ROOT / "tests" / "corpus" / "cables").glob("*.txt"))]


def _floor(raws: list[bytes]) -> None:
    for raw in raws:
        raw.decode("utf-8", "replace").splitlines()


def _decode(raws: list[bytes]) -> None:
    for raw in raws:
        decode_telegram(raw)


def _python_only(raws: list[bytes]) -> None:
    limits = DecodeLimits()
    for raw in raws:
        decode_with(raw, limits, native=False)


def _measure(fn, raws: list[bytes], rounds: int) -> float:
    """Best-of-5 seconds per cable over ``rounds`` passes."""
    fn(raws)  # warm-up
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(rounds):
            fn(raws)
        best = min(best, (time.perf_counter() - start) / (rounds * len(raws)))
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=20, help="passes over the corpus per sample")
    parser.add_argument("--target", type=float, default=15_000.0, help="cables/s required (exit 1 below)")
    args = parser.parse_args(argv)
    raws = [path.read_bytes() for path in CORPUS]
    gc.collect()
    floor = _measure(_floor, raws, args.rounds)
    full = _measure(_decode, raws, args.rounds)
    python = _measure(_python_only, raws, max(1, args.rounds // 4))
    size = sum(map(len, raws)) / len(raws)
    native = sum(scan_decode(raw, DecodeLimits()) is not None for raw in raws)
    print(f"corpus: {len(raws)} cables, mean {size:,.0f} bytes, {args.rounds} rounds x 5 samples (best)")
    print(
        f"native scanner: {'installed' if INSTALLED else 'NOT INSTALLED'}, reads {native} of {len(raws)} cables"
        " (the others take the Python parsers)"
    )
    print(f"floor  (decode + splitlines): {1 / floor:10,.0f} cables/s {floor * 1e6:8.1f} us/cable")
    print(f"Python parsers alone:         {1 / python:10,.0f} cables/s {python * 1e6:8.1f} us/cable")
    print(f"decode_telegram (full):       {1 / full:10,.0f} cables/s {full * 1e6:8.1f} us/cable")
    print(
        f"decoder / floor time: {full / floor:.1f}x; {python / full:.1f}x faster than the Python parsers alone; "
        f"target {args.target:,.0f} cables/s"
    )
    if 1 / full < args.target:
        print("BELOW TARGET", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
