"""The shipped default directory: built from the package data, consistent, and as documented."""

from __future__ import annotations

import msgspec
import pytest

from cablerouter.directory import (
    CollectiveEntry,
    Directory,
    build_default_directory,
    directory_document,
    validate_directory,
)
from cablerouter.directory.default import expand_ri_range
from cablerouter.errors import DirectoryError

pytestmark = pytest.mark.unit

CIS_POSTS = {
    "AMEMBASSY MOSCOW": "RUEHMO", "AMEMBASSY KYIV": "RUEHKV", "AMEMBASSY MINSK": "RUEHSK",
    "AMEMBASSY CHISINAU": "RUEHCH", "AMEMBASSY TBILISI": "RUEHSI", "AMEMBASSY YEREVAN": "RUEHYE",
    "AMEMBASSY BAKU": "RUEHKB", "AMEMBASSY ASTANA": "RUEHTA", "AMEMBASSY BISHKEK": "RUEHEK",
    "AMEMBASSY DUSHANBE": "RUEHDBU", "AMEMBASSY TASHKENT": "RUEHNT", "AMEMBASSY ASHGABAT": "RUEHAH",
}  # fmt: skip


def test_default_passes_the_strict_file_validation(default_directory: Directory) -> None:
    document = directory_document(default_directory)
    assert len(document.stations) + len(document.addressees) + len(document.collectives) == default_directory.size
    revalidated = validate_directory(msgspec.to_builtins(document))
    assert revalidated == default_directory
    assert revalidated.version == default_directory.version


def test_default_sizes(default_directory: Directory) -> None:
    kinds = [key.split(":")[0] for key in default_directory.entries()]
    assert kinds.count("station") > 1600  # ACP 117 rows plus expanded RI ranges
    assert kinds.count("addressee") > 1500
    assert kinds.count("collective") >= 30


def test_cis_collective_members_and_their_ris(default_directory: Directory) -> None:
    cis = default_directory.lookup_name("CIS COLLECTIVE")
    assert isinstance(cis, CollectiveEntry) and cis.illustrative and cis.ri == "RUCNCIS"
    members = default_directory.members("CIS COLLECTIVE")
    assert set(members) == set(CIS_POSTS) and len(members) == 12
    for post, ri in CIS_POSTS.items():
        assert default_directory.target(post).ri == ri  # type: ignore[union-attr]


def test_eu_member_states_collective_has_27_embassies(default_directory: Directory) -> None:
    eu = default_directory.lookup_ri("RUCNMEM")
    assert isinstance(eu, CollectiveEntry) and eu.illustrative
    members = default_directory.members(eu.id)
    assert len(set(members)) == 27
    assert all(m.startswith("AMEMBASSY ") and default_directory.target(m) is not None for m in members)
    assert {"AMEMBASSY LONDON", "AMEMBASSY THE HAGUE", "AMEMBASSY VALLETTA"} <= set(members)


def test_only_cis_and_eu_memberships_are_shipped(default_directory: Directory) -> None:
    with_members = {
        e.id for e in default_directory.entries().values() if isinstance(e, CollectiveEntry) and e.members
    }
    assert with_members == {"CIS COLLECTIVE", "EU MEMBER STATES COLLECTIVE"}


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("SECSTATE WASHDC", "SECSTATE WASHDC"),
        ("DEPT OF STATE WASHINGTON DC", "SECSTATE WASHDC"),
        ("AMEMBASSY ALMATY", "AMEMBASSY ASTANA"),
        ("CIA WASHDC", "CIA WASHINGTON DC"),  # the WASHDC abbreviation rule
        ("DIA WASHDC", "DIA WASHINGTON DC"),
        ("SECDEF WASHINGTON DC", "SECDEF WASHDC"),
        ("JOINT STAFF WASHINGTON DC", "JOINT STAFF WASHDC"),
        ("USMISSION USUN NEW YORK NY", "USMISSION USUN NEW YORK"),
        ("ALL USCONS MEXICO", "ALL US CONSULATES IN MEXICO COLLECTIVE"),
        ("MODUK ARMY", "MODUK ARMY"),  # comma-separated ACP 117 names are separate addressees
    ],
)
def test_default_names(default_directory: Directory, name: str, canonical: str) -> None:
    target = default_directory.lookup_name(name)
    assert target is not None and target.id == canonical


def test_ri_outlives_the_post_name(default_directory: Directory) -> None:
    assert default_directory.lookup_ri("RUEHTA").id == "AMEMBASSY ASTANA"  # type: ignore[union-attr]
    assert default_directory.station("RUEHTA").names == ["AMEMBASSY ASTANA", "AMEMBASSY ALMATY"]  # type: ignore[union-attr]


def test_relay_stations_are_not_addressees(default_directory: Directory) -> None:
    assert default_directory.station("RUCN").relay  # type: ignore[union-attr]
    assert default_directory.lookup_name("RGN RELAY FACILITY DEPARTMENT OF STATE WASHINGTON DC") is None


def test_ri_ranges_expand() -> None:
    assert expand_ri_range("RHFJAAA THRU RHFJAAD") == ["RHFJAAA", "RHFJAAB", "RHFJAAC", "RHFJAAD"]
    assert expand_ri_range(" RUEHTA ") == ["RUEHTA"]
    assert expand_ri_range("RHFJAAD THRU RHFJAAA") == []
    assert expand_ri_range("RHFJAAA THRU RHXXAAZ") == []
    assert expand_ri_range("ri") == []


def test_builder_rules_on_small_tables() -> None:
    curated = [{"addressees": [{"id": "SECSTATE WASHDC", "plad": "SECSTATE WASHDC", "ri": "RUEHC", "aliases": ["DEPT OF STATE WASHINGTON DC"]}]}]
    d = build_default_directory(
        [("RUEHC", "DEPT OF STATE WASHINGTON DC"), ("RUCN", "RELAY"), ("RUEHBL", "AMCONSUL BELFAST"), ("RUEHLOB", "AMCONSUL BELFAST"), ("RUEAIIA", "CIA WASHINGTON DC")],
        [("SECSTATE WASHDC", "RUEHC"), ("NSC WASHINGTON DC", "RHEHNSC"), ("BROKEN", "ruehxx")],
        curated,
    )
    assert d.lookup_name("DEPT OF STATE WASHINGTON DC").id == "SECSTATE WASHDC"  # type: ignore[union-attr]
    assert d.target("AMCONSUL BELFAST").ri == "RUEHBL"  # type: ignore[union-attr]
    assert d.lookup_ri("RUEHLOB").id == "AMCONSUL BELFAST"  # type: ignore[union-attr]
    assert d.lookup_name("NSC WASHDC").id == "NSC WASHINGTON DC"  # type: ignore[union-attr]
    assert d.lookup_name("CIA WASHDC").id == "CIA WASHINGTON DC"  # type: ignore[union-attr]
    assert d.target("RELAY") is None and d.target("BROKEN") is None
    assert d.station("RUCN").relay  # type: ignore[union-attr]


def test_builder_rejects_a_bad_curated_entry() -> None:
    with pytest.raises(DirectoryError, match=r"Invalid entry collectives\[0\] `C`: member `NOBODY` is not an addressee"):
        build_default_directory([], [], [{"collectives": [{"id": "C", "plad": "C", "members": ["NOBODY"]}]}])
    with pytest.raises(DirectoryError, match="Expected a curated directory document"):
        build_default_directory([], [], [["not", "a", "mapping"]])
