"""Entry point of the telegram decoder: raw bytes in, a typed :class:`Cable` out.

``decode_telegram`` is pure: no I/O, no clock, no globals. It raises only
:class:`cablerouter.errors.DecodeError`; everything unusual but survivable becomes a
:class:`~cablerouter.telegram.model.DecodeWarning` on the cable instead.

Reason codes (``DecodeError.reason``)
-------------------------------------
Stable snake_case codes (:data:`cablerouter.errors.DecodeReason`); they become the
dead-letter ``reason`` and a metric label.

``empty_input``
    Zero bytes, or nothing but white space.
``oversized_input``
    More than ``DecodeLimits.max_bytes`` bytes.
``binary_input``
    Not text: more than 10 % of the bytes are control bytes (NUL included), or more than
    30 % of the characters are invalid UTF-8.
``no_addressees``
    No header was found (text only), or the header has no TO/INFO/XMT addressee at all: a
    cable with nobody to route to cannot be routed.
``too_many_addressees``
    More than ``DecodeLimits.max_addressees`` TO+INFO+XMT addressees.
``bad_dtg``
    An FL5 line (precedence prosign(s) followed by a digit group) whose date-time group is
    not ``DDHHMMZ MON YY[YY]`` or names an impossible date or time.

Warning codes (``DecodeWarning.code``)
--------------------------------------
Stable snake_case codes (:data:`cablerouter.telegram.model.WarningCode`).

``control_characters``
    Control characters were removed before decoding.
``invalid_utf8``
    Invalid UTF-8 was replaced by U+FFFD.
``text_before_header``
    Lines before the header (an e-mail or archive wrapper) were skipped.
``lower_case_header``
    Header lines in lower case were read as upper case.
``unparsed_header_line``
    A header line matched no format line.
``unparsed_origination``
    The FL3 ``DE`` line ends with groups that were not understood.
``unparsed_originator``
    The ``FM`` line holds no PLAD.
``unparsed_addressee_line``
    A line under TO/INFO/XMT holds neither a PLAD nor a routing indicator (the line
    is also kept verbatim in ``Cable.unreadable``).
``month_in_plad``, ``broken_ri``, ``mcn_in_plad``, ``doubled_word``
    A garbled addressee line was repaired (see :mod:`cablerouter.telegram.repairs`); the
    addressee lists the repair and keeps the line as written.
``ambiguous_addressee_line``
    An addressee line looks garbled but has no unambiguous repair: left as written.
``addressee_after_exemption``
    A line after exempted (XMT) ones carries an MCN, a precedence or a routing indicator
    that exempted designators never carry, so it was read as an addressee of the block the
    exemption interrupted.
``page_artefact``
    A page-break line (``PAGE 02 ...``) was removed from the header.
``routing_prosign_not_doubled``
    The FL2 prosign is not a doubled letter (``OO``, ``PP``).
``unknown_precedence_prosign``
    The FL2 prosign is not Z, O, P or R.
``unusual_security_letters``
    The FL4 letters are not five identical known letters (``UUUAA``).
``bad_filing_time``
    The FL3 filing time is not a valid time.
``filing_time_mismatch``
    The FL3 filing time is more than two days away from the DTG.
``missing_dtg``
    There is no FL5 date-time group.
``missing_originator``
    There is no ``FM`` line.
``no_action_addressees``
    There are INFO addressees but no TO addressee.
``duplicate_header``
    A second copy of the header (archive export) was skipped before the text.
``text_before_classification``
    Lines between the header and the classification line were skipped.
``no_classification``
    The text has no classification line.
``misspelt_classification``
    The classification word is misspelt but recognisable (``UUNCLAS``).
``unknown_caption``
    A caption line holds a word that is not a known caption.
``bad_declassification_date``
    The E.O. line's ``DECL:`` date is not a valid date.
``no_text``
    The input ends after the header.
``native_scanner_failed``
    The native scanner failed on this input (a panic: a bug in the scanner, not bad
    input); the Python parsers decoded it instead. The router counts these
    (``cablerouter_native_scanner_failures_total``) and logs the first one. When the Python
    parsers reject the input, the :class:`DecodeError` says so instead
    (``native_scanner_failed``), and the failure is counted all the same.
"""

from __future__ import annotations

from typing import get_args

from cablerouter.errors import DecodeError, DecodeReason
from cablerouter.telegram._heading_warnings import no_action_warning
from cablerouter.telegram._scan import ScannerPanic, scan_decode
from cablerouter.telegram._wrappers import locate_header
from cablerouter.telegram.header import parse_header
from cablerouter.telegram.lines import LineBuffer, decode_bytes
from cablerouter.telegram.model import Cable, DecodeLimits, DecodeWarning, WarningCode
from cablerouter.telegram.repairs import repair_addressees
from cablerouter.telegram.text import parse_text, reference_id

__all__ = ("NATIVE_SCANNER_FAILED", "REASONS", "decode_telegram", "decode_with")

