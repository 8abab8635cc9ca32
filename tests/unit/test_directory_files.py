"""The I/O edge of the directory: package data and operator files."""

from __future__ import annotations

import json
import pathlib

import msgspec
import pytest

from cablerouter.directory import Directory, directory_document
from cablerouter.directory_files import (
    DEFAULT_DATA_FILES,
    directory_format,
    load_default_directory,
    load_directory,
    load_directory_file,
)
from cablerouter.errors import DirectoryError

pytestmark = pytest.mark.unit

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "services" / "cablerouter"
DATA = PACKAGE / "data" / "directory"


def test_default_data_files_ship_with_their_provenance() -> None:
    provenance = (DATA / "PROVENANCE.md").read_text()
    for name in DEFAULT_DATA_FILES:
        assert (DATA / name).is_file()
        assert name in provenance


def test_collectives_file_says_it_is_illustrative() -> None:
    header = (DATA / "collectives-default.yaml").read_text().split("collectives:")[0]
    assert "ILLUSTRATIVE" in header and "operators replace" in header


def test_default_directory_is_deterministic() -> None:
    first, second = load_default_directory(), load_default_directory()
    assert isinstance(first, Directory)
    assert first == second and first.version == second.version


@pytest.mark.parametrize(("name", "fmt"), [("d.json", "json"), ("d.JSON", "json"), ("d.yaml", "yaml"), ("d.yml", "yaml"), ("d", "yaml")])
def test_format_from_suffix(name: str, fmt: str) -> None:
    assert directory_format(name) == fmt


def test_load_json_and_yaml_files(tmp_path: pathlib.Path) -> None:
    obj = {"addressees": [{"id": "AMEMBASSY BEIJING", "plad": "AMEMBASSY BEIJING", "ri": "RUEHBJ"}]}
    (tmp_path / "d.json").write_text(json.dumps(obj))
    (tmp_path / "d.yaml").write_text("addressees:\n  - {id: AMEMBASSY BEIJING, plad: AMEMBASSY BEIJING, ri: RUEHBJ}\n")
    assert load_directory_file(tmp_path / "d.json") == load_directory_file(str(tmp_path / "d.yaml"))


def test_yaml_text_in_a_json_file_is_a_syntax_error(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "d.json"
    path.write_text("addressees: []\n")
    with pytest.raises(DirectoryError, match="Expected JSON text"):
        load_directory_file(path)


def test_unreadable_file(tmp_path: pathlib.Path) -> None:
    with pytest.raises(DirectoryError, match="Expected a readable directory file") as info:
        load_directory_file(tmp_path / "missing.yaml")
    assert info.value.reason == "unreadable_directory"


def test_default_written_out_loads_back(tmp_path: pathlib.Path) -> None:
    default = load_default_directory()
    path = tmp_path / "default.json"
    path.write_bytes(msgspec.json.encode(directory_document(default)))
    assert load_directory_file(path) == default


def test_load_directory_takes_the_file_when_given_else_the_default(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "d.yaml"
    path.write_text("addressees:\n  - {id: AMEMBASSY BEIJING, plad: AMEMBASSY BEIJING, ri: RUEHBJ}\n")
    assert load_directory(path) == load_directory(str(path)) == load_directory_file(path)
    assert load_directory(None) == load_directory("") == load_default_directory()
    with pytest.raises(DirectoryError, match="Expected a readable directory file"):
        load_directory(tmp_path / "missing.yaml")


def test_every_command_loads_its_directory_through_load_directory() -> None:
    for path in sorted((PACKAGE / "commands").glob("*.py")):
        text = path.read_text()
        assert "load_default_directory" not in text and "load_directory_file" not in text, path.name
    users = [p.name for p in (PACKAGE / "commands").glob("*.py") if "load_directory(" in p.read_text()]
    assert sorted(users) == ["directory.py", "route.py", "tail.py", "worker.py"]
