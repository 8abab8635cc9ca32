"""Fast path for the common, clean heading: one compiled pattern instead of a line loop.

Most telegrams open with the textbook heading, each format line once, in order, upper
case, single spaces, nothing unusual::

    VZCZCXRO1169
    OO RUEHIK
    DE RUEHTA #0179 0420828
    ZNR UUUUU ZZH
    O 110828Z FEB 10
    FM AMEMBASSY ASTANA
    TO RUEHC/SECSTATE WASHDC IMMEDIATE 7388
    INFO RUCNCIS/CIS COLLECTIVE 2441
    RUEHBJ/AMEMBASSY BEIJING 1801

:func:`fast_header` reads such a heading with one match for FL1-FM and one match per
addressee line. It accepts only headings the line-by-line parser
(:func:`cablerouter.telegram.header.parse_header`) reads without a single warning, and
returns ``None`` for anything else (wrappers, lower case, tabs or doubled spaces, page
artefacts, ``ZEN/`` or ``//office//`` addressees, inline ``XMT``, a heading not closed by
a blank line, ...); the caller then runs the line-by-line parser, which keeps all the
quirk handling. Both produce the same :class:`~cablerouter.telegram.header.Header`.
"""

from __future__ import annotations

import re

from cablerouter.telegram._dates import dtg_datetime
from cablerouter.telegram._formats import OPSIG, PROSIGN_PRECEDENCE, SECURITY_LETTER
from cablerouter.telegram.addressees import MAX_ADDRESSEE_CHARS
from cablerouter.telegram.header import Header, _continues_addresses, _resolve_filing_time
from cablerouter.telegram.model import (
    Addressee,
    DecodeLimits,
    Origination,
    RoutingLine,
    SecurityWarning,
    TransmissionId,
    Warning,
)

__all__ = ("fast_header",)

# Repeats are possessive (`*+`) wherever what follows them cannot start with what they
# repeat (a blank, a word after a space), so giving back never helps; the engine then
# keeps no backtracking state for them.
_EOL = r"[ \t]*+\n"
_BLANKS = r"(?:[ \t]*+\n)*+"
_PRECEDENCE = r"(?:NIACT IMMEDIATE|IMMEDIATE|PRIORITY|ROUTINE|FLASH)"
_MCN = r"[0-9]{4,6}(?:-[0-9]{4,6})?"


def _addressee_pattern(line_end: str) -> str:
    """One addressee as parse_addressee reads it, up to the blanks before ``line_end``.

    Restricted to the unambiguous form: optional `RI/`, a PLAD of single-spaced words
    (first word a letter, not a precedence word; no `/`, `,` or `;`, so the first `//`
    opens the office and there is nothing to strip), an optional `//office//`, then an
    optional precedence and an optional MCN. The PLAD is the shortest run of words after
    which the rest of the line is such a tail (parse_addressee strips the MCN, then the
    longest precedence, then splits the office off at the first `//`); the office is lazy
    for the same reason.

    The PLAD is written as "take the next word unless a precedence/MCN tail ends the line
    from there" with possessive repeats, rather than as a lazy repeat: the same words are
    taken (the only other way a tail can start is `//` or the line end, where no word
    follows), but the engine keeps no backtracking state per word, which makes the
    address-block scan about a third cheaper.
    """
    tail = r"(?:" + _PRECEDENCE + r"(?: " + _MCN + r")?|" + _MCN + r")[ \t]*+" + line_end
    return (
        r"(?P<addr>(?!PAGE |ZEN/)(?:(?P<ri>[RQ][A-Z]{3,7})/)?"
        r"(?P<plad>(?!(?:NIACT|IMMEDIATE|PRIORITY|ROUTINE|FLASH)\b)[A-Z][A-Z0-9.&'()-]*+"
        r"(?: (?!" + tail + r")[A-Z0-9.&'()-]++)*+)"
        r"(?://(?P<office>[A-Z0-9/ .&()'-]*?))?"
        r"(?: (?P<prec>" + _PRECEDENCE[3:-1] + r"))?"
        r"(?: (?P<mcn>" + _MCN + r"))?)"
    )


