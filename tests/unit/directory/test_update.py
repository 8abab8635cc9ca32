"""Live-update records of the ``cables.directory`` topic and snapshot versions."""

from __future__ import annotations

import msgspec
import pytest

from cablerouter.directory import (
    AddresseeEntry,
    CollectiveEntry,
    Directory,
    Station,
    apply_update,
    apply_updates,
    decode_entry,
    directory_records,
    encode_entry,
    entry_key,
    plan_updates,
    resolve_distribution,
)
from cablerouter.errors import DirectoryError
from cablerouter.telegram.model import Addressee, Cable

pytestmark = pytest.mark.unit

MOSCOW = AddresseeEntry(id="AMEMBASSY MOSCOW", plad="AMEMBASSY MOSCOW", ri="RUEHMO")
MINSK = AddresseeEntry(id="AMEMBASSY MINSK", plad="AMEMBASSY MINSK", ri="RUEHSK")
CIS = CollectiveEntry(id="CIS COLLECTIVE", plad="CIS COLLECTIVE", ri="RUCNCIS", members=["AMEMBASSY MOSCOW"])


def base() -> Directory:
    return Directory.from_entries([MOSCOW, MINSK, CIS, Station(ri="RUEHMO", names=["AMEMBASSY MOSCOW"])])


def test_entry_keys() -> None:
    assert [entry_key(e) for e in (MOSCOW, CIS, Station(ri="RUEHMO"))] == [
        "addressee:AMEMBASSY MOSCOW",
        "collective:CIS COLLECTIVE",
        "station:RUEHMO",
    ]


def test_value_is_tagged_msgspec_json() -> None:
    value = encode_entry(CIS)
    assert msgspec.json.decode(value)["kind"] == "collective"
    assert decode_entry("collective:CIS COLLECTIVE", value) == CIS


def test_update_returns_a_new_snapshot_and_leaves_the_old_one() -> None:
    old = base()
    grown = msgspec.structs.replace(CIS, members=["AMEMBASSY MOSCOW", "AMEMBASSY MINSK"])
    new = apply_update(old, "collective:CIS COLLECTIVE", encode_entry(grown))
    assert old.members("CIS COLLECTIVE") == ("AMEMBASSY MOSCOW",)
    assert new.members("CIS COLLECTIVE") == ("AMEMBASSY MOSCOW", "AMEMBASSY MINSK")
    assert new.version != old.version
    assert new.size == old.size


def test_resolution_after_an_update_uses_it() -> None:
    cable = Cable(id="X", to=[Addressee(plad="AMCONSUL NEWPOST", raw="AMCONSUL NEWPOST")])
    old = base()
    assert resolve_distribution(cable, old).deliveries[0].flags == ["unknown"]
    entry = AddresseeEntry(id="AMCONSUL NEWPOST", plad="AMCONSUL NEWPOST", ri="RUEHNP")
    new = apply_update(old, entry_key(entry), encode_entry(entry))
    delivery = resolve_distribution(cable, new).deliveries[0]
    assert (delivery.addressee, delivery.flags) == ("AMCONSUL NEWPOST", [])
    assert resolve_distribution(cable, new).directory_version == new.version


def test_tombstone_deletes_and_absent_tombstone_is_a_no_op() -> None:
    old = base()
    new = apply_update(old, "addressee:AMEMBASSY MINSK", None)
    assert new.target("AMEMBASSY MINSK") is None
    assert new.size == old.size - 1
    same = apply_update(new, "addressee:NOBODY", None)
    assert same == new and same.version == new.version


def test_version_is_a_content_hash_independent_of_history() -> None:
    a = apply_update(apply_update(base(), "addressee:AMEMBASSY MINSK", None), entry_key(MINSK), encode_entry(MINSK))
    assert a.version == base().version
    assert Directory.from_entries([]).version == "0000000000000000"
    assert len(base().version) == 16


def test_records_seed_an_equal_directory() -> None:
    old = base()
    records = list(directory_records(old))
    assert [k for k, _ in records] == sorted(k for k, _ in records)
    rebuilt = apply_updates(Directory.from_entries([]), records)
    assert rebuilt == old
    assert rebuilt.version == old.version


def test_member_before_addressee_is_tolerated() -> None:
    """Records arrive in any order: a collective may name a member not yet present."""
    d = apply_update(Directory.from_entries([]), entry_key(CIS), encode_entry(CIS))
    assert d.members("CIS COLLECTIVE") == ("AMEMBASSY MOSCOW",)
    assert d.target("AMEMBASSY MOSCOW") is None


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("addressee:X", b"not json", r"Expected a directory entry for key `addressee:X`: "),
        ("addressee:X", b'{"kind": "addressee", "id": "X"}', r"key `addressee:X`: Object missing required field `plad`"),
        ("addressee:X", b'{"kind": "planet", "id": "X"}', r"key `addressee:X`: Invalid value 'planet' - at `\$\.kind`"),
        ("addressee:X", b'{"id": "X", "plad": "X"}', r"key `addressee:X`: Object missing required field `kind`"),
        ("addressee:X", b'{"kind": "addressee", "id": "Y", "plad": "Y"}', r"Expected the entry of key `addressee:X`, got the entry of key `addressee:Y`"),
        ("station:RUEHXX", b'{"kind": "station", "ri": "ruehxx"}', r"key `station:RUEHXX`: .* - at `\$\.ri`"),
        ("planet:X", None, r"Expected a key `station:<RI>`, `addressee:<id>` or `collective:<id>`, got `planet:X`"),
        ("addressee:", b"{}", r"got `addressee:`"),
    ],
)
def test_invalid_record_raises_naming_the_key(key: str, value: bytes | None, message: str) -> None:
    with pytest.raises(DirectoryError, match=message) as info:
        apply_update(base(), key, value)
    assert info.value.reason == "invalid_directory_update"


def test_failing_batch_applies_nothing() -> None:
    old = base()
    with pytest.raises(DirectoryError, match="addressee:BAD"):
        apply_updates(old, [("addressee:AMEMBASSY MINSK", None), ("addressee:BAD", b"{}")])
    assert old.target("AMEMBASSY MINSK") is not None


def test_snapshot_exposes_read_only_views() -> None:
    d = base()
    with pytest.raises(TypeError):
        d.entries()["addressee:Z"] = MOSCOW  # type: ignore[index]
    assert repr(d).startswith("Directory(size=4, version=")


def test_plan_writes_only_new_and_changed_entries_and_deletes_only_when_replacing() -> None:
    current = {"addressee:A": b"a1", "addressee:B": b"b1", "addressee:GONE": b"g"}
    wanted = {"addressee:A": b"a1", "addressee:B": b"b2", "addressee:NEW": b"n"}
    merged = plan_updates(current, wanted, replace=False)
    assert merged.records == [("addressee:B", b"b2"), ("addressee:NEW", b"n")]
    assert (merged.added, merged.changed, merged.removed, merged.unchanged) == (
        ["addressee:NEW"], ["addressee:B"], [], ["addressee:A"])
    replaced = plan_updates(current, wanted, replace=True)
    assert replaced.records == [("addressee:B", b"b2"), ("addressee:GONE", None), ("addressee:NEW", b"n")]
    assert replaced.removed == ["addressee:GONE"]
    # Applying the plan to the topic's records gives exactly the wanted records.
    after = dict(current)
    for key, value in replaced.records:
        if value is None:
            after.pop(key)
        else:
            after[key] = value
    assert after == wanted
    assert plan_updates(wanted, wanted, replace=True).records == []  # publishing twice writes nothing
