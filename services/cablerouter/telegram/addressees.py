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

# Applied to an upper-case line with single spaces. Every part is optional, so it matches
# any line; the caller rejects results without a PLAD or RI.
_ADDRESSEE = re.compile(
    r"(?:(?P<ri>[RQ][A-Z]{3,7})/(?!/)|(?P<zen>ZEN)/)?"
    r"(?P<plad>[^/]*?(?:/(?!/)[^/]*?)*?)"
    r"(?://(?P<office>.*?)(?://?)?)?"
    r"(?:(?:^| )(?P<prec>NIACT IMMEDIATE|IMMEDIATE|PRIORITY|ROUTINE|FLASH))?"
    r"(?:(?:^| )(?P<mcn>\d{4,6}(?:-\d{4,6})?))?"
    r" ?"
)
# State's inline exemption after a collective: `..., XMT AMEMBASSY X`.
_INLINE_XMT = re.compile(r",? XMT ")

_PRECEDENCE: dict[str, Precedence] = {
    "FLASH": "FLASH",
    "NIACT IMMEDIATE": "NIACT IMMEDIATE",
    "IMMEDIATE": "IMMEDIATE",
    "PRIORITY": "PRIORITY",
    "ROUTINE": "ROUTINE",
}


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
    if " XMT " not in text:
        return [text]
    return _INLINE_XMT.split(text)


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
    m = _ADDRESSEE.fullmatch(text)
    if m is None:  # pragma: no cover - every part is optional
        return None
    ri, zen, plad, office, prec, mcn = m.group("ri", "zen", "plad", "office", "prec", "mcn")
    plad = plad.strip(" ,;")
    if not plad:
        if ri is None:
            return None
        plad_value = None
    elif plad == "AIG" and mcn is not None:  # `AIG 7011`: the number names the AIG
        plad_value = f"AIG {mcn}"
        mcn = None
    else:
        plad_value = plad
    if office is not None:
        office = office.strip("/ ") or None
    return Addressee(
        ri=ri,
        plad=plad_value,
        zen=zen is not None,
        precedence=_PRECEDENCE[prec] if prec is not None else None,
        mcn=mcn,
        office=office,
        line=line,
        raw=raw,
    )
