"""The heading of a telegram: FL1 to FL9, with State's wrappers around it.

One pass over the lines, dispatching on the first word of each line::

    VZCZCXRO1169                      FL1 transmission identification
    OO RUEHIK                         FL2 routing line (may continue on further lines)
    DE RUEHTA #0179 0420828           FL3 originating RI, station serial, filing time
    ZNR UUUUU ZZH                     FL4 security warning and operating signals
    O 110828Z FEB 10                  FL5 precedence(s), DTG, operating signals
    FM AMEMBASSY ASTANA               FL6 originator
    TO RUEHC/SECSTATE WASHDC ...      FL7-FL9 addressees (TO / INFO / XMT)

Lines before the header (e-mail wrappers, State's ``INFO LOG-00 ...`` distribution block
and its dashed trace lines) are skipped by :func:`locate_header`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from cablerouter.errors import DecodeError
from cablerouter.telegram._classification import CLASSIFICATION_FIRST_WORDS, match_classification
from cablerouter.telegram._dates import parse_dtg, resolve_filing_time
from cablerouter.telegram._formats import (
    ADDRESS_KEYWORDS,
    DTG_LIKE,
    OPSIG,
    ORIGINATION,
    PAGE,
    PROSIGN_LETTERS,
    PROSIGN_PRECEDENCE,
    RI_RUN,
    ROUTING,
    SECURITY,
    TRANSMISSION,
)
from cablerouter.telegram._heading_warnings import (
    bad_filing_time_warning,
    filing_time_mismatch_warning,
    page_warning,
    security_warning,
)
from cablerouter.telegram.addressees import parse_addressee
from cablerouter.telegram.exemptions import ExemptionRun, add_addressees
from cablerouter.telegram.lines import LineBuffer, is_page_artefact
from cablerouter.telegram.model import (
    Addressee,
    DecodeLimits,
    DecodeWarning,
    InternalDistribution,
    Origination,
    Precedence,
    RoutingLine,
    SecurityWarning,
    TransmissionId,
    UnreadableLine,
)

__all__ = ("Header", "parse_header")

_BLOCK_ENDS = CLASSIFICATION_FIRST_WORDS | {"BT", "NNNN"}

# Unknown lines tolerated between FL1 and the addressees before the header is given up.
_MAX_UNKNOWN_LINES = 8

class Header:
    """What :func:`parse_header` found; plain mutable record local to one decode call."""

    __slots__ = (
        "distribution",
        "dtg",
        "dtg_opsigs",
        "dtg_raw",
        "end",
        "info",
        "info_precedence",
        "origin",
        "originator",
        "precedence",
        "routing",
        "security",
        "to",
        "transmission",
        "unreadable",
        "xmt",
    )

    def __init__(self) -> None:
        self.transmission: TransmissionId | None = None
        self.routing: RoutingLine | None = None
        self.origin: Origination | None = None
        self.security: SecurityWarning | None = None
        self.precedence: Precedence | None = None
        self.info_precedence: Precedence | None = None
        self.dtg: dt.datetime | None = None
        self.dtg_raw: str | None = None
        self.dtg_opsigs: list[str] = []
        self.originator: Addressee | None = None
        self.to: list[Addressee] = []
        self.info: list[Addressee] = []
        self.xmt: list[Addressee] = []
        self.distribution: InternalDistribution | None = None
        self.unreadable: list[UnreadableLine] = []
        self.end = 0


def parse_header(
    buf: LineBuffer, start: int, limits: DecodeLimits, warnings: list[DecodeWarning]
) -> Header:
    """Parse FL1-FL9 from line ``start`` on.

    Parameters
    ----------
    buf
        The lines of the input.
    start
        0-based index of the first header line (from :func:`locate_header`).
    limits
        ``max_addressees`` is enforced here.
    warnings
        Receives the header warnings.

    Returns
    -------
    Header
        The parts found; ``end`` is the index of the first line after the header.

    Raises
    ------
    DecodeError
        ``bad_dtg`` for an unparseable FL5 line, ``too_many_addressees`` beyond the limit.
    """
    h = Header()
    block: list[Addressee] | None = None
    block_name = ""
    run = ExemptionRun(h.xmt)
    routing_open = False
    lower_case = False
    unknown = 0
    n_addressees = 0
    max_addressees = limits.max_addressees
    lines = buf.lines
    ready = buf.ready
    i = start
    while True:
        if i >= ready:
            if not buf.has(i):
                break
            lines = buf.lines
            ready = buf.ready
        s = lines[i].strip()
        i += 1
        if not s:
            if block is None:
                continue
            # A blank line ends the address block unless more addressees follow it.
            j = i
            while buf.has(j) and not buf.lines[j].strip():
                j += 1
            if buf.has(j) and _continues_addresses(buf.lines[j]):
                lines = buf.lines
                ready = buf.ready
                i = j
                continue
            i -= 1
            break
        u = s.upper()
        if u != s and not lower_case:
            lower_case = True
            warnings.append(DecodeWarning(code="lower_case_header", line=i, detail="header read as upper case"))
        if "  " in u or "\t" in u:
            u = " ".join(u.split())
            s = " ".join(s.split())
        kw, _, rest = u.partition(" ")
        if kw[:4] == "XMT/":  # `XMT/AMEMBASSY SOFIA`: the keyword glued to its first PLAD
            kw, rest, s = "XMT", u[4:], "XMT " + s[4:]
        if block is not None and kw not in ADDRESS_KEYWORDS:
            # The common case: one more addressee line.
            if kw in _BLOCK_ENDS and _ends_block(kw, rest, u):
                if kw != "BT":
                    i -= 1
                break
            if kw == "PAGE" and PAGE.fullmatch(u) is not None:
                page_warning(warnings, i)
                continue
            if block is h.xmt:
                block = run.continue_with(u, s, i, warnings)
            n_addressees = add_addressees(block, run, u, s, i, warnings, n_addressees, h.unreadable,
                                          _block_name(block, h))
            if run.open:
                block = h.xmt
        elif kw in ADDRESS_KEYWORDS:
            routing_open = False
            block_name = kw
            if kw == "XMT":
                run.start(block)
                block = h.xmt
            else:
                block = h.to if kw == "TO" else h.info
                run.close()
                if rest == "XMT" or rest[:4] in ("XMT ", "XMT/"):  # `INFO XMT AMEMBASSY X`
                    run.start(block)
                    block = h.xmt
                    rest, s = rest[4:], s[:len(kw) + 1] + s[len(kw) + 5 :]
            if not rest:
                continue
            if rest[:5] == "PAGE " and PAGE.fullmatch(rest) is not None:
                page_warning(warnings, i)
                continue
            n_addressees = add_addressees(block, run, rest, s[len(kw) + 1 :], i, warnings, n_addressees,
                                          h.unreadable, _block_name(block, h))
            if run.open:
                block = h.xmt
        elif kw.startswith(("VZCZC", "ZCZC")) or kw == "VV":
            m = TRANSMISSION.fullmatch(u)
            if m is None or h.transmission is not None:
                unknown = _unknown(warnings, i, s, unknown)
            else:
                channel, serial = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
                h.transmission = TransmissionId(raw=kw, channel=channel, serial=serial)
        elif kw == "DE":
            routing_open = False
            h.origin = _origination(u, i, warnings)
            if h.origin is None:
                unknown = _unknown(warnings, i, s, unknown)
        elif kw in ("ZNR", "ZNY"):
            h.security = _security(u, i, warnings)
            if h.security is None:
                unknown = _unknown(warnings, i, s, unknown)
        elif kw == "FM":
            routing_open = False
            h.originator = parse_addressee(rest, s[3:], i)
            if h.originator is None:
                warnings.append(DecodeWarning(code="unparsed_originator", line=i, detail=f"FM line `{s[:80]}`"))
        elif len(kw) <= 2 and kw[0] in PROSIGN_LETTERS and kw[-1] in PROSIGN_LETTERS:
            if DTG_LIKE.match(u):
                if h.dtg_raw is not None:
                    unknown = _unknown(warnings, i, s, unknown)
                else:
                    _dtg(h, u, i)
            else:
                m = ROUTING.fullmatch(u)
                if m is None or h.routing is not None:
                    unknown = _unknown(warnings, i, s, unknown)
                else:
                    h.routing = _routing(m.group(1), m.group(2).split(), i, warnings)
                    routing_open = True
        elif routing_open and RI_RUN.fullmatch(u):
            r = h.routing
            assert r is not None
            h.routing = RoutingLine(prosign=r.prosign, precedence=r.precedence, ris=[*r.ris, *u.split()])
        elif kw == "BT" and not rest:
            break
        elif kw in CLASSIFICATION_FIRST_WORDS and match_classification(u) is not None:
            i -= 1
            break
        elif kw == "PAGE" and PAGE.fullmatch(u) is not None:
            page_warning(warnings, i)
        else:
            routing_open = False
            if h.originator is not None or h.dtg_raw is not None or unknown >= _MAX_UNKNOWN_LINES:
                # The text started without a blank line or any addressee.
                i -= 1
                break
            unknown = _unknown(warnings, i, s, unknown)
        if n_addressees > max_addressees:
            raise DecodeError(
                "too_many_addressees",
                f"Expected at most {max_addressees} addressees (DecodeLimits.max_addressees), "
                f"got more in the {block_name} block",
                line=i,
                excerpt=s[:60],
            )
    h.end = i
    if h.origin is not None and h.origin.filing_time_raw is not None:
        h.origin = _resolve_filing_time(h.origin, h.dtg, warnings)
    return h


def _ends_block(kw: str, rest: str, u: str) -> bool:
    """Whether an address-block line is the end of the heading (BT, NNNN, classification)."""
    if kw in {"BT", "NNNN"}:
        return not rest
    return match_classification(u) is not None


def _continues_addresses(line: str) -> bool:
    """Whether the line after a blank line in the address block continues it."""
    u = " ".join(line.upper().split())
    kw = u.partition(" ")[0]
    if kw in ADDRESS_KEYWORDS or kw[:4] == "XMT/" or is_page_artefact(u):
        return True
    slash = u.find("/")
    return 4 <= slash <= 8 and u[:slash].isalpha() and u[0] in "RQ" and u[slash + 1 : slash + 2] != "/"


def _block_name(block: list[Addressee] | None, h: Header) -> Literal["to", "info", "xmt"]:
    return "to" if block is h.to else "info" if block is h.info else "xmt"


def _unknown(warnings: list[DecodeWarning], line: int, s: str, count: int) -> int:
    warnings.append(DecodeWarning(code="unparsed_header_line", line=line, detail=f"`{s[:80]}`"))
    return count + 1


def _routing(prosign: str, ris: list[str], line: int, warnings: list[DecodeWarning]) -> RoutingLine:
    precedence = PROSIGN_PRECEDENCE.get(prosign[0])
    if len(prosign) != 2 or prosign[0] != prosign[1]:
        warnings.append(
            DecodeWarning(code="routing_prosign_not_doubled", line=line, detail=f"FL2 prosign `{prosign}`")
        )
    if precedence is None:
        warnings.append(
            DecodeWarning(code="unknown_precedence_prosign", line=line, detail=f"FL2 prosign `{prosign}`")
        )
    return RoutingLine(prosign=prosign, precedence=precedence, ris=ris)


def _origination(u: str, line: int, warnings: list[DecodeWarning]) -> Origination | None:
    m = ORIGINATION.fullmatch(u)
    if m is None:
        return None
    ri, ssn, section, filing, rest = m.groups()
    if rest:
        warnings.append(DecodeWarning(code="unparsed_origination", line=line, detail=f"FL3 ends with `{rest[:40]}`"))
    return Origination(
        ri=ri,
        ssn=ssn,
        section=int(section) if section is not None else None,
        filing_time_raw=filing,
    )


def _security(u: str, line: int, warnings: list[DecodeWarning]) -> SecurityWarning | None:
    m = SECURITY.fullmatch(u)
    if m is None:
        return None
    signal, letters, rest = m.groups()
    return security_warning(signal, letters, OPSIG.findall(rest) if rest else [], line, warnings)


def _dtg(h: Header, u: str, line: int) -> None:
    parsed = parse_dtg(u)
    if parsed is None:
        raise DecodeError(
            "bad_dtg",
            f"Expected DTG `P DDHHMMZ MON YY`, got `{u[:40]}`",
            line=line,
            excerpt=u[:60],
        )
    action, info, when, raw, opsigs = parsed
    h.precedence = PROSIGN_PRECEDENCE.get(action)
    h.info_precedence = PROSIGN_PRECEDENCE.get(info) if info else h.precedence
    h.dtg = when
    h.dtg_raw = raw
    h.dtg_opsigs = opsigs


def _resolve_filing_time(
    origin: Origination, dtg: dt.datetime | None, warnings: list[DecodeWarning]
) -> Origination:
    raw = origin.filing_time_raw
    assert raw is not None
    if dtg is None:
        return origin
    when = resolve_filing_time(raw, dtg)
    if when is None:
        warnings.append(bad_filing_time_warning(raw))
        return origin
    if abs((when - dtg).total_seconds()) > 2 * 86400:
        warnings.append(filing_time_mismatch_warning(when, dtg))
    return Origination(
        ri=origin.ri,
        ssn=origin.ssn,
        section=origin.section,
        filing_time=when,
        filing_time_raw=raw,
    )

