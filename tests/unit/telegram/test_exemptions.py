"""Exemptions in every written form: XMT, XMT/, inline `, XMT`, `INFO XMT`, several per line,
with and without routing indicators, and the lines that end an exemption run."""

from __future__ import annotations

import pathlib

import pytest

from cablerouter.telegram import DecodeLimits, decode_telegram
from cablerouter.telegram.decode import decode_with

CORPUS = pathlib.Path(__file__).resolve().parents[2] / "corpus" / "cables"
HEAD = "VZCZCXRO1\nOO RUEHC\nDE RUEHFB #0001 0421200\nZNR UUUUU ZZH\nO 111200Z FEB 10\nFM AMEMBASSY FOOBAR\n"
TAIL = "\nUNCLAS FOOBAR 000001\n\nSUBJECT: TEST\n\n1. TEXT.\n"


def _decode(block: str, *, native: bool = True):
    return decode_with((HEAD + block + "\n" + TAIL).encode(), DecodeLimits(), native=native)


def _plads(lines) -> list[str | None]:
    return [a.plad for a in lines]


@pytest.mark.parametrize(
    ("block", "to", "info", "xmt"),
    [
        pytest.param(  # 5 FAH-2 H-321.9, FL9: the exemption continues on the next line
            "TO RUEHC/SECSTATE WASHDC IMMEDIATE 3355\nRUEHX/EUROPEAN POLITICAL COLLECTIVE\n"
            "XMT/AMEMBASSY SOFIA\nAMEMBASSY BUCHAREST",
            ["SECSTATE WASHDC", "EUROPEAN POLITICAL COLLECTIVE"], [], ["AMEMBASSY SOFIA", "AMEMBASSY BUCHAREST"],
            id="slash-form-continuing",
        ),
        pytest.param(
            "TO RUEHC/SECSTATE WASHDC IMMEDIATE 3355\nRUEHX/EUROPEAN POLITICAL COLLECTIVE\n"
            "XMT AMEMBASSY SOFIA\nAMEMBASSY BUCHAREST\nINFO RUEHFR/AMEMBASSY PARIS 0001",
            ["SECSTATE WASHDC", "EUROPEAN POLITICAL COLLECTIVE"], ["AMEMBASSY PARIS"],
            ["AMEMBASSY SOFIA", "AMEMBASSY BUCHAREST"],
            id="keyword-form-continuing-until-info",
        ),
        pytest.param(
            "TO RUEHC/SECSTATE WASHDC\nINFO XMT FOOBAR", ["SECSTATE WASHDC"], [], ["FOOBAR"], id="info-xmt",
        ),
        pytest.param(
            "TO XMT/AMEMBASSY X\nINFO RUEHC/SECSTATE WASHDC", [], ["SECSTATE WASHDC"], ["AMEMBASSY X"],
            id="to-xmt-slash",
        ),
        pytest.param(
            "TO RUCNCIS/CIS COLLECTIVE, XMT AMEMBASSY MINSK\nAMEMBASSY KYIV\nRUEHFR/AMEMBASSY PARIS 0001",
            ["CIS COLLECTIVE", "AMEMBASSY PARIS"], [], ["AMEMBASSY MINSK", "AMEMBASSY KYIV"],
            id="inline-continuing-until-an-mcn",
        ),
        pytest.param(
            "INFO RUEHX/EUROPEAN POLITICAL COLLECTIVE XMT/AMEMBASSY SOFIA",
            [], ["EUROPEAN POLITICAL COLLECTIVE"], ["AMEMBASSY SOFIA"], id="inline-slash-without-comma",
        ),
        pytest.param(
            "TO RUEHX/EUROPEAN POLITICAL COLLECTIVE\nXMT AMEMBASSY SOFIA, AMEMBASSY BUCHAREST\n"
            "RUEHFR/AMEMBASSY PARIS",
            ["EUROPEAN POLITICAL COLLECTIVE", "AMEMBASSY PARIS"], [], ["AMEMBASSY SOFIA", "AMEMBASSY BUCHAREST"],
            id="several-on-one-line-then-an-ri",
        ),
        pytest.param(
            "TO RUEHX/EUROPEAN POLITICAL COLLECTIVE\nXMT RUEHSF/AMEMBASSY SOFIA\nRUEHBM/AMEMBASSY BUCHAREST\n"
            "AMEMBASSY ROME PRIORITY",
            ["EUROPEAN POLITICAL COLLECTIVE", "AMEMBASSY ROME"], [], ["AMEMBASSY SOFIA", "AMEMBASSY BUCHAREST"],
            id="with-ris-continuing-until-a-precedence",
        ),
        pytest.param(
            "TO RUEHC/SECSTATE WASHDC\nINFO RUEHEE/ARAB LEAGUE COLLECTIVE\nRUEHTRO/AMEMBASSY TRIPOLI 5180\n"
            "XMT AMEMBASSY KHARTOUM\nAMEMBASSY CAIRO",
            ["SECSTATE WASHDC"], ["ARAB LEAGUE COLLECTIVE", "AMEMBASSY TRIPOLI"], ["AMEMBASSY KHARTOUM", "AMEMBASSY CAIRO"],
            id="acp-fl9-at-the-end",
        ),
        pytest.param(
            "TO RUEHX/EUROPEAN POLITICAL COLLECTIVE\n\nXMT/AMEMBASSY SOFIA\nAMEMBASSY BUCHAREST",
            ["EUROPEAN POLITICAL COLLECTIVE"], [], ["AMEMBASSY SOFIA", "AMEMBASSY BUCHAREST"],
            id="after-a-blank-line",
        ),
    ],
)
def test_every_form_of_exemption(block: str, to: list[str], info: list[str], xmt: list[str]) -> None:
    for native in (True, False):
        cable = _decode(block, native=native)
        assert (_plads(cable.to), _plads(cable.info), _plads(cable.xmt)) == (to, info, xmt), native


def test_a_line_that_ends_an_exemption_run_is_flagged() -> None:
    cable = _decode("TO RUCNCIS/CIS COLLECTIVE, XMT AMEMBASSY MINSK\nRUEHFR/AMEMBASSY PARIS 0001")
    (warning,) = [w for w in cable.warnings if w.code == "addressee_after_exemption"]
    assert warning.line == 8 and "an MCN" in warning.detail


def test_an_exemption_is_never_an_addressee_named_xmt() -> None:
    cable = _decode("TO RUEHC/SECSTATE WASHDC\nINFO XMT FOOBAR\nXMT/AMEMBASSY SOFIA")
    names = [a.plad or "" for a in [*cable.to, *cable.info, *cable.xmt]]
    assert not any("XMT" in name for name in names)


def test_corpus_09tripoli254_xmt() -> None:
    cable = decode_telegram((CORPUS / "09TRIPOLI254.txt").read_bytes())
    assert _plads(cable.xmt) == ["AMEMBASSY KHARTOUM"]
    assert _plads(cable.info) == ["ARAB LEAGUE COLLECTIVE", "AMEMBASSY TRIPOLI"]