# FL1 to FM, each line at most once, in order, blank lines between them allowed (the line
# parser skips them before the address block).
_HEADING = re.compile(
    _BLANKS
    + r"(?:(?P<fl1>VZCZC(?P<channel>[A-Z]{1,12})(?P<serial>[0-9]{1,12}))" + _EOL + _BLANKS + r")?"
    + r"(?:(?P<prosign>ZZ|OO|PP|RR)(?P<ris>(?: [A-Z]{4,8})++)" + _EOL
    + r"(?P<more>(?:R[A-Z]{3,7}(?: [A-Z]{4,8})*+" + _EOL + r")*+)" + _BLANKS + r")?"
    + r"(?:DE (?P<de_ri>[A-Z]{3,8}) #(?P<ssn>[0-9]{1,6}[A-Z]?)(?:/(?P<section>[0-9]{1,3}))?"
    + r"(?: (?P<filing>[0-9]{7}|[0-9]{2}/[0-9]{4}Z))?" + _EOL + _BLANKS + r")?"
    + r"(?:(?P<signal>ZN[RY]) (?P<letters>(?P<letter>[UERCST])(?P=letter){4}(?:/[A-Z]{5})?)"
    + r"(?P<sec_ops>(?: [!-`{-~]++)*+)" + _EOL + _BLANKS + r")?"  # upper-case printable words
    + r"(?P<action>[ZOPR])(?: (?P<info>[ZOPR]))? "
    + r"(?P<dtg>(?P<day>[0-9]{2})(?P<hour>[0-9]{2})(?P<minute>[0-9]{2})Z (?P<month>[A-Z]{3}) (?P<year>[0-9]{4}|[0-9]{2}))"
    + r"(?P<dtg_ops>(?: [A-Z0-9#/]++)*+)" + _EOL + _BLANKS
    + r"FM " + _addressee_pattern(r"\n") + _EOL + _BLANKS
)
# One line of the address block: a keyword line or a continuation line whose first word
# the line parser would not treat specially (keywords, block ends, page artefacts).
_BLOCK_LINE = re.compile(
    r"^(?:(TO|INFO|XMT) |(?!(?:TO|INFO|XMT|BT|NNNN|PAGE|UNCLAS|UUNCLAS|UNCLASSIFIED|CONFIDENTIAL"
    r"|SECRET|TOP|C|S|T|LIMITED|RESTRICTED)\b))"
    + re.sub(r"\?P<\w+>", "", _addressee_pattern("$"))  # findall: (kw, addr, ri, plad, office, prec, mcn)
    + r"[ \t]*$",
    re.MULTILINE,
)
# The blank line closing the address block.
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_BLANK_RUN = re.compile(r"(?:[ \t]*\n)+")


