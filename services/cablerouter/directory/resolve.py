"""Resolution: a decoded :class:`~cablerouter.telegram.model.Cable` plus a directory snapshot
give the cable's :class:`DistributionList`.

Rules, in the order they apply to each TO (``action``) and INFO (``info``) line:

1. A line resolves, in this order (the delivery's ``rule``):

   * ``plad``: by its PLAD, an alias or the canonical id (``//office//`` suffixes cut off),
     valid on the cable's date;
   * ``name_variant``: by a spelling variant of the PLAD that names exactly one entry
     (``WASHDC``/``WASHINGTON DC``, ``DEPT``/``DEPARTMENT``, a country code; see
     :mod:`cablerouter.directory.variants`), or names one entry listed under the line's
     routing indicator;
   * ``name_typo``: by a misspelling of a name listed under the line's routing indicator,
     when that RI is not a relay (relays serve many addressees, so distinct PLADs stay
     distinct under them);
   * ``station``: a PLAD the directory does not list, at a station it knows (the line's RI):
     delivered to the PLAD's own topic, flagged ``unlisted``, with the station's RI;
   * ``ri``: an RI-only line, by its RI;
   * ``unknown``: neither the PLAD nor the RI is known: still delivered, to the topic of its
     normalised PLAD (or RI), flagged ``unknown``.
2. A collective expands to its members valid on the cable's date, minus the XMT
   exemptions and minus the originator (FM, or the DE RI when FM is unknown). A collective
   without known members is delivered to its own topic, flagged
   ``collective_without_members``. XMT lines only exempt collective members: an addressee
   the cable also names directly still receives it. Every exemption is listed in the
   distribution with the collective it follows, flagged ``not_in_collective`` when that
   collective does not list it (it is still exempted from every collective of the cable).
3. The precedence is the line's own, else the cable's action precedence (TO) or info
   precedence (INFO; the action precedence when none is given).
4. An addressee reached several times gets one delivery: ``action`` beats ``info``, the
   highest precedence wins, ``via`` lists every path (``direct`` first, then
   ``collective:<id>`` sorted), the MCN comes from the strongest path that has one, the
   flags are the union (``zen`` only if every path was ``ZEN/``), the rule and station are
   those of the strongest path (``plad`` first, ``collective`` last; then the smallest RI).

The result depends only on the *set* of lines, not their order, except for the order of
the deliveries (action first, then by first appearance).

Rule 1 for one line is :func:`~cablerouter.directory.lines.resolve_line`; who rule 2 excludes
is :mod:`cablerouter.directory.exclusions`. Resolution runs once per cable on the router's hot
path (``bench/route.py``): most lines take one lookup in the snapshot's table of routes, and
each delivery is made when its addressee is first reached, made again only if a second path
reaches it.
"""

from __future__ import annotations

import datetime as dt
import types
from typing import Any

import msgspec

from cablerouter.directory.exclusions import exemptions as _exemptions
from cablerouter.directory.exclusions import originators as _originators
from cablerouter.directory.index import Directory, Expansion, Target
from cablerouter.directory.lines import Resolution, resolve_line
from cablerouter.directory.model import (
    CLEARANCES,
    AddresseeEntry,
    CollectiveEntry,
    Delivery,
    DistributionList,
    Exemption,
    ResolutionRule,
    Role,
)
from cablerouter.directory.topic import DEFAULT_TOPIC_PREFIX
from cablerouter.telegram.model import PRECEDENCES, Addressee, Cable, Precedence

__all__ = ("Resolution", "resolve_distribution", "resolve_line")

# How a line not on the directory's fast path resolved, kept per (PLAD, RI, day) and snapshot:
# (id, entry or None, default-prefix topic, expansion or None, station, rule, flags, clearance).
_Answer = tuple[str, Target | None, str, Expansion | None, str | None, ResolutionRule, tuple[str, ...], str | None]
_UNKNOWN = ("unknown",)
_NOBODY: frozenset[str] = frozenset()

_NO_RANK = len(PRECEDENCES)
# (rank, precedence) of a written precedence; an unknown one ranks last, without a precedence.
_RANKED: dict[str | None, tuple[int, Precedence | None]] = {p: (i, p) for i, p in enumerate(PRECEDENCES)}
_UNRANKED: tuple[int, Precedence | None] = (_NO_RANK, None)
# The strongest rule (then the smallest station) names how an addressee was reached.
_RULE_RANK = types.MappingProxyType(
    {rule: i for i, rule in enumerate(("plad", "name_variant", "name_typo", "ri", "station", "unknown", "collective"))}
)
_KNOWN_MARKINGS = types.MappingProxyType(
    {"UNCLAS": 0, "UNCLASSIFIED": 0, "CONFIDENTIAL": 1, "SECRET": 2, "TOP SECRET": 3}
)

