"""Name normalisation shared by the directory index and resolution (private)."""

from __future__ import annotations

import datetime as dt

__all__ = ("is_valid_on", "normalise_name")


def normalise_name(name: str) -> str:
    """Return the lookup form of a PLAD or station name.

    The ``//office//`` suffix is cut off, letters are upper-cased and runs of blanks become
    one space: ``"Amembassy  Beijing//ECON//"`` -> ``"AMEMBASSY BEIJING"``.

    Parameters
    ----------
    name
        The name as written.

    Returns
    -------
    str
        The normalised name; empty if nothing but blanks or an office suffix was given.
    """
    cut = name.find("//")
    if cut >= 0:
        name = name[:cut]
    return " ".join(name.upper().split())


def is_valid_on(day: dt.date | None, valid_from: dt.date | None, valid_to: dt.date | None) -> bool:
    """Whether ``day`` lies in the inclusive range; an unknown day is inside every range."""
    if day is None:
        return True
    return (valid_from is None or valid_from <= day) and (valid_to is None or day <= valid_to)
