"""The committed JSON Schemas in schemas/ match what the msgspec types generate."""

import json
import pathlib

import pytest

from cablerouter.schema import SCHEMAS, render_schema

SCHEMA_DIR = pathlib.Path(__file__).resolve().parents[2] / "schemas"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_is_current(name: str) -> None:
    path = SCHEMA_DIR / name
    assert path.exists(), f"{path} missing: run `cablerouter schemas schemas/`"
    assert path.read_text() == render_schema(name), (
        f"{path} drifted from the code: run `cablerouter schemas schemas/`"
    )


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_is_json_schema(name: str) -> None:
    schema = json.loads(render_schema(name))
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert "$defs" in schema or "properties" in schema
