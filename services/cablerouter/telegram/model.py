"""Typed model of a decoded telegram (cable).

All Structs are frozen and keyword-only. Schema evolution follows msgspec's rules: new
fields get defaults, existing fields never change type, nothing is ``array_like``.
The JSON Schema in ``schemas/cable.schema.json`` is generated from these types.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal, get_args

import msgspec

__all__ = (
    "MAX_UNREADABLE_CHARS",
    "PRECEDENCES",
    "REPAIR_CODES",
    "WARNING_CODES",
    "Addressee",
    "Cable",
    "Classification",
    "DecodeLimits",
    "DecodeWarning",
    "InternalDistribution",
    "Origination",
    "Precedence",
    "RepairCode",
    "RoutingLine",
    "SecurityWarning",
    "TransmissionId",
    "UnreadableLine",
    "WarningCode",
)

Precedence = Literal["FLASH", "NIACT IMMEDIATE", "IMMEDIATE", "PRIORITY", "ROUTINE"]
"""Precedence of a cable or of one addressee, highest first in :data:`PRECEDENCES`."""

PRECEDENCES: tuple[Precedence, ...] = ("FLASH", "NIACT IMMEDIATE", "IMMEDIATE", "PRIORITY", "ROUTINE")

RoutingIndicator = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{4,8}$")]


class _Frozen(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=False, gc=False):
    """Base for every Struct of the model.

    ``gc=False``: the model holds no reference cycles (strings, numbers, datetimes and
    lists of Structs only), so instances need not be tracked by the cyclic garbage
    collector; this keeps a decoder that allocates dozens of them per cable from
    triggering collections (msgspec's performance tips). Subclasses say ``frozen=True``
    again: msgspec inherits it, but type checkers only see it where it is written.
    """


RepairCode = Literal["month_in_plad", "broken_ri", "mcn_in_plad", "doubled_word"]
"""A repair made to read a garbled addressee line (:mod:`cablerouter.telegram.repairs`)."""

REPAIR_CODES: tuple[RepairCode, ...] = get_args(RepairCode)

WarningCode = Literal[
    "control_characters",
    "invalid_utf8",
    "text_before_header",
    "lower_case_header",
    "unparsed_header_line",
    "unparsed_origination",
    "unparsed_originator",
    "unparsed_addressee_line",
    RepairCode,
    "ambiguous_addressee_line",
    "addressee_after_exemption",
    "page_artefact",
    "routing_prosign_not_doubled",
    "unknown_precedence_prosign",
    "unusual_security_letters",
    "bad_filing_time",
    "filing_time_mismatch",
    "missing_dtg",
    "missing_originator",
    "no_action_addressees",
    "duplicate_header",
    "text_before_classification",
    "no_classification",
    "misspelt_classification",
    "unknown_caption",
    "bad_declassification_date",
    "no_text",
    "native_scanner_failed",
]
"""Every ``DecodeWarning.code``; each is explained in :mod:`cablerouter.telegram.decode`."""

WARNING_CODES: tuple[WarningCode, ...] = get_args(WarningCode)


class DecodeWarning(_Frozen, frozen=True):
    """Something unusual but survivable met while decoding.

    Parameters
    ----------
    code
        Stable snake_case code (``invalid_utf8``, ``unparsed_addressee_line``, ...), one of
        :data:`WarningCode`; each is explained in the docstring of
        :mod:`cablerouter.telegram.decode`.
    line
        1-based line number, or ``None`` when it concerns the whole input.
    detail
        One human-readable line.
    """

    code: WarningCode
    line: int | None = None
    detail: str = ""


class TransmissionId(_Frozen, frozen=True):
    """FL1: ``VZCZC`` + channel designator + channel serial, e.g. ``VZCZCXRO1169``."""

    raw: str
    channel: str
    serial: str


class RoutingLine(_Frozen, frozen=True):
    """FL2: doubled precedence prosign and the routing indicators of the delivering stations."""

    prosign: str
    precedence: Precedence | None
    ris: list[str] = []


class Origination(_Frozen, frozen=True):
    """FL3: ``DE`` + originating RI, station serial number (SSN) and filing time.

    Parameters
    ----------
    ri
        Originating routing indicator (``RUEHTA``).
    ssn
        Station serial number without ``#`` (``0179``), with any letter suffix (``107A``).
    section
        The ``/NN`` section suffix as an integer, if present.
    filing_time
        The filing time resolved to an aware UTC datetime, when it can be.
    filing_time_raw
        The filing time as written (``0420828`` or ``02/0009Z``).
    """

    ri: str
    ssn: str | None = None
    section: int | None = None
    filing_time: dt.datetime | None = None
    filing_time_raw: str | None = None


class SecurityWarning(_Frozen, frozen=True):
    """FL4: ``ZNR``/``ZNY`` security warning, its letters and the remaining operating signals."""

    signal: Literal["ZNR", "ZNY"]
    letters: str
    classification: str | None = None
    opsigs: list[str] = []


class Addressee(_Frozen, frozen=True):
    """One addressee line under FM/TO/INFO/XMT.

    Parameters
    ----------
    ri
        Routing indicator before the slash (``RUEHC``), or ``None`` for a bare PLAD or ZEN.
    plad
        Plain-language address designator without office suffix, precedence or MCN
        (``SECSTATE WASHDC``); ``None`` for an RI-only line.
    zen
        ``True`` when written ``ZEN/PLAD`` (delivered by other means).
    precedence
        The addressee's own precedence, if written after the PLAD.
    mcn
        Message continuity number as written: ``"7388"`` or a range ``"4778-4781"``.
    office
        The ``//office//`` suffix without slashes (``"SCA/CEN"``), if any.
    line
        1-based line number of the addressee in the input.
    raw
        The addressee text as written (after page-break clean-up); for a repaired line,
        the line before its repair.
    repairs
        The repairs made to read a garbled line (``month_in_plad``, ``broken_ri``,
        ``mcn_in_plad``, ``doubled_word``; see :mod:`cablerouter.telegram.repairs`).
    """

    ri: str | None = None
    plad: str | None = None
    zen: bool = False
    precedence: Precedence | None = None
    mcn: str | None = None
    office: str | None = None
    line: int = 0
    raw: str = ""
    repairs: list[RepairCode] = []


class UnreadableLine(_Frozen, frozen=True):
    """A line of the address block that holds no addressee the decoder can read.

    Parameters
    ----------
    line
        1-based line number in the input.
    block
        The block it stands in: ``to``, ``info`` or ``xmt``.
    text
        The line as written (blanks at either end removed), at most
        :data:`MAX_UNREADABLE_CHARS` characters.
    """

    line: int
    block: Literal["to", "info", "xmt"]
    text: str


MAX_UNREADABLE_CHARS = 1000
"""Longest text kept of an unreadable addressee line (the rest is cut off)."""


class Classification(_Frozen, frozen=True):
    """The classification line opening the text (FL12).

    Parameters
    ----------
    marking
        The marking, letter-spacing removed: ``UNCLAS``, ``UNCLASSIFIED``, ``UNCLAS EFTO``,
        ``CONFIDENTIAL``, ``SECRET``, ``TOP SECRET``, ``LIMITED OFFICIAL USE``.
    section, sections
        ``SECTION n OF m`` of a multi-section cable.
    raw
        The line as written (stripped).
    origin
        The originating post as written on the line (``ASTANA``, ``USUN NEW YORK``).
    serial
        The cable serial as written on the line (``000179``).
    line
        1-based line number of the classification line.
    """

    marking: str
    section: int | None = None
    sections: int | None = None
    raw: str = ""
    origin: str | None = None
    serial: str | None = None
    line: int | None = None


class InternalDistribution(_Frozen, frozen=True):
    """State's internal distribution block printed on received copies before the DTG line.

    ``INFO  LOG-00   EEB-00 ... /001W`` followed by a dashed trace line such as
    ``------------------5A9C83  271329Z /38``.

    Parameters
    ----------
    action
        Office codes listed after ``ACTION`` (``EUR-00``).
    info
        Office codes listed after ``INFO`` (``LOG-00``, ``EEB-00``, ...).
    total
        The closing count group (``/001W``), if present.
    traces
        The dashed trace lines, whitespace collapsed.
    line
        1-based line number where the block starts.
    """

    action: list[str] = []
    info: list[str] = []
    total: str | None = None
    traces: list[str] = []
    line: int | None = None


class Cable(_Frozen, frozen=True):
    """A decoded telegram.

    ``id``, ``to``, ``info``, ``xmt``, ``subject`` and ``tags`` are relied on by other tools
    and keep their names. Header parts that are absent in the input are ``None`` or empty.

    Parameters
    ----------
    id
        Cable reference id ``YY`` + origin + serial (``10ASTANA179``), derived from the DTG
        year and the classification line; ``None`` when either is missing.
    transmission, routing, origin, security
        FL1, FL2, FL3 and FL4.
    precedence, info_precedence
        FL5 action and info precedence. With a single prosign both are the same; without
        a DTG line ``precedence`` falls back to the FL2 routing prosign.
    dtg, dtg_raw, dtg_opsigs
        FL5 date-time group as an aware UTC datetime, as written, and the operating signals
        written after it (``ZDK``, ``CTG#6223``).
    originator
        The ``FM`` line as an :class:`Addressee`.
    to, info, xmt
        Action, information and exempted addressees in input order.
    classification
        The classification line opening the text.
    captions
        Handling captions (``SENSITIVE``, ``SIPDIS``, ``NOFORN``, ``EXDIS``, ...), each once,
        in order of appearance.
    eo
        The E.O. line after ``E.O.``, whitespace collapsed (``12958: DECL: 05/05/2018``).
    declassify_on
        The ``DECL:`` date of the E.O. line, when it is a date.
    tags
        TAGS, upper case, without link markup.
    subject
        SUBJECT, continuation lines joined with single spaces.
    refs
        REF items with their ``A.``/``(A)`` letters removed (``08 ASTANA 1541``).
    signer
        The signature (last line of the text when it is a name), upper case.
    body
        The text after the SUBJECT/REF block up to the end of the message, signature
        included, page-break artefact lines removed.
    warnings
        Everything unusual but survivable met while decoding (see ``decode.py``).
    size
        Size of the raw input in bytes.
    distribution
        State's internal distribution block, when present.
    instructions
        Passing and internal-routing lines between the captions and the E.O. line
        (``STATE FOR SCA/CEN, ISN/WMDT``).
    paragraph_marks
        Paragraph classification marks (``U``, ``SBU``, ``C``, ``S/NF``), each once, in
        order of appearance.
    body_line
        1-based line number where ``body`` starts.
    unreadable
        Lines of the address block that hold no readable addressee, verbatim; each also
        has an ``unparsed_addressee_line`` warning.
    """

    id: str | None = None
    transmission: TransmissionId | None = None
    routing: RoutingLine | None = None
    origin: Origination | None = None
    security: SecurityWarning | None = None
    precedence: Precedence | None = None
    info_precedence: Precedence | None = None
    dtg: dt.datetime | None = None
    dtg_raw: str | None = None
    dtg_opsigs: list[str] = []
    originator: Addressee | None = None
    to: list[Addressee] = []
    info: list[Addressee] = []
    xmt: list[Addressee] = []
    classification: Classification | None = None
    captions: list[str] = []
    eo: str | None = None
    declassify_on: dt.date | None = None
    tags: list[str] = []
    subject: str | None = None
    refs: list[str] = []
    signer: str | None = None
    body: str = ""
    warnings: list[DecodeWarning] = []
    size: int = 0
    distribution: InternalDistribution | None = None
    instructions: list[str] = []
    paragraph_marks: list[str] = []
    body_line: int | None = None
    unreadable: list[UnreadableLine] = []


class DecodeLimits(_Frozen, frozen=True):
    """Limits the decoder enforces; breaking one raises ``DecodeError``.

    Parameters
    ----------
    max_bytes
        Largest input accepted (``oversized_input`` beyond it).
    max_addressees
        Largest number of TO+INFO+XMT addressee lines (``too_many_addressees``).
    """

    max_bytes: int = 1_048_576
    max_addressees: int = 2_000
