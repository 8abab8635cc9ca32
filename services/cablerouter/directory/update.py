"""Live directory updates: records of the compacted ``cables.directory`` topic.

Each record carries one entry. Its key is the entry's stable key (``station:<RI>``,
``addressee:<id>``, ``collective:<id>``, see :func:`entry_key`); its value is the
msgspec-JSON of the entry (a :data:`DirectoryEntry`, tag field ``kind``), or ``None`` -- a
tombstone -- deleting the entry. Compaction keeps the last value per key, so replaying the
topic from the start rebuilds the current directory; :func:`directory_records` produces
the records that seed it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import msgspec

from cablerouter.directory.index import Directory, entry_digest, entry_key
from cablerouter.directory.model import DirectoryEntry
from cablerouter.errors import DirectoryError

__all__ = (
    "UpdatePlan", "apply_update", "apply_updates", "decode_entry", "directory_records", "encode_entry",
    "plan_updates",
)

_ENCODER = msgspec.json.Encoder()
_DECODER: msgspec.json.Decoder[DirectoryEntry] = msgspec.json.Decoder(DirectoryEntry)
_KEY_PREFIXES = ("station:", "addressee:", "collective:")


def encode_entry(entry: DirectoryEntry) -> bytes:
    """Return the record value of ``entry`` (msgspec-JSON with its ``kind`` tag)."""
    return _ENCODER.encode(entry)


def decode_entry(key: str, value: bytes) -> DirectoryEntry:
    """Decode the value of the record with key ``key`` and check that the key matches it.

    Parameters
    ----------
    key
        The record key (``addressee:AMEMBASSY BEIJING``).
    value
        The record value: msgspec-JSON of one entry.

    Returns
    -------
    DirectoryEntry
        The decoded entry.

    Raises
    ------
    DirectoryError
        ``invalid_directory_update`` naming the key, if the value is not a valid entry or
        is the entry of another key.
    """
    try:
        entry = _DECODER.decode(value)
    except msgspec.DecodeError as exc:
        raise DirectoryError(
            "invalid_directory_update", f"Expected a directory entry for key `{key}`: {exc}"
        ) from None
    actual = entry_key(entry)
    if actual != key:
        raise DirectoryError(
            "invalid_directory_update",
            f"Expected the entry of key `{key}`, got the entry of key `{actual}`",
        )
    return entry


def _check_key(key: str) -> None:
    if not key.startswith(_KEY_PREFIXES) or key.endswith(":"):
        raise DirectoryError(
            "invalid_directory_update",
            f"Expected a key `station:<RI>`, `addressee:<id>` or `collective:<id>`, got `{key}`",
        )


def apply_updates(directory: Directory, records: Iterable[tuple[str, bytes | None]]) -> Directory:
    """Apply records in order and return the new snapshot, re-indexing once.

    Parameters
    ----------
    directory
        The current snapshot (left unchanged).
    records
        ``(key, value)`` pairs; a ``None`` value deletes the key's entry (deleting an
        absent key does nothing).

    Returns
    -------
    Directory
        A new snapshot.

    Raises
    ------
    DirectoryError
        ``invalid_directory_update`` naming the key of the first invalid record; no
        record of the batch is applied then.
    """
    entries = dict(directory.entries())
    digests = dict(directory.record_digests())
    for key, value in records:
        _check_key(key)
        if value is None:
            entries.pop(key, None)
            digests.pop(key, None)
            continue
        entry = decode_entry(key, value)
        entries[key] = entry
        digests[key] = entry_digest(key, encode_entry(entry))
    return Directory(entries, digests, previous=directory)


def apply_update(directory: Directory, key: str, value: bytes | None) -> Directory:
    """Apply one record of the ``cables.directory`` topic and return the new snapshot.

    Parameters
    ----------
    directory
        The current snapshot (left unchanged).
    key
        The entry key (``station:<RI>``, ``addressee:<id>``, ``collective:<id>``).
    value
        msgspec-JSON of the entry, or ``None`` (tombstone) to delete it.

    Returns
    -------
    Directory
        A new snapshot; cables resolved against it see the change.

    Raises
    ------
    DirectoryError
        ``invalid_directory_update`` naming ``key`` if the key or value is invalid.
    """
    return apply_updates(directory, [(key, value)])


def directory_records(directory: Directory) -> Iterator[tuple[str, bytes]]:
    """Yield the ``(key, value)`` record of every entry, sorted by key, to seed the topic.

    Applying these records to an empty :class:`Directory` gives back an equal directory
    with the same :attr:`~Directory.version`.
    """
    for key, entry in directory.entries().items():
        yield key, encode_entry(entry)


class UpdatePlan(msgspec.Struct, frozen=True):
    """The records that bring the topic from its current records to a wanted set.

    Attributes
    ----------
    records
        ``(key, value)`` to write, sorted by key; a ``None`` value is a tombstone.
    added, changed, removed, unchanged
        The keys of each kind, sorted.
    """

    records: list[tuple[str, bytes | None]]
    added: list[str]
    changed: list[str]
    removed: list[str]
    unchanged: list[str]


def plan_updates(current: dict[str, bytes], wanted: dict[str, bytes], *, replace: bool) -> UpdatePlan:
    """Plan the records that make the topic carry ``wanted``.

    Parameters
    ----------
    current
        The topic's current value per key (after compaction: the last record of each key,
        tombstoned keys left out).
    wanted
        The records of the directory to publish (:func:`directory_records`).
    replace
        Also delete (tombstone) the keys the topic carries and ``wanted`` does not; without
        it, those stay.

    Returns
    -------
    UpdatePlan
        Only new and changed entries are written: publishing the same file twice writes nothing.
    """
    added = sorted(k for k in wanted if k not in current)
    changed = sorted(k for k in wanted if k in current and current[k] != wanted[k])
    unchanged = sorted(k for k in wanted if k in current and current[k] == wanted[k])
    removed = sorted(k for k in current if k not in wanted) if replace else []
    records: list[tuple[str, bytes | None]] = [(k, wanted[k]) for k in sorted([*added, *changed])]
    records += [(k, None) for k in removed]
    records.sort(key=lambda record: record[0])
    return UpdatePlan(records, added, changed, removed, unchanged)
