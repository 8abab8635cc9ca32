"""encode_deliveries splices pre-encoded parts: its bytes must equal encoding the whole
EnrichedCable, for every delivery of every corpus cable."""

from __future__ import annotations

import datetime as dt
import pathlib

import msgspec

from cablerouter.directory import resolve_distribution
from cablerouter.directory_files import load_default_directory
from cablerouter.router.envelope import EnrichedCable, Provenance, encode_deliveries
from cablerouter.telegram import DecodeError, decode_telegram

CORPUS = pathlib.Path(__file__).resolve().parents[2] / "corpus"


def test_spliced_deliveries_equal_the_encoded_enriched_cable() -> None:
    directory = load_default_directory()
    when = dt.datetime(2010, 2, 11, 8, 28, tzinfo=dt.UTC)
    checked = 0
    for i, path in enumerate(sorted(CORPUS.glob("**/*.txt"))):
        try:
            cable = decode_telegram(path.read_bytes())
        except DecodeError:
            continue
        distribution = resolve_distribution(cable, directory, topic_prefix="cables.to.")
        provenance = Provenance(topic="cables.raw", partition=i % 4, offset=i, received_at=when,
                                routed_at=when, router_version="test")
        encoded = encode_deliveries(cable, distribution, provenance)
        assert [d for d, _ in encoded] == list(distribution.deliveries)
        for delivery, value in encoded:
            whole = EnrichedCable(schema_version=1, delivery=delivery, cable=cable,
                                  distribution=distribution, provenance=provenance)
            assert value == msgspec.json.encode(whole)
            checked += 1
    assert checked > 1000
