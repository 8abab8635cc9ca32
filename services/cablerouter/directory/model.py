"""Typed model of the routing directory and of the distribution lists resolved from it.

A directory holds three kinds of *entries*:

* :class:`Station` -- a routing indicator (RI) with the names it has carried. RIs outlive
  post names (``RUEHTA`` served the embassy in Almaty and then in Astana), so names carry
  validity dates.
* :class:`AddresseeEntry` -- one addressee: a canonical id, its PLAD plus aliases, the RI
  that serves it and optional attributes such as a clearance level.
* :class:`CollectiveEntry` -- a collective address (``RUCNCIS/CIS COLLECTIVE``) and the
  addressees it expands to, each membership with optional validity dates.

Entries form a tagged union (:data:`DirectoryEntry`, tag field ``kind``) so one entry can
travel alone as the value of a record on the compacted ``cables.directory`` topic. An
operator's directory file is a :class:`DirectoryDocument`. Validity dates are inclusive
and compared with the date of the cable's DTG; ``None`` means open-ended.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

import msgspec

from cablerouter.telegram.model import Precedence

__all__ = (
    "CLEARANCES",
    "AddresseeEntry",
    "Alias",
    "Clearance",
    "CollectiveEntry",
    "Delivery",
    "DirectoryDocument",
    "DirectoryEntry",
    "DistributionList",
    "Exemption",
    "Member",
    "ResolutionRule",
    "Role",
    "Station",
)

RoutingIndicator = Annotated[
    str, msgspec.Meta(pattern=r"^[A-Z]{4,8}$", description="Routing indicator, e.g. RUEHTA")
]
EntryId = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=200,
        pattern=r"^\S(?:.*\S)?$",
        description="Canonical id: no leading/trailing blanks, e.g. AMEMBASSY BEIJING",
    ),
]
Name = Annotated[
    str,
    msgspec.Meta(min_length=1, max_length=200, pattern=r"\S", description="A PLAD or station name"),
]

Clearance = Literal["UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET"]
"""Highest classification an addressee may receive, lowest first in :data:`CLEARANCES`."""

CLEARANCES: tuple[Clearance, ...] = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET")

ResolutionRule = Literal["plad", "name_variant", "name_typo", "station", "ri", "unknown", "collective"]
"""The rule that resolved a delivery (see :mod:`cablerouter.directory.resolve`)."""

Role = Literal["action", "info"]
"""``action`` for an addressee under TO, ``info`` under INFO."""


class _Input(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of every input Struct (files and update records we own).

    Subclasses say ``frozen=True`` again (msgspec inherits it; type checkers only see it
    where it is written), as do those of :class:`_Output`.
    """


class Alias(_Input, frozen=True):
    """A name valid between two dates (inclusive); either end may be open.

    Parameters
    ----------
    name
        The name (PLAD or station name) as written.
    valid_from, valid_to
        First and last day the name applies; ``None`` is open-ended.
    """

    name: Name
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class Member(_Input, frozen=True):
    """Membership of one addressee in a collective, between two dates (inclusive).

    Parameters
    ----------
    addressee
        Canonical id of the member addressee.
    valid_from, valid_to
        First and last day of the membership; ``None`` is open-ended.
    """

    addressee: EntryId
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class Station(_Input, frozen=True, tag="station", tag_field="kind"):
    """A routing indicator and the names it has carried.

    Parameters
    ----------
    ri
        The routing indicator.
    names
        Names of the station, first preferred; a plain string is valid at all times.
    relay
        ``True`` for a relay facility that is not itself an addressee (``RUCN``).
    note
        Free text (provenance).
    """

    ri: RoutingIndicator
    names: list[Name | Alias] = []
    relay: bool = False
    note: str = ""


class AddresseeEntry(_Input, frozen=True, tag="addressee", tag_field="kind"):
    """An addressee: canonical id, PLAD, aliases, serving RI and attributes.

    Parameters
    ----------
    id
        Canonical id; the delivery topic is derived from it (see :func:`topic_for`).
    plad
        The plain-language address designator as cables write it.
    aliases
        Other names that resolve to this addressee; plain strings are valid at all times.
    ri
        The routing indicator that serves the addressee, if known.
    clearance
        Highest classification the addressee may receive; ``None`` when not managed.
    attributes
        Further operator attributes (string to string); resolution ignores them.
    valid_from, valid_to
        First and last day the addressee exists; ``None`` is open-ended.
    note
        Free text (provenance).
    """

    id: EntryId
    plad: Name
    aliases: list[Name | Alias] = []
    ri: RoutingIndicator | None = None
    clearance: Clearance | None = None
    attributes: dict[str, str] = {}
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    note: str = ""


