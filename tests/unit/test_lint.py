"""Lint and types are part of the tests: ruff over every Python file of the repository and
mypy over the package, both configured in ``services/pyproject.toml``.

The commands to run by hand, from the repository root, are :data:`RUFF` and :data:`MYPY`.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

import pytest

pytestmark = pytest.mark.unit

REPO = pathlib.Path(__file__).resolve().parents[2]
CONFIG = "services/pyproject.toml"
BIN = pathlib.Path(sys.executable).parent
# Every Python file of the repository lives under these (the package, its native scanner's
# stub, the tests, the benchmarks, the deploy tools).
PYTHON_TREES = ["services", "tests", "bench", "deploy"]
RUFF = [str(BIN / "ruff"), "check", "--config", CONFIG, "--cache-dir", ".cache/ruff", "--no-fix",
        "--output-format", "concise", *PYTHON_TREES]
MYPY = [str(BIN / "mypy"), "--config-file", CONFIG, "--cache-dir", ".cache/mypy"]


def _run(command: list[str], cwd: pathlib.Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, check=False)


def test_ruff_finds_nothing() -> None:
    result = _run(RUFF)
    assert result.returncode == 0, f"{' '.join(RUFF)}\n{result.stdout}{result.stderr}"


def test_mypy_finds_nothing() -> None:
    result = _run(MYPY)
    assert result.returncode == 0, f"{' '.join(MYPY)}\n{result.stdout}{result.stderr}"
    assert "Success: no issues found" in result.stdout, result.stdout


def test_every_python_file_is_linted() -> None:
    tracked = subprocess.run(["git", "ls-files", "*.py", "*.pyi"], cwd=REPO, capture_output=True, text=True,
                             check=True).stdout.split()
    assert tracked, "git lists the repository's Python files"
    outside = [p for p in tracked if p.split("/", 1)[0] not in PYTHON_TREES]
    assert outside == []


def test_mypy_checks_the_package_and_the_scanner_stub() -> None:
    result = _run([*MYPY, "--verbose"])
    sources = {line for line in result.stderr.splitlines() if "Found source:" in line}
    assert any("cablerouter_scan.pyi" in line for line in sources), sorted(sources)
    assert any("cablerouter/telegram/decode.py" in line for line in sources), sorted(sources)
