"""FM / TO / INFO / XMT addressee lines: ``RI/PLAD``, ``ZEN/PLAD`` or a bare PLAD.

An addressee line reads, left to right: an optional delivering routing indicator and a
slash (or ``ZEN/``), the plain-language address designator (PLAD), an optional
``//office//`` suffix, an optional per-addressee precedence and an optional message
continuity number (MCN), single (``7388``) or a range (``4778-4781``)::

    RUEHC/SECSTATE WASHDC IMMEDIATE 7388
    RUEKJCS/JOINT STAFF WASHDC//J-3/J-5//
    AMEMBASSY KUWAIT NIACT IMMEDIATE
"""

from __future__ import annotations

import re

from cablerouter.telegram.model import Addressee, Precedence

__all__ = ("MAX_ADDRESSEE_CHARS", "parse_addressee", "split_exemptions")

# Longer lines are not addressees (ACP 127 caps a line at 69 characters); refusing them
# also keeps the matching below linear.
MAX_ADDRESSEE_CHARS = 240

# State's inline exemption after a collective: `..., XMT AMEMBASSY X` (or `XMT/`).
_INLINE_XMT = re.compile(r" ?,? XMT[ /]")
# A message continuity number: `7388` or a range `4778-4781`.
_MCN = re.compile(r"\d{4,6}(?:-\d{4,6})?")

# Trailing precedence words, longest first (`NIACT IMMEDIATE` before `IMMEDIATE`).
_PRECEDENCE_WORDS: tuple[tuple[str, Precedence], ...] = (
    ("NIACT IMMEDIATE", "NIACT IMMEDIATE"),
    ("IMMEDIATE", "IMMEDIATE"),
    ("PRIORITY", "PRIORITY"),
    ("ROUTINE", "ROUTINE"),
    ("FLASH", "FLASH"),
)
_PRECEDENCE_ENDINGS = ("IMMEDIATE", "PRIORITY", "ROUTINE", "FLASH")
_RI_FIRST = frozenset("RQ")


def split_exemptions(text: str) -> list[str]:
    """Split ``COLLECTIVE, XMT AMEMBASSY X`` into the addressee and its exemptions.

    Parameters
    ----------
    text
        Upper-case addressee text with single spaces.

    Returns
    -------
    list[str]
        ``[text]`` when there is no inline ``XMT``, else the addressee followed by each
        exempted designator.
    """
    if " XMT" not in text:
        return [text]
    return [part for part in _INLINE_XMT.split(text) if part] or [text]


def parse_addressee(text: str, raw: str, line: int) -> Addressee | None:
    """Parse one addressee.

    Parameters
    ----------
    text
        The addressee text, upper case, with single spaces and without the ``TO``/``INFO``/
        ``XMT``/``FM`` keyword.
    raw
        The same text as written, for :attr:`Addressee.raw`.
    line
        1-based line number in the input.

    Returns
    -------
    Addressee or None
        ``None`` when the text holds neither a PLAD nor a routing indicator (the caller
        records an ``unparsed_addressee_line`` warning).
    """
    if not text or len(text) > MAX_ADDRESSEE_CHARS:
        return None
    ri = None
    zen = False
    rest = text
    slash = text.find("/")
    if slash > 0:
        if slash == 3 and text.startswith("ZEN/"):
            zen = True
            rest = text[4:]
        elif (
            3 < slash < 9
            and text[0] in _RI_FIRST
            and text[slash + 1 : slash + 2] != "/"
            and text[:slash].isalpha()
            and text[:slash].isascii()
        ):
            ri = text[:slash]
            rest = text[slash + 1 :]
    mcn = None
    space = rest.rfind(" ")
    last = rest[space + 1 :]
    if last[:1].isdigit() and _MCN.fullmatch(last) is not None:
        mcn = last
        rest = rest[:space] if space >= 0 else ""
    precedence: Precedence | None = None
    if rest.endswith(_PRECEDENCE_ENDINGS):
        for word, value in _PRECEDENCE_WORDS:
            if rest.endswith(word) and (len(rest) == len(word) or rest[-len(word) - 1] == " "):
                precedence = value
                rest = rest[: -len(word)].rstrip()
                break
    office = None
    double = rest.find("//")
    if double >= 0:
        office = rest[double + 2 :].strip("/ ") or None
        rest = rest[:double]
    plad = rest.strip(" ,;")
    if not plad:
        if ri is None:
            return None
        plad_value = None
    elif plad == "AIG" and mcn is not None:  # `AIG 7011`: the number names the AIG
        plad_value = f"AIG {mcn}"
        mcn = None
    else:
        plad_value = plad
    return Addressee(
        ri=ri,
        plad=plad_value,
        zen=zen,
        precedence=precedence,
        mcn=mcn,
        office=office,
        line=line,
        raw=raw,
    )
