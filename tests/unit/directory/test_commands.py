"""``cablerouter route`` and ``cablerouter directory`` (in-process through ``cli.main``)."""

from __future__ import annotations

import json
import pathlib

import pytest

from cablerouter import cli
from cablerouter.commands import route
from cablerouter.errors import DecodeError
from cablerouter.telegram.model import Cable, DecodeLimits

from .conftest import seed_cable_by_hand

pytestmark = pytest.mark.unit

OPERATOR_YAML = """\
addressees:
  - {id: SECSTATE WASHDC, plad: SECSTATE WASHDC, ri: RUEHC}
  - {id: AMEMBASSY BEIJING, plad: AMEMBASSY BEIJING, ri: RUEHBJ}
collectives:
  - {id: CIS COLLECTIVE, plad: CIS COLLECTIVE, ri: RUCNCIS, members: [AMEMBASSY BEIJING]}
"""


def test_directory_validate_good_file(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "dir.yaml"
    path.write_text(OPERATOR_YAML)
    assert cli.main(["directory", "validate", str(path)]) == 0
    assert "valid, 3 entries, version " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("bad.yaml", OPERATOR_YAML.replace("members: [AMEMBASSY BEIJING]", "members: [AMEMBASSY PEKING]"),
         "Invalid entry collectives[0] `CIS COLLECTIVE`: member `AMEMBASSY PEKING` is not an addressee of the directory"),
        ("bad.json", '{"addressees": [{"id": "X", "plad": "X"}, {"id": "Y", "plad": "Y", "ri": "RUEH1"}]}',
         "Invalid entry addressees[1] `Y`: Expected `str` matching regex '^[A-Z]{4,8}$' - at `$.ri`"),
        ("missing.yaml", None, "Expected a readable directory file"),
    ],
)
def test_directory_validate_bad_file_names_the_entry(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], name: str, text: str | None, message: str
) -> None:
    path = tmp_path / name
    if text is not None:
        path.write_text(text)
    assert cli.main(["directory", "validate", str(path)]) == 1
    err = capsys.readouterr().err
    assert message in err and str(path) in err


