"""Warning and reason codes: one typed list each, and nothing emitted outside it.

The codes are ``Literal`` types (``WarningCode``, ``DecodeReason``, ``DeadLetterReason``);
the tuples the code iterates are derived from them. These tests hold the documentation
and every code the package writes, in its source and at run time, to those types.
"""

from __future__ import annotations

import ast
import pathlib
import re
from typing import get_args

import pytest

from cablerouter.errors import DeadLetterReason, DecodeError, DecodeReason
from cablerouter.metrics import DEAD_LETTER_REASONS
from cablerouter.telegram import decode_telegram
from cablerouter.telegram.decode import REASONS
from cablerouter.telegram.model import REPAIR_CODES, WARNING_CODES, WarningCode

from tests.mutants import mutants

pytestmark = pytest.mark.unit

ROOT = pathlib.Path(__file__).resolve().parents[3]
PACKAGE = ROOT / "services" / "cablerouter"
CORPUS = ROOT / "tests" / "corpus"
FILES = [CORPUS / "seed" / "10ASTANA179.txt", *sorted((CORPUS / "cables").glob("*.txt"))]
PIECES = [b"\n", b" ", b"\x00", b"\xff", b"/", b"PAGE 02 ", b"\nTO ", b"INFO ", b"XMT ", b"FM ", b"VZCZC",
          b"ZNR UUUUU (CCY)", b" IMMEDIATE", b" 1234", b"RUEHC/", b"UUNCLAS ", b"E.O. 12958", b"FEB ", b"tO "]


def _documented_warning_codes() -> list[str]:
    doc = ast.get_docstring(ast.parse((PACKAGE / "telegram" / "decode.py").read_text())) or ""
    section = doc.split("Warning codes (``DecodeWarning.code``)", 1)[1]
    return [code for line in section.splitlines() if line and not line.startswith(" ")
            for code in re.findall(r"``(\w+)``", line)]


def _calls(path: pathlib.Path, name: str) -> list[ast.Call]:
    return [node for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == name]


def _literal_strings(nodes: list[ast.expr]) -> set[str]:
    return {n.value for n in nodes if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def test_the_tuples_are_the_literal_types() -> None:
    assert get_args(WarningCode) == WARNING_CODES
    assert get_args(DecodeReason) == REASONS
    assert get_args(DeadLetterReason) == DEAD_LETTER_REASONS
    assert DEAD_LETTER_REASONS[: len(REASONS)] == REASONS
    assert set(REPAIR_CODES) <= set(WARNING_CODES)
    for codes in (WARNING_CODES, DEAD_LETTER_REASONS):
        assert len(set(codes)) == len(codes)
        assert all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", c) for c in codes), codes


def test_the_decoder_documents_exactly_its_warning_codes() -> None:
    documented = _documented_warning_codes()
    assert sorted(documented) == sorted(WARNING_CODES)


def test_every_warning_the_source_writes_has_a_warning_code() -> None:
    written: set[str] = set()
    for path in sorted((PACKAGE / "telegram").glob("*.py")):
        for call in _calls(path, "DecodeWarning"):
            written |= _literal_strings([k.value for k in call.keywords if k.arg == "code"])
        # the repairs' codes are appended to a list first
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr == "append" and isinstance(node.func.value, ast.Name)
                    and node.func.value.id == "done"):
                written |= _literal_strings(node.args)
    assert len(written) > 20, "warnings are written as DecodeWarning(code=...)"
    assert sorted(written - set(WARNING_CODES)) == []


def test_every_reason_the_source_writes_is_a_dead_letter_reason() -> None:
    decoder: set[str] = set()
    for path in sorted((PACKAGE / "telegram").glob("*.py")):
        decoder |= _literal_strings([c.args[0] for c in _calls(path, "DecodeError") if c.args])
    assert sorted(decoder) == sorted(REASONS)
    router: set[str] = set()
    for path in sorted((PACKAGE / "router").glob("*.py")):
        router |= _literal_strings([c.args[0] for c in _calls(path, "Rejected") if c.args])
        router |= _literal_strings([c.args[1] for c in _calls(path, "RejectedCable") if len(c.args) > 1])
    assert {"no_deliveries", "unreadable_addressee", "topic_limit", "internal_error"} <= router
    assert sorted(router - set(DEAD_LETTER_REASONS)) == []


def test_every_code_met_at_run_time_is_in_its_type() -> None:
    warnings: set[str] = set()
    reasons: set[str] = set()
    inputs = [f.read_bytes() for f in FILES] + mutants(FILES, PIECES, 600, seed=13, edits=(1, 6))
    for raw in inputs:
        try:
            cable = decode_telegram(raw)
        except DecodeError as exc:
            reasons.add(exc.reason)
        else:
            warnings.update(w.code for w in cable.warnings)
    assert len(warnings) > 10 and reasons
    assert sorted(warnings - set(WARNING_CODES)) == []
    assert sorted(reasons - set(REASONS)) == []
