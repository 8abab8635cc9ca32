"""Warnings and the FL4 record that the heading's readers share.

The line parser (:mod:`~cablerouter.telegram.header`), the decoder's entry point and the
native scanner's assembly (:mod:`~cablerouter.telegram._scan`) word these the same way
through the functions here.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from cablerouter.telegram._formats import SECURITY_LETTER
from cablerouter.telegram.model import DecodeWarning, SecurityWarning

__all__ = (
    "bad_filing_time_warning",
    "filing_time_mismatch_warning",
    "no_action_warning",
    "page_warning",
    "security_warning",
)


# The FL4 security signals (an FL4 line starts with one of them).
_SIGNALS: dict[str, Literal["ZNR", "ZNY"]] = {"ZNR": "ZNR", "ZNY": "ZNY"}


def security_warning(
    signal: str, letters: str, opsigs: list[str], line: int, warnings: list[DecodeWarning]
) -> SecurityWarning:
    """The FL4 :class:`SecurityWarning`; letters other than five identical known ones add an
    ``unusual_security_letters`` warning."""
    base = letters[:5]
    classification = SECURITY_LETTER.get(base[0])
    if base.count(base[0]) != 5 or classification is None:
        warnings.append(
            DecodeWarning(code="unusual_security_letters", line=line, detail=f"FL4 letters `{letters}`")
        )
    return SecurityWarning(
        signal=_SIGNALS[signal],
        letters=letters,
        classification=classification,
        opsigs=opsigs,
    )


def bad_filing_time_warning(raw: str) -> DecodeWarning:
    """The ``bad_filing_time`` warning for an FL3 filing time that is not a valid time."""
    return DecodeWarning(code="bad_filing_time", detail=f"FL3 filing time `{raw}` is not a valid time")


def filing_time_mismatch_warning(when: dt.datetime, dtg: dt.datetime) -> DecodeWarning:
    """The ``filing_time_mismatch`` warning for a filing time over two days from the DTG."""
    return DecodeWarning(
        code="filing_time_mismatch",
        detail=f"FL3 filing time {when:%Y-%m-%d %H:%M} is far from the DTG {dtg:%Y-%m-%d %H:%M}",
    )


def page_warning(warnings: list[DecodeWarning], line: int) -> None:
    """Record a page-break line removed from the header."""
    warnings.append(DecodeWarning(code="page_artefact", line=line, detail="page-break line removed from the header"))


def no_action_warning(line: int) -> DecodeWarning:
    """The ``no_action_addressees`` warning: INFO addressees (from ``line``) but no TO."""
    return DecodeWarning(code="no_action_addressees", line=line, detail="INFO addressees but no TO line")
