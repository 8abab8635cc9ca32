"""Strict validation of operator directory files: errors name the offending entry."""

from __future__ import annotations

import json

import pytest

from cablerouter.directory import parse_directory
from cablerouter.errors import DirectoryError

pytestmark = pytest.mark.unit

GOOD_YAML = """\
description: a small operator directory
stations:
  - ri: RUEHTA
    names:
      - {name: AMEMBASSY ALMATY, valid_to: 2006-12-31}
      - AMEMBASSY ASTANA
addressees:
  - id: AMEMBASSY ASTANA
    plad: AMEMBASSY ASTANA
    ri: RUEHTA
    aliases: [AMEMBASSY ALMATY]
    clearance: SECRET
    attributes: {region: SCA}
  - {id: AMEMBASSY MOSCOW, plad: AMEMBASSY MOSCOW, ri: RUEHMO}
collectives:
  - id: CIS COLLECTIVE
    plad: CIS COLLECTIVE
    ri: RUCNCIS
    members:
      - AMEMBASSY MOSCOW
      - {addressee: AMEMBASSY ASTANA, valid_from: 2000-01-01}
"""


def test_good_yaml_file_parses() -> None:
    directory = parse_directory(GOOD_YAML, fmt="yaml")
    assert directory.size == 4
    assert directory.lookup_name("AMEMBASSY ALMATY").id == "AMEMBASSY ASTANA"  # type: ignore[union-attr]
    assert directory.members("CIS COLLECTIVE") == ("AMEMBASSY MOSCOW", "AMEMBASSY ASTANA")


def test_json_and_yaml_give_the_same_directory() -> None:
    import msgspec

    obj = msgspec.yaml.decode(GOOD_YAML)
    as_json = json.dumps(obj, default=str)
    from_json = parse_directory(as_json.encode(), fmt="json")
    from_yaml = parse_directory(GOOD_YAML.encode(), fmt="yaml")
    assert from_json == from_yaml
    assert from_json.version == from_yaml.version


def test_empty_document_is_an_empty_directory() -> None:
    assert parse_directory("{}", fmt="json").size == 0


BAD = [
    ("addressees:\n  - {id: X, plad: X, ri: ruehxx}\n", r"Invalid entry addressees\[0\] `X`: Expected `str` matching regex .* - at `\$\.ri`"),
    ("addressees:\n  - {id: X, plad: X}\n  - {id: Y, plad: Y, colour: red}\n", r"Invalid entry addressees\[1\] `Y`: Object contains unknown field `colour`"),
    ("addressees:\n  - {plad: X}\n", r"Invalid entry addressees\[0\]: Object missing required field `id`"),
    ("addressees:\n  - {id: X, plad: X, clearance: PUBLIC}\n", r"Invalid entry addressees\[0\] `X`: Invalid enum value 'PUBLIC' - at `\$\.clearance`"),
    ("addressees:\n  - {id: X, plad: X}\n  - {id: X, plad: Z}\n", r"Invalid entry addressees\[1\] `X`: duplicate id, also addressees\[0\] `X`"),
    ("addressees:\n  - {id: X, plad: P}\ncollectives:\n  - {id: X, plad: Q}\n", r"Invalid entry collectives\[0\] `X`: duplicate id, also addressees\[0\] `X`"),
    (
        "addressees:\n  - {id: A, plad: AMEMBASSY A}\n  - {id: B, plad: AMEMBASSY B, aliases: [Amembassy  a]}\n",
        r"Invalid entry addressees\[1\] `B`: name `AMEMBASSY A` also belongs to addressees\[0\] `A`",
    ),
    (
        "addressees:\n  - {id: A, plad: A}\ncollectives:\n  - {id: CIS COLLECTIVE, plad: CIS COLLECTIVE, members: [A, AMEMBASSY ATLANTIS]}\n",
        r"Invalid entry collectives\[0\] `CIS COLLECTIVE`: member `AMEMBASSY ATLANTIS` is not an addressee of the directory",
    ),
    (
        "addressees:\n  - {id: A, plad: A}\ncollectives:\n  - {id: C, plad: C, members: [A, A]}\n",
        r"Invalid entry collectives\[0\] `C`: member `A` is listed twice",
    ),
    (
        "collectives:\n  - {id: C, plad: C}\n  - {id: D, plad: D, members: [C]}\n",
        r"Invalid entry collectives\[1\] `D`: member `C` is not an addressee",
    ),
    (
        "addressees:\n  - {id: A, plad: A, valid_from: 2010-01-01, valid_to: 2009-01-01}\n",
        r"Invalid entry addressees\[0\] `A`: entry valid_from 2010-01-01 is after valid_to 2009-01-01",
    ),
    ("stations:\n  - {ri: RUEHTA}\n  - {ri: RUEHTA, names: [X]}\n", r"Invalid entry stations\[1\] `RUEHTA`: duplicate routing indicator, also stations\[0\] `RUEHTA`"),
    ("stations:\n  - {ri: RUEHTA, names: ['//POL//']}\n", r"Invalid entry stations\[0\] `RUEHTA`: a station name is empty"),
    ("addressees:\n  - {id: ' X', plad: X}\n", r"Invalid entry addressees\[0\] ` X`: .* - at `\$\.id`"),
    ("adressees: []\n", r"Invalid directory file: Object contains unknown field `adressees`"),
    ("- just a list\n", r"Invalid directory file: Expected `object`, got `array`"),
    ("addressees: [\n", r"Expected YAML text: "),
]


@pytest.mark.parametrize(("text", "message"), BAD)
def test_bad_file_names_the_entry(text: str, message: str) -> None:
    with pytest.raises(DirectoryError, match=message) as info:
        parse_directory(text, fmt="yaml")
    assert info.value.reason == "invalid_directory"


def test_bad_json_syntax() -> None:
    with pytest.raises(DirectoryError, match=r"Expected JSON text: "):
        parse_directory(b'{"addressees": [', fmt="json")


def test_overlapping_alias_ranges_conflict_but_disjoint_ones_do_not() -> None:
    disjoint = """\
addressees:
  - {id: A, plad: A, aliases: [{name: OLD NAME, valid_to: 2005-12-31}]}
  - {id: B, plad: B, aliases: [{name: OLD NAME, valid_from: 2006-01-01}]}
"""
    assert parse_directory(disjoint, fmt="yaml").size == 2
    with pytest.raises(DirectoryError, match=r"addressees\[1\] `B`: name `OLD NAME` also belongs to addressees\[0\] `A`"):
        parse_directory(disjoint.replace("2006-01-01", "2005-12-31"), fmt="yaml")
