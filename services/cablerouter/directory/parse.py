"""Strict validation of an operator's directory file (YAML or JSON).

Unlike the lenient update path, a file must be consistent on its own: every entry valid,
canonical ids and station RIs unique, each name belonging to one entry, validity ranges
ordered and every collective member an addressee of the file. The first problem found
raises :class:`~cablerouter.errors.DirectoryError` naming the entry, for example
``Invalid entry collectives[0] `CIS COLLECTIVE`: member `AMEMBASSY ATLANTIS` is not an
addressee of the directory``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import msgspec

from cablerouter.directory._names import normalise_name
from cablerouter.directory.index import Directory, name_validities
from cablerouter.directory.model import (
    AddresseeEntry,
    CollectiveEntry,
    DirectoryDocument,
    Member,
    Station,
)
from cablerouter.errors import DirectoryError

__all__ = (
    "check_document",
    "convert_document",
    "directory_document",
    "parse_directory",
    "validate_directory",
)

_SECTIONS: tuple[tuple[str, type], ...] = (
    ("stations", Station),
    ("addressees", AddresseeEntry),
    ("collectives", CollectiveEntry),
)


class _Shell(msgspec.Struct, forbid_unknown_fields=True):
    description: str = ""
    stations: list[Any] = []
    addressees: list[Any] = []
    collectives: list[Any] = []


def parse_directory(data: bytes | str, *, fmt: Literal["yaml", "json"]) -> Directory:
    """Parse and strictly validate a directory file's text.

    Parameters
    ----------
    data
        The file's content.
    fmt
        ``"yaml"`` or ``"json"``.

    Returns
    -------
    Directory
        The validated snapshot.

    Raises
    ------
    DirectoryError
        ``invalid_directory`` naming the offending entry (``addressees[3] `ID```), or the
        syntax error of the text.
    """
    try:
        obj = msgspec.json.decode(data) if fmt == "json" else msgspec.yaml.decode(data)
    except msgspec.DecodeError as exc:
        detail = " ".join(str(exc).split())
        raise DirectoryError("invalid_directory", f"Expected {fmt.upper()} text: {detail}") from None
    return validate_directory(obj)


def validate_directory(obj: Any) -> Directory:
    """Strictly validate a plain object (as loaded from YAML/JSON) and build the snapshot.

    Parameters
    ----------
    obj
        A mapping with the optional keys ``description``, ``stations``, ``addressees`` and
        ``collectives`` (see :class:`DirectoryDocument`).

    Returns
    -------
    Directory
        The validated snapshot.

    Raises
    ------
    DirectoryError
        ``invalid_directory`` naming the offending entry.
    """
    document = convert_document(obj)
    check_document(document)
    return Directory.from_entries([*document.stations, *document.addressees, *document.collectives])


def directory_document(directory: Directory, *, description: str = "") -> DirectoryDocument:
    """Return the file form of a snapshot; it parses back to an equal directory.

    Parameters
    ----------
    directory
        The snapshot.
    description
        Text for the document's ``description``.

    Returns
    -------
    DirectoryDocument
        Stations, addressees and collectives, each sorted by key.
    """
    entries = directory.entries().values()
    return DirectoryDocument(
        description=description,
        stations=[e for e in entries if isinstance(e, Station)],
        addressees=[e for e in entries if isinstance(e, AddresseeEntry)],
        collectives=[e for e in entries if isinstance(e, CollectiveEntry)],
    )


def _label(section: str, index: int, item: Any) -> str:
    name = None
    if isinstance(item, dict):
        name = item.get("ri" if section == "stations" else "id")
    elif isinstance(item, (Station, AddresseeEntry, CollectiveEntry)):
        name = item.ri if isinstance(item, Station) else item.id
    return f"{section}[{index}]" + (f" `{name}`" if isinstance(name, str) else "")


def _fail(label: str, problem: str) -> DirectoryError:
    return DirectoryError("invalid_directory", f"Invalid entry {label}: {problem}")


def convert_document(obj: Any) -> DirectoryDocument:
    """Convert a plain object entry by entry; a failing entry raises ``DirectoryError`` naming it."""
    try:
        shell = msgspec.convert(obj, _Shell)
    except msgspec.ValidationError as exc:
        raise DirectoryError("invalid_directory", f"Invalid directory file: {exc}") from None
    converted: dict[str, list[Any]] = {}
    for section, entry_type in _SECTIONS:
        items = getattr(shell, section)
        entries: list[Any] = []
        for index, item in enumerate(items):
            try:
                entries.append(msgspec.convert(item, entry_type))
            except msgspec.ValidationError as exc:
                raise _fail(_label(section, index, item), str(exc)) from None
        converted[section] = entries
    return DirectoryDocument(description=shell.description, **converted)


def _check_range(label: str, what: str, valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if valid_from is not None and valid_to is not None and valid_from > valid_to:
        raise _fail(label, f"{what} valid_from {valid_from} is after valid_to {valid_to}")


def _overlaps(a: tuple[dt.date | None, dt.date | None], b: tuple[dt.date | None, dt.date | None]) -> bool:
    lo = max((d for d in (a[0], b[0]) if d is not None), default=None)
    hi = min((d for d in (a[1], b[1]) if d is not None), default=None)
    return lo is None or hi is None or lo <= hi


def check_document(document: DirectoryDocument) -> None:
    """Check a document's consistency; the first problem raises ``DirectoryError`` naming the entry."""
    stations: dict[str, str] = {}
    for index, station in enumerate(document.stations):
        label = _label("stations", index, station)
        if station.ri in stations:
            raise _fail(label, f"duplicate routing indicator, also {stations[station.ri]}")
        stations[station.ri] = label
        for name, valid_from, valid_to in name_validities(station.names):
            if not name:
                raise _fail(label, "a station name is empty after normalisation")
            _check_range(label, f"name `{name}`", valid_from, valid_to)

    ids: dict[str, str] = {}
    owners: dict[str, list[tuple[str, str, tuple[dt.date | None, dt.date | None]]]] = {}
    targets: list[tuple[str, int, AddresseeEntry | CollectiveEntry]] = [
        *(("addressees", i, e) for i, e in enumerate(document.addressees)),
        *(("collectives", i, e) for i, e in enumerate(document.collectives)),
    ]
    for section, index, entry in targets:
        label = _label(section, index, entry)
        if entry.id in ids:
            raise _fail(label, f"duplicate id, also {ids[entry.id]}")
        ids[entry.id] = label
        _check_range(label, "entry", entry.valid_from, entry.valid_to)
        spans: set[tuple[str, dt.date | None, dt.date | None]] = {
            (normalise_name(entry.id), None, None), (normalise_name(entry.plad), None, None)}
        spans.update(name_validities(entry.aliases))
        for name, valid_from, valid_to in sorted(spans, key=lambda s: (s[0], str(s[1]), str(s[2]))):
            if not name:
                raise _fail(label, "a name is empty after normalisation")
            _check_range(label, f"alias `{name}`", valid_from, valid_to)
            for other_id, other_label, other_range in owners.get(name, ()):
                if other_id != entry.id and _overlaps((valid_from, valid_to), other_range):
                    raise _fail(label, f"name `{name}` also belongs to {other_label}")
            owners.setdefault(name, []).append((entry.id, label, (valid_from, valid_to)))

    addressee_ids = {a.id for a in document.addressees}
    for index, collective in enumerate(document.collectives):
        label = _label("collectives", index, collective)
        seen: set[str] = set()
        for member in collective.members:
            span = member if isinstance(member, Member) else Member(addressee=member)
            if span.addressee not in addressee_ids:
                raise _fail(label, f"member `{span.addressee}` is not an addressee of the directory")
            _check_range(label, f"member `{span.addressee}`", span.valid_from, span.valid_to)
            if span.addressee in seen and not isinstance(member, Member):
                raise _fail(label, f"member `{span.addressee}` is listed twice")
            seen.add(span.addressee)
