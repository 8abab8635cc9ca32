"""The seed cable 10ASTANA179's full distribution list, spelled out by hand."""

from __future__ import annotations

import pathlib

import pytest

from cablerouter.directory import Delivery, Directory, resolve_distribution
from cablerouter.telegram import decode_telegram

from .conftest import seed_cable_by_hand

pytestmark = pytest.mark.unit

SEED = pathlib.Path(__file__).resolve().parents[2] / "corpus" / "seed" / "10ASTANA179.txt"

CIS = "collective:CIS COLLECTIVE"


def info(addressee: str, topic: str, mcn: str | None = None, via: str = "direct", flags: tuple[str, ...] = ()) -> Delivery:
    return Delivery(
        addressee=addressee, topic=topic, role="info", precedence="IMMEDIATE", via=[via], mcn=mcn, flags=list(flags),
        rule="plad" if via == "direct" else "collective", station=STATIONS[addressee],
    )


# The station that delivers each copy: the directory's RI for the addressee.
STATIONS = {
    "AMEMBASSY MOSCOW": "RUEHMO",
    "AMEMBASSY KYIV": "RUEHKV",
    "AMEMBASSY MINSK": "RUEHSK",
    "AMEMBASSY CHISINAU": "RUEHCH",
    "AMEMBASSY TBILISI": "RUEHSI",
    "AMEMBASSY YEREVAN": "RUEHYE",
    "AMEMBASSY BAKU": "RUEHKB",
    "AMEMBASSY BISHKEK": "RUEHEK",
    "AMEMBASSY DUSHANBE": "RUEHDBU",
    "AMEMBASSY TASHKENT": "RUEHNT",
    "AMEMBASSY ASHGABAT": "RUEHAH",
    "ALL SOUTH AND CENTRAL ASIA COLLECTIVE": "RUCNCLS",
    "EUROPEAN POLITICAL COLLECTIVE": "RUEHZL",
    "AMEMBASSY BEIJING": "RUEHBJ",
    "AMEMBASSY TOKYO": "RUEHKO",
    "AMEMBASSY SEOUL": "RUEHUL",
    "USMISSION USUN NEW YORK": "RUCNDT",
    "USMISSION USNATO": "RUEHNO",
    "DEPT OF ENERGY WASHINGTON DC": "RHEBAAA",
    "CIA WASHINGTON DC": "RUEAIIA",
    "DIA WASHINGTON DC": "RHEFJMA",
    "NSC WASHDC": "RHEHNSC",
    "SECDEF WASHDC": "RUEKJCS",
    "JOINT STAFF WASHDC": "RUEKJCS",
    "CDR USCENTCOM MACDILL AFB FL": "RUMICEA",
}


EXPECTED = [
    Delivery(
        addressee="SECSTATE WASHDC",
        topic="cables.to.secstate-washdc",
        role="action",
        precedence="IMMEDIATE",
        via=["direct"],
        mcn="7388",
        flags=[],
        rule="plad",
        station="RUEHC",
    ),
    # CIS COLLECTIVE 2441, without AMEMBASSY ASTANA (the originator).
    info("AMEMBASSY MOSCOW", "cables.to.amembassy-moscow", "2441", CIS),
    info("AMEMBASSY KYIV", "cables.to.amembassy-kyiv", "2441", CIS),
    info("AMEMBASSY MINSK", "cables.to.amembassy-minsk", "2441", CIS),
    info("AMEMBASSY CHISINAU", "cables.to.amembassy-chisinau", "2441", CIS),
    info("AMEMBASSY TBILISI", "cables.to.amembassy-tbilisi", "2441", CIS),
    info("AMEMBASSY YEREVAN", "cables.to.amembassy-yerevan", "2441", CIS),
    info("AMEMBASSY BAKU", "cables.to.amembassy-baku", "2441", CIS),
    info("AMEMBASSY BISHKEK", "cables.to.amembassy-bishkek", "2441", CIS),
    info("AMEMBASSY DUSHANBE", "cables.to.amembassy-dushanbe", "2441", CIS),
    info("AMEMBASSY TASHKENT", "cables.to.amembassy-tashkent", "2441", CIS),
    info("AMEMBASSY ASHGABAT", "cables.to.amembassy-ashgabat", "2441", CIS),
    # Collectives the default directory has no members for go to their own topics.
    info(
        "ALL SOUTH AND CENTRAL ASIA COLLECTIVE",
        "cables.to.all-south-and-central-asia-collective",
        flags=("collective_without_members",),
    ),
    info("EUROPEAN POLITICAL COLLECTIVE", "cables.to.european-political-collective", flags=("collective_without_members",)),
    info("AMEMBASSY BEIJING", "cables.to.amembassy-beijing", "1801"),
    info("AMEMBASSY TOKYO", "cables.to.amembassy-tokyo", "2507"),
    info("AMEMBASSY SEOUL", "cables.to.amembassy-seoul", "1417"),
    info("USMISSION USUN NEW YORK", "cables.to.usmission-usun-new-york", "2696"),
    info("USMISSION USNATO", "cables.to.usmission-usnato", "2986"),
    info("DEPT OF ENERGY WASHINGTON DC", "cables.to.dept-of-energy-washington-dc"),
    info("CIA WASHINGTON DC", "cables.to.cia-washington-dc"),  # written CIA WASHDC
    info("DIA WASHINGTON DC", "cables.to.dia-washington-dc"),  # written DIA WASHDC
    info("NSC WASHDC", "cables.to.nsc-washdc", "1998"),
    # One RI (RUEKJCS), two addressees.
    info("SECDEF WASHDC", "cables.to.secdef-washdc", "1846"),
    info("JOINT STAFF WASHDC", "cables.to.joint-staff-washdc"),
    info("CDR USCENTCOM MACDILL AFB FL", "cables.to.cdr-uscentcom-macdill-afb-fl"),
]


def test_hand_built_seed_header(default_directory: Directory) -> None:
    distribution = resolve_distribution(seed_cable_by_hand(), default_directory)
    assert distribution.cable_id == "10ASTANA179"
    assert distribution.deliveries == EXPECTED


def test_decoded_seed_cable(default_directory: Directory) -> None:
    cable = decode_telegram(SEED.read_bytes())
    distribution = resolve_distribution(cable, default_directory)
    assert distribution.cable_id == "10ASTANA179"
    assert distribution.deliveries == EXPECTED


def test_seed_facts(default_directory: Directory) -> None:
    """The 'done when' facts, stated on their own."""
    deliveries = resolve_distribution(decode_telegram(SEED.read_bytes()), default_directory).deliveries
    by_id = {d.addressee: d for d in deliveries}
    assert [d.addressee for d in deliveries if d.role == "action"] == ["SECSTATE WASHDC"]
    assert by_id["SECSTATE WASHDC"].precedence == "IMMEDIATE"
    assert "AMEMBASSY ASTANA" not in by_id
    assert {"SECDEF WASHDC", "JOINT STAFF WASHDC"} <= set(by_id)
    assert len(by_id) == len(deliveries) == 1 + 11 + 14