def test_directory_show_round_trips(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "dir.yaml"
    source.write_text(OPERATOR_YAML)
    for fmt in ("json", "yaml"):
        assert cli.main(["directory", "show", "--directory", str(source), "--format", fmt]) == 0
        shown = tmp_path / f"shown.{fmt}"
        shown.write_text(capsys.readouterr().out)
        assert cli.main(["directory", "validate", str(shown)]) == 0
        assert "valid, 3 entries" in capsys.readouterr().out


def test_directory_show_summary_of_the_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["directory", "show", "--summary"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("version ") and "38 collectives" in out


def _fake_decoder(raw: bytes, *, limits: DecodeLimits | None = None) -> Cable:
    """Stands in for the decoder: the hand-built seed header, or a decode failure."""
    if raw.startswith(b"VZCZC"):
        return seed_cable_by_hand()
    raise DecodeError("empty_input", "Expected a telegram, got 0 bytes", line=1)


def test_route_prints_json_lines_and_error_objects(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(route, "decode_telegram", _fake_decoder)
    good, bad = tmp_path / "a.txt", tmp_path / "b.txt"
    good.write_bytes(b"VZCZC...")
    bad.write_bytes(b"")
    assert cli.main(["route", str(tmp_path)]) == 1
    lines = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [x["source"] for x in lines] == [str(good), str(bad)]
    assert lines[0]["id"] == "10ASTANA179"
    first = lines[0]["deliveries"][0]
    assert set(first) >= {"addressee", "topic", "role", "precedence", "via", "flags"}
    assert (first["addressee"], first["role"], first["precedence"]) == ("SECSTATE WASHDC", "action", "IMMEDIATE")
    assert lines[1] == {
        "source": str(bad),
        "error": {"reason": "empty_input", "line": 1, "detail": "Expected a telegram, got 0 bytes"},
    }


def test_route_with_an_operator_directory(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(route, "decode_telegram", _fake_decoder)
    directory = tmp_path / "dir.yaml"
    directory.write_text(OPERATOR_YAML)
    cable = tmp_path / "c.txt"
    cable.write_bytes(b"VZCZC...")
    assert cli.main(["route", "--directory", str(directory), str(cable)]) == 0
    deliveries = json.loads(capsys.readouterr().out)["deliveries"]
    beijing = [d for d in deliveries if d["addressee"] == "AMEMBASSY BEIJING"]
    assert beijing[0]["via"] == ["direct", "collective:CIS COLLECTIVE"]
    assert "unknown" in next(d for d in deliveries if d["addressee"] == "AMEMBASSY TOKYO")["flags"]


def test_route_with_an_invalid_directory_exits_2(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    directory = tmp_path / "dir.yaml"
    directory.write_text("addressees: [{id: X}]\n")
    assert cli.main(["route", "--directory", str(directory), str(tmp_path)]) == 2
    assert "Invalid entry addressees[0] `X`: Object missing required field `plad`" in capsys.readouterr().err


CORPUS_CABLES = pathlib.Path(__file__).resolve().parents[2] / "corpus" / "cables"


def test_route_explain_names_the_rule_and_the_lines_behind_each_delivery(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["route", "--explain", str(CORPUS_CABLES / "09QUITO602.txt"), str(CORPUS_CABLES / "09TRIPOLI254.txt")]) == 0
    out = capsys.readouterr().out
    assert "AMEMBASSY LIMA -> cables.to.amembassy-lima (info, IMMEDIATE)" in out
    assert "line 12: RUEHLP/AMEMBASSY LA PAZ JUL LIMA 3312 (repaired: month_in_plad)" in out
    assert "rule plad: its PLAD (or an alias) is listed; via direct" in out
    assert "exempted: AMEMBASSY KHARTOUM (line 10, from ARAB LEAGUE COLLECTIVE) [not_in_collective]" in out


def test_route_explain_shows_station_rules_and_unreadable_lines(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = (CORPUS_CABLES.parent / "seed" / "10ASTANA179.txt").read_text()
    raw = raw.replace("RUEHBJ/AMEMBASSY BEIJING", "RUEHAK/USDAO ANKARA TU\nRUEHLM/AMEMBASSY COLOMBO\n1234\nRUEHBJ/AMEMBASSY BEIJING", 1)
    (tmp_path / "c.txt").write_text(raw)
    assert cli.main(["route", "--explain", str(tmp_path / "c.txt")]) == 0
    out = capsys.readouterr().out
    assert "USDAO ANKARA TU -> cables.to.usdao-ankara-tu (info, IMMEDIATE) [unlisted]" in out
    assert "rule station: not listed: its own topic, at the known station RUEHAK" in out
    assert "rule name_typo: a misspelling of the name listed under station RUEHLM" in out
    assert "unreadable INFO line " in out and ": 1234" in out
    assert "rule collective: a member of CIS COLLECTIVE" in out
    assert cli.main(["route", str(tmp_path / "c.txt")]) == 0
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [u["text"] for u in line["unreadable"]] == ["1234"]
    assert {d["addressee"]: d["rule"] for d in line["deliveries"]}["AMEMBASSY COLUMBO"] == "name_typo"


def test_directory_show_stations_explains_relays_and_variants(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["directory", "show", "--stations"]) == 0
    views = {v["ri"]: v for v in map(json.loads, capsys.readouterr().out.splitlines())}
    assert views["RUEKJCS"]["relay"] is True and "SECDEF WASHDC" in views["RUEKJCS"]["serves"]
    assert views["RUEHLM"]["relay"] is False
    assert ["DEPT OF COMMERCE WASHINGTON DC", "DEPARTMENT COMMERCE WASHINGTON DC"] in views["RUCPDOC"]["names"]
