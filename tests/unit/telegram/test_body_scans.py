"""The body's bounded reads and single-pass scans give the result of the plain statement.

``LineBuffer`` splits a chunk of characters at a time and ``read_body`` works on bounds in
the whole text, copying the body once; these tests hold them to ``text.split("\\n")`` and
to joining, stripping and cutting strings, for every chunk size. ``read_body`` also finds
paragraph classification marks with one findall whose look-behinds encode "a digit, a full
stop and at most four blanks before the `(`"; the plain reading is every `(MARK)`, kept
when the six characters before it, blanks stripped, end in a character for which
``str.isdigit`` is true and a full stop.
"""

from __future__ import annotations

import random
import re

import pytest

from cablerouter.telegram import lines as lines_module
from cablerouter.telegram._body import _TRAILER, read_body
from cablerouter.telegram.lines import LineBuffer, strip_page_artefacts

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


_LINE_PIECES = [
    "", "", "x", "TEXT", "  ", "\t", "SMITH", "NNNN", "BT", "#0179", "=====END=====", "\\", "...",
    "<< END OF DOCUMENT >>", "ASTANA 00000179  002 OF 003", "  STATE 00012345 001 OF 002  ", "A OF 0",
    "1. (U) A paragraph.", "\u00e9t\u00e9", "\u2019", "\u3000", "\x85", "SMITH" + " " * 40, "x" + "\t \u3000" * 12,
]  # fmt: skip


def _text(rng: random.Random) -> str:
    return "\n".join(rng.choice(_LINE_PIECES) * rng.choice((1, 1, 1, 3)) for _ in range(rng.randint(1, 30)))


def _plain_body(text: str, index: int) -> str:
    """read_body's body the plain way: join the lines, strip, cut closing lines and page lines."""
    body = "\n".join(text.split("\n")[index:]).rstrip()
    for _ in range(8):
        cut = body.rfind("\n") + 1
        last = body[cut:].strip()
        if last and _TRAILER.fullmatch(last) is None:
            break
        body = body[:cut].rstrip()
    return strip_page_artefacts(body)[0]


@pytest.mark.parametrize("chunk", [1, 2, 5, 16, 64, 1024])
def test_line_buffer_splits_as_str_split(chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lines_module, "_CHUNK_CHARS", chunk)
    rng = random.Random(chunk)
    for _ in range(2_000):
        text = _text(rng)
        lines = text.split("\n")
        buf = LineBuffer(text)
        order = list(range(len(lines) + 2))
        if rng.random() < 0.5:
            rng.shuffle(order)
        for i in order:
            assert buf.has(i) == (i < len(lines)), (text, i)
            if i < len(lines):
                assert buf.lines[i] == lines[i]
                assert buf.offset(i) == len("\n".join(lines[:i])) + (i > 0), (text, i)
        index = rng.randrange(len(lines))
        buf = LineBuffer(text)
        assert buf.has(index)
        assert read_body(buf, index)[0] == _plain_body(text, index), (text, index)