# An addressee reached by a second path gets a "reach" that accumulates every path in a
# plain list (cheaper than an object; most addressees are reached once and never get one):
# [role, rank, vias, mcn, mcn_key, zen, rule, station].
_Reach = list[Any]
_ROLES: tuple[Role, Role] = ("action", "info")


def _reach_of(first: Delivery) -> _Reach:
    """The reach of an addressee's first delivery, before a second path folds into it."""
    role = 0 if first.role == "action" else 1
    rank = _RANKED.get(first.precedence, _UNRANKED)[0]
    via = first.via[0]
    key = (role, rank, via != "direct", via, first.mcn) if first.mcn else None
    return [role, rank, list(first.via), first.mcn, key, "zen" in first.flags, first.rule, first.station]


def _fold(reach: _Reach, role: int, rank: int, via: str, mcn: str | None, zen: bool, rule: str,
          station: str | None) -> None:
    """Fold one more path into a reach: the strongest role and precedence, every via, the
    MCN of the strongest path that has one (ties broken by via and MCN, so order never
    matters), ``zen`` only while every path is ZEN."""
    reach[0] = min(reach[0], role)
    reach[1] = min(reach[1], rank)
    if via not in reach[2]:
        reach[2].append(via)
    if mcn:
        key = (role, rank, via != "direct", via, mcn)
        if reach[4] is None or key < reach[4]:
            reach[4] = key
            reach[3] = mcn
    if not zen:
        reach[5] = False
    if (_RULE_RANK[rule], station or "") < (_RULE_RANK[reach[6]], reach[7] or ""):
        reach[6] = rule
        reach[7] = station


def _folded(first: Delivery, reach: _Reach) -> Delivery:
    """The delivery of an addressee reached by several paths: its first delivery with every
    path folded in (the flags other than ``zen`` depend only on the first path and the entry)."""
    role, rank, vias, mcn, _, zen, rule, station = reach
    flags = [flag for flag in first.flags if flag != "zen"]
    if zen:
        flags = sorted([*flags, "zen"])
    vias.sort(key=_via_order)
    return msgspec.structs.replace(
        first, role=_ROLES[role], precedence=PRECEDENCES[rank] if rank < _NO_RANK else None, via=vias, mcn=mcn,
        flags=flags, rule=rule, station=station,
    )


def _route_flags(target: Target) -> tuple[tuple[str, ...], str | None]:
    """Flags and clearance of a fast-path entry that is not plain: a collective (without
    members, if it is delivered itself) or an addressee with a clearance."""
    if target.__class__ is CollectiveEntry:
        return ("collective_without_members",), None
    return (), target.clearance  # type: ignore[union-attr]


def _answer(line: Addressee, directory: Directory, day: dt.date | None) -> _Answer:
    """Resolve a line off the fast path, with what its deliveries need (see ``_Answer``)."""
    target_id, target, rule, station = resolve_line(line, directory, day)
    expansion = directory.expansion(target_id, day) if target.__class__ is CollectiveEntry else None
    if target is None:
        flags: tuple[str, ...] = ("unlisted",) if rule == "station" else _UNKNOWN
        clearance = None
    else:
        flags, clearance = _route_flags(target)
    return target_id, target, directory.topic(target_id), expansion, station, rule, flags, clearance


def _marked(flags: tuple[str, ...], zen: bool, above: bool) -> list[str]:
    return sorted([*flags, *(["zen"] if zen else []), *(["above_clearance"] if above else [])])


