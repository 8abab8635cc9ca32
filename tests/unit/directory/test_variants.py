"""The routing indicator as the routing key: spelling variants, typos under one station,
relays derived from the data, unlisted PLADs at known stations, and exemption records."""

from __future__ import annotations

import pytest

from cablerouter.directory import (
    AddresseeEntry,
    CollectiveEntry,
    Directory,
    Station,
    resolve_distribution,
    resolve_line,
)
from cablerouter.directory.variants import is_typo_of, relay_indicators, variant_key
from cablerouter.telegram import decode_telegram
from cablerouter.telegram.model import Addressee, Cable


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("DEPT OF COMMERCE WASHDC", "DEPT OF COMMERCE WASHINGTON DC"),
        ("DEPARTMENT OF TREASURY WASHDC", "DEPT OF TREASURY WASHINGTON DC"),
        ("USDAO ANKARA TU", "USDAO ANKARA"),
        ("HQS USEUCOM", "HQ USEUCOM"),
        ("DEPT OF TREASURY WASH DC", "DEPT OF TREASURY WASHINGTON DC"),
        ("AMEMBASSYBRASILIA", "AMEMBASSY BRASILIA"),  # held-out 08BUENOSAIRES1215
        ("AMCONSULSAO PAULO", "AMCONSUL SAO PAULO"),
    ],
)
def test_spelling_variants_share_a_key(a: str, b: str) -> None:
    assert variant_key(a) == variant_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("JOINT STAFF WASHDC", "SECDEF WASHDC"), ("AMEMBASSY LIMA", "AMEMBASSY LA PAZ"), ("USDAO ANKARA", "ODC ANKARA")],
)
def test_distinct_names_keep_distinct_keys(a: str, b: str) -> None:
    assert variant_key(a) != variant_key(b)


@pytest.mark.parametrize(
    ("name", "listed", "typo"),
    [
        ("AMEMBASSY COLOMBO", "AMEMBASSY COLUMBO", True),
        ("AMEMBASSY YAOUNDE", "AMEMBASSY VAOUNDE", True),
        ("AMEMBASSY LIMA", "AMEMBASSY LIMB", False),  # too short to call a typo
        ("USDAO COLOMBO", "AMEMBASSY COLOMBO", False),  # another kind of post
        ("AMEMBASSY BRATISLAVA", "AMEMBASSY BRASILIA", False),  # three edits
        ("AMEMBASSY COLOMBO", "AMEMBASSY COLOMBO", False),  # equal is not a typo
    ],
)
def test_typos(name: str, listed: str, typo: bool) -> None:
    assert is_typo_of(variant_key(name), variant_key(listed)) is typo


def test_relays_serve_several_distinct_addressees() -> None:
    relays = relay_indicators({"RUEKJCS": ["SECDEF WASHDC", "JOINT STAFF WASHDC"], "RUEHAK": ["AMEMBASSY ANKARA"]}, ["RUCN"])
    assert relays == {"RUEKJCS", "RUCN"}


def test_the_default_directory_derives_its_relays(default_directory: Directory) -> None:
    relays = default_directory.loose().relays
    assert "RUEKJCS" in relays  # SECDEF, JOINT STAFF, CJCS, OSD
    assert "RUEHAK" not in relays and "RUEHLM" not in relays  # one embassy each


def _line(text: str) -> Addressee:
    ri, _, plad = text.rpartition("/")
    return Addressee(ri=ri or None, plad=plad or None, raw=text)


@pytest.mark.parametrize(
    ("text", "addressee", "rule", "station"),
    [
        ("RUEHC/SECSTATE WASHDC", "SECSTATE WASHDC", "plad", "RUEHC"),
        ("RUCPDOC/DEPT OF COMMERCE WASHDC", "USDOC WASHDC", "name_variant", "RUCPDOC"),
        ("RUEATRS/DEPARTMENT OF TREASURY WASHDC", "DEPT OF TREASURY WASHINGTON DC", "name_variant", "RUEPTRS"),
        ("RUEHLM/AMEMBASSY COLOMBO", "AMEMBASSY COLUMBO", "name_typo", "RUEHLM"),
        ("RUEHAK/USDAO ANKARA TU", "USDAO ANKARA TU", "station", "RUEHAK"),
        ("RUEHBR/AMEMBASSYBRASILIA", "AMEMBASSY BRASILIA", "name_variant", "RUEHBR"),
        ("RUEKJCS/JOINT STAF WASHDC", "JOINT STAF WASHDC", "station", "RUEKJCS"),  # a relay: no typo merge
        ("RUEKJCS/CJCS WASHDC", "CJCS WASHINGTON DC", "plad", "RUEKJCS"),  # the WASHDC alias
        ("RUEKJCS/CJCS WASHINGTON D.C.", "CJCS WASHINGTON DC", "name_variant", "RUEKJCS"),
        ("RUEHZZQ/AMCONSUL ATLANTIS", "AMCONSUL ATLANTIS", "unknown", "RUEHZZQ"),
        ("AMCONSUL ATLANTIS", "AMCONSUL ATLANTIS", "unknown", None),
        ("RUEHMO/", "AMEMBASSY MOSCOW", "ri", "RUEHMO"),
    ],
)
def test_resolution_order(default_directory: Directory, text: str, addressee: str, rule: str, station: str | None) -> None:
    got = resolve_line(_line(text), default_directory, None)
    assert (got.id, got.rule, got.station) == (addressee, rule, station)