def fast_header(text: str, limits: DecodeLimits, warnings: list[Warning]) -> Header | None:
    """Read a clean, standard heading at the start of ``text``.

    Parameters
    ----------
    text
        The whole decoded input (``\\n`` line ends).
    limits
        ``max_addressees``: beyond it the line parser raises, so ``None`` is returned.
    warnings
        Receives only the FL3 filing-time warnings, and only when a header is returned.

    Returns
    -------
    Header or None
        The header exactly as :func:`~cablerouter.telegram.header.parse_header` would
        return it, or ``None`` when the heading is not the clean standard form.
    """
    m = _HEADING.match(text)
    if m is None:
        return None
    pos = m.end()
    if not text.startswith(("TO ", "INFO ", "XMT "), pos):
        return None
    # All groups by position, in pattern order (cheaper than looking 29 names up); the FM
    # addressee's six come last (test_fast_paths checks the order).
    (fl1, channel, serial, prosign, ris, more, de_ri, ssn, section, filing, signal, letters,
     letter, sec_ops, action, info, dtg_raw, day, hour, minute, month, year, dtg_ops,
     *fm_groups) = m.groups()  # fmt: skip
    when = dtg_datetime(day, hour, minute, month, year)
    if when is None:  # the line parser raises bad_dtg
        return None
    fm = _addressee(*fm_groups, text.count("\n", 0, m.start("addr")) + 1)
    if fm is None:
        return None
    h = Header()
    if fl1 is not None:
        h.transmission = TransmissionId(raw=fl1, channel=channel, serial=serial)
    if prosign is not None:
        routing_ris = ris.split()
        if more:
            routing_ris.extend(more.split())
        h.routing = RoutingLine(prosign=prosign, precedence=PROSIGN_PRECEDENCE[prosign[0]], ris=routing_ris)
    if de_ri is not None:
        h.origin = Origination(
            ri=de_ri, ssn=ssn, section=int(section) if section is not None else None, filing_time_raw=filing
        )
    if signal is not None:
        h.security = SecurityWarning(
            signal=signal,  # type: ignore[arg-type]
            letters=letters,
            classification=SECURITY_LETTER[letter],
            # Without `(`, OPSIG finds the blank-separated words (sec_ops is printable ASCII).
            opsigs=(OPSIG.findall(sec_ops[1:]) if "(" in sec_ops else sec_ops.split()) if sec_ops else [],
        )
    h.precedence = PROSIGN_PRECEDENCE[action]
    h.info_precedence = PROSIGN_PRECEDENCE[info] if info else h.precedence
    h.dtg = when
    h.dtg_raw = dtg_raw
    h.dtg_opsigs = dtg_ops.split()
    h.originator = fm
    # The address block, up to the first blank line: every line must be an addressee line.
    close = _BLANK_LINE.search(text, pos)
    if close is None:
        return None
    end = close.start() + 1
    found = _BLOCK_LINE.findall(text, pos, end)
    if len(found) != text.count("\n", pos, end) or len(found) > limits.max_addressees:
        return None
    if " XMT " in text[pos:end]:  # inline exemptions: left to the line parser
        return None
    line = text.count("\n", 0, pos) + 1
    block = h.to
    for kw, addr, ri, plad, office, precedence, mcn in found:
        if kw:
            block = h.to if kw == "TO" else h.info if kw == "INFO" else h.xmt
        if len(addr) > MAX_ADDRESSEE_CHARS or "  " in addr:  # the line parser collapses blanks
            return None
        if mcn and plad == "AIG":
            plad = f"AIG {mcn}"
            mcn = ""
        block.append(
            Addressee(
                ri=ri or None,
                plad=plad,
                precedence=precedence or None,  # type: ignore[arg-type]
                mcn=mcn or None,
                office=office.strip("/ ") or None if office else None,
                line=line,
                raw=addr,
            )
        )
        line += 1
    # The heading ends at a blank line not followed by more addressees.
    gap = _BLANK_RUN.match(text, end)
    assert gap is not None
    nl = text.find("\n", gap.end())
    following = text[gap.end() :] if nl < 0 else text[gap.end() : nl]
    if not following.strip() or _continues_addresses(following):
        return None
    h.end = line - 1
    if h.origin is not None and filing is not None:
        h.origin = _resolve_filing_time(h.origin, h.dtg, warnings)
    return h


def _addressee(
    addr: str, ri: str | None, plad: str, office: str | None, precedence: str | None, mcn: str | None, line: int
) -> Addressee | None:
    """The :class:`Addressee` of the FM line's addressee groups, as parse_addressee builds it."""
    if len(addr) > MAX_ADDRESSEE_CHARS or "  " in addr:  # the line parser collapses blanks
        return None
    if plad == "AIG" and mcn is not None:
        plad = f"AIG {mcn}"
        mcn = None
    return Addressee(
        ri=ri,
        plad=plad,
        precedence=precedence,  # type: ignore[arg-type]
        mcn=mcn,
        office=office.strip("/ ") or None if office else None,
        line=line,
        raw=addr,
    )
