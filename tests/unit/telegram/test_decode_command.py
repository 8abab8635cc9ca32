"""`cablerouter decode`: JSON Lines out, one object per input, exit 1 on any failure."""

from __future__ import annotations

import io
import json
import pathlib
import sys

import pytest

from cablerouter.cli import main

pytestmark = pytest.mark.unit

CORPUS = pathlib.Path(__file__).resolve().parents[2] / "corpus"
SEED = CORPUS / "seed" / "10ASTANA179.txt"


class _Stdout:
    def __init__(self) -> None:
        self.buffer = io.BytesIO()

    def flush(self) -> None:  # pragma: no cover - nothing to flush
        pass


def run(monkeypatch: pytest.MonkeyPatch, argv: list[str], stdin: bytes = b"") -> tuple[int, list[dict]]:
    out = _Stdout()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stdin", type("In", (), {"buffer": io.BytesIO(stdin)})())
    code = main(["decode", *argv])
    return code, [json.loads(line) for line in out.buffer.getvalue().splitlines()]


def test_decodes_a_file(monkeypatch: pytest.MonkeyPatch) -> None:
    code, objs = run(monkeypatch, [str(SEED)])
    assert code == 0 and len(objs) == 1
    cable = objs[0]
    assert cable["source"] == str(SEED)
    assert cable["id"] == "10ASTANA179"
    assert cable["subject"] == "KAZAKHSTAN URGES U.S. SUPPORT FOR GLOBAL INITIATIVE CONFERENCE"
    assert cable["tags"] == ["PGOV", "MNUC", "KNNP", "RS", "KZ"]
    assert cable["to"] == [
        {"ri": "RUEHC", "plad": "SECSTATE WASHDC", "zen": False, "precedence": "IMMEDIATE", "mcn": "7388",
         "office": None, "line": 9, "raw": "RUEHC/SECSTATE WASHDC IMMEDIATE 7388", "repairs": []}
    ]  # fmt: skip
    assert cable["info"][1]["mcn"] is None and cable["xmt"] == []
    assert cable["body"].endswith("SPRATLEN")


def test_stdin_folder_errors_and_exit_code(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    (tmp_path / "a.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "b.txt").write_bytes(b"")
    (tmp_path / "ignored.dat").write_bytes(b"")
    code, objs = run(monkeypatch, [str(tmp_path), "-", "--no-body"], stdin=b"just some text")
    assert code == 1
    assert [o["source"] for o in objs] == [str(tmp_path / "a.txt"), str(tmp_path / "b.txt"), "-"]
    assert objs[0]["id"] == "10ASTANA179" and objs[0]["body"] == ""
    assert objs[1] == {
        "source": str(tmp_path / "b.txt"),
        "error": {"reason": "empty_input", "line": None, "detail": "Expected a telegram, got 0 bytes", "excerpt": None},
    }
    assert objs[2]["error"]["reason"] == "no_addressees" and objs[2]["error"]["line"] == 1


def test_unreadable_file(monkeypatch: pytest.MonkeyPatch, tmp_path: pathlib.Path) -> None:
    code, objs = run(monkeypatch, [str(tmp_path / "missing.txt")])
    assert code == 1
    assert objs[0]["error"]["reason"] == "unreadable"


def test_limits_are_options(monkeypatch: pytest.MonkeyPatch) -> None:
    code, objs = run(monkeypatch, [str(SEED), "--max-addressees", "3"])
    assert code == 1 and objs[0]["error"]["reason"] == "too_many_addressees"


def test_whole_corpus_decodes(monkeypatch: pytest.MonkeyPatch) -> None:
    code, objs = run(monkeypatch, [str(CORPUS / "cables"), "--no-body"])
    assert code == 0 and len(objs) == 150
    assert all("error" not in o for o in objs)