def test_flags_follow_the_rule(default_directory: Directory) -> None:
    cable = Cable(to=[_line("RUEHAK/USDAO ANKARA TU"), _line("RUEHZZQ/AMCONSUL ATLANTIS"), _line("RUEHLM/AMEMBASSY COLOMBO")])
    got = {d.addressee: d for d in resolve_distribution(cable, default_directory).deliveries}
    assert got["USDAO ANKARA TU"].flags == ["unlisted"] and got["USDAO ANKARA TU"].station == "RUEHAK"
    assert got["USDAO ANKARA TU"].topic == "cables.to.usdao-ankara-tu"
    assert got["AMCONSUL ATLANTIS"].flags == ["unknown"]
    assert got["AMEMBASSY COLUMBO"].flags == [] and got["AMEMBASSY COLUMBO"].rule == "name_typo"


def _directory() -> Directory:
    return Directory.from_entries(
        [
            Station(ri="RUEHSF", names=["AMEMBASSY SOFIA"]),
            AddresseeEntry(id="AMEMBASSY SOFIA", plad="AMEMBASSY SOFIA", ri="RUEHSF"),
            AddresseeEntry(id="AMEMBASSY BUCHAREST", plad="AMEMBASSY BUCHAREST", ri="RUEHBM"),
            AddresseeEntry(id="AMEMBASSY PARIS", plad="AMEMBASSY PARIS", ri="RUEHFR"),
            AddresseeEntry(id="SECSTATE WASHDC", plad="SECSTATE WASHDC", ri="RUEHC"),
            CollectiveEntry(
                id="EUROPEAN POLITICAL COLLECTIVE",
                plad="EUROPEAN POLITICAL COLLECTIVE",
                ri="RUEHZL",
                members=["AMEMBASSY SOFIA", "AMEMBASSY BUCHAREST", "AMEMBASSY PARIS"],
            ),
        ]
    )


HEAD = "VZCZCXRO1\nOO RUEHC\nDE RUEHFB #0001 0421200\nZNR UUUUU ZZH\nO 111200Z FEB 10\nFM AMEMBASSY FOOBAR\n"
TAIL = "\nUNCLAS FOOBAR 000001\n\nSUBJECT: TEST\n\n1. TEXT.\n"


def test_exemptions_are_recorded_with_their_collective() -> None:
    block = (
        "TO RUEHC/SECSTATE WASHDC IMMEDIATE 3355\nRUEHZL/EUROPEAN POLITICAL COLLECTIVE\n"
        "XMT/AMEMBASSY SOFIA\nAMEMBASSY BUCHAREST\nAMEMBASSY ROME"
    )
    cable = decode_telegram((HEAD + block + "\n" + TAIL).encode())
    distribution = resolve_distribution(cable, _directory())
    assert [d.addressee for d in distribution.deliveries] == ["SECSTATE WASHDC", "AMEMBASSY PARIS"]
    records = [(e.addressee, e.line, e.collective, e.flags) for e in distribution.exemptions]
    assert records == [
        ("AMEMBASSY SOFIA", 9, "EUROPEAN POLITICAL COLLECTIVE", []),
        ("AMEMBASSY BUCHAREST", 10, "EUROPEAN POLITICAL COLLECTIVE", []),
        ("AMEMBASSY ROME", 11, "EUROPEAN POLITICAL COLLECTIVE", ["not_in_collective"]),
    ]


def test_an_exemption_without_a_collective_is_flagged() -> None:
    cable = decode_telegram((HEAD + "TO RUEHC/SECSTATE WASHDC\nXMT AMEMBASSY SOFIA\n" + TAIL).encode())
    (record,) = resolve_distribution(cable, _directory()).exemptions
    assert (record.addressee, record.collective, record.flags) == ("AMEMBASSY SOFIA", None, ["no_collective"])
