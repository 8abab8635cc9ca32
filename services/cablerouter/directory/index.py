"""An immutable directory snapshot with the lookup indexes resolution needs.

A :class:`Directory` is built once from its entries; its indexes are plain dicts, so
resolving a cable costs a few dict lookups per addressee line. It never changes: applying
an update (see :mod:`cablerouter.directory.update`) returns a new snapshot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import types
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import msgspec

from cablerouter.directory._names import is_valid_on, normalise_name
from cablerouter.directory.model import (
    AddresseeEntry,
    Alias,
    CollectiveEntry,
    DirectoryEntry,
    Member,
    Station,
)
from cablerouter.directory.topic import DEFAULT_TOPIC_PREFIX, topic_for

if TYPE_CHECKING:
    from cablerouter.directory.loose import LooseIndex

__all__ = (
    "Directory",
    "Expansion",
    "Route",
    "Target",
    "entry_digest",
    "entry_key",
    "name_validities",
)

Target = AddresseeEntry | CollectiveEntry
"""What an addressee line resolves to."""

Expansion = tuple[tuple[str, AddresseeEntry | None, str, str | None, bool], ...]
"""A collective's members on one day: (member id, entry or None if absent, default topic, the
entry's RI, whether it is an addressee without a clearance: a delivery with no flags)."""

Route = tuple[str, Target, str, Expansion | None, str | None, bool]
"""(canonical id, entry, default-prefix topic, expansion of an undated collective or None,
the entry's RI, whether it is an addressee without a clearance: a delivery with no flags)."""

_VERSION_MODULUS = 1 << 64
_LINE_MEMO_LIMIT = 100_000
_ENCODER = msgspec.json.Encoder()

# (target id, valid_from, valid_to) of one name or membership.
_Span = tuple[str, dt.date | None, dt.date | None]
# (normalised name, valid_from, valid_to) of one name of an entry.
_NameSpan = tuple[str, dt.date | None, dt.date | None]


def entry_key(entry: DirectoryEntry) -> str:
    """Return the stable key of an entry: ``station:<RI>``, ``addressee:<id>``, ``collective:<id>``.

    Parameters
    ----------
    entry
        A directory entry.

    Returns
    -------
    str
        The key used on the ``cables.directory`` topic and for replacing entries.
    """
    if isinstance(entry, Station):
        return f"station:{entry.ri}"
    if isinstance(entry, AddresseeEntry):
        return f"addressee:{entry.id}"
    return f"collective:{entry.id}"


def entry_digest(key: str, value: bytes) -> int:
    """Return the 64-bit digest of one record, summed into :attr:`Directory.version`."""
    raw = hashlib.blake2b(key.encode() + b"\0" + value, digest_size=8).digest()
    return int.from_bytes(raw, "big")


def name_validities(names: Iterable[str | Alias]) -> Iterator[tuple[str, dt.date | None, dt.date | None]]:
    """Yield ``(normalised name, valid_from, valid_to)`` for plain strings and aliases."""
    for name in names:
        if isinstance(name, Alias):
            yield normalise_name(name.name), name.valid_from, name.valid_to
        else:
            yield normalise_name(name), None, None


