"""Every corpus cable routes: no addressee line is dropped and every topic is legal."""

from __future__ import annotations

import csv
import pathlib
import re

import pytest

from cablerouter.directory import (
    CollectiveEntry,
    Directory,
    apply_update,
    encode_entry,
    entry_key,
    resolve_distribution,
    resolve_line,
)
from cablerouter.directory.exclusions import exemptions as _exemptions
from cablerouter.directory.exclusions import originators as _originators
from cablerouter.telegram import decode_telegram

pytestmark = pytest.mark.unit

CORPUS = pathlib.Path(__file__).resolve().parents[2] / "corpus"
FILES = [*sorted((CORPUS / "cables").glob("*.txt")), CORPUS / "seed" / "10ASTANA179.txt"]
LEGAL = re.compile(r"[a-z0-9._-]{1,249}")


def test_the_corpus_is_all_there() -> None:
    assert len(FILES) == 151


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_cable_routes_without_dropping_a_line(path: pathlib.Path, default_directory: Directory) -> None:
    cable = decode_telegram(path.read_bytes())
    distribution = resolve_distribution(cable, default_directory)
    delivered = {d.addressee: d for d in distribution.deliveries}
    assert len(delivered) == len(distribution.deliveries)
    for delivery in distribution.deliveries:
        assert LEGAL.fullmatch(delivery.topic), delivery.topic
        assert delivery.via
    day = cable.dtg.date() if cable.dtg else None
    excluded = _originators(cable, default_directory, day) | _exemptions(cable, default_directory, day)[0]
    for role, lines in (("action", cable.to), ("info", cable.info)):
        for line in lines:
            target_id, target, _, _ = resolve_line(line, default_directory, day)
            members = default_directory.members(target_id, day) if isinstance(target, CollectiveEntry) else []
            if members:  # each member delivered through this collective, or removed by a rule
                for member in members:
                    assert member in excluded or f"collective:{target_id}" in delivered[member].via, (line.raw, member)
            else:
                assert "direct" in delivered[target_id].via, line.raw
                if role == "action":
                    assert delivered[target_id].role == "action"


def test_line_counts_match_the_corpus_index() -> None:
    """The decoder hands resolution every TO and INFO line the index counts."""
    with (CORPUS / "index.tsv").open() as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    assert len(rows) == 150
    for row in rows:
        cable = decode_telegram((CORPUS / "cables" / row["file"]).read_bytes())
        lines = (len({a.line for a in cable.to}), len({a.line for a in cable.info}))  # a repaired line may hold two
        assert lines == (int(row["n_to"]), int(row["n_info"])), row["file"]


def test_corpus_totals(default_directory: Directory) -> None:
    """XMT and originator rules act on the corpus, and most addressees are known."""
    deliveries = [
        d for path in FILES for d in resolve_distribution(decode_telegram(path.read_bytes()), default_directory).deliveries
    ]
    unknown = sum("unknown" in d.flags for d in deliveries)
    assert len(deliveries) > 1000
    assert unknown / len(deliveries) < 0.15


def test_xmt_and_originator_on_a_decoded_cable(default_directory: Directory) -> None:
    """09TRIPOLI254: INFO ARAB LEAGUE COLLECTIVE, XMT AMEMBASSY KHARTOUM, FM AMEMBASSY TRIPOLI."""
    arab_league = CollectiveEntry(
        id="ARAB LEAGUE COLLECTIVE",
        plad="ARAB LEAGUE COLLECTIVE",
        ri="RUEHEE",
        members=["AMEMBASSY KHARTOUM", "AMEMBASSY TRIPOLI", "AMEMBASSY CAIRO", "AMEMBASSY RIYADH"],
    )
    directory = apply_update(default_directory, entry_key(arab_league), encode_entry(arab_league))
    cable = decode_telegram((CORPUS / "cables" / "09TRIPOLI254.txt").read_bytes())
    got = {d.addressee: d for d in resolve_distribution(cable, directory).deliveries}
    assert "AMEMBASSY KHARTOUM" not in got  # XMT
    assert got["AMEMBASSY CAIRO"].via == got["AMEMBASSY RIYADH"].via == ["collective:ARAB LEAGUE COLLECTIVE"]
    # Tripoli INFOs itself directly: that copy stays, the collective path does not add to it.
    assert got["AMEMBASSY TRIPOLI"].via == ["direct"]
    assert got["AMEMBASSY TRIPOLI"].mcn == "5180"
