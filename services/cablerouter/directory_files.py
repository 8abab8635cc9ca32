"""Reading routing directories from files and package data (the I/O edge of ``directory``).

The pure core in :mod:`cablerouter.directory` never reads files; this module reads the
bytes and hands them over.
"""

from __future__ import annotations

import csv
import io
import pathlib
from importlib import resources
from typing import Literal

import msgspec

from cablerouter.directory import Directory, build_default_directory, parse_directory
from cablerouter.errors import DirectoryError

__all__ = (
    "DEFAULT_DATA_FILES",
    "directory_format",
    "load_default_directory",
    "load_directory",
    "load_directory_file",
)

DEFAULT_DATA_FILES = (
    "acp117-2010-routing-indicators.csv",
    "plad-to-ri-observed.csv",
    "addressees-default.yaml",
    "collectives-default.yaml",
)
"""The files under ``cablerouter/data/directory/`` the default directory is built from."""


def _read_data(name: str) -> str:
    return resources.files("cablerouter").joinpath("data", "directory", name).read_text(encoding="utf-8")


def _csv_rows(text: str) -> list[tuple[str, str]]:
    rows = list(csv.reader(io.StringIO(text)))
    return [(row[0], row[1]) for row in rows[1:] if len(row) >= 2]


def load_default_directory() -> Directory:
    """Build the shipped default directory from the package data.

    Returns
    -------
    Directory
        ACP 117 (2010) stations and addressees, observed PLADs, curated addressees and the
        illustrative collective memberships (see ``data/directory/PROVENANCE.md``).
    """
    acp117, observed, addressees, collectives = (_read_data(name) for name in DEFAULT_DATA_FILES)
    return build_default_directory(
        _csv_rows(acp117),
        _csv_rows(observed),
        [msgspec.yaml.decode(addressees), msgspec.yaml.decode(collectives)],
    )


def load_directory(path: pathlib.Path | str | None) -> Directory:
    """The directory every command routes with: the operator's file, else the shipped default.

    Parameters
    ----------
    path
        The operator's directory file (``CABLEROUTER_DIRECTORY_FILE`` or a command's
        ``--directory``); ``None`` or ``""`` for the shipped default.

    Raises
    ------
    DirectoryError
        As :func:`load_directory_file`.
    """
    return load_default_directory() if path is None or path == "" else load_directory_file(path)


def directory_format(path: pathlib.Path | str) -> Literal["yaml", "json"]:
    """Return the format of a directory file from its suffix (``.json``, else YAML)."""
    return "json" if pathlib.Path(path).suffix.lower() == ".json" else "yaml"


def load_directory_file(path: pathlib.Path | str) -> Directory:
    """Read and strictly validate an operator's directory file (YAML, or JSON by suffix).

    Parameters
    ----------
    path
        The file.

    Returns
    -------
    Directory
        The validated snapshot.

    Raises
    ------
    DirectoryError
        ``invalid_directory`` naming the offending entry, or ``unreadable_directory`` if
        the file cannot be read.
    """
    try:
        data = pathlib.Path(path).read_bytes()
    except OSError as exc:
        raise DirectoryError("unreadable_directory", f"Expected a readable directory file, got {exc}") from None
    return parse_directory(data, fmt=directory_format(path))