REASONS: tuple[DecodeReason, ...] = get_args(DecodeReason)
"""Every ``DecodeError.reason`` the decoder raises."""

NATIVE_SCANNER_FAILED: WarningCode = "native_scanner_failed"
"""The warning code of a cable the native scanner failed on (see the module docstring)."""

_DEFAULT_LIMITS = DecodeLimits()


def decode_telegram(raw: bytes, *, limits: DecodeLimits = _DEFAULT_LIMITS) -> Cable:
    """Decode one raw telegram.

    Parameters
    ----------
    raw
        The telegram as received (any line ends, UTF-8 expected).
    limits
        Size and addressee limits.

    Returns
    -------
    Cable
        The decoded cable, with warnings for everything unusual but survivable.

    Raises
    ------
    DecodeError
        With one of the reason codes listed in this module's docstring.
    """
    return decode_with(raw, limits, native=True)


def decode_with(raw: bytes, limits: DecodeLimits, *, native: bool) -> Cable:
    """Decode one raw telegram with one of the two readers.

    Parameters
    ----------
    raw
        The telegram as received.
    limits
        Size and addressee limits.
    native
        Try the native scanner (``cablerouter_scan``, when installed and not turned off)
        first, as :func:`decode_telegram` does; it reads clean standard cables and leaves
        everything else to the Python parsers. ``False`` runs only the Python parsers, the
        reference. The result is the same either way.

    Returns
    -------
    Cable
        The decoded cable.

    Raises
    ------
    DecodeError
        As :func:`decode_telegram`.
    """
    warnings: list[DecodeWarning] = []
    if native:
        try:
            cable = scan_decode(raw, limits)
        except ScannerPanic as exc:
            # A bug in the scanner, not bad input: the Python parsers decode the cable, and
            # the failure travels on it for the caller to count.
            detail = f"the native scanner failed ({str(exc)[:80]}); decoded by the Python parsers"
            warnings.append(DecodeWarning(code=NATIVE_SCANNER_FAILED, detail=" ".join(detail.split())))
        else:
            if cable is not None:
                return repair_addressees(cable)
    try:
        return _decode_python(raw, limits, warnings)
    except DecodeError as exc:
        # The rejection stands; that the scanner failed first travels on it to be counted.
        exc.native_scanner_failed = any(w.code == NATIVE_SCANNER_FAILED for w in warnings)
        raise


def _decode_python(raw: bytes, limits: DecodeLimits, warnings: list[DecodeWarning]) -> Cable:
    """The Python parsers' reading of ``raw`` (``warnings`` may already hold the scanner's)."""
    text = decode_bytes(raw, limits, warnings)
    buf = LineBuffer(text)
    start, distribution = locate_header(buf, warnings)
    if start < 0:
        raise DecodeError(
            "no_addressees",
            "Expected a telegram header (VZCZC, DE, DTG or FM line) with TO/INFO addressees, "
            "got text only",
            line=1,
            excerpt=text.lstrip()[:60],
        )
    h = parse_header(buf, start, limits, warnings)
    if not h.to and not h.info and not h.xmt:
        raise DecodeError(
            "no_addressees",
            "Expected a TO or INFO addressee line, got none",
            line=h.end + 1 if h.end < len(buf.lines) else None,
            excerpt=buf.lines[start].strip()[:60],
        )
    if h.dtg_raw is None:
        warnings.append(DecodeWarning(code="missing_dtg", detail="no FL5 date-time group"))
    if h.originator is None:
        warnings.append(DecodeWarning(code="missing_originator", detail="no FM line"))
    if h.info and not h.to:
        warnings.append(no_action_warning(h.info[0].line))
    t = parse_text(buf, h.end, warnings)
    precedence = h.precedence
    if precedence is None and h.dtg_raw is None and h.routing is not None:
        precedence = h.routing.precedence
    year = h.dtg.year if h.dtg is not None else None
    cable = Cable(
        id=reference_id(t.classification, year),
        transmission=h.transmission,
        routing=h.routing,
        origin=h.origin,
        security=h.security,
        precedence=precedence,
        info_precedence=h.info_precedence,
        dtg=h.dtg,
        dtg_raw=h.dtg_raw,
        dtg_opsigs=h.dtg_opsigs,
        originator=h.originator,
        to=h.to,
        info=h.info,
        xmt=h.xmt,
        classification=t.classification,
        captions=t.captions,
        eo=t.eo,
        declassify_on=t.declassify_on,
        tags=t.tags,
        subject=t.subject,
        refs=t.refs,
        signer=t.signer,
        body=t.body,
        warnings=warnings,
        size=len(raw),
        distribution=distribution if distribution is not None else h.distribution,
        instructions=t.instructions,
        paragraph_marks=t.paragraph_marks,
        body_line=t.body_line,
        unreadable=h.unreadable,
    )
    return repair_addressees(cable)
