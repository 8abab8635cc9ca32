"""The lookups behind resolving a PLAD that is not listed word for word (pure).

Built once per directory snapshot, on first use (:meth:`Directory.loose`): most lines match
a name exactly and never need it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cablerouter.directory.index import name_validities
from cablerouter.directory.variants import is_typo_of, relay_indicators, variant_key

if TYPE_CHECKING:
    from cablerouter.directory.index import Directory
    from cablerouter.directory.model import ResolutionRule

__all__ = ("LooseIndex",)


class LooseIndex:
    """Name variants, relays and the names listed under each station of one directory.

    Attributes
    ----------
    variants
        :func:`variant_key` of every name -> the ids of the entries that carry it.
    relays
        The relay routing indicators (:func:`relay_indicators`): RIs that serve more than
        one distinct addressee, and the directory's relay facilities.
    station_names
        For each RI, ``(variant key, id)`` of every name of the entries it serves and of
        the station's own names that name an entry.
    """

    __slots__ = ("relays", "station_names", "variants")

    def __init__(
        self,
        variants: dict[str, tuple[str, ...]],
        relays: frozenset[str],
        station_names: dict[str, tuple[tuple[str, str], ...]],
    ) -> None:
        self.variants = variants
        self.relays = relays
        self.station_names = station_names

    @classmethod
    def build(cls, directory: Directory) -> LooseIndex:
        """Derive the index from a directory snapshot."""
        variants: dict[str, dict[str, None]] = {}
        first_owner: dict[str, str] = {}
        for name, ids in directory.name_owners():
            variants.setdefault(variant_key(name), {}).update(dict.fromkeys(ids))
            first_owner[name] = ids[0]
        station_names: dict[str, dict[tuple[str, str], None]] = {}
        entities: dict[str, set[str]] = {}
        for ri, ids in directory.served().items():
            pairs = station_names.setdefault(ri, {})
            entities.setdefault(ri, set()).update(ids)
            for target_id in ids:
                pairs.update(dict.fromkeys((variant_key(name), target_id) for name in directory.names_of(target_id)))
        for ri, station in directory.stations().items():
            for name, _, _ in name_validities(station.names):
                owner = first_owner.get(name)
                entities.setdefault(ri, set()).add(owner or variant_key(name))
                if owner is not None:
                    station_names.setdefault(ri, {})[(variant_key(name), owner)] = None
        relays = relay_indicators(entities, (ri for ri, station in directory.stations().items() if station.relay))
        return cls(
            {key: tuple(ids) for key, ids in variants.items()},
            relays,
            {ri: tuple(pairs) for ri, pairs in station_names.items()},
        )

    def match(self, name: str, station: str | None) -> tuple[str | None, ResolutionRule]:
        """``(id, rule)`` for a normalised PLAD that no name matches exactly.

        ``station`` is the line's RI when the directory knows it. The rule is
        ``name_variant`` or ``name_typo`` with the entry's id, else ``station`` (an unlisted
        PLAD at a known station) or ``unknown`` with ``None``.
        """
        target_id = self.by_variant(name)
        if target_id is not None:
            return target_id, "name_variant"
        at = self.at_station(name, station) if station is not None else None
        if at is not None:
            return at
        return None, "station" if station is not None else "unknown"

    def by_variant(self, name: str) -> str | None:
        """The one entry whose names include a spelling variant of ``name``, if exactly one does."""
        ids = self.variants.get(variant_key(name), ())
        return ids[0] if len(ids) == 1 else None

    def at_station(self, name: str, ri: str) -> tuple[str, ResolutionRule] | None:
        """``(id, rule)`` of the entry listed under station ``ri`` that ``name`` denotes.

        ``rule`` is ``name_variant`` when a spelling variant of ``name`` is listed under the
        station, ``name_typo`` when a misspelling of it is and ``ri`` is not a relay (under a
        relay, distinct names are distinct addressees). ``None`` when neither: ``name`` is an
        addressee the directory does not list at that station.
        """
        pairs = self.station_names.get(ri, ())
        key = variant_key(name)
        matches = {target_id for listed, target_id in pairs if listed == key}
        if len(matches) == 1:
            return matches.pop(), "name_variant"
        if matches or ri in self.relays:
            return None
        typos = {target_id for listed, target_id in pairs if is_typo_of(key, listed)}
        if len(typos) == 1:
            return typos.pop(), "name_typo"
        return None
