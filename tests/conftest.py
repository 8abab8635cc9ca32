"""Test hygiene shared by every layer (see tests/integration/conftest.py for the broker)."""

from __future__ import annotations

import os

import pytest


@pytest.fixture(autouse=True)
def _environ_unchanged():
    """Fail a test that leaves ``os.environ`` changed: settings are read in one place only."""
    before = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    yield
    after = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    if after != before:
        changed = sorted(set(before.items()) ^ set(after.items()))
        for key in set(after) - set(before):
            del os.environ[key]
        os.environ.update(before)
        pytest.fail(f"test changed os.environ: {changed}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by folder so `-m unit|property|integration` selects a layer."""
    for item in items:
        parts = item.path.parts
        for layer in ("unit", "property", "integration", "deploy"):
            if layer in parts:
                item.add_marker(getattr(pytest.mark, layer))
