"""The language-neutral contracts in ``schemas/``, generated from the msgspec types.

``SCHEMAS`` maps a file name in ``schemas/`` to the type it is generated from. The test
``tests/unit/test_schemas.py`` fails when a committed file differs from what the code
generates; ``cablerouter schemas schemas/`` regenerates them (``--check`` only compares).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import msgspec

__all__ = ("SCHEMAS", "render_schema")


def _cable() -> Any:
    from cablerouter.telegram.model import Cable

    return Cable


def _directory() -> Any:
    from cablerouter.directory.model import DirectoryDocument

    return DirectoryDocument


def _directory_entry() -> Any:
    from cablerouter.directory.model import DirectoryEntry

    return DirectoryEntry


def _distribution() -> Any:
    from cablerouter.directory.model import DistributionList

    return DistributionList


def _enriched() -> Any:
    from cablerouter.router.envelope import EnrichedCable

    return EnrichedCable


def _audit() -> Any:
    from cablerouter.router.envelope import AuditRecord

    return AuditRecord


# file name -> (title, callable returning the type). Lazy so importing this module is cheap.
SCHEMAS: dict[str, tuple[str, Callable[[], Any]]] = {
    "cable.schema.json": ("A decoded telegram (cable)", _cable),
    "directory.schema.json": ("A routing directory file (YAML or JSON)", _directory),
    "directory-entry.schema.json": (
        "One routing directory entry: the value of a record on `cables.directory`",
        _directory_entry,
    ),
    "distribution.schema.json": ("The distribution list resolved for one cable", _distribution),
    "enriched.schema.json": (
        "One delivery of a cable: the value of a record on an addressee topic `cables.to.*`",
        _enriched,
    ),
    "audit.schema.json": ("One routed cable: the value of a record on `cables.routed`", _audit),
}


def render_schema(name: str) -> str:
    """Return the JSON Schema text for the schema file ``name`` (stable, sorted keys)."""
    title, get_type = SCHEMAS[name]
    schema = msgspec.json.schema(get_type())
    schema = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **schema}
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"
