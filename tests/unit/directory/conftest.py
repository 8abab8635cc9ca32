"""Fixtures for the routing-directory tests: the default directory and hand-built cables."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from cablerouter.directory import Directory
from cablerouter.directory_files import load_default_directory
from cablerouter.telegram.model import Addressee, Cable, Classification, Origination


@pytest.fixture(scope="session")
def default_directory() -> Directory:
    return load_default_directory()


def line(text: str, *, line_no: int = 0, zen: bool = False) -> Addressee:
    """Build an Addressee the way the decoder reports ``RI/PLAD [PRECEDENCE] [MCN]``."""
    if re.fullmatch(r"[A-Z]{4,8}", text):  # an RI-only line
        return Addressee(ri=text, line=line_no, raw=text, zen=zen)
    match = re.fullmatch(r"(?:([A-Z]{4,8})/)?(.*)", text)
    assert match is not None
    ri, rest = match.groups()
    office = None
    if "//" in rest:
        rest, office = rest.split("//", 1)
        office = office.rstrip("/")
    words = rest.split()
    mcn = words.pop() if words and words[-1].isdigit() and len(words[-1]) >= 4 else None
    precedence = None
    for candidate in ("NIACT IMMEDIATE", "IMMEDIATE", "PRIORITY", "ROUTINE", "FLASH"):
        if " ".join(words).endswith(" " + candidate):
            precedence = candidate
            words = words[: -len(candidate.split())]
            break
    return Addressee(
        ri=ri or None,
        plad=" ".join(words) or None,
        zen=zen,
        precedence=precedence,  # type: ignore[arg-type]
        mcn=mcn,
        office=office,
        line=line_no,
        raw=text,
    )


def seed_cable_by_hand() -> Cable:
    """The header of tests/corpus/seed/10ASTANA179.txt, typed in by hand."""
    return Cable(
        id="10ASTANA179",
        origin=Origination(ri="RUEHTA", ssn="0179", filing_time_raw="0420828"),
        precedence="IMMEDIATE",
        dtg=dt.datetime(2010, 2, 11, 8, 28, tzinfo=dt.UTC),
        originator=Addressee(plad="AMEMBASSY ASTANA", line=6, raw="AMEMBASSY ASTANA"),
        to=[line("RUEHC/SECSTATE WASHDC IMMEDIATE 7388", line_no=7)],
        info=[
            line(text, line_no=8 + i)
            for i, text in enumerate(
                [
                    "RUCNCIS/CIS COLLECTIVE 2441",
                    "RUCNCLS/ALL SOUTH AND CENTRAL ASIA COLLECTIVE",
                    "RUEHZL/EUROPEAN POLITICAL COLLECTIVE",
                    "RUEHBJ/AMEMBASSY BEIJING 1801",
                    "RUEHKO/AMEMBASSY TOKYO 2507",
                    "RUEHUL/AMEMBASSY SEOUL 1417",
                    "RUCNDT/USMISSION USUN NEW YORK 2696",
                    "RUEHNO/USMISSION USNATO 2986",
                    "RHMFISS/DEPT OF ENERGY WASHINGTON DC",
                    "RUEAIIA/CIA WASHDC",
                    "RHEFAAA/DIA WASHDC",
                    "RHEHNSC/NSC WASHDC 1998",
                    "RUEKJCS/SECDEF WASHDC 1846",
                    "RUEKJCS/JOINT STAFF WASHDC",
                    "RHMFIUU/CDR USCENTCOM MACDILL AFB FL",
                ]
            )
        ],
        classification=Classification(marking="UNCLAS"),
    )
