"""Repairs of garbled addressee lines, applied to the output of every reader.

Placeholder while the repair rules are written: returns the cable unchanged.
"""

from __future__ import annotations

from cablerouter.telegram.model import Cable

__all__ = ("repair_addressees",)


def repair_addressees(cable: Cable) -> Cable:
    """Return ``cable`` with its garbled addressee lines repaired (see module docstring)."""
    return cable
