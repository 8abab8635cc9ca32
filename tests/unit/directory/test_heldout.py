"""Addressee fidelity on the held-out cables (``bench/heldout``): the targets hold.

The figures themselves are printed by ``bench/heldout/evaluate.py`` and recorded in
``bench/RESULTS.md``; this test fails when a change of the decoder, the repairs or the
directory misses a target: fewer than 99 % of the cables with exactly the right TO and
INFO addressees, an exempted addressee delivered, or more than 3.5 % ``unknown``.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

ROOT = pathlib.Path(__file__).resolve().parents[3]
EVALUATE = ROOT / "bench" / "heldout" / "evaluate.py"


def test_heldout_targets_hold() -> None:
    done = subprocess.run([sys.executable, str(EVALUATE), "--show", "20"], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "cables: 201 (all)" in done.stdout, done.stdout


def test_every_heldout_cable_has_its_truth() -> None:
    cables = {p.stem for p in (ROOT / "bench" / "heldout" / "cables").glob("*.txt")}
    truth = (ROOT / "bench" / "heldout" / "truth.jsonl").read_text(encoding="utf-8")
    assert len(cables) == 201
    assert {line.split('"', 4)[3] for line in truth.splitlines()} == cables
