"""Draw the held-out cables from the public Cablegate mirror the corpus came from.

Usage::

    .venv/bin/python bench/heldout/make_set.py MIRROR_GIT_DIR [--count 200] [--seed 2026]

``MIRROR_GIT_DIR`` is a clone of ``avilaroman/Wikileaks-Mirror`` (a bare clone will do: files
are read with ``git show``). Each cable page ``cable/<YYYY>/<MM>/<ID>.html`` holds the routing
header and the text as two ``<pre>`` blocks; a cable file is made exactly as the corpus'
(``tests/corpus/PROVENANCE.md``): the header block, one blank line, the text block, markup
removed and entities decoded, ending with a newline. Pages without a routing header (partial
extracts) and the corpus' own cables are skipped. Draws ``--count`` cables at random with
``--seed``, plus every other page whose header exempts an addressee (``XMT``), because a random
draw holds too few of those to check that no exempted addressee is ever delivered.

Writes ``bench/heldout/cables/<ID>.txt`` and ``bench/heldout/cables.tsv`` (id, year/month,
``random`` or ``xmt``).
"""

from __future__ import annotations

import argparse
import html
import pathlib
import random
import re
import subprocess
import sys

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PRE = re.compile(r"<pre>(.*?)</pre>", re.S)
TAG = re.compile(r"<[^>]+>")


def _git(mirror: str, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", mirror, *args], check=True, capture_output=True,
                          text=True).stdout


def cable_text(page: str) -> str | None:
    """The cable file made from one page, or ``None`` when the page has no routing header."""
    blocks = PRE.findall(page)
    if len(blocks) < 2:
        return None
    header, text = (html.unescape(TAG.sub("", block)) for block in blocks[:2])
    if not re.search(r"^\s*(TO|INFO)\b", header, re.M) or not re.search(r"^\s*FM\b", header, re.M):
        return None
    return header + "\n\n" + (text if text.endswith("\n") else text + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mirror", help="git directory of a clone of avilaroman/Wikileaks-Mirror")
    parser.add_argument("--count", type=int, default=200, help="cables drawn at random")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    corpus = {p.stem for p in (ROOT / "tests" / "corpus").rglob("*.txt")}
    paths = [p for p in _git(args.mirror, "ls-tree", "-r", "--name-only", "HEAD").split()
             if p.startswith("cable/") and p.endswith(".html") and pathlib.PurePath(p).stem not in corpus]
    rng = random.Random(args.seed)
    rng.shuffle(paths)
    out = HERE / "cables"
    out.mkdir(exist_ok=True)
    chosen: list[tuple[str, str, str]] = []
    random_taken = 0
    for path in paths:
        text = cable_text(_git(args.mirror, "show", f"HEAD:{path}"))
        if text is None:
            continue
        header = text.split("\n\n", 1)[0] if "\n\n" in text else text
        exempting = re.search(r"^\s*(?:(?:TO|INFO)\s+)?XMT\b", header, re.M) is not None
        if random_taken < args.count:
            random_taken += 1
            kind = "random"
        elif exempting:
            kind = "xmt"
        else:
            continue
        cable_id = pathlib.PurePath(path).stem
        (out / f"{cable_id}.txt").write_text(text, encoding="utf-8")
        chosen.append((cable_id, "/".join(pathlib.PurePath(path).parts[1:3]), kind))
    chosen.sort()
    lines = ["id\tmonth\tkind", *("\t".join(row) for row in chosen)]
    (HERE / "cables.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{random_taken} random cables, {sum(1 for *_, k in chosen if k == 'xmt')} more with XMT -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
