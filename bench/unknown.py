"""How many deliveries the default directory cannot place: the share flagged ``unknown``.

Usage::

    .venv/bin/python bench/unknown.py [--top N] [CABLE_DIR ...]

Decodes and resolves every cable of the corpus (``tests/corpus``; or the ``*.txt`` files of
the folders given) against the shipped default directory and prints the number of
deliveries, the share flagged ``unknown`` (neither the PLAD nor the routing indicator is in
the directory), the share delivered to an unlisted PLAD at a known station (``unlisted``),
the resolution rule behind every delivery, and the most frequent unknown addressees with
the line that named them.
"""

from __future__ import annotations

import argparse
import collections
import pathlib

from cablerouter.directory import resolve_distribution
from cablerouter.directory_files import load_default_directory
from cablerouter.errors import CableRouterError
from cablerouter.telegram import decode_telegram

ROOT = pathlib.Path(__file__).resolve().parents[1]
CORPUS = [ROOT / "tests" / "corpus" / "seed", ROOT / "tests" / "corpus" / "cables"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("folders", nargs="*", type=pathlib.Path, help="folders of *.txt cables (default: the corpus)")
    parser.add_argument("--top", type=int, default=20, help="how many unknown addressees to list")
    args = parser.parse_args(argv)
    directory = load_default_directory()
    files = sorted(p for folder in (args.folders or CORPUS) for p in folder.glob("*.txt"))
    deliveries = 0
    flagged: collections.Counter[str] = collections.Counter()
    rules: collections.Counter[str] = collections.Counter()
    unknown: collections.Counter[str] = collections.Counter()
    rejected = 0
    for path in files:
        try:
            cable = decode_telegram(path.read_bytes())
            distribution = resolve_distribution(cable, directory)
        except CableRouterError:
            rejected += 1
            continue
        for delivery in distribution.deliveries:
            deliveries += 1
            flagged.update(delivery.flags)
            rules[getattr(delivery, "rule", "") or "-"] += 1
            if "unknown" in delivery.flags:
                unknown[delivery.addressee] += 1
    share = 100 * flagged["unknown"] / deliveries if deliveries else 0.0
    print(f"cables: {len(files)} ({rejected} rejected), deliveries: {deliveries}")
    print(f"unknown: {flagged['unknown']} ({share:.1f} % of deliveries)")
    print(f"unlisted at a known station: {flagged['unlisted']}")
    print("rules: " + ", ".join(f"{rule} {n}" for rule, n in rules.most_common()))
    print(f"most frequent unknown addressees (top {args.top}):")
    for addressee, n in unknown.most_common(args.top):
        print(f"  {n:4d}  {addressee}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
