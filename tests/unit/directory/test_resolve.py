"""Resolution rules on hand-built cables and a small hand-built directory."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from cablerouter.directory import (
    AddresseeEntry,
    Alias,
    CollectiveEntry,
    Delivery,
    Directory,
    Member,
    Station,
    resolve_distribution,
    topic_for,
)
from cablerouter.telegram.model import Addressee, Cable, Classification, Origination

from .conftest import line

pytestmark = pytest.mark.unit

DAY = dt.datetime(2010, 2, 11, 8, 28, tzinfo=dt.UTC)


def small_directory() -> Directory:
    return Directory.from_entries(
        [
            Station(ri="RUEHTA", names=[Alias(name="AMEMBASSY ALMATY", valid_to=dt.date(2006, 12, 31)), "AMEMBASSY ASTANA"]),
            Station(ri="RUEKJCS", names=["JOINT STAFF WASHINGTON DC"]),
            AddresseeEntry(id="SECSTATE WASHDC", plad="SECSTATE WASHDC", ri="RUEHC", aliases=["DEPT OF STATE WASHINGTON DC"]),
            AddresseeEntry(id="AMEMBASSY ASTANA", plad="AMEMBASSY ASTANA", ri="RUEHTA", aliases=["AMEMBASSY ALMATY"]),
            AddresseeEntry(id="AMEMBASSY MOSCOW", plad="AMEMBASSY MOSCOW", ri="RUEHMO"),
            AddresseeEntry(id="AMEMBASSY MINSK", plad="AMEMBASSY MINSK", ri="RUEHSK"),
            AddresseeEntry(id="AMEMBASSY KHARTOUM", plad="AMEMBASSY KHARTOUM", ri="RUEHKH"),
            AddresseeEntry(id="AMEMBASSY CAIRO", plad="AMEMBASSY CAIRO", ri="RUEHEG"),
            AddresseeEntry(id="SECDEF WASHDC", plad="SECDEF WASHDC", ri="RUEKJCS", aliases=["SECDEF WASHINGTON DC"]),
            AddresseeEntry(id="JOINT STAFF WASHDC", plad="JOINT STAFF WASHDC", ri="RUEKJCS", aliases=["JOINT STAFF WASHINGTON DC"]),
            AddresseeEntry(id="CLEARED POST", plad="CLEARED POST", ri="RUEHCP", clearance="CONFIDENTIAL"),
            CollectiveEntry(
                id="CIS COLLECTIVE",
                plad="CIS COLLECTIVE",
                ri="RUCNCIS",
                members=["AMEMBASSY MOSCOW", "AMEMBASSY MINSK", "AMEMBASSY ASTANA"],
            ),
            CollectiveEntry(
                id="ARAB LEAGUE COLLECTIVE",
                plad="ARAB LEAGUE COLLECTIVE",
                ri="RUEHEE",
                members=["AMEMBASSY KHARTOUM", "AMEMBASSY CAIRO", Member(addressee="AMEMBASSY MOSCOW", valid_from=dt.date(2011, 1, 1))],
            ),
            CollectiveEntry(id="EMPTY COLLECTIVE", plad="EMPTY COLLECTIVE", ri="RUEHZL"),
        ]
    )


def cable(
    to: list[str] = (),  # type: ignore[assignment]
    info: list[str] = (),  # type: ignore[assignment]
    xmt: list[str] = (),  # type: ignore[assignment]
    *,
    fm: str | None = "AMEMBASSY ASTANA",
    de: str | None = "RUEHTA",
    precedence: str | None = "PRIORITY",
    info_precedence: str | None = None,
    marking: str = "UNCLAS",
    day: dt.datetime | None = DAY,
) -> Cable:
    return Cable(
        id="TEST1",
        origin=Origination(ri=de) if de else None,
        originator=Addressee(plad=fm, raw=fm) if fm else None,
        precedence=precedence,  # type: ignore[arg-type]
        info_precedence=info_precedence,  # type: ignore[arg-type]
        dtg=day,
        to=[line(t) for t in to],
        info=[line(t) for t in info],
        xmt=[line(t) for t in xmt],
        classification=Classification(marking=marking),
    )


def by_id(cab: Cable, directory: Directory | None = None) -> dict[str, Delivery]:
    deliveries = resolve_distribution(cab, directory or small_directory()).deliveries
    result = {d.addressee: d for d in deliveries}
    assert len(result) == len(deliveries), "an addressee was delivered twice"
    return result


def test_direct_addressee_gets_role_precedence_mcn_and_topic() -> None:
    got = by_id(cable(["RUEHC/SECSTATE WASHDC IMMEDIATE 7388"]))
    assert got == {
        "SECSTATE WASHDC": Delivery(
            addressee="SECSTATE WASHDC",
            topic="cables.to.secstate-washdc",
            role="action",
            precedence="IMMEDIATE",
            via=["direct"],
            mcn="7388",
            flags=[],
            rule="plad",
            station="RUEHC",
        )
    }


def test_precedence_defaults_to_the_cables_action_and_info_precedence() -> None:
    got = by_id(cable(["SECSTATE WASHDC"], ["AMEMBASSY MOSCOW"], precedence="IMMEDIATE", info_precedence="ROUTINE"))
    assert got["SECSTATE WASHDC"].precedence == "IMMEDIATE"
    assert got["AMEMBASSY MOSCOW"].precedence == "ROUTINE"
    got = by_id(cable(["SECSTATE WASHDC"], ["AMEMBASSY MOSCOW"], precedence="PRIORITY"))
    assert got["AMEMBASSY MOSCOW"].precedence == "PRIORITY"


def test_no_precedence_anywhere_gives_none() -> None:
    assert by_id(cable(["SECSTATE WASHDC"], precedence=None))["SECSTATE WASHDC"].precedence is None


def test_collective_expands_to_members_without_the_originator() -> None:
    got = by_id(cable(["SECSTATE WASHDC"], ["RUCNCIS/CIS COLLECTIVE 2441"]))
    assert set(got) == {"SECSTATE WASHDC", "AMEMBASSY MOSCOW", "AMEMBASSY MINSK"}
    moscow = got["AMEMBASSY MOSCOW"]
    assert (moscow.role, moscow.via, moscow.mcn) == ("info", ["collective:CIS COLLECTIVE"], "2441")


@pytest.mark.parametrize(
    ("fm", "de"),
    [
        ("AMEMBASSY ASTANA", "RUEHTA"),  # FM PLAD
        ("AMEMBASSY ALMATY", None),  # FM alias, no DE line
        ("Amembassy  Astana", None),  # FM in another spelling
        (None, "RUEHTA"),  # DE RI only
        ("USOFFICE NOWHERE", "RUEHTA"),  # unknown FM, DE RI decides
    ],
)
def test_originator_is_excluded_from_collectives(fm: str | None, de: str | None) -> None:
    got = by_id(cable(["SECSTATE WASHDC"], ["CIS COLLECTIVE"], fm=fm, de=de))
    assert "AMEMBASSY ASTANA" not in got
    assert {"AMEMBASSY MOSCOW", "AMEMBASSY MINSK"} <= set(got)


def test_originator_from_elsewhere_keeps_astana_in_the_collective() -> None:
    got = by_id(cable(["CIS COLLECTIVE"], fm="SECSTATE WASHDC", de="RUEHC"))
    assert set(got) == {"AMEMBASSY MOSCOW", "AMEMBASSY MINSK", "AMEMBASSY ASTANA"}


def test_originator_addressed_directly_still_receives_it() -> None:
    got = by_id(cable(["SECSTATE WASHDC"], ["CIS COLLECTIVE", "RUEHTA/AMEMBASSY ASTANA 5180"]))
    assert got["AMEMBASSY ASTANA"].via == ["direct"]


def test_xmt_removes_collective_members() -> None:
    got = by_id(
        cable(["SECSTATE WASHDC"], ["RUEHEE/ARAB LEAGUE COLLECTIVE"], ["AMEMBASSY KHARTOUM"], fm="AMEMBASSY MOSCOW", de="RUEHMO")
    )
    assert set(got) == {"SECSTATE WASHDC", "AMEMBASSY CAIRO"}


def test_xmt_by_alias_or_ri_only() -> None:
    got = by_id(cable(["SECSTATE WASHDC"], ["CIS COLLECTIVE"], ["RUEHMO"], fm="SECSTATE WASHDC", de="RUEHC"))
    assert set(got) == {"SECSTATE WASHDC", "AMEMBASSY MINSK", "AMEMBASSY ASTANA"}
    got = by_id(cable(["SECSTATE WASHDC"], ["CIS COLLECTIVE"], ["AMEMBASSY ALMATY"], fm="SECSTATE WASHDC", de="RUEHC"))
    assert "AMEMBASSY ASTANA" not in got


def test_xmt_of_a_member_reached_through_two_collectives() -> None:
    got = by_id(cable([], ["CIS COLLECTIVE", "ARAB LEAGUE COLLECTIVE"], ["AMEMBASSY MINSK"], fm="SECSTATE WASHDC", de="RUEHC"))
    assert "AMEMBASSY MINSK" not in got
    assert {"AMEMBASSY MOSCOW", "AMEMBASSY CAIRO", "AMEMBASSY KHARTOUM"} <= set(got)


def test_xmt_does_not_remove_a_direct_addressee() -> None:
    got = by_id(cable(["AMEMBASSY MINSK"], ["CIS COLLECTIVE"], ["AMEMBASSY MINSK"], fm="SECSTATE WASHDC", de="RUEHC"))
    assert got["AMEMBASSY MINSK"].via == ["direct"]


def test_membership_validity_follows_the_cable_date() -> None:
    early = by_id(cable([], ["ARAB LEAGUE COLLECTIVE"], fm="SECSTATE WASHDC", de="RUEHC"))
    late = by_id(cable([], ["ARAB LEAGUE COLLECTIVE"], fm="SECSTATE WASHDC", de="RUEHC", day=DAY.replace(year=2012)))
    assert "AMEMBASSY MOSCOW" not in early
    assert "AMEMBASSY MOSCOW" in late


def test_duplicate_reach_merges_action_beats_info_and_vias() -> None:
    got = by_id(
        cable(
            ["RUEHMO/AMEMBASSY MOSCOW ROUTINE 0001"],
            ["RUCNCIS/CIS COLLECTIVE IMMEDIATE 2441", "ARAB LEAGUE COLLECTIVE"],
            day=DAY.replace(year=2012),
        )
    )
    moscow = got["AMEMBASSY MOSCOW"]
    assert moscow.role == "action"
    assert moscow.precedence == "IMMEDIATE"  # the collective line's own precedence is higher
    assert moscow.via == ["direct", "collective:ARAB LEAGUE COLLECTIVE", "collective:CIS COLLECTIVE"]
    assert moscow.mcn == "0001"  # the action (direct) path's MCN


def test_higher_precedence_of_two_info_paths_wins() -> None:
    got = by_id(cable([], ["AMEMBASSY MINSK ROUTINE", "CIS COLLECTIVE PRIORITY"], precedence="ROUTINE"))
    assert got["AMEMBASSY MINSK"].precedence == "PRIORITY"
    assert got["AMEMBASSY MINSK"].role == "info"


@pytest.mark.parametrize(
    "text",
    [
        "RUEHTA/AMEMBASSY ASTANA",
        "RUEHTA/AMEMBASSY ALMATY",  # alias
        "AMEMBASSY ASTANA//POL//",  # office suffix
        "RUEHTA",  # RI-only
        "amembassy   astana",  # case and spacing
    ],
)
def test_aliases_office_suffix_and_ri_only_resolve_to_one_addressee(text: str) -> None:
    got = by_id(cable([text], fm="SECSTATE WASHDC", de="RUEHC"))
    assert list(got) == ["AMEMBASSY ASTANA"]


def test_all_spellings_together_give_one_delivery() -> None:
    texts = ["RUEHTA/AMEMBASSY ASTANA 0001", "AMEMBASSY ALMATY//ECON//", "RUEHTA"]
    got = by_id(cable(texts, fm="SECSTATE WASHDC", de="RUEHC"))
    assert list(got) == ["AMEMBASSY ASTANA"]
    assert got["AMEMBASSY ASTANA"].mcn == "0001"


def test_ri_shared_by_two_addressees_keeps_them_apart() -> None:
    got = by_id(cable([], ["RUEKJCS/SECDEF WASHDC 1846", "RUEKJCS/JOINT STAFF WASHDC"]))
    assert set(got) == {"SECDEF WASHDC", "JOINT STAFF WASHDC"}
    # An RI-only line of a shared RI goes to the station's own name.
    assert set(by_id(cable(["RUEKJCS"]))) == {"JOINT STAFF WASHDC"}


def test_station_name_validity_picks_the_name_of_the_day() -> None:
    directory = Directory.from_entries(
        [
            Station(
                ri="RUEHXX",
                names=[Alias(name="AMEMBASSY OLDTOWN", valid_to=dt.date(2005, 12, 31)), Alias(name="AMEMBASSY NEWTOWN", valid_from=dt.date(2006, 1, 1))],
            ),
            AddresseeEntry(id="AMEMBASSY OLDTOWN", plad="AMEMBASSY OLDTOWN", ri="RUEHXX", valid_to=dt.date(2005, 12, 31)),
            AddresseeEntry(id="AMEMBASSY NEWTOWN", plad="AMEMBASSY NEWTOWN", ri="RUEHXX"),
        ]
    )
    assert set(by_id(cable(["RUEHXX"], day=DAY.replace(year=2004)), directory)) == {"AMEMBASSY OLDTOWN"}
    assert set(by_id(cable(["RUEHXX"], day=DAY), directory)) == {"AMEMBASSY NEWTOWN"}


def test_unknown_addressee_is_delivered_and_flagged() -> None:
    got = by_id(cable(["RUEHZZ/AMCONSUL ATLANTIS 0042"], ["RUEHQQ"], fm="SECSTATE WASHDC", de="RUEHC"))
    assert got["AMCONSUL ATLANTIS"].flags == ["unknown"]
    assert got["AMCONSUL ATLANTIS"].topic == "cables.to.amconsul-atlantis"
    assert got["AMCONSUL ATLANTIS"].mcn == "0042"
    assert got["RUEHQQ"].flags == ["unknown"]
    assert got["RUEHQQ"].topic == "cables.to.ruehqq"


def test_an_unlisted_plad_at_a_known_station_keeps_its_own_topic_and_is_not_unknown() -> None:
    got = by_id(cable(["RUEHTA/AMCONSUL ATLANTIS"], fm="SECSTATE WASHDC", de="RUEHC"))
    assert list(got) == ["AMCONSUL ATLANTIS"]
    delivery = got["AMCONSUL ATLANTIS"]
    assert (delivery.flags, delivery.rule, delivery.station) == (["unlisted"], "station", "RUEHTA")
    assert delivery.topic == topic_for("AMCONSUL ATLANTIS")


def test_collective_without_members_goes_to_its_own_topic() -> None:
    got = by_id(cable([], ["RUEHZL/EMPTY COLLECTIVE 0007"]))
    assert got["EMPTY COLLECTIVE"] == Delivery(
        addressee="EMPTY COLLECTIVE",
        topic=topic_for("EMPTY COLLECTIVE"),
        role="info",
        precedence="PRIORITY",
        via=["direct"],
        mcn="0007",
        flags=["collective_without_members"],
        rule="plad",
        station="RUEHZL",
    )


def test_member_missing_from_the_directory_is_flagged_unknown() -> None:
    directory = Directory.from_entries(
        [CollectiveEntry(id="C", plad="SOME COLLECTIVE", members=["GHOST POST"])]
    )
    got = by_id(cable([], ["SOME COLLECTIVE"]), directory)
    assert got["GHOST POST"].flags == ["unknown"]
    assert got["GHOST POST"].via == ["collective:C"]


def test_collective_whose_members_are_all_exempt_delivers_nothing() -> None:
    got = by_id(cable(["SECSTATE WASHDC"], ["CIS COLLECTIVE"], ["AMEMBASSY MOSCOW", "AMEMBASSY MINSK"]))
    assert set(got) == {"SECSTATE WASHDC"}


def test_zen_flag_only_when_every_path_is_zen() -> None:
    base = cable(["SECSTATE WASHDC"])
    zen = Addressee(plad="AMEMBASSY MINSK", zen=True, raw="ZEN/AMEMBASSY MINSK")
    got = by_id(_with_info(base, [zen]))
    assert got["AMEMBASSY MINSK"].flags == ["zen"]
    got = by_id(_with_info(base, [zen, line("CIS COLLECTIVE")]))
    assert got["AMEMBASSY MINSK"].flags == []


def _with_info(base: Cable, info: list[Addressee]) -> Cable:
    return msgspec.structs.replace(base, info=info)


@pytest.mark.parametrize(("marking", "flagged"), [("UNCLAS", False), ("CONFIDENTIAL", False), ("S E C R E T", True), ("TOP SECRET", True)])
def test_clearance_below_classification_is_flagged(marking: str, flagged: bool) -> None:
    got = by_id(cable(["CLEARED POST"], marking=marking))
    assert ("above_clearance" in got["CLEARED POST"].flags) is flagged


def test_line_without_ri_or_plad_is_still_delivered() -> None:
    base = cable([])
    got = by_id(_with_info(base, [Addressee(raw="???"), Addressee()]))
    assert set(got) == {"???", "UNKNOWN"}


def test_order_action_first_then_first_appearance() -> None:
    got = resolve_distribution(cable(["AMEMBASSY MINSK"], ["SECSTATE WASHDC", "AMEMBASSY CAIRO", "AMEMBASSY MOSCOW"]), small_directory())
    assert [d.addressee for d in got.deliveries] == ["AMEMBASSY MINSK", "SECSTATE WASHDC", "AMEMBASSY CAIRO", "AMEMBASSY MOSCOW"]
    assert got.cable_id == "TEST1"
    assert got.directory_version == small_directory().version


def test_cable_without_date_accepts_every_validity() -> None:
    got = by_id(cable([], ["ARAB LEAGUE COLLECTIVE"], fm="SECSTATE WASHDC", de="RUEHC", day=None))
    assert "AMEMBASSY MOSCOW" in got


def _cleared_directory() -> Directory:
    entries = [*small_directory().entries().values()]
    return Directory.from_entries(
        [*entries, CollectiveEntry(id="CLEARED COLLECTIVE", plad="CLEARED COLLECTIVE", ri="RUEHXX",
                                   members=["CLEARED POST", "AMEMBASSY CAIRO"])]
    )


@pytest.mark.parametrize(("marking", "flagged"), [("UNCLAS", False), ("SECRET", True)])
def test_clearance_is_checked_for_collective_members_too(marking: str, flagged: bool) -> None:
    got = by_id(cable([], ["CLEARED COLLECTIVE"], marking=marking), _cleared_directory())
    assert got["CLEARED POST"].flags == (["above_clearance"] if flagged else [])
    assert got["AMEMBASSY CAIRO"].flags == []


def test_zen_member_above_clearance_has_both_flags_sorted() -> None:
    zen = Addressee(plad="CLEARED COLLECTIVE", zen=True, raw="ZEN/CLEARED COLLECTIVE")
    got = by_id(_with_info(cable(["SECSTATE WASHDC"], marking="SECRET"), [zen]), _cleared_directory())
    assert got["CLEARED POST"].flags == ["above_clearance", "zen"]
    assert got["AMEMBASSY CAIRO"].flags == ["zen"]


def test_a_line_on_the_fast_path_keeps_its_zen_flag_and_its_ri_when_the_entry_has_none() -> None:
    directory = Directory.from_entries([AddresseeEntry(id="NO RI POST", plad="NO RI POST")])
    zen = Addressee(ri="RUEHNR", plad="NO RI POST", zen=True, raw="ZEN/RUEHNR/NO RI POST")
    got = by_id(_with_info(cable([]), [zen]), directory)
    assert got["NO RI POST"].flags == ["zen"]
    assert got["NO RI POST"].station == "RUEHNR"


def test_every_delivery_takes_the_topic_prefix() -> None:
    distribution = resolve_distribution(
        cable(["SECSTATE WASHDC", "NEW POST"], ["CIS COLLECTIVE", "ARAB LEAGUE COLLECTIVE"]), small_directory(),
        topic_prefix="site.in.",
    )
    assert distribution.deliveries
    for delivery in distribution.deliveries:
        assert delivery.topic == topic_for(delivery.addressee, prefix="site.in.")
