"""The body's single-pass scans give the result of the plain per-hit statement.

``read_body`` finds paragraph classification marks with one findall whose look-behinds
encode "a digit, a full stop and at most four blanks before the `(`". These tests hold it
to the straightforward reading: every `(MARK)`, kept when the six characters before it,
blanks stripped, end in a character for which ``str.isdigit`` is true and a full stop.
"""

from __future__ import annotations

import random
import re

import pytest

from cablerouter.telegram._body import read_body
from cablerouter.telegram.lines import LineBuffer

pytestmark = pytest.mark.unit

_ANY_MARK = re.compile(r"\(((?:SBU|U|C|S|TS|LOU|FOUO|R|NF)(?:[/-][A-Z][A-Z ]{0,14})?)\)")
_PIECES = [
    "(", ")", "(U)", "(SBU)", "(S/NF)", "(C-X Y)", "(TS)", "(LOU)", "(R)", "(NF)", "(FOUO/ABC)", "(U-", "(U",
    ".", "1.", "1. ", "12.", "\u00b2.", "\u00b2 .", "1.\t(", "1.     (", "1.    (", "a.(U)", "\u00e9.(U)", "_.(U)",
    "\u0663.(U)", "\u2460.(U)", "\u2074. (C)", " ", "\t", "\n", "X", "\u00b61. (U)", "8.  \t (C)", "text ",
]  # fmt: skip


def _marks(body: str) -> list[str]:
    marks: dict[str, None] = {}
    for m in _ANY_MARK.finditer(body):
        start = m.start()
        before = body[max(start - 6, 0) : start].rstrip(" \t")
        if start and before[-1:] == "." and before[-2:-1].isdigit():
            marks[m.group(1)] = None
    return list(marks)


@pytest.mark.parametrize("seed", range(3))
def test_paragraph_marks_are_those_after_a_paragraph_number(seed: int) -> None:
    rng = random.Random(seed)
    found = 0
    for _ in range(10_000):
        text = "Z\n" + "".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 14))) + "\nSMITH"
        body, _, marks = read_body(LineBuffer(text), 1)
        assert marks == _marks(body), repr(text)
        found += bool(marks)
    assert found > 1_000  # enough inputs with marks for the comparison to mean something


@pytest.mark.parametrize(
    ("text", "marks"),
    [
        ("1. (SBU) A.\n2.(S/NF) B.\n3.     (C) five blanks, not a mark\n4.\t (U) C.", ["SBU", "S/NF", "U"]),
        ("\u00b2. (C) superscript two is a digit to str.isdigit\n\u00e9. (S) a letter is not", ["C"]),
        ("(U) at the very start", []),
    ],
)
def test_paragraph_marks_examples(text: str, marks: list[str]) -> None:
    assert read_body(LineBuffer(text), 0)[2] == marks