def _above(clearance: str, cable: Cable) -> bool:
    """Whether the cable's classification exceeds an addressee's clearance (checked only for
    the rare addressees with a clearance, so the cable's level is read only then)."""
    level = _classification_level(cable)
    return level is not None and CLEARANCES.index(clearance) < level


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
    exempted = _NOBODY
    exemptions: list[Exemption] = []
    if cable.xmt:
        exempted, exemptions = _exemptions(cable, directory, day)
    # Only collective members are ever excluded: the originator is looked up at the first one.
    excluded: frozenset[str] | None = None
    default_prefix = topic_prefix == DEFAULT_TOPIC_PREFIX
    # Each addressee's delivery is made when it is first reached; a second path keeps a reach
    # in `again` and the delivery is made anew at the end. TO lines are folded before INFO
    # lines, so the insertion order of `reached` is already "action first, then first appearance".
    reached: dict[str, Delivery] = {}
    again: dict[str, _Reach] = {}
    sections: tuple[tuple[int, list[Addressee], Precedence | None], ...] = (
        (0, cable.to, cable.precedence),
        (1, cable.info, cable.info_precedence or cable.precedence),
    )
    routes = directory._routes  # package-private: one dict lookup for most lines
    target: AddresseeEntry | CollectiveEntry | None
    for role, lines, default in sections:
        if not lines:
            continue
        role_name = _ROLES[role]
        default_rank, default_precedence = _RANKED.get(default, _UNRANKED)
        for line in lines:
            route = routes.get(line.plad)  # type: ignore[arg-type]  # None is in no directory
            # Most lines name a listed addressee first reached here: its delivery is made from
            # the route alone (the entry itself is not read: fewer cache misses).
            if route is not None and route[5] and route[0] not in reached:
                target_id = route[0]
                reached[target_id] = Delivery(
                    addressee=target_id,
                    topic=route[2] if default_prefix else directory.topic(target_id, topic_prefix),
                    role=role_name,
                    precedence=_RANKED.get(line.precedence, _UNRANKED)[1] if line.precedence else default_precedence,
                    via=["direct"], mcn=line.mcn, flags=["zen"] if line.zen else [], rule="plad",
                    station=route[4] or line.ri,
                )
                continue
            if line.precedence:
                rank, precedence = _RANKED.get(line.precedence, _UNRANKED)
            else:
                rank, precedence = default_rank, default_precedence
            mcn, zen = line.mcn, line.zen
            if route is not None:
                target_id, target, topic, expansion, station, _ = route
                rule: ResolutionRule = "plad"
                station = station or line.ri
                flags, clearance = _route_flags(target)
            else:
                memo = directory.line_memo()  # the other lines' answers, per (PLAD, RI, day)
                memo_key = (line.plad, line.ri, day) if line.plad or line.ri else None
                answer = memo.get(memo_key) if memo_key is not None else None
                if answer is None:
                    answer = _answer(line, directory, day)
                    if memo_key is not None:
                        memo[memo_key] = answer
                target_id, target, topic, expansion, station, rule, flags, clearance = answer
            if expansion:
                via = "collective:" + target_id
                if excluded is None:
                    excluded = _originators(cable, directory, day) | exempted
                for member_id, member, member_topic, member_ri, plain in expansion:
                    if member_id in excluded:
                        continue
                    first = reached.get(member_id)
                    if first is None:
                        if plain:
                            flags_now = ["zen"] if zen else []
                        else:  # an addressee the directory lacks, or one with a clearance
                            above = member is not None and _above(member.clearance, cable)  # type: ignore[arg-type]
                            base = () if member is not None else _UNKNOWN
                            flags_now = _marked(base, zen, above) if zen or above else list(base)
                        reached[member_id] = Delivery(
                            addressee=member_id,
                            topic=member_topic if default_prefix else directory.topic(member_id, topic_prefix),
                            role=role_name, precedence=precedence, via=[via], mcn=mcn, flags=flags_now,
                            rule="collective", station=member_ri,
                        )
                        continue
                    reach = again.get(member_id)
                    if reach is None:
                        reach = again[member_id] = _reach_of(first)
                    _fold(reach, role, rank, via, mcn, zen, "collective", member_ri)
                continue
            first = reached.get(target_id)
            if first is None:
                above = clearance is not None and _above(clearance, cable)
                reached[target_id] = Delivery(
                    addressee=target_id, topic=topic if default_prefix else directory.topic(target_id, topic_prefix),
                    role=role_name, precedence=precedence, via=["direct"], mcn=mcn,
                    flags=_marked(flags, zen, above) if zen or above else list(flags), rule=rule, station=station,
                )
                continue
            reach = again.get(target_id)
            if reach is None:
                reach = again[target_id] = _reach_of(first)
            _fold(reach, role, rank, "direct", mcn, zen, rule, station)
    for addressee_id, reach in again.items():
        reached[addressee_id] = _folded(reached[addressee_id], reach)
    return DistributionList(
        cable_id=cable.id, directory_version=directory._version, deliveries=list(reached.values()),
        exemptions=exemptions,
    )


def _via_order(via: str) -> tuple[bool, str]:
    return via != "direct", via


def _classification_level(cable: Cable) -> int | None:
    """Index in :data:`CLEARANCES` of the cable's classification, if it is recognised."""
    if cable.classification is None:
        return None
    marking = cable.classification.marking
    level = _KNOWN_MARKINGS.get(marking)
    if level is not None:
        return level
    marking = "".join(marking.upper().split())
    for level, prefix in ((3, "TOPSECRET"), (2, "SECRET"), (1, "CONFIDENTIAL"), (0, "UNCLAS")):
        if marking.startswith(prefix):
            return level
    return None
