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

from cablerouter.telegram._body import _signer
from cablerouter.telegram._dates import dtg_datetime
from cablerouter.telegram._formats import PROSIGN_PRECEDENCE, SECURITY_LETTER
from cablerouter.telegram.addressees import MAX_ADDRESSEE_CHARS
from cablerouter.telegram.header import _resolve_filing_time
from cablerouter.telegram.model import (
    Addressee,
    Cable,
    Classification,
    DecodeLimits,
    Origination,
    RoutingLine,
    SecurityWarning,
    TransmissionId,
    Warning,
)
from cablerouter.telegram.text import Text, _fold_pieces, reference_id

try:
    from cablerouter_scan import scan as _native_scan
except ImportError:  # not built: the Python parsers do all the work
    _native_scan = None

__all__ = ("AVAILABLE", "scan_decode")

AVAILABLE = _native_scan is not None
"""Whether the native scanner is installed."""


def _addressee(
    ri: str | None, plad: str, office: str | None, precedence: str | None, mcn: str | None, raw: str, line: int
) -> Addressee:
    if mcn is not None and plad == "AIG":
        plad = f"AIG {mcn}"
        mcn = None
    return Addressee(
        ri=ri,
        plad=plad,
        precedence=precedence,  # type: ignore[arg-type]
        mcn=mcn,
        office=office.strip("/ ") or None if office else None,
        line=line,
        raw=raw,
    )


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
    (fl1, routing, origin, security, fl5, fm, block, _end, cls, pieces, body_index, body, marks) = parts
    action, info, dtg_raw, dtg_opsigs = fl5
    when = dtg_datetime(dtg_raw[0:2], dtg_raw[2:4], dtg_raw[4:6], dtg_raw[8:11], dtg_raw[12:])
    if when is None:  # the Python parsers raise bad_dtg
        return None
    own: list[Warning] = []
    origination = None
    if origin is not None:
        ri, ssn, section, filing = origin
        origination = Origination(
            ri=ri, ssn=ssn, section=int(section) if section is not None else None, filing_time_raw=filing
        )
        if filing is not None:
            origination = _resolve_filing_time(origination, when, own)
    to: list[Addressee] = []
    info_list: list[Addressee] = []
    xmt: list[Addressee] = []
    lists = (to, info_list, xmt)
    for kind, *addressee in block:
        lists[kind].append(_addressee(*addressee))
    if info_list and not to:
        own.append(Warning(code="no_action_addressees", line=info_list[0].line, detail="INFO addressees but no TO line"))
    cls_line, first_skipped, cls_raw, word, sec, secs, cls_origin, serial = cls
    if first_skipped:
        own.append(
            Warning(
                code="text_before_classification",
                line=first_skipped,
                detail=f"skipped lines {first_skipped}-{cls_line - 1} before the classification line",
            )
        )
    if word == "UUNCLAS":
        own.append(Warning(code="misspelt_classification", line=cls_line, detail="`UUNCLAS` read as `UNCLAS`"))
        word = "UNCLAS"
    classification = Classification(
        marking=word,
        section=int(sec) if sec else None,
        sections=int(secs) if secs else None,
        raw=cls_raw,
        origin=cls_origin,
        serial=serial,
        line=cls_line,
    )
    t = Text()
    _fold_pieces(t, pieces, own)
    precedence = PROSIGN_PRECEDENCE[action]
    return Cable(
        id=reference_id(classification, when.year),
        transmission=TransmissionId(raw=fl1[0], channel=fl1[1], serial=fl1[2]) if fl1 is not None else None,
        routing=(
            RoutingLine(prosign=routing[0], precedence=PROSIGN_PRECEDENCE[routing[0][0]], ris=routing[1])
            if routing is not None
            else None
        ),
        origin=origination,
        security=(
            SecurityWarning(
                signal=security[0], letters=security[1], classification=SECURITY_LETTER[security[2]], opsigs=security[3]
            )
            if security is not None
            else None
        ),
        precedence=precedence,
        info_precedence=PROSIGN_PRECEDENCE[info] if info else precedence,
        dtg=when,
        dtg_raw=dtg_raw,
        dtg_opsigs=dtg_opsigs,
        originator=_addressee(*fm),
        to=to,
        info=info_list,
        xmt=xmt,
        classification=classification,
        captions=t.captions,
        eo=t.eo,
        declassify_on=t.declassify_on,
        tags=t.tags,
        subject=t.subject,
        refs=t.refs,
        signer=_signer(body[body.rfind("\n") + 1 :]) if body else None,
        body=body,
        warnings=own,
        size=len(raw),
        instructions=t.instructions,
        paragraph_marks=marks,
        body_line=body_index + 1 if body_index >= 0 else None,
    )
