"""``directory/`` stays pure: no I/O, logging, async or broker modules (an ``ast`` walk)."""

from __future__ import annotations

import ast
import pathlib

import pytest

import cablerouter.directory

pytestmark = pytest.mark.unit

FORBIDDEN = {"os", "logging", "asyncio", "faust", "aiokafka", "prometheus_client", "yaml", "pathlib", "io", "importlib"}
ALLOWED_PROJECT = ("cablerouter.directory", "cablerouter.telegram.model", "cablerouter.errors")
PACKAGE = pathlib.Path(cablerouter.directory.__file__).parent


def imported_modules(path: pathlib.Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_forbidden_imports(path: pathlib.Path) -> None:
    for name in imported_modules(path):
        assert name.split(".")[0] not in FORBIDDEN, f"{path.name} imports {name}"
        if name.startswith("cablerouter"):
            assert name.startswith(ALLOWED_PROJECT), f"{path.name} imports {name}"


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_modules_stay_small(path: pathlib.Path) -> None:
    assert len(path.read_text().splitlines()) <= 400
