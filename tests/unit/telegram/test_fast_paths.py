"""The Python fast paths decode exactly as the line-by-line parsers.

``decode_telegram`` first tries the native scanner (``test_native_scan.py``), then
single-pattern Python readers for clean standard input, and falls back to the line-by-line
parsers for anything unusual. Here the native scanner is left out (``native=False``) so
that the Python fast paths are exercised on every input: every corpus cable, and a seeded
set of mutated cables, must decode to equal Structs (or equal errors) both ways.
"""

from __future__ import annotations

import pathlib
import random

import pytest
from cablerouter.errors import DecodeError
from cablerouter.telegram import Cable, DecodeLimits
from cablerouter.telegram._fast_header import fast_header
from cablerouter.telegram.decode import decode_with
from cablerouter.telegram.lines import decode_bytes

from tests.mutants import mutants

pytestmark = pytest.mark.unit

CORPUS = pathlib.Path(__file__).resolve().parents[2] / "corpus"
FILES = [CORPUS / "seed" / "10ASTANA179.txt", *sorted((CORPUS / "cables").glob("*.txt"))]
LIMITS = DecodeLimits()
PIECES = [
    b"\n", b"\r\n", b" ", b"  ", b"\t", b"/", b"//", b"#", b"(", b",", b"XMT ", b"ZEN/", b"PAGE 02 ", b"TO ",
    b"INFO ", b"FM ", b"DE ", b"BT\n", b"\n\n", b"NIACT ", b" IMMEDIATE", b" 1234", b"AIG 7011", b"0", b"Z",
    b"ZNR UUUUU", b"RR RUEHC", b"O 320828Z FEB 10", b"UNCLAS ", b"SECRET ", b"E.O. 12958", b"TAGS: ",
    b"SUBJECT: ", b"REF: ", b"\xc2\xb6", b"1. ", b"(U) ", b"a", b"\xc2\xa0",
]  # fmt: skip


def _decode(raw: bytes, *, fast: bool) -> Cable | tuple[object, ...]:
    try:
        return decode_with(raw, LIMITS, fast=fast, native=False)
    except DecodeError as exc:
        return ("error", exc.reason, str(exc), exc.line, exc.excerpt)


def _mutants(count: int, seed: int) -> list[bytes]:
    """Corpus cables with a few pieces inserted, deleted or duplicated around the header."""
    # Mostly within the header and text preamble, where the fast paths work.
    return mutants(FILES, PIECES, count, seed, edits=(1, 4), within=2500)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_corpus_cable_decodes_the_same_both_ways(path: pathlib.Path) -> None:
    raw = path.read_bytes()
    assert decode_with(raw, LIMITS, fast=True, native=False) == decode_with(raw, LIMITS, fast=False)


def test_the_fast_header_reads_most_of_the_corpus() -> None:
    # Otherwise the equivalence test above proves little.
    read = sum(fast_header(decode_bytes(path.read_bytes(), LIMITS, []), LIMITS, []) is not None for path in FILES)
    assert read >= 0.8 * len(FILES)


@pytest.mark.parametrize("seed", range(4))
def test_mutated_cables_decode_the_same_both_ways(seed: int) -> None:
    for number, raw in enumerate(_mutants(1500, seed)):
        assert _decode(raw, fast=True) == _decode(raw, fast=False), f"seed {seed}, mutant {number}: {raw[:300]!r}"


HEADING = (
    b"VZCZCXRO1169\nOO RUEHIK\nDE RUEHTA #0179 0420828\nZNR UUUUU ZZH\nO 110828Z FEB 10\n"
    b"FM AMEMBASSY ASTANA\nTO RUEHC/SECSTATE WASHDC IMMEDIATE 7388\n"
)
TEXT = b"\nUNCLAS ASTANA 000179\n\nSUBJECT: X\n\n1. (U) Y\n"


@pytest.mark.parametrize(
    "lines",
    [
        b"INFO RUEKJCS/JOINT STAFF WASHDC//J-3/J-5// PRIORITY 1234\n",
        b"INFO RUEHRC/USDA FAS WASHDC//USD 1440\n",
        b"INFO RUEKJCS/JOINT STAFF WASHDC//J-3  J-5//\n",
        b"INFO RUEHXX/AMEMBASSY X// //\nRUEHYY/AMEMBASSY Y//  \n",
        b"INFO AMEMBASSY KUWAIT NIACT IMMEDIATE\nAMEMBASSY X NIACT\nAMEMBASSY Y XNIACT IMMEDIATE 0001\n",
        b"INFO AIG 7011\nRUEHC/7388\nNIACT IMMEDIATE 1234\nRUEHC/IMMEDIATE\n",
        b"INFO RUEHC/SECSTATE  WASHDC\n",
        b"INFO COLLECTIVE, XMT AMEMBASSY X\n",
    ],
)
def test_address_lines_decode_the_same_both_ways(lines: bytes) -> None:
    raw = HEADING + lines + TEXT
    assert decode_with(raw, LIMITS, fast=True, native=False) == decode_with(raw, LIMITS, fast=False)


def test_office_suffixes_take_the_fast_path() -> None:
    raw = HEADING + b"INFO RUEKJCS/JOINT STAFF WASHDC//J-3/J-5// PRIORITY 1234\n" + TEXT
    h = fast_header(decode_bytes(raw, LIMITS, []), LIMITS, [])
    assert h is not None
    assert (h.info[0].plad, h.info[0].office, h.info[0].precedence, h.info[0].mcn) == (
        "JOINT STAFF WASHDC", "J-3/J-5", "PRIORITY", "1234"
    )


