"""The native reader: the whole decode of a clean, standard ASCII cable in one scan.

The optional extension module ``cablerouter_scan`` (Rust, in ``services/scan``; its types
are declared in ``services/scan/cablerouter_scan.pyi``) reads the heading, the
classification line, the text preamble and the body of a cable whose every line is in the
plain standard form, and returns a frozen ``ScannedCable`` with named parts;
:func:`scan_decode` builds the :class:`Cable` from them with the same helpers the Python
parsers use (dates, warnings, preamble fields). For anything else the scanner answers
``None`` and the decoder runs the Python parsers, so the result never depends on whether
the module is installed, only the speed does (``tests/unit/telegram/test_native_scan.py``
requires equal results).

The scanner is used whenever it is installed. (The test command runs the decoder's tests
a second time with ``CABLEROUTER_NATIVE_SCANNER=0``, which ``tests/unit/telegram/conftest.py``
reads to turn it off, so that the Python parsers alone are proven too.)

A panic in the scanner is not swallowed: PyO3 raises it as ``PanicException``, which
:func:`scan_decode` lets through for the decoder to record (``native_scanner_failed``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

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
    PRECEDENCES,
    Addressee,
    Cable,
    DecodeLimits,
    DecodeWarning,
    InternalDistribution,
    Origination,
    Precedence,
    RoutingLine,
    TransmissionId,
)
from cablerouter.telegram.text import declassification, skipped_lines_warnings

if TYPE_CHECKING:
    import cablerouter_scan

_Scan = Callable[[bytes, int, int, int], "cablerouter_scan.ScannedCable | None"]


def _load() -> tuple[_Scan | None, type[BaseException] | None]:
    """The scanner's ``scan`` and panic type, or ``None`` for each when it is not built."""
    try:
        import cablerouter_scan
    except ImportError:  # not built: the Python parsers do all the work
        return None, None
    return cablerouter_scan.scan, cablerouter_scan.PanicException


_scan, _panic = _load()

__all__ = ("AVAILABLE", "INSTALLED", "ScannerPanic", "scan_decode")

INSTALLED = _scan is not None
"""Whether the native scanner is installed."""
AVAILABLE = INSTALLED
"""Whether :func:`scan_decode` uses the scanner (the tests' pure-Python run turns it off)."""

ScannerPanic: type[BaseException] = _panic if _panic is not None else type(
    "ScannerPanic", (BaseException,), {"__doc__": "Never raised: the native scanner is not installed."}
)
"""What a panic in the scanner raises (PyO3's ``PanicException``, a ``BaseException``)."""

_UTC = dt.UTC


# The scanner writes a precedence as one of these words (a typo in its tables fails loudly).
_PRECEDENCE: dict[str, Precedence] = {p: p for p in PRECEDENCES}


