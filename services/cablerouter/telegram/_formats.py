"""Compiled patterns and tables for the ACP 127 format lines (FL1-FL5)."""

from __future__ import annotations

import re

from cablerouter.telegram.model import Precedence

__all__ = (
    "ADDRESS_KEYWORDS",
    "DISTRIBUTION",
    "DISTRIBUTION_CODE",
    "DISTRIBUTION_MORE",
    "DISTRIBUTION_TOTAL",
    "DTG_LIKE",
    "OPSIG",
    "ORIGINATION",
    "PAGE",
    "PROSIGN_LETTERS",
    "PROSIGN_PRECEDENCE",
    "RI_RUN",
    "ROUTING",
    "SECURITY",
    "SECURITY_LETTER",
    "TRACE",
    "TRANSMISSION",
)

PROSIGN_PRECEDENCE: dict[str, Precedence] = {
    "Z": "FLASH",
    "O": "IMMEDIATE",
    "P": "PRIORITY",
    "R": "ROUTINE",
}
PROSIGN_LETTERS = frozenset("ZOPRWMY")

TRANSMISSION = re.compile(r"V?ZCZC([A-Z]+?)(\d+)\b.*|VV +([A-Z]{3})(\d{3})\b.*")
ROUTING = re.compile(r"([ZOPRWMY]{1,2})((?: [A-Z]{4,8})+)")
RI_RUN = re.compile(r"[A-Z]{4,8}(?: [A-Z]{4,8})*")
ORIGINATION = re.compile(
    r"DE ([A-Z]{3,8})"
    r"(?: #?(\d{1,6}[A-Z]?)(?:/(\d{1,3}))?)?"
    r"(?: (\d{7}|\d{2}/\d{4}Z))?"
    r"(?: (.*))?"
)
SECURITY = re.compile(r"(ZNR|ZNY) ([A-Z]{5}(?:/[A-Z]{5})?)(?: (.*))?")
OPSIG = re.compile(r"\([^)]*\)?|\S+")
# An attempted FL5: precedence prosign(s) then a digit group.
DTG_LIKE = re.compile(r"[ZOPRWMY](?: [ZOPRWMY])? \d")
DISTRIBUTION = re.compile(r"(ACTION|INFO) +([A-Z0-9]+-\d\d\b.*)")
DISTRIBUTION_CODE = re.compile(r"[A-Z0-9]+-\d\d\b")
DISTRIBUTION_TOTAL = re.compile(r"/\d{3}[A-Z]\b")
DISTRIBUTION_MORE = re.compile(r"(?:[A-Z0-9]+-\d\d|/\d{3}[A-Z])(?: +(?:[A-Z0-9]+-\d\d|/\d{3}[A-Z]))*")
TRACE = re.compile(r"-{4,}[0-9A-F]{4,8} +\d{6}Z(?: +/\d+)?")

SECURITY_LETTER = {
    "U": "UNCLASSIFIED",
    "E": "EFTO",
    "R": "RESTRICTED",
    "C": "CONFIDENTIAL",
    "S": "SECRET",
    "T": "TOP SECRET",
}
ADDRESS_KEYWORDS = frozenset(("TO", "INFO", "XMT"))
PAGE = re.compile(r"PAGE +\d{1,3}(?: +[A-Z0-9#/]+)*")
