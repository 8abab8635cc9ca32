"""Garbled addressee lines: repaired where the reading is unambiguous, with a record; left
as written and flagged where it is not. Unreadable lines are kept verbatim."""

from __future__ import annotations

import pathlib

import pytest

from cablerouter.telegram import DecodeLimits, decode_telegram
from cablerouter.telegram.decode import decode_with
from cablerouter.telegram.model import REPAIR_CODES

CORPUS = pathlib.Path(__file__).resolve().parents[2] / "corpus" / "cables"
HEAD = "VZCZCXRO1\nOO RUEHC\nDE RUEHFB #0001 0421200\nZNR UUUUU ZZH\nO 111200Z FEB 10\nFM AMEMBASSY FOOBAR\n"
TAIL = "\nUNCLAS FOOBAR 000001\n\nSUBJECT: TEST\n\n1. TEXT.\n"


def _decode(block: str, *, native: bool = True):
    return decode_with((HEAD + block + "\n" + TAIL).encode(), DecodeLimits(), native=native)


def _read(a) -> tuple:
    return a.ri, a.plad, a.precedence, a.mcn, a.repairs


@pytest.mark.parametrize(
    ("name", "line", "expected"),
    [
        ("09QUITO602.txt", "RUEHLP/AMEMBASSY LA PAZ JUL LIMA 3312",
         [("RUEHLP", "AMEMBASSY LA PAZ", None, None), (None, "AMEMBASSY LIMA", None, "3312")]),
        ("06LIMA1534.txt", "RUEHLP/AMEMBASSY LA PAZ APR QUITO 0260",
         [("RUEHLP", "AMEMBASSY LA PAZ", None, None), (None, "AMEMBASSY QUITO", None, "0260")]),
        ("08QUITO221.txt", "RUEHLP/AMEMBASSY LA PAZ MAR BRASILIA 3854",
         [("RUEHLP", "AMEMBASSY LA PAZ", None, None), (None, "AMEMBASSY BRASILIA", None, "3854")]),
        ("09BOGOTA721.txt", "RUEHLP/AMEMBASSY LA PAZ MAR LIMA 7070",
         [("RUEHLP", "AMEMBASSY LA PAZ", None, None), (None, "AMEMBASSY LIMA", None, "7070")]),
        ("08MONTERREY468.txt", "RUEHC/SECSTATE SECSTATE WASHDC", [("RUEHC", "SECSTATE WASHDC", None, None)]),
    ],
)
def test_real_garbled_lines_are_repaired(name: str, line: str, expected: list[tuple]) -> None:
    cable = decode_telegram((CORPUS / name).read_bytes())
    got = [a for a in [*cable.to, *cable.info] if a.raw == line]
    assert [(a.ri, a.plad, a.precedence, a.mcn) for a in got] == expected
    code = "doubled_word" if "SECSTATE SECSTATE" in line else "month_in_plad"
    assert all(a.repairs == [code] for a in got)
    (warning,) = [w for w in cable.warnings if w.code == code]
    assert warning.line == got[0].line and line in warning.detail


@pytest.mark.parametrize(
    ("line", "expected", "code"),
    [
        ("UEHSM/AMEMBASSY STOCKHOLM 1234", ("RUEHSM", "AMEMBASSY STOCKHOLM", None, "1234"), "broken_ri"),
        ("HMFISS/CDR USEUCOM VAIHINGEN GE", ("RHMFISS", "CDR USEUCOM VAIHINGEN GE", None, None), "broken_ri"),
        ("RUEHC/SECSTATE WASHDC0000", ("RUEHC", "SECSTATE WASHDC", None, "0000"), "mcn_in_plad"),
        ("RUEHPE/AMEMBASSY LIMA 312", ("RUEHPE", "AMEMBASSY LIMA", None, "312"), "mcn_in_plad"),
        ("RUEHC/SECSTATE WASHDC 12", ("RUEHC", "SECSTATE WASHDC", None, "12"), "mcn_in_plad"),
        ("RUEKJCS/JOINT STAFF WASHDC PRIORITY 12", ("RUEKJCS", "JOINT STAFF WASHDC", "PRIORITY", "12"), "mcn_in_plad"),
        ("AMEMBASSY AMEMBASSY LIMA", (None, "AMEMBASSY LIMA", None, None), "doubled_word"),
        ("RUEHLP/AMEMBASSY LA PAZ FEB", ("RUEHLP", "AMEMBASSY LA PAZ", None, None), "month_in_plad"),
    ],
)
def test_each_repair(line: str, expected: tuple, code: str) -> None:
    for native in (True, False):
        cable = _decode(f"TO RUEHC/SECSTATE WASHDC\nINFO {line}", native=native)
        (a,) = cable.info
        assert _read(a) == (*expected, [code]) and a.raw == line
        assert [w.code for w in cable.warnings if w.code in REPAIR_CODES] == [code]


@pytest.mark.parametrize(
    "line",
    [
        "RUEHLP/AMEMBASSY LA PAZ JUL LIMA 3312",  # the cable is dated February: not its month
        "CTF 150",  # a task force's number
        "AMEMBASSY PAGO PAGO",  # a doubled word inside a name
        "USDAO/ANKARA",  # no RI lost its R here
        "RUEKJCS/JOINT STAFF WASHDC 12",  # a short number after a PLAD that is not a State post's
    ],
)
def test_lines_without_an_unambiguous_repair_are_left_as_written(line: str) -> None:
    cable = _decode(f"TO RUEHC/SECSTATE WASHDC\nINFO {line}")
    (a,) = cable.info
    assert a.repairs == []
    assert not [w for w in cable.warnings if w.code in REPAIR_CODES]


def test_a_month_that_is_not_the_cables_is_flagged_as_ambiguous() -> None:
    cable = _decode("TO RUEHC/SECSTATE WASHDC\nINFO RUEHLP/AMEMBASSY LA PAZ JUL LIMA 3312")
    (warning,) = [w for w in cable.warnings if w.code == "ambiguous_addressee_line"]
    assert warning.line == 8 and "JUL" in warning.detail and "FEB" in warning.detail


def test_unreadable_lines_are_kept_verbatim_with_their_block() -> None:
    long_name = "AMEMBASSY " + "X" * 300
    cable = _decode(f"TO RUEHC/SECSTATE WASHDC\n{long_name}\nINFO 1234\nRUEHFR/AMEMBASSY PARIS")
    assert [a.plad for a in [*cable.to, *cable.info]] == ["SECSTATE WASHDC", "AMEMBASSY PARIS"]
    assert [(u.line, u.block, u.text) for u in cable.unreadable] == [(8, "to", long_name), (9, "info", "1234")]
    assert [w.line for w in cable.warnings if w.code == "unparsed_addressee_line"] == [8, 9]


def test_clean_cables_are_returned_unchanged() -> None:
    from cablerouter.telegram.repairs import repair_addressees

    cable = decode_telegram((CORPUS.parent / "seed" / "10ASTANA179.txt").read_bytes())
    assert repair_addressees(cable) is cable
