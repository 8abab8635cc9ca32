"""The fast reading of usual preamble field lines gives the line loop's result.

``_read_preamble`` reads ``TAGS: ...``, ``SUBJECT: ...``, ``E.O. 1dddd ...`` and ``REF: ...``
lines without searching for the field marker when the fast paths are on; lines with a
further marker, or unusual forms, must still decode exactly as with ``fast=False``.
"""

from __future__ import annotations

import pytest

from cablerouter.telegram import DecodeLimits
from cablerouter.telegram.decode import decode_with

pytestmark = pytest.mark.unit

LIMITS = DecodeLimits()
HEADING = (
    b"VZCZCXRO1169\nOO RUEHIK\nDE RUEHTA #0179 0420828\nZNR UUUUU ZZH\nO 110828Z FEB 10\n"
    b"FM AMEMBASSY ASTANA\nTO RUEHC/SECSTATE WASHDC IMMEDIATE 7388\n\nUNCLAS ASTANA 000179\n\nSIPDIS\n\n"
)


@pytest.mark.parametrize(
    "preamble",
    [
        "E.O. 12958: N/A\nTAGS: PGOV PREL\nSUBJECT: A SUBJECT\nON TWO LINES\n\nREF: (A) STATE 1\n(B) STATE 2\n",
        "E.O. 12958: DECL: 02/11/2020\nTAGS: PGOV, PREL; KZ\nSUBJECT: X\n",
        "E.O. 12958: N/A TAGS: PGOV SUBJECT: RUN TOGETHER\n",
        "TAGS: PGOV SUBJECT: RUN TOGETHER REF: STATE 1\n",
        "SUBJECT: FOO TAGS BAR\n",
        "SUBJECT: THE EO 12958 QUESTION\n",
        "SUBJECT: A E.O. B\nTAGS: EO 12345\n",
        "E.O. 1295: N/A\nTAGS: X\nSUBJECT: Y\n",
        "E.O. 12958\nTAGS:\nSUBJECT: \nREF: NONE\n",
        "E.O. \uff11\uff12\uff19\uff15\uff18: N/A\nSUBJECT: FULL-WIDTH DIGITS\n",
        "E.O. 1\u00b2958: N/A\nSUBJECT: SUPERSCRIPT\n",
        "Tags: pgov\nSubject: lower case\nRef: a. state 1\n",
        "TAGS: [PGOV](#) [KZ](#)\nSUBJECT: LINKS\nREF: A. STATE 1 B. STATE 2 REF C: STATE 3\n",
        "REF: A. STATE 1\n\nB. STATE 2\n\nSUBJECT: AFTER REF\n",
        "TAGS: X\n\nSUBJECT: Y\n\nNOT A PARAGRAPH\n",
    ],
)
def test_field_lines_decode_the_same_both_ways(preamble: str) -> None:
    raw = HEADING + preamble.encode() + b"\n1. (U) Body.\n"
    assert decode_with(raw, LIMITS, fast=True, native=False) == decode_with(raw, LIMITS, fast=False)