class Directory:
    """An immutable routing directory snapshot.

    Build one with :meth:`from_entries`, :func:`~cablerouter.directory.parse_directory` or
    :func:`~cablerouter.directory.apply_update`. Construction is lenient: a later entry
    with the same key replaces an earlier one, a name claimed by several entries goes to
    the entry with the smallest key, and memberships may name addressees not (yet) in the
    directory (records on the ``cables.directory`` topic arrive in any order). Files are
    checked strictly by :func:`~cablerouter.directory.parse_directory` instead.

    Attributes
    ----------
    version
        16 hex digits: the sum modulo 2**64 of a 64-bit BLAKE2b digest of every
        ``(key, msgspec-JSON value)`` record. It depends only on the content, not on the
        order or history of updates, so equal directories have equal versions.
    size
        Number of entries (stations + addressees + collectives).
    """

    __slots__ = (
        "_by_ri", "_derived", "_digests", "_entries", "_line_memo", "_loose", "_members", "_names",
        "_open_expansions", "_routes", "_stations", "_targets", "_topic_memo", "_topics",
        "_version", "_version_sum",
    )
    _derived: dict[str, tuple[Target, tuple[_NameSpan, ...], str]]

    def __init__(
        self,
        entries: Mapping[str, DirectoryEntry],
        digests: Mapping[str, int],
        previous: Directory | None = None,
    ) -> None:
        """Index ``entries`` (key -> entry) whose record digests are ``digests``.

        Prefer :meth:`from_entries`. Per-entry work (normalised names, topic) is reused from
        ``previous`` for entries that are the very same objects, so a successor snapshot
        costs little more than its dict copies.
        """
        self._entries = dict(sorted(entries.items()))
        self._digests = dict(digests)
        self._version_sum = sum(self._digests.values()) % _VERSION_MODULUS
        self._version = f"{self._version_sum:016x}"
        stations: dict[str, Station] = {}
        targets: dict[str, Target] = {}
        names: dict[str, list[_Span]] = {}
        by_ri: dict[str, list[str]] = {}
        members: dict[str, tuple[_Span, ...]] = {}
        topics: dict[str, str] = {}
        derived: dict[str, tuple[Target, tuple[_NameSpan, ...], str]] = {}
        earlier: dict[str, tuple[Target, tuple[_NameSpan, ...], str]] = (
            previous._derived if previous is not None else {})
        for key, entry in self._entries.items():
            if isinstance(entry, Station):
                stations[entry.ri] = entry
                continue
            if entry.id in targets:  # same id as an addressee: the addressee (smaller key) wins
                continue
            targets[entry.id] = entry
            known = earlier.get(key)
            if known is None or known[0] is not entry:
                spans: set[_NameSpan] = {(normalise_name(entry.id), None, None),
                                         (normalise_name(entry.plad), None, None)}
                spans.update(name_validities(entry.aliases))
                known = (entry, tuple(sorted((s for s in spans if s[0]), key=_span_sort_key)), topic_for(entry.id))
            derived[key] = known
            topics[entry.id] = known[2]
            for name, valid_from, valid_to in known[1]:
                names.setdefault(name, []).append((entry.id, valid_from, valid_to))
            if entry.ri is not None:
                by_ri.setdefault(entry.ri, []).append(entry.id)
            if isinstance(entry, CollectiveEntry):
                members[entry.id] = tuple(_member_span(m) for m in entry.members)
        self._stations = stations
        self._targets = targets
        self._names = {name: tuple(spans) for name, spans in names.items()}
        self._by_ri = {ri: tuple(ids) for ri, ids in by_ri.items()}
        self._members = members
        self._loose: LooseIndex | None = None  # built on first use: most lines match exactly
        self._line_memo: dict[tuple[object, ...], Any] = {}
        self._topic_memo: dict[tuple[str, str], str] = {}
        self._topics = topics
        self._derived = derived
        # Collectives whose memberships carry no dates expand the same way every day.
        self._open_expansions = {
            cid: self._expand(m for m, _, _ in spans)
            for cid, spans in members.items()
            if all(vf is None and vt is None for _, vf, vt in spans)
        }
        # Names with one owner and no validity dates anywhere resolve with one dict lookup to
        # a Route (read without touching the entry). Package-private fast path.
        self._routes: dict[str, Route] = {}
        for name, owners in names.items():
            target = targets[owners[0][0]]
            timeless = target.valid_from is None and target.valid_to is None
            if len(owners) == 1 and owners[0][1:] == (None, None) and timeless:
                expansion = self._open_expansions.get(target.id) if isinstance(target, CollectiveEntry) else None
                if isinstance(target, CollectiveEntry) and expansion is None:
                    continue  # dated memberships: resolved day by day
                plain = isinstance(target, AddresseeEntry) and target.clearance is None
                key = target.id if name == target.id else name  # one string to read, not two
                self._routes[key] = (target.id, target, self._topics[target.id], expansion, target.ri, plain)

    @classmethod
    def from_entries(cls, entries: Iterable[DirectoryEntry]) -> Directory:
        """Build a snapshot from entries; a later entry with the same key replaces an earlier one.

        Parameters
        ----------
        entries
            Stations, addressees and collectives in any order.

        Returns
        -------
        Directory
            The new snapshot.
        """
        by_key: dict[str, DirectoryEntry] = {}
        for entry in entries:
            by_key[entry_key(entry)] = entry
        digests = {key: entry_digest(key, _ENCODER.encode(e)) for key, e in by_key.items()}
        return cls(by_key, digests)

    @property
    def version(self) -> str:
        """Content hash of the snapshot (16 hex digits), see the class docstring."""
        return self._version

    @property
    def size(self) -> int:
        """Number of entries."""
        return len(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"Directory(size={self.size}, version={self.version!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Directory):
            return NotImplemented
        return self._entries == other._entries

    __hash__ = None  # type: ignore[assignment]

    def entries(self) -> Mapping[str, DirectoryEntry]:
        """Return the entries by key, sorted by key (a read-only view)."""
        return types.MappingProxyType(self._entries)

    def record_digests(self) -> Mapping[str, int]:
        """Return the record digest of every key (for building a successor snapshot)."""
        return types.MappingProxyType(self._digests)

    def topic(self, addressee_id: str, prefix: str = DEFAULT_TOPIC_PREFIX) -> str:
        """Return :func:`topic_for` of an id; precomputed for the entries and the default prefix."""
        if prefix == DEFAULT_TOPIC_PREFIX:
            topic = self._topics.get(addressee_id)
            if topic is not None:
                return topic
        key = (addressee_id, prefix)
        topic = self._topic_memo.get(key)
        if topic is None:
            if len(self._topic_memo) >= _LINE_MEMO_LIMIT:
                self._topic_memo.clear()
            topic = self._topic_memo[key] = topic_for(addressee_id, prefix=prefix)
        return topic

    def expansion(self, collective_id: str, day: dt.date | None = None) -> Expansion:
        """Return the members on ``day`` as :data:`Expansion` (topics with the default prefix)."""
        fixed = self._open_expansions.get(collective_id)
        if fixed is not None:
            return fixed
        return self._expand(self.members(collective_id, day))

    def _expand(self, member_ids: Iterable[str]) -> Expansion:
        result = []
        for member_id in member_ids:
            target = self._targets.get(member_id)
            topic = self._topics[member_id] if target is not None else topic_for(member_id)
            member = target if isinstance(target, AddresseeEntry) else None
            ri, plain = (member.ri, member.clearance is None) if member is not None else (None, False)
            result.append((member_id, member, topic, ri, plain))
        return tuple(result)

    def station(self, ri: str) -> Station | None:
        """Return the station with routing indicator ``ri``, if any."""
        return self._stations.get(ri)

    def target(self, target_id: str) -> Target | None:
        """Return the addressee or collective with canonical id ``target_id``, if any."""
        return self._targets.get(target_id)

    def lookup_name(self, name: str, day: dt.date | None = None) -> Target | None:
        """Return the addressee or collective a name denotes on ``day``.

        Parameters
        ----------
        name
            A PLAD, alias or canonical id, already normalised (see ``normalise_name``).
        day
            The cable's date; ``None`` accepts names whatever their validity.

        Returns
        -------
        AddresseeEntry or CollectiveEntry or None
            The first entry (by key) whose name and own validity cover ``day``.
        """
        route = self._routes.get(name)
        if route is not None:
            return route[1]
        for target_id, valid_from, valid_to in self._names.get(name, ()):
            if is_valid_on(day, valid_from, valid_to):
                target = self._targets[target_id]
                if is_valid_on(day, target.valid_from, target.valid_to):
                    return target
        return None

    def lookup_ri(self, ri: str, day: dt.date | None = None) -> Target | None:
        """Return the addressee or collective an RI-only line denotes on ``day``.

        The one entry served by ``ri`` if there is exactly one; otherwise the entry named by
        the station's first name valid on ``day``; otherwise ``None``.
        """
        served = [
            t
            for t in (self._targets[i] for i in self._by_ri.get(ri, ()))
            if is_valid_on(day, t.valid_from, t.valid_to)
        ]
        if len(served) == 1:
            return served[0]
        station = self._stations.get(ri)
        if station is not None:
            for name, valid_from, valid_to in name_validities(station.names):
                if is_valid_on(day, valid_from, valid_to):
                    target = self.lookup_name(name, day)
                    if target is not None:
                        return target
        return None

    def is_known_ri(self, ri: str) -> bool:
        """Whether ``ri`` is a station of the directory or serves one of its entries."""
        return ri in self._stations or ri in self._by_ri

    def loose(self) -> LooseIndex:
        """The name-variant and relay index (``directory.loose``), built on first use."""
        if self._loose is None:
            from cablerouter.directory.loose import LooseIndex

            self._loose = LooseIndex.build(self)
        return self._loose

    def line_memo(self) -> dict[tuple[object, ...], Any]:
        """Resolution's cache of answers that depend only on this snapshot and the key."""
        if len(self._line_memo) >= _LINE_MEMO_LIMIT:
            self._line_memo.clear()
        return self._line_memo

    def served(self) -> Mapping[str, tuple[str, ...]]:
        """Canonical ids of the addressees and collectives each RI serves, by RI."""
        return types.MappingProxyType(self._by_ri)

    def stations(self) -> Mapping[str, Station]:
        """The stations by routing indicator."""
        return types.MappingProxyType(self._stations)

    def name_owners(self) -> Iterator[tuple[str, tuple[str, ...]]]:
        """Every normalised name with the ids of the entries that carry it (first owner first)."""
        for name, spans in self._names.items():
            yield name, tuple(dict.fromkeys(target_id for target_id, _, _ in spans))

    def names_of(self, target_id: str) -> tuple[str, ...]:
        """The normalised names (id, PLAD, aliases) of an addressee or collective."""
        target = self._targets.get(target_id)
        return tuple(name for name, _, _ in self._derived[entry_key(target)][1]) if target else ()

    def members(self, collective_id: str, day: dt.date | None = None) -> tuple[str, ...]:
        """Return the canonical ids of a collective's members on ``day``, in listed order."""
        spans = self._members.get(collective_id, ())
        return tuple(member_id for member_id, start, end in spans if is_valid_on(day, start, end))


def _member_span(member: str | Member) -> _Span:
    if isinstance(member, Member):
        return member.addressee, member.valid_from, member.valid_to
    return member, None, None


def _span_sort_key(span: tuple[str, dt.date | None, dt.date | None]) -> tuple[str, str, str]:
    name, valid_from, valid_to = span
    return name, valid_from.isoformat() if valid_from else "", valid_to.isoformat() if valid_to else ""

