"""schemas/asyncapi.yaml names the default topics and only schema files that exist."""

import pathlib

import yaml

from cablerouter.config import Settings
from cablerouter.schema import SCHEMAS

SCHEMA_DIR = pathlib.Path(__file__).resolve().parents[2] / "schemas"
DOC = yaml.safe_load((SCHEMA_DIR / "asyncapi.yaml").read_text())


def test_channels_are_the_default_topics() -> None:
    s = Settings()
    addresses = {c["address"] for c in DOC["channels"].values()}
    assert addresses == {s.raw_topic, s.deadletter_topic, s.routed_topic, s.directory_topic,
                         s.topic_prefix + "{addressee}"}


def test_payload_refs_point_at_generated_schemas() -> None:
    refs = [m["payload"]["$ref"] for m in DOC["components"]["messages"].values()
            if "$ref" in m["payload"]]
    assert refs
    for ref in refs:
        name = ref.removeprefix("./")
        assert name in SCHEMAS and (SCHEMA_DIR / name).exists(), ref
