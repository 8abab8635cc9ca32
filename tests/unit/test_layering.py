"""Data flows one way: telegram <- directory <- router <- (cli, web). Checked on the AST."""

from __future__ import annotations

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[2] / "services" / "cablerouter"
PURE_FORBIDDEN = {"faust", "aiokafka", "prometheus_client", "asyncio", "logging", "os", "mode",
                  "aiohttp", "yaml", "cablerouter.router", "cablerouter.cli", "cablerouter.web",
                  "cablerouter.commands", "cablerouter.config", "cablerouter.metrics"}


def imports_of(path: pathlib.Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def violations(folder: str, forbidden: set[str]) -> list[str]:
    return [f"{path.relative_to(PACKAGE)} imports {name}"
            for path in sorted((PACKAGE / folder).rglob("*.py"))
            for name in imports_of(path)
            if any(name == f or name.startswith(f + ".") for f in forbidden)]


@pytest.mark.parametrize("folder", ["telegram", "directory"])
def test_pure_core_does_no_io_and_knows_nothing_downstream(folder: str) -> None:
    assert violations(folder, PURE_FORBIDDEN) == []


def test_telegram_does_not_import_directory() -> None:
    assert violations("telegram", {"cablerouter.directory"}) == []


def test_router_does_not_import_its_edges() -> None:
    assert violations("router", {"cablerouter.cli", "cablerouter.web", "cablerouter.commands"}) == []


def test_only_config_reads_the_environment() -> None:
    readers = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text()
        if "os.environ" in text or "os.getenv" in text:
            readers.append(path.relative_to(PACKAGE).as_posix())
    # commands pass os.environ to load_settings; nothing else reads it
    for reader in readers:
        if reader == "config.py":
            continue
        text = (PACKAGE / reader).read_text()
        assert reader.startswith("commands/"), reader
        assert text.count("os.environ") == text.count("load_settings(os.environ)"), reader


def test_modules_stay_small() -> None:
    big = [f"{p.relative_to(PACKAGE)}: {n}" for p in PACKAGE.rglob("*.py")
           if (n := len(p.read_text().splitlines())) > 400]
    assert big == []
