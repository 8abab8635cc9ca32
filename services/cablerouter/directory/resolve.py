"""Resolution: a decoded :class:`~cablerouter.telegram.model.Cable` plus a directory snapshot
give the cable's :class:`DistributionList`.

Rules, in the order they apply to each TO (``action``) and INFO (``info``) line:

1. A line resolves by its PLAD (aliases and ``//office//`` suffixes included) valid on the
   cable's date; an RI-only line resolves by its RI. A line that does not resolve is an
   *unknown* addressee: still delivered, to the topic of its normalised PLAD (or RI), and
   flagged ``unknown``. A known RI does not rescue an unknown PLAD, because gateway RIs
   (``RHMFISS``) serve many addressees.
2. A collective expands to its members valid on the cable's date, minus the XMT
   exemptions and minus the originator (FM, or the DE RI when FM is unknown). A collective
   without known members is delivered to its own topic, flagged
   ``collective_without_members``. XMT lines only exempt collective members: an addressee
   the cable also names directly still receives it.
3. The precedence is the line's own, else the cable's action precedence (TO) or info
   precedence (INFO; the action precedence when none is given).
4. An addressee reached several times gets one delivery: ``action`` beats ``info``, the
   highest precedence wins, ``via`` lists every path (``direct`` first, then
   ``collective:<id>`` sorted), the MCN comes from the strongest path that has one, the
   flags are the union (``zen`` only if every path was ``ZEN/``).

The result depends only on the *set* of lines, not their order, except for the order of
the deliveries (action first, then by first appearance).
"""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Iterable

from cablerouter.directory._names import normalise_name
from cablerouter.directory.index import Directory, Target
from cablerouter.directory.model import (
    CLEARANCES,
    AddresseeEntry,
    CollectiveEntry,
    Delivery,
    DistributionList,
    Role,
)
from cablerouter.directory.topic import DEFAULT_TOPIC_PREFIX, topic_for
from cablerouter.telegram.model import PRECEDENCES, Addressee, Cable, Precedence

__all__ = ("resolve_distribution", "resolve_line")

_PRECEDENCE_RANK = types.MappingProxyType({p: i for i, p in enumerate(PRECEDENCES)})
_ROLE_RANK = types.MappingProxyType({"action": 0, "info": 1})
_NO_RANK = len(PRECEDENCES)

# (role rank, precedence rank, 0 for direct / 1 for a collective, via, mcn, zen)
_Path = tuple[int, int, int, str, str, bool]


def resolve_line(line: Addressee, directory: Directory, day: dt.date | None) -> tuple[str, Target | None]:
    """Resolve one addressee line to ``(canonical id, entry)``; the entry is ``None`` if unknown.

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
    tuple of (str, AddresseeEntry or CollectiveEntry or None)
        For an unknown addressee the id is its normalised PLAD, else its RI, else its
        normalised raw text, else ``UNKNOWN``.
    """
    name = normalise_name(line.plad) if line.plad else ""
    if name:
        target = directory.lookup_name(name, day)
        if target is not None:
            return target.id, target
        return name, None
    if line.ri:
        target = directory.lookup_ri(line.ri, day)
        if target is not None:
            return target.id, target
        return line.ri, None
    return normalise_name(line.raw) or "UNKNOWN", None


class _Reach:
    """Every path by which one addressee was reached (private accumulator)."""

    __slots__ = ("first", "flags", "paths", "target")

    def __init__(self, first: int, target: Target | None) -> None:
        self.first = first
        self.target = target
        self.paths: list[_Path] = []
        self.flags: set[str] = set()


