"""Native fast path: the whole decode of a clean, standard ASCII cable in one scan.

The optional extension module ``cablerouter_scan`` (Rust, in ``services/scan``) reads the
heading, the classification line, the text preamble and the body of a cable whose every
line is in the plain standard form, and returns their raw parts; :func:`scan_decode` builds
the :class:`Cable` from them with the same helpers the Python parsers use (dates, filing
time, preamble fields, signer). For anything else the scanner answers ``None`` and the
decoder runs the Python parsers, so the result never depends on whether the module is
installed, only the speed does (``tests/unit/telegram/test_fast_paths.py`` decodes with and
without every fast path and requires equal results).
"""

from __future__ import annotations

import datetime as dt

from cablerouter.telegram._body import _signer
from cablerouter.telegram._classification import classification_of, misspelt_warning
from cablerouter.telegram._formats import PROSIGN_PRECEDENCE
from cablerouter.telegram._heading_warnings import (
    bad_filing_time_warning,
    filing_time_mismatch_warning,
    no_action_warning,
    page_warning,
    security_warning,
)
from cablerouter.telegram._preamble import split_refs
from cablerouter.telegram._wrappers import wrapper_warning
from cablerouter.telegram.addressees import MAX_ADDRESSEE_CHARS
from cablerouter.telegram.model import (
    Addressee,
    Cable,
    DecodeLimits,
    InternalDistribution,
    Origination,
    RoutingLine,
    TransmissionId,
    Warning,
)
from cablerouter.telegram.text import _skipped, declassification

try:
    from cablerouter_scan import scan as _native_scan
except ImportError:  # not built: the Python parsers do all the work
    _native_scan = None

__all__ = ("AVAILABLE", "scan_decode")

AVAILABLE = _native_scan is not None
"""Whether the native scanner is installed."""

_UTC = dt.UTC


def _addressee(
    ri: str | None, plad: str, office: str | None, precedence: str | None, mcn: str | None, raw: str, line: int
) -> Addressee:
    """The :class:`Addressee` of the scanner's fields (AIG and office already settled)."""
    return Addressee(ri=ri, plad=plad, precedence=precedence, mcn=mcn, office=office, line=line, raw=raw)  # type: ignore[arg-type]


def scan_decode(raw: bytes, limits: DecodeLimits) -> Cable | None:
    """Decode ``raw`` with the native scanner, or return ``None`` for the Python parsers.

    The scanner reads only input that ``lines.decode_bytes`` would decode unchanged and
    without a warning (UTF-8 without control bytes but TAB and LF), so its bytes are the
    text the Python parsers would read.

    Parameters
    ----------
    raw
        The input as received.
    limits
        ``max_bytes`` and ``max_addressees``.

    Returns
    -------
    Cable or None
        The cable exactly as the Python parsers decode it, or ``None``.
    """
    if _native_scan is None:
        return None
    parts = _native_scan(raw, limits.max_bytes, limits.max_addressees, MAX_ADDRESSEE_CHARS)
    if parts is None:
        return None
    (fl1, routing, origin, security, fl5, filing, fm, block, cls, fields, body_index, body, marks, signer, ref_id,
     pages, wrapper, distribution) = parts  # fmt: skip
    action, info, dtg_raw, dtg_opsigs, year, month, day, hour, minute = fl5
    if not month:  # the Python parsers raise bad_dtg
        return None
    try:
        when = dt.datetime(year, month, day, hour, minute, 0, 0, _UTC)
    except ValueError:  # the Python parsers raise bad_dtg
        return None
    own: list[Warning] = []
    # Warnings in the order the Python parsers give them.
    if wrapper is not None:
        own.append(wrapper_warning(*wrapper))
    fl4 = None
    if security is not None:
        signal, letters, opsigs, fl4_line = security
        fl4 = security_warning(signal, letters, opsigs, fl4_line, own)
    for line in pages:
        page_warning(own, line)
    origination = None
    if origin is not None:
        ri, ssn, section, filing_raw = origin
        filing_time = None
        if filing is not None:
            if filing[0] == 1:
                own.append(bad_filing_time_warning(filing_raw))
            else:
                filing_time = dt.datetime(*filing[1:], 0, 0, _UTC)
                if filing[0] == 2:
                    own.append(filing_time_mismatch_warning(filing_time, when))
        origination = Origination(
            ri=ri,
            ssn=ssn,
            section=int(section) if section is not None else None,
            filing_time=filing_time,
            filing_time_raw=filing_raw,
        )
    to: list[Addressee] = []
    info_list: list[Addressee] = []
    xmt: list[Addressee] = []
    lists = (to, info_list, xmt)
    for kind, ri, plad, office, precedence, mcn, raw_line, line in block:
        lists[kind].append(
            Addressee(ri=ri, plad=plad, precedence=precedence, mcn=mcn, office=office, line=line, raw=raw_line)
        )
    if info_list and not to:
        own.append(no_action_warning(info_list[0].line))
    cls_line, first_skipped, duplicate, cls_raw, word, efto, sec, secs, cls_origin, serial = cls
    if first_skipped:
        _skipped(own, first_skipped - 1, cls_line - 1, duplicate)
    if word == "UUNCLAS":
        own.append(misspelt_warning(cls_line))
    captions, instructions, caption_warnings, eo, tags, subject, refs = fields
    for line, detail in caption_warnings:
        own.append(Warning(code="unknown_caption", line=line, detail=detail))
    declassify_on = declassification(eo, own) if eo is not None else None
    if signer is False:  # the last line is not ASCII: read in Python
        signer = _signer(body[body.rfind("\n") + 1 :])
    precedence = PROSIGN_PRECEDENCE[action]
    return Cable(
        id=ref_id,
        transmission=TransmissionId(raw=fl1[0], channel=fl1[1], serial=fl1[2]) if fl1 is not None else None,
        routing=(
            RoutingLine(prosign=routing[0], precedence=PROSIGN_PRECEDENCE[routing[0][0]], ris=routing[1])
            if routing is not None
            else None
        ),
        origin=origination,
        security=fl4,
        precedence=precedence,
        info_precedence=PROSIGN_PRECEDENCE[info] if info else precedence,
        dtg=when,
        dtg_raw=dtg_raw,
        dtg_opsigs=dtg_opsigs,
        originator=_addressee(*fm),
        to=to,
        info=info_list,
        xmt=xmt,
        classification=classification_of(word, efto, sec, secs, cls_origin, serial, cls_raw, cls_line),
        captions=captions,
        eo=eo,
        declassify_on=declassify_on,
        tags=tags,
        subject=subject,
        refs=split_refs(refs) if refs is not None else [],
        signer=signer,
        body=body,
        warnings=own,
        size=len(raw),
        distribution=(
            InternalDistribution(
                action=distribution[0],
                info=distribution[1],
                total=distribution[2],
                traces=distribution[3],
                line=distribution[4],
            )
            if distribution is not None
            else None
        ),
        instructions=instructions,
        paragraph_marks=marks,
        body_line=body_index + 1 if body_index >= 0 else None,
    )
