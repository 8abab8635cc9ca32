"""Whole-corpus properties: every cable decodes and no addressee line is lost.

``index.tsv`` was computed by a simple line reader; it is a guide, not ground truth. Where
it disagrees with the decoder the disagreement is listed below with the reason found by
reading the cable.
"""

from __future__ import annotations

import csv
import pathlib

import pytest

from cablerouter.telegram import Cable, decode_telegram

pytestmark = pytest.mark.unit

CORPUS = pathlib.Path(__file__).resolve().parents[2] / "corpus"
FILES = [CORPUS / "seed" / "10ASTANA179.txt", *sorted((CORPUS / "cables").glob("*.txt"))]
INDEX = {
    row["file"]: row
    for row in csv.DictReader((CORPUS / "index.tsv").read_text().splitlines(), delimiter="\t")
}

# index.tsv takes the first classification-looking line; in these cables that line is
# archive metadata (`UNCLASSIFIED//FOR OFFICIAL USE ONLY` or a bare `UNCLASSIFIED` row
# before a second copy of the header), while the telegram text itself opens with
# `UNCLAS <POST> <serial>`.
CLASSIFICATION_DISAGREEMENTS = {
    "08MONTERREY468.txt": "UNCLAS",
    "09GUADALAJARA379.txt": "UNCLAS",
    "09HERMOSILLO71.txt": "UNCLAS",
    "10KABUL348.txt": "UNCLAS",
    # `UNCLAS E F T O LONDON 002618`: index.tsv drops the spaced EFTO.
    "09EFTOLONDON2618.txt": "UNCLAS EFTO",
}
# File names are WikiLeaks reference ids; this one read the spaced EFTO as part of the
# origin. The origin on the classification line is LONDON.
ID_DISAGREEMENTS = {"09EFTOLONDON2618.txt": "09LONDON2618"}

_LETTER = {"FLASH": "Z", "IMMEDIATE": "O", "PRIORITY": "P", "ROUTINE": "R"}


@pytest.fixture(scope="module")
def decoded() -> dict[str, Cable]:
    return {path.name: decode_telegram(path.read_bytes()) for path in FILES}


def addressee_block_lines(path: pathlib.Path) -> list[int]:
    """Line numbers under TO/INFO/XMT, read independently of the decoder.

    From the first keyword line after the first ``FM`` line to the next blank line.
    """
    lines = path.read_bytes().decode("utf-8", "replace").split("\n")
    fm = next(i for i, line in enumerate(lines) if line.startswith("FM "))
    out = []
    inside = False
    for number, line in enumerate(lines[fm + 1 :], start=fm + 2):
        if not inside:
            if line.split(" ", 1)[0] not in ("TO", "INFO", "XMT"):
                continue
            inside = True
        if not line.strip():
            break
        out.append(number)
    return out


def test_the_corpus_is_all_there() -> None:
    assert len(FILES) == 151
    assert len(INDEX) == 150


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_no_addressee_line_is_lost(path: pathlib.Path, decoded: dict[str, Cable]) -> None:
    cable = decoded[path.name]
    addressee_lines = {a.line for a in (*cable.to, *cable.info, *cable.xmt)}
    warning_lines = {w.line for w in cable.warnings if w.line is not None}
    block = addressee_block_lines(path)
    assert block, "every corpus cable has an address block"
    lost = [n for n in block if n not in addressee_lines and n not in warning_lines]
    assert lost == []
    # ...and nothing outside the block was taken for an addressee.
    assert addressee_lines <= set(block)


@pytest.mark.parametrize("name", sorted(INDEX), ids=lambda n: n[:-4])
def test_header_agrees_with_the_index(name: str, decoded: dict[str, Cable]) -> None:
    row = INDEX[name]
    cable = decoded[name]
    # Lines, not addressees: a repaired garbled line may hold two (month_in_plad).
    lines = (len({a.line for a in cable.to}), len({a.line for a in cable.info}))
    assert lines == (int(row["n_to"]), int(row["n_info"]))
    assert (cable.origin.ri if cable.origin else "") == row["originator_ri"]
    assert (cable.routing.prosign if cable.routing else "") == row["prosign"]
    assert cable.precedence is not None and cable.info_precedence is not None
    letters = _LETTER[cable.precedence]
    if cable.info_precedence != cable.precedence:
        letters += _LETTER[cable.info_precedence]
    assert letters == row["precedence"]
    xmt = [note for note in row["notes"].split(",") if note.startswith("xmt=")]
    assert len(cable.xmt) == (int(xmt[0][4:]) if xmt else 0)


@pytest.mark.parametrize("name", sorted(INDEX), ids=lambda n: n[:-4])
def test_text_agrees_with_the_index(name: str, decoded: dict[str, Cable]) -> None:
    cable = decoded[name]
    assert cable.classification is not None
    expected = CLASSIFICATION_DISAGREEMENTS.get(name, INDEX[name]["classification"])
    assert cable.classification.marking == expected
    assert cable.id == ID_DISAGREEMENTS.get(name, name[:-4])


def test_every_cable_has_a_subject_or_tags(decoded: dict[str, Cable]) -> None:
    # 06LIMA1534 is cut off after its captions (`...`) in the source page.
    missing = sorted(name for name, c in decoded.items() if not c.tags and not c.subject)
    assert missing == ["06LIMA1534.txt"]


def test_warnings_are_rare_on_real_cables(decoded: dict[str, Cable]) -> None:
    codes = {w.code for c in decoded.values() for w in c.warnings}
    assert codes <= {
        "text_before_header",
        "text_before_classification",
        "duplicate_header",
        "page_artefact",
        "unusual_security_letters",
        "no_action_addressees",
        "misspelt_classification",
        "unknown_caption",
        "month_in_plad",  # four archive copies (06LIMA1534, 08QUITO221, 09BOGOTA721, 09QUITO602)
        "doubled_word",  # 08MONTERREY468
    }