def resolve_distribution(
    cable: Cable, directory: Directory, *, topic_prefix: str = DEFAULT_TOPIC_PREFIX
) -> DistributionList:
    """Resolve the cable's TO and INFO lines into one delivery per addressee.

    Parameters
    ----------
    cable
        A decoded cable.
    directory
        The directory snapshot to resolve against.
    topic_prefix
        Prefix of the delivery topics (see :func:`topic_for`).

    Returns
    -------
    DistributionList
        The deliveries, action addressees first, then in order of first appearance.
    """
    day = cable.dtg.date() if cable.dtg is not None else None
    excluded = _originators(cable, directory, day)
    exempt = _exemptions(cable.xmt, directory, day)
    reached: dict[str, _Reach] = {}
    info_default = cable.info_precedence or cable.precedence
    sections: tuple[tuple[Role, list[Addressee], Precedence | None], ...] = (
        ("action", cable.to, cable.precedence),
        ("info", cable.info, info_default),
    )
    for role, lines, default in sections:
        role_rank = _ROLE_RANK[role]
        for line in lines:
            rank = _PRECEDENCE_RANK.get(line.precedence or default, _NO_RANK)  # type: ignore[arg-type]
            mcn = line.mcn or ""
            target_id, target = resolve_line(line, directory, day)
            if isinstance(target, CollectiveEntry):
                members = directory.members(target.id, day)
                if members:
                    via = f"collective:{target.id}"
                    path: _Path = (role_rank, rank, 1, via, mcn, line.zen)
                    for member_id in members:
                        if member_id in excluded or member_id in exempt:
                            continue
                        member = directory.target(member_id)
                        reach = _reach(reached, member_id, member if isinstance(member, AddresseeEntry) else None)
                        reach.paths.append(path)
                    continue
                reach = _reach(reached, target_id, target)
                reach.flags.add("collective_without_members")
            else:
                reach = _reach(reached, target_id, target)
            reach.paths.append((role_rank, rank, 0, "direct", mcn, line.zen))
    level = _classification_level(cable)
    deliveries = [
        _delivery(addressee_id, reach, level, topic_prefix)
        for addressee_id, reach in sorted(reached.items(), key=lambda item: (min(item[1].paths)[0], item[1].first))
    ]
    return DistributionList(cable_id=cable.id, directory_version=directory.version, deliveries=deliveries)


def _reach(reached: dict[str, _Reach], addressee_id: str, target: Target | None) -> _Reach:
    reach = reached.get(addressee_id)
    if reach is None:
        reach = reached[addressee_id] = _Reach(len(reached), target)
        if target is None:
            reach.flags.add("unknown")
    return reach


def _delivery(addressee_id: str, reach: _Reach, level: int | None, topic_prefix: str) -> Delivery:
    paths = reach.paths
    best = min(paths)
    ranks = min(p[1] for p in paths)
    with_mcn = [p for p in paths if p[4]]
    flags = set(reach.flags)
    if all(p[5] for p in paths):
        flags.add("zen")
    target = reach.target
    if (
        level is not None
        and isinstance(target, AddresseeEntry)
        and target.clearance is not None
        and CLEARANCES.index(target.clearance) < level
    ):
        flags.add("above_clearance")
    return Delivery(
        addressee=addressee_id,
        topic=topic_for(addressee_id, prefix=topic_prefix),
        role="action" if best[0] == 0 else "info",
        precedence=PRECEDENCES[ranks] if ranks < _NO_RANK else None,
        via=sorted({p[3] for p in paths}, key=lambda v: (v != "direct", v)),
        mcn=min(with_mcn)[4] if with_mcn else None,
        flags=sorted(flags),
    )


def _originators(cable: Cable, directory: Directory, day: dt.date | None) -> frozenset[str]:
    """Ids of the originating post: the FM line's, or the DE RI's when FM is unknown."""
    if cable.originator is not None:
        originator_id, target = resolve_line(cable.originator, directory, day)
        if target is not None:
            return frozenset((originator_id,))
        ids = {originator_id}
    else:
        ids = set()
    if cable.origin is not None and cable.origin.ri:
        target = directory.lookup_ri(cable.origin.ri, day)
        if isinstance(target, AddresseeEntry):
            ids.add(target.id)
    return frozenset(ids)


def _exemptions(lines: Iterable[Addressee], directory: Directory, day: dt.date | None) -> frozenset[str]:
    """Ids exempted by XMT lines; exempting a collective exempts its members."""
    ids: set[str] = set()
    for line in lines:
        target_id, target = resolve_line(line, directory, day)
        ids.add(target_id)
        if isinstance(target, CollectiveEntry):
            ids.update(directory.members(target.id, day))
    return frozenset(ids)


def _classification_level(cable: Cable) -> int | None:
    """Index in :data:`CLEARANCES` of the cable's classification, if it is recognised."""
    if cable.classification is None:
        return None
    marking = "".join(cable.classification.marking.upper().split())
    for level, prefix in ((3, "TOPSECRET"), (2, "SECRET"), (1, "CONFIDENTIAL"), (0, "UNCLAS")):
        if marking.startswith(prefix):
            return level
    return None
