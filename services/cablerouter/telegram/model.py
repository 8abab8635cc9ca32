"""Typed model of a decoded telegram (cable).

All Structs are frozen and keyword-only. Schema evolution follows msgspec's rules: new
fields get defaults, existing fields never change type, nothing is ``array_like``.
The JSON Schema in ``schemas/cable.schema.json`` is generated from these types.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

__all__ = (
    "PRECEDENCES",
    "Addressee",
    "Cable",
    "Classification",
    "DecodeLimits",
    "Origination",
    "Precedence",
    "RoutingLine",
    "SecurityWarning",
    "TransmissionId",
    "Warning",
)

Precedence = Literal["FLASH", "NIACT IMMEDIATE", "IMMEDIATE", "PRIORITY", "ROUTINE"]
"""Precedence of a cable or of one addressee, highest first in :data:`PRECEDENCES`."""

PRECEDENCES: tuple[Precedence, ...] = ("FLASH", "NIACT IMMEDIATE", "IMMEDIATE", "PRIORITY", "ROUTINE")

RoutingIndicator = Annotated[str, msgspec.Meta(pattern=r"^[A-Z]{4,8}$")]


class _Frozen(msgspec.Struct, frozen=True, kw_only=True, omit_defaults=False):
    """Base for every Struct of the model."""


class Warning(_Frozen):  # noqa: A001 - a domain noun, never used bare with the builtin
    """Something unusual but survivable met while decoding.

    Parameters
    ----------
    code
        Stable snake_case code (``invalid_utf8``, ``unparsed_addressee_line``, ...).
    line
        1-based line number, or ``None`` when it concerns the whole input.
    detail
        One human-readable line.
    """

    code: str
    line: int | None = None
    detail: str = ""


class TransmissionId(_Frozen):
    """FL1: ``VZCZC`` + channel designator + channel serial, e.g. ``VZCZCXRO1169``."""

    raw: str
    channel: str
    serial: str


class RoutingLine(_Frozen):
    """FL2: doubled precedence prosign and the routing indicators of the delivering stations."""

    prosign: str
    precedence: Precedence | None
    ris: list[str] = []


class Origination(_Frozen):
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


class SecurityWarning(_Frozen):
    """FL4: ``ZNR``/``ZNY`` security warning, its letters and the remaining operating signals."""

    signal: Literal["ZNR", "ZNY"]
    letters: str
    classification: str | None = None
    opsigs: list[str] = []


class Addressee(_Frozen):
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
        The addressee text as written (after page-break clean-up).
    """

    ri: str | None = None
    plad: str | None = None
    zen: bool = False
    precedence: Precedence | None = None
    mcn: str | None = None
    office: str | None = None
    line: int = 0
    raw: str = ""


class Classification(_Frozen):
    """The classification line opening the text (FL12)."""

    marking: str
    section: int | None = None
    sections: int | None = None
    raw: str = ""


class Cable(_Frozen):
    """A decoded telegram.

    ``id``, ``to``, ``info``, ``xmt``, ``subject`` and ``tags`` are relied on by other tools
    and keep their names. Header parts that are absent in the input are ``None`` or empty.
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
    warnings: list[Warning] = []
    size: int = 0


class DecodeLimits(_Frozen):
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