# The addressee as a lazy PLAD repeat: the plain statement of what _fast_header's
# possessive "next word unless a tail ends the line" pattern must match.
_LAZY_ADDRESSEE = (
    r"(?P<addr>(?!PAGE |ZEN/)(?:(?P<ri>[RQ][A-Z]{3,7})/)?"
    r"(?P<plad>(?!(?:NIACT|IMMEDIATE|PRIORITY|ROUTINE|FLASH)\b)[A-Z][A-Z0-9.&'()-]*(?: [A-Z0-9.&'()-]+)*?)"
    r"(?://(?P<office>[A-Z0-9/ .&()'-]*?))?"
    r"(?: (?P<prec>NIACT IMMEDIATE|IMMEDIATE|PRIORITY|ROUTINE|FLASH))?"
    r"(?: (?P<mcn>[0-9]{4,6}(?:-[0-9]{4,6})?))?)"
)
_ADDRESS_WORDS = [
    "RUEHC", "RUEHC/", "SECSTATE", "WASHDC", "AMEMBASSY", "NIACT", "IMMEDIATE", "PRIORITY", "ROUTINE", "FLASH",
    "1234", "12345", "1234567", "1234-5678", "AIG", "7011", "//", "/", "J-3", "J-5//", "X", "QABC/", "R", "PAGE",
    "TO", "INFO", "XMT", "BT", "A.B", "&", "(X)", "O'HARE", "0588", "  ", "\t", "IMMEDIATELY", "NIACT-X",
    "FLASH.", "RUEHXX//", "//OFFICE//", "a", ",", "ZEN/", "123", "9999999",
]  # fmt: skip


@pytest.mark.parametrize("seed", range(2))
def test_addressee_patterns_match_as_the_lazy_plad(seed: int) -> None:
    import re

    from cablerouter.telegram import _fast_header

    lazy_block = re.compile(
        r"^(?:(TO|INFO|XMT) |(?!(?:TO|INFO|XMT|BT|NNNN|PAGE|UNCLAS|UUNCLAS|UNCLASSIFIED|CONFIDENTIAL"
        r"|SECRET|TOP|C|S|T|LIMITED|RESTRICTED)\b))"
        + re.sub(r"\?P<\w+>", "", _LAZY_ADDRESSEE)
        + r"[ \t]*$",
        re.MULTILINE,
    )
    lazy_fm = re.compile(r"FM " + _LAZY_ADDRESSEE + r"[ \t]*\n")
    fast_fm = re.compile(r"FM " + _fast_header._addressee_pattern(r"\n") + r"[ \t]*\n")
    rng = random.Random(seed)
    matched = 0
    for _ in range(20_000):
        line = ""
        for word in (rng.choice(_ADDRESS_WORDS) for _ in range(rng.randint(1, 7))):
            line += word if not line or line.endswith("/") or rng.random() < 0.15 else " " + word
        line += rng.choice(["", "", "", " ", "\t", "  "])
        text = f"{line}\nTO {line}\n{rng.choice(_ADDRESS_WORDS)} {line}\n"
        found = lazy_block.findall(text)
        assert _fast_header._BLOCK_LINE.findall(text) == found, repr(text)
        lazy, fast = lazy_fm.match(f"FM {line}\n"), fast_fm.match(f"FM {line}\n")
        assert (fast and (fast.span(), fast.groupdict())) == (lazy and (lazy.span(), lazy.groupdict())), repr(line)
        matched += len(found)
    assert matched > 10_000  # the lines are mostly addressees, so the comparison means something


def test_heading_groups_are_in_the_order_fast_header_unpacks_them() -> None:
    from cablerouter.telegram._fast_header import _HEADING

    assert tuple(_HEADING.groupindex) == (
        "fl1", "channel", "serial", "prosign", "ris", "more", "de_ri", "ssn", "section", "filing",
        "signal", "letters", "letter", "sec_ops", "action", "info", "dtg", "day", "hour", "minute",
        "month", "year", "dtg_ops", "addr", "ri", "plad", "office", "prec", "mcn",
    )  # fmt: skip


def test_a_zen_line_with_an_office_is_left_to_the_line_parser() -> None:
    # `ZEN//X//` once read as PLAD `ZEN`, office `X` here, but as a ZEN pseudo-route with
    # PLAD `/X` by the line parser.
    raw = FILES[0].read_bytes().replace(b"TO RUEHC/SECSTATE WASHDC IMMEDIATE 7388", b"TO ZEN//ECJ4-ID//")
    text = decode_bytes(raw, LIMITS, [])
    assert fast_header(text, LIMITS, []) is None
    assert _decode(raw, fast=True) == _decode(raw, fast=False)


def test_a_heading_that_starts_at_the_security_line_decodes_the_same_both_ways() -> None:
    # FL1-FL3 lost: the ZNR line is the first format line. The line parser once took it
    # for a wrapper (text_before_header, no security warning) while the fast path read it.
    raw = FILES[0].read_bytes().replace(b"VZCZCXRO1169\nOO RUEHIK\nDE RUEHTA #0179 0420828\n", b"")
    slow = _decode(raw, fast=False)
    assert isinstance(slow, Cable)
    assert slow.security is not None and slow.security.letters == "UUUUU"
    assert "text_before_header" not in [w.code for w in slow.warnings]
    assert _decode(raw, fast=True) == slow
