"""The classification line opening the text: marking, ``SECTION n OF m``, origin, serial."""

from __future__ import annotations

import re

from cablerouter.telegram.model import Classification, DecodeWarning

__all__ = (
    "CLASSIFICATION_FIRST_WORDS",
    "CLASSIFICATION_INSIDE",
    "build_classification",
    "classification_of",
    "match_classification",
    "misspelt_warning",
)

# First words of a classification line, upper case (letter-spaced forms start with C/S/T).
CLASSIFICATION_FIRST_WORDS = frozenset(
    ("UNCLAS", "UUNCLAS", "UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP", "C", "S", "T", "LIMITED", "RESTRICTED")
)
_WORD = (
    r"(?P<word>U?UNCLAS(?:SIFIED)?|CONFIDENTIAL|C O N F I D E N T I A L|(?:TOP )?SECRET"
    r"|T O P S E C R E T|S E C R E T|LIMITED OFFICIAL USE|RESTRICTED)"
    r"(?P<efto> EFTO| E F T O)?"
    r"(?: ?(?:FINAL )?SECTION (?P<sec>\d{1,3}) OF (?P<secs>\d{1,3}))?"
)
_ORIGIN_SERIAL = r" ?(?P<origin>[A-Z][A-Z.'-]*(?: [A-Z][A-Z.'-]*){0,3}) (?P<serial>\d{3,7})(?![0-9])"
# At the start of a line: the marking, optionally followed by the origin and serial.
_CLASSIFICATION = re.compile(_WORD + f"(?:{_ORIGIN_SERIAL})?")
# Anywhere in a line (reflowed copies): the marking must be followed by origin and serial.
CLASSIFICATION_INSIDE = re.compile(r"(?<![A-Z])" + _WORD + _ORIGIN_SERIAL)


def match_classification(u: str) -> re.Match[str] | None:
    """Match a classification line.

    Parameters
    ----------
    u
        The line, upper case, single spaces, stripped.

    Returns
    -------
    re.Match or None
        The match when the line opens with a marking that is either the whole line, or
        followed by ``SECTION n OF m`` or by origin and serial; else ``None``.
    """
    m = _CLASSIFICATION.match(u)
    if m is None:
        return None
    if m.end() == len(u) or m.group("serial") is not None or m.group("sec") is not None:
        return m
    return None


def build_classification(m: re.Match[str], raw: str, line: int) -> Classification:
    """The :class:`Classification` of a :func:`match_classification` match."""
    word, efto, sec, secs, origin, serial = m.group("word", "efto", "sec", "secs", "origin", "serial")
    return classification_of(word, bool(efto), sec, secs, origin, serial, raw, line)


def classification_of(
    word: str,
    efto: bool,
    sec: str | None,
    secs: str | None,
    origin: str | None,
    serial: str | None,
    raw: str,
    line: int,
) -> Classification:
    """The :class:`Classification` of a marking as written (``UUNCLAS``, ``S E C R E T``),
    its EFTO flag, ``SECTION n OF m``, origin and serial."""
    if " " in word and word not in ("TOP SECRET", "LIMITED OFFICIAL USE"):
        word = word.replace(" ", "")
        if word == "TOPSECRET":
            word = "TOP SECRET"
    if word == "UUNCLAS":
        word = "UNCLAS"
    if efto:
        word += " EFTO"
    return Classification(
        marking=word,
        section=int(sec) if sec else None,
        sections=int(secs) if secs else None,
        raw=raw,
        origin=origin,
        serial=serial,
        line=line,
    )


def misspelt_warning(line: int) -> DecodeWarning:
    """The ``misspelt_classification`` warning for ``UUNCLAS``."""
    return DecodeWarning(code="misspelt_classification", line=line, detail="`UUNCLAS` read as `UNCLAS`")
