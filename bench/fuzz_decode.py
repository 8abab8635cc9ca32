"""Fuzz the telegram decoder: random bytes and mutated corpus cables, seeded and repeatable.

Usage::

    .venv/bin/python bench/fuzz_decode.py [--inputs N] [--seed S]

Every input must either decode into a Cable with at least one addressee or raise
``DecodeError`` with a documented reason; anything else is printed with the seed and the
input number (re-run with the same seed to reproduce) and the exit code is 1.

With ``--compare`` every input is also decoded by the Python parsers alone
(``decode_with(..., native=False)``), and any difference from ``decode_telegram`` (which
tries the native scanner first) is a failure too.
"""

from __future__ import annotations

import argparse
import collections
import pathlib
import random
import sys
import time
import traceback

from cablerouter.errors import DecodeError
from cablerouter.telegram import DecodeLimits, _scan, decode_telegram
from cablerouter.telegram.decode import REASONS, decode_with

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.property.fuzz_tokens import TOKENS  # noqa: E402


def mutate(rng: random.Random, raw: bytes) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 8)):
        pos = rng.randint(0, len(data))
        op = rng.randrange(6)
        if op == 0:
            del data[pos : pos + rng.randint(1, 200)]
        elif op == 1:
            data[pos:pos] = rng.choice(TOKENS)
        elif op == 2:
            data[pos:pos] = rng.randbytes(rng.randint(1, 20))
        elif op == 3:
            data[pos:pos] = data[pos : pos + rng.randint(1, 400)]
        elif op == 4:
            del data[pos:]
        else:  # swap two lines
            lines = bytes(data).split(b"\n")
            if len(lines) > 2:
                i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
                lines[i], lines[j] = lines[j], lines[i]
                data = bytearray(b"\n".join(lines))
    return bytes(data)


def generate(rng: random.Random, cables: list[bytes]) -> bytes:
    kind = rng.random()
    if kind < 0.15:
        return rng.randbytes(rng.randint(0, 2048))
    if kind < 0.30:
        return b"".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 60)))
    return mutate(rng, rng.choice(cables))


def _outcome(raw: bytes, limits: DecodeLimits, *, native: bool) -> object:
    """The decoded Cable, or the DecodeError's details (native scanner first, or not at all)."""
    try:
        return decode_with(raw, limits, native=native)
    except DecodeError as exc:
        return ("error", exc.reason, str(exc), exc.line, exc.excerpt)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=20100211)
    parser.add_argument("--compare", action="store_true", help="also require the line parsers' result")
    args = parser.parse_args(argv)
    cables = [(ROOT / "tests/corpus/seed/10ASTANA179.txt").read_bytes()]
    cables += [p.read_bytes() for p in sorted((ROOT / "tests/corpus/cables").glob("*.txt"))]
    limits = DecodeLimits(max_bytes=64 * 1024, max_addressees=40)
    rng = random.Random(args.seed)
    outcomes: collections.Counter[str] = collections.Counter()
    failures = 0
    start = time.perf_counter()
    for n in range(args.inputs):
        raw = generate(rng, cables)
        if args.compare:
            if _scan.scan_decode(raw, limits) is not None:
                outcomes["read natively"] += 1
            if _outcome(raw, limits, native=True) != _outcome(raw, limits, native=False):
                failures += 1
                print(f"seed={args.seed} input={n}: the native scanner and the Python parsers differ", file=sys.stderr)
        try:
            cable = decode_telegram(raw, limits=limits)
        except DecodeError as exc:
            if exc.reason not in REASONS:
                failures += 1
                print(f"seed={args.seed} input={n}: undocumented reason {exc.reason!r}", file=sys.stderr)
            outcomes[exc.reason] += 1
            continue
        except Exception:  # noqa: BLE001 - the point is to report anything else
            failures += 1
            print(f"seed={args.seed} input={n}: {raw[:200]!r}", file=sys.stderr)
            traceback.print_exc()
            continue
        if not (cable.to or cable.info or cable.xmt):
            failures += 1
            print(f"seed={args.seed} input={n}: decoded without addressees", file=sys.stderr)
        outcomes["decoded"] += 1
    elapsed = time.perf_counter() - start
    print(f"{args.inputs:,} inputs (seed {args.seed}) in {elapsed:.1f} s: " + ", ".join(
        f"{key} {count:,}" for key, count in outcomes.most_common()
    ))
    print(f"unexpected exceptions or results: {failures}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
