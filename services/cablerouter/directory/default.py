"""Building the shipped default directory from its source tables (pure; the rows are passed in).

The default combines, in order of authority:

1. *Curated entries* (``data/directory/*-default.yaml``): collectives with illustrative
   memberships and addressees whose cable PLAD differs from the ACP 117 name
   (``SECSTATE WASHDC`` for ``RUEHC``). They win every name they claim.
2. *ACP 117 (2010)* ``ri,name`` rows: one :class:`Station` per RI (``X THRU Y`` ranges are
   expanded, 4-letter relay facilities are marked ``relay``) and one
   :class:`AddresseeEntry` per name (comma-separated names are separate addressees; a name
   listed for several RIs is served by the first).
3. *Observed* ``plad,ri`` pairs from cables: an addressee for each PLAD not already known.

Every generated addressee whose name ends in ``WASHINGTON DC`` also answers to the State
abbreviation ``WASHDC`` (and the other way round), unless another entry has that name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from cablerouter.directory._names import normalise_name
from cablerouter.directory.index import Directory, name_validities
from cablerouter.directory.model import AddresseeEntry, CollectiveEntry, DirectoryDocument, Station
from cablerouter.directory.parse import check_document, convert_document
from cablerouter.errors import DirectoryError

__all__ = ("build_default_directory", "expand_ri_range")

_RI = re.compile(r"[A-Z]{4,8}")
_RANGE = re.compile(r"([A-Z]{3,7})([A-Z]) THRU \1([A-Z])")
_WASHDC = (" WASHINGTON DC", " WASHDC")


def expand_ri_range(text: str) -> list[str]:
    """Return the RIs a table cell denotes: one RI, or a ``RHFJAAA THRU RHFJAAZ`` range.

    Parameters
    ----------
    text
        The ``ri`` cell of an ACP 117 row.

    Returns
    -------
    list of str
        The routing indicators; empty if the cell is neither form.
    """
    text = text.strip()
    if _RI.fullmatch(text):
        return [text]
    match = _RANGE.fullmatch(text)
    if match is None or match.group(2) > match.group(3):
        return []
    stem, first, last = match.groups()
    return [stem + chr(c) for c in range(ord(first), ord(last) + 1)]


def build_default_directory(
    ri_rows: Iterable[tuple[str, str]],
    plad_rows: Iterable[tuple[str, str]],
    curated: Iterable[Any],
) -> Directory:
    """Build the default directory from the ACP 117 table, observed pairs and curated documents.

    Parameters
    ----------
    ri_rows
        ``(ri, name)`` rows of the ACP 117 table (header removed).
    plad_rows
        ``(plad, ri)`` rows of the observed table (header removed).
    curated
        Plain directory documents (as loaded from YAML), applied in order.

    Returns
    -------
    Directory
        The default directory; it passes the strict file validation.

    Raises
    ------
    DirectoryError
        If a curated document is invalid (naming the entry).
    """
    document = convert_document(_merge_documents(curated))
    taken: set[str] = set()
    targets: list[AddresseeEntry | CollectiveEntry] = [*document.addressees, *document.collectives]
    for entry in targets:
        taken.update(_names_of(entry))
    curated_ris = {station.ri for station in document.stations}

    stations: dict[str, list[str]] = {}
    generated: dict[str, tuple[str, str]] = {}  # normalised name -> (name as written, ri)
    for cell, written in ri_rows:
        ris = expand_ri_range(cell)
        parts = [p.strip() for p in written.split(",") if normalise_name(p)]
        for ri in ris:
            stations.setdefault(ri, [])
            stations[ri].extend(p for p in parts if p not in stations[ri])
        if not ris or len(ris[0]) == 4:
            continue
        for part in parts:
            key = normalise_name(part)
            if key not in taken and key not in generated:
                generated[key] = (part, ris[0])
    for plad, ri in plad_rows:
        key = normalise_name(plad)
        if key and _RI.fullmatch(ri.strip()) and key not in taken and key not in generated:
            generated[key] = (plad.strip(), ri.strip())

    all_stations = list(document.stations)
    for ri, names in stations.items():
        if ri not in curated_ris:
            all_stations.append(Station(ri=ri, names=list(names), relay=len(ri) == 4, note="ACP 117 (2010)"))
    addressees = list(document.addressees)
    used = taken | set(generated)
    for key, (plad, ri) in generated.items():
        aliases = []
        for long, short in (_WASHDC, _WASHDC[::-1]):
            if key.endswith(long):
                alias = key[: -len(long)] + short
                if alias not in used:
                    used.add(alias)
                    aliases.append(alias)
        addressees.append(AddresseeEntry(id=key, plad=plad, ri=ri, aliases=list(aliases)))
    combined = DirectoryDocument(
        stations=all_stations, addressees=addressees, collectives=list(document.collectives)
    )
    check_document(combined)
    return Directory.from_entries([*combined.stations, *combined.addressees, *combined.collectives])


def _names_of(entry: AddresseeEntry | CollectiveEntry) -> set[str]:
    names = {normalise_name(entry.id), normalise_name(entry.plad)}
    names.update(name for name, _, _ in name_validities(entry.aliases))
    return names


def _merge_documents(documents: Iterable[Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {"stations": [], "addressees": [], "collectives": []}
    for document in documents:
        if not isinstance(document, dict):
            raise DirectoryError("invalid_directory", "Expected a curated directory document (a mapping)")
        for section, entries in merged.items():
            entries.extend(document.get(section) or [])
    return merged
