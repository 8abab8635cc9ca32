"""Addressee fidelity on held-out cables, against hand-made truth.

Usage::

    .venv/bin/python bench/heldout/evaluate.py [--kind random|xmt|all] [--show N]

Decodes every cable of ``bench/heldout/cables`` and compares its TO, INFO and XMT addressees
with ``bench/heldout/truth.jsonl`` (written by hand from the routing headers alone; how, and
where the cables come from: ``bench/heldout/README.md``). An addressee is compared by its
PLAD (``RI:<ri>`` for a line with a routing indicator only), upper case with single spaces;
the order within a block does not count, the block does. It also resolves both the decoded
lines and the truth's addressees and compares the entries they name. Then it resolves each cable against
the shipped default directory and checks that no addressee the truth exempts (XMT) is
delivered, and counts the deliveries flagged ``unknown``.

Targets: at least 99 % of the cables with exactly the right TO and INFO addressees, no
exempted addressee delivered, ``unknown`` at most 3.5 % of the deliveries. Exits 1 when one
is missed.
"""

from __future__ import annotations

import argparse
import collections
import json
import pathlib
import sys

from cablerouter.directory import resolve_distribution, resolve_line
from cablerouter.directory_files import load_default_directory
from cablerouter.telegram import decode_telegram
from cablerouter.telegram.model import Addressee

HERE = pathlib.Path(__file__).resolve().parent


def _key(text: str) -> str:
    return " ".join(text.upper().split())


def _written(line: Addressee) -> str:
    return _key(line.plad) if line.plad else f"RI:{line.ri}"


def _truth_line(text: str, ris: dict[str, str | None] | None = None) -> Addressee:
    """A truth addressee as a line; its RI is the decoded line's with the same PLAD, if any
    (the truth writes PLADs only, and resolution may need the station)."""
    if text.startswith("RI:"):
        return Addressee(ri=text[3:], raw=text)
    return Addressee(ri=(ris or {}).get(_key(text)), plad=_key(text), raw=text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kind", choices=("random", "xmt", "all"), default="all", help="which cables to count")
    parser.add_argument("--show", type=int, default=50, help="how many mismatching cables to print")
    args = parser.parse_args(argv)
    kinds = dict(line.split("\t")[::2] for line in (HERE / "cables.tsv").read_text().splitlines()[1:])
    truths = [json.loads(line) for line in (HERE / "truth.jsonl").read_text().splitlines() if line.strip()]
    directory = load_default_directory()
    exact = routed = checked = deliveries = unknown = 0
    leaks: list[str] = []
    misses: list[str] = []
    for truth in truths:
        if args.kind != "all" and kinds[truth["id"]] != args.kind:
            continue
        checked += 1
        cable = decode_telegram((HERE / "cables" / f"{truth['id']}.txt").read_bytes())
        wrong = []
        for block, lines in (("to", cable.to), ("info", cable.info), ("xmt", cable.xmt)):
            got = collections.Counter(_written(line) for line in lines)
            want = collections.Counter(_key(text) for text in truth[block])
            if got != want:
                missing, extra = sorted((want - got).elements()), sorted((got - want).elements())
                wrong.append(f"{block}: missing {missing} extra {extra}")
        if not any(w.startswith(("to:", "info:")) for w in wrong):
            exact += 1
        if wrong:
            misses.append(f"{truth['id']}: " + "; ".join(wrong))
        distribution = resolve_distribution(cable, directory)
        day = cable.dtg.date() if cable.dtg is not None else None
        # The same question one step on: do the lines as decoded reach the addressees the
        # truth names (a PLAD written differently may still resolve to the right entry)?
        ris = {_written(line): line.ri for line in (*cable.to, *cable.info)}
        if all(
            collections.Counter(resolve_line(line, directory, day).id for line in lines)
            == collections.Counter(resolve_line(_truth_line(text, ris), directory, day).id for text in truth[block])
            for block, lines in (("to", cable.to), ("info", cable.info))
        ):
            routed += 1
        exempt = {resolve_line(_truth_line(text), directory, day).id for text in truth["xmt"]}
        named = {resolve_line(_truth_line(text, ris), directory, day).id for text in truth["to"] + truth["info"]}
        leaks.extend(
            f"{truth['id']}: {delivery.addressee} (via {', '.join(delivery.via)})"
            for delivery in distribution.deliveries
            if delivery.addressee in exempt and delivery.addressee not in named
        )
        deliveries += len(distribution.deliveries)
        unknown += sum(1 for delivery in distribution.deliveries if "unknown" in delivery.flags)
    share = 100 * exact / checked if checked else 0.0
    unknown_share = 100 * unknown / deliveries if deliveries else 0.0
    print(f"cables: {checked} ({args.kind}); TO and INFO exactly right: {exact} ({share:.1f} %)")
    routed_share = 100 * routed / checked if checked else 0.0
    print(f"TO and INFO lines resolving to the addressees the truth names: {routed} ({routed_share:.1f} %)")
    print(f"exempted addressees delivered: {len(leaks)}")
    print(f"deliveries: {deliveries}; unknown: {unknown} ({unknown_share:.1f} %)")
    for line in misses[: args.show]:
        print("  " + line)
    for line in leaks:
        print("  LEAK " + line)
    failed = share < 99.0 or leaks or unknown_share > 3.5
    if failed:
        print("FAIL: a target is missed", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