class CollectiveEntry(_Input, frozen=True, tag="collective", tag_field="kind"):
    """A collective address and the addressees it expands to.

    Parameters
    ----------
    id
        Canonical id; a collective without known members is delivered to its own topic.
    plad
        The collective's PLAD (``CIS COLLECTIVE``).
    aliases
        Other names of the collective.
    ri
        The collective's routing indicator (``RUCNCIS``), if known.
    members
        Member addressees by canonical id; a plain string is a member at all times.
    valid_from, valid_to
        First and last day the collective exists; ``None`` is open-ended.
    illustrative
        ``True`` for shipped default memberships that operators are expected to replace.
    note
        Free text (provenance).
    """

    id: EntryId
    plad: Name
    aliases: list[Name | Alias] = []
    ri: RoutingIndicator | None = None
    members: list[EntryId | Member] = []
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    illustrative: bool = False
    note: str = ""


DirectoryEntry = Station | AddresseeEntry | CollectiveEntry
"""One entry: the value of a record on the ``cables.directory`` topic (tag field ``kind``)."""


class DirectoryDocument(_Input, frozen=True):
    """An operator's routing directory file (YAML or JSON).

    Parameters
    ----------
    description
        Free text describing the directory and where its data comes from.
    stations, addressees, collectives
        The entries. Canonical ids are unique across addressees and collectives, and each
        name (PLAD or alias) belongs to one entry.
    """

    description: str = ""
    stations: list[Station] = []
    addressees: list[AddresseeEntry] = []
    collectives: list[CollectiveEntry] = []


class _Output(msgspec.Struct, frozen=True, kw_only=True, gc=False):
    """Base of the Structs resolution produces.

    ``gc=False``: instances hold only strings and lists of strings, so they can never be part
    of a reference cycle, and skipping GC tracking keeps resolution cheap.
    """


class Delivery(_Output, frozen=True):
    """One copy of a cable for one addressee.

    Parameters
    ----------
    addressee
        Canonical id of the addressee (for an unknown addressee, its normalised PLAD or RI).
    topic
        Kafka topic the copy goes to (``cables.to.amembassy-beijing``).
    role
        ``action`` (TO) or ``info`` (INFO); action wins when both reach the addressee.
    precedence
        The addressee's own precedence if written, else the cable's action or info
        precedence; the highest wins when several paths reach the addressee.
    via
        Every path that reached the addressee: ``direct`` and/or ``collective:<id>``.
    mcn
        Message continuity number of the line that reached the addressee, if any.
    flags
        Sorted markers: ``unknown`` (neither the PLAD nor the routing indicator is in the
        directory), ``unlisted`` (a PLAD the directory does not list, at a station it
        knows), ``collective_without_members``, ``zen`` (delivered by other means),
        ``above_clearance`` (the cable's classification exceeds the addressee's clearance).
    rule
        The resolution rule that produced the delivery: ``plad``, ``name_variant``,
        ``name_typo``, ``station``, ``ri``, ``unknown`` or ``collective`` (see
        :mod:`cablerouter.directory.resolve`).
    station
        Routing indicator of the station that delivers the copy: the directory's for the
        addressee, else the one the line names; ``None`` when neither is known.
    """

    addressee: str
    topic: str
    role: Role
    precedence: Precedence | None = None
    via: list[str] = []
    mcn: str | None = None
    flags: list[str] = []
    rule: ResolutionRule = "plad"
    station: str | None = None


class Exemption(_Output, frozen=True):
    """One exempted (XMT) addressee of a cable.

    Parameters
    ----------
    addressee
        Canonical id of the exempted addressee (its normalised PLAD when not listed).
    line
        1-based line number of the exemption in the cable.
    collective
        The collective named nearest before it on a TO/INFO line, which it is read as
        exempting from; ``None`` when there is none.
    flags
        ``not_in_collective`` when that collective does not list the addressee,
        ``no_collective`` when no collective comes before it. The addressee is exempted
        from every collective of the cable all the same.
    """

    addressee: str
    line: int
    collective: str | None = None
    flags: list[str] = []


class DistributionList(_Output, frozen=True):
    """Every delivery of one cable, action addressees first, then in the cable's order.

    Parameters
    ----------
    cable_id
        The cable's id, when the decoder found one.
    directory_version
        :attr:`Directory.version` of the snapshot the list was resolved against.
    deliveries
        One delivery per addressee.
    exemptions
        Every XMT exemption of the cable, in the cable's order.
    """

    cable_id: str | None = None
    directory_version: str = ""
    deliveries: list[Delivery] = []
    exemptions: list[Exemption] = []