def _addressee(a: cablerouter_scan.Addressee) -> Addressee:
    precedence = None if a.precedence is None else _PRECEDENCE[a.precedence]
    return Addressee(
        ri=a.ri, plad=a.plad, precedence=precedence, mcn=a.mcn, office=a.office, line=a.line, raw=a.raw
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
        The cable as the Python parsers read it (before :func:`repair_addressees`, which
        the decoder applies to every reader's cable), or ``None`` (also when the scanner
        is not installed or turned off, and for any input with the word ``XMT``).

    Raises
    ------
    ScannerPanic
        The scanner panicked (a bug in it); the caller decodes with the Python parsers.
    """
    if _scan is None:
        return None
    # The scanner also answers None for any input with the word XMT: exemptions are read
    # by the Python parsers alone (one pass in Rust; two substring searches here cost as
    # much as a third of the whole native decode).
    scanned = _scan(raw, limits.max_bytes, limits.max_addressees, MAX_ADDRESSEE_CHARS)
    if scanned is None:
        return None
    dtg = scanned.dtg
    stamp = dtg.time
    when = dt.datetime(stamp.year, stamp.month, stamp.day, stamp.hour, stamp.minute, 0, 0, _UTC)
    own: list[DecodeWarning] = []
    # Warnings in the order the Python parsers give them.
    wrapper = scanned.wrapper
    if wrapper is not None:
        own.append(wrapper_warning(wrapper.first_line, wrapper.heading_index))
    fl4 = None
    security = scanned.security
    if security is not None:
        fl4 = security_warning(security.signal, security.letters, security.opsigs, security.line, own)
    for line in scanned.page_lines:
        page_warning(own, line)
    origination = None
    origin = scanned.origin
    if origin is not None:
        filing_time = None
        filing = scanned.filing_time
        if filing is not None:
            if filing.time is None:
                assert origin.filing_time_raw is not None, "a filing time is read from its raw text"
                own.append(bad_filing_time_warning(origin.filing_time_raw))
            else:
                f = filing.time
                filing_time = dt.datetime(f.year, f.month, f.day, f.hour, f.minute, 0, 0, _UTC)
                if filing.status == "far_from_dtg":
                    own.append(filing_time_mismatch_warning(filing_time, when))
        origination = Origination(
            ri=origin.ri,
            ssn=origin.ssn,
            section=int(origin.section) if origin.section is not None else None,
            filing_time=filing_time,
            filing_time_raw=origin.filing_time_raw,
        )
    to = [_addressee(a) for a in scanned.to]
    info = [_addressee(a) for a in scanned.info]
    if info and not to:
        own.append(no_action_warning(info[0].line))
    cls = scanned.classification
    skipped = scanned.skipped
    if skipped is not None:
        skipped_lines_warnings(own, skipped.first_line - 1, cls.line - 1, skipped.duplicate)
    if cls.word == "UUNCLAS":
        own.append(misspelt_warning(cls.line))
    preamble = scanned.preamble
    own.extend(DecodeWarning(code="unknown_caption", line=w.line, detail=w.detail) for w in preamble.caption_warnings)
    eo = preamble.eo
    declassify_on = declassification(eo, own) if eo is not None else None
    precedence = PROSIGN_PRECEDENCE[dtg.action]
    routing = scanned.routing
    transmission = scanned.transmission
    distribution = scanned.distribution
    refs = preamble.refs
    return Cable(
        id=scanned.reference_id,
        transmission=(
            TransmissionId(raw=transmission.raw, channel=transmission.channel, serial=transmission.serial)
            if transmission is not None
            else None
        ),
        routing=(
            RoutingLine(prosign=routing.prosign, precedence=PROSIGN_PRECEDENCE[routing.prosign[0]], ris=routing.ris)
            if routing is not None
            else None
        ),
        origin=origination,
        security=fl4,
        precedence=precedence,
        info_precedence=PROSIGN_PRECEDENCE[dtg.info] if dtg.info else precedence,
        dtg=when,
        dtg_raw=dtg.raw,
        dtg_opsigs=dtg.opsigs,
        originator=_addressee(scanned.originator),
        to=to,
        info=info,
        xmt=[_addressee(a) for a in scanned.xmt],
        classification=classification_of(
            cls.word, cls.efto, cls.section, cls.sections, cls.origin, cls.serial, cls.raw, cls.line
        ),
        captions=preamble.captions,
        eo=eo,
        declassify_on=declassify_on,
        tags=preamble.tags,
        subject=preamble.subject,
        refs=split_refs(refs) if refs is not None else [],
        signer=scanned.signer,
        body=scanned.body,
        warnings=own,
        size=len(raw),
        distribution=(
            InternalDistribution(
                action=distribution.action,
                info=distribution.info,
                total=distribution.total,
                traces=distribution.traces,
                line=distribution.line,
            )
            if distribution is not None
            else None
        ),
        instructions=preamble.instructions,
        paragraph_marks=scanned.paragraph_marks,
        body_line=scanned.body_line,
    )
