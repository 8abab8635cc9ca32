"""One addressee line against a directory snapshot: the rules of
:mod:`cablerouter.directory.resolve` (``plad``, ``name_variant``, ``name_typo``,
``station``, ``ri``, ``unknown``), and their memo per snapshot."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from cablerouter.directory._names import is_valid_on, normalise_name
from cablerouter.directory.index import Directory, Target
from cablerouter.directory.model import ResolutionRule
from cablerouter.telegram.model import Addressee

__all__ = ("Resolution", "resolve_line", "resolved")


class Resolution(NamedTuple):
    """How one addressee line resolved.

    Attributes
    ----------
    id
        Canonical id of the entry; for an unlisted or unknown addressee its normalised PLAD,
        else its RI, else its normalised raw text, else ``UNKNOWN``.
    target
        The directory entry, or ``None`` when the addressee is unlisted or unknown.
    rule
        ``plad``, ``name_variant``, ``name_typo``, ``station``, ``ri`` or ``unknown`` (see
        the module docstring).
    station
        The routing indicator of the station that delivers it: the entry's, else the line's.
    """

    id: str
    target: Target | None
    rule: ResolutionRule
    station: str | None


def resolve_line(line: Addressee, directory: Directory, day: dt.date | None) -> Resolution:
    """Resolve one addressee line by the rules of the module docstring.

    Parameters
    ----------
    line
        An addressee line of the cable.
    directory
        The directory snapshot.
    day
        The cable's date, for validity; ``None`` if unknown.

    Returns
    -------
    Resolution
        The canonical id, the entry (``None`` unless known), the rule and the station.
    """
    plad, ri = line.plad, line.ri
    if plad:
        target = directory.lookup_name(plad, day)  # the decoder's PLADs are usually normalised
        if target is None:
            name = normalise_name(plad)
            target = directory.lookup_name(name, day) if name and name != plad else None
        else:
            name = plad
        if target is not None:
            return Resolution(target.id, target, "plad", target.ri or ri)
        if name:
            known_ri = ri if ri and directory.is_known_ri(ri) else None
            found, rule = directory.loose().match(name, known_ri)
            target = directory.target(found) if found is not None else None
            if target is not None and is_valid_on(day, target.valid_from, target.valid_to):
                return Resolution(target.id, target, rule, target.ri or ri)
            return Resolution(name, None, "station" if known_ri else "unknown", ri)
    if ri:
        target = directory.lookup_ri(ri, day)
        if target is not None:
            return Resolution(target.id, target, "ri", ri)
        return Resolution(ri, None, "station" if directory.is_known_ri(ri) else "unknown", ri)
    return Resolution(normalise_name(line.raw) or "UNKNOWN", None, "unknown", None)


def resolved(line: Addressee, directory: Directory, day: dt.date | None) -> Resolution:
    """:func:`resolve_line`, answered once per ``(PLAD, RI, day)`` and directory snapshot."""
    if not (line.plad or line.ri):
        return resolve_line(line, directory, day)
    memo = directory.line_memo()
    key = ("line", line.plad, line.ri, day)
    found = memo.get(key)
    if found is None:
        found = memo[key] = resolve_line(line, directory, day)
    return found
