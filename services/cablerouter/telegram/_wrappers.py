"""What comes before a header: e-mail and archive wrappers, State's distribution block.

:func:`locate_header` finds the first format line (FL1 to FL5 or FM) and collects
State's internal ``ACTION``/``INFO LOG-00 ...`` distribution block and its dashed trace
lines on the way.
"""

from __future__ import annotations

from cablerouter.telegram._formats import (
    DISTRIBUTION,
    DISTRIBUTION_CODE,
    DISTRIBUTION_MORE,
    DISTRIBUTION_TOTAL,
    DTG_LIKE,
    ORIGINATION,
    PROSIGN_LETTERS,
    ROUTING,
    SECURITY,
    TRACE,
    TRANSMISSION,
)
from cablerouter.telegram.lines import LineBuffer
from cablerouter.telegram.model import DecodeWarning, InternalDistribution

__all__ = ("locate_header", "wrapper_warning")

# How far into the input a header is looked for (wrappers are short).
_HEADER_SEARCH_LINES = 400


def locate_header(buf: LineBuffer, warnings: list[DecodeWarning]) -> tuple[int, InternalDistribution | None]:
    """Find the first header line, skipping wrappers and State's distribution block.

    Parameters
    ----------
    buf
        The lines of the input.
    warnings
        Receives a ``text_before_header`` warning when a wrapper is skipped.

    Returns
    -------
    tuple[int, InternalDistribution or None]
        The 0-based index of the first header line (FL1 to FL5 or FM), or ``-1``
        when there is none, and the distribution block met on the way.
    """
    distribution: InternalDistribution | None = None
    dist_action: list[str] = []
    dist_info: list[str] = []
    dist_total: str | None = None
    dist_traces: list[str] = []
    dist_line = 0
    wrapper_line = 0
    in_block = False
    i = 0
    lines = buf.lines
    while i < _HEADER_SEARCH_LINES and buf.has(i):
        lines = buf.lines
        s = lines[i].strip()
        i += 1
        if not s:
            continue
        u = s.upper()
        first = u[:2]
        if (
            (first in ("VZ", "ZC") and TRANSMISSION.match(u))
            or (first == "VV" and TRANSMISSION.match(u))
            or (first == "DE" and u.startswith("DE ") and ORIGINATION.match(" ".join(u.split())))
            or (first == "FM" and u.startswith("FM "))
            or (first == "ZN" and SECURITY.match(" ".join(u.split())))
            or (
                len(u) > 2
                and u[0] in PROSIGN_LETTERS
                and u[1] in " \tZOPRWMY"  # runs of blanks and TABs read as one blank, as in the heading
                and _is_fl2_or_fl5(" ".join(u.split()) if "\t" in u or "  " in u else u)
            )
        ):
            start = i - 1
            break
        u1 = " ".join(u.split())
        m = DISTRIBUTION.match(u1)
        if m is not None:
            in_block = True
            dist_line = dist_line or i
            codes = DISTRIBUTION_CODE.findall(m.group(2))
            (dist_action if m.group(1) == "ACTION" else dist_info).extend(codes)
            total = DISTRIBUTION_TOTAL.search(m.group(2))
            dist_total = total.group() if total else dist_total
            continue
        if in_block and DISTRIBUTION_MORE.fullmatch(u1):
            dist_info.extend(DISTRIBUTION_CODE.findall(u1))
            total = DISTRIBUTION_TOTAL.search(u1)
            dist_total = total.group() if total else dist_total
            continue
        if TRACE.fullmatch(u1):
            dist_traces.append(u1)
            dist_line = dist_line or i
            continue
        in_block = False
        if not wrapper_line:
            wrapper_line = i
    else:
        start = -1
    if dist_line:
        distribution = InternalDistribution(
            action=dist_action, info=dist_info, total=dist_total, traces=dist_traces, line=dist_line
        )
    if wrapper_line and start >= 0:
        warnings.append(wrapper_warning(wrapper_line, start))
    return start, distribution


def wrapper_warning(first: int, start: int) -> DecodeWarning:
    """The ``text_before_header`` warning for wrapper lines ``first`` (1-based) up to the
    header's first line (``start``, 0-based)."""
    detail = f"skipped lines {first}-{start} before the header"
    return DecodeWarning(code="text_before_header", line=first, detail=detail)


def _is_fl2_or_fl5(u: str) -> bool:
    """Whether an upper-case line is a routing line (FL2) or an attempted DTG line (FL5)."""
    if DTG_LIKE.match(u):
        return True
    return ROUTING.fullmatch(" ".join(u.split())) is not None
