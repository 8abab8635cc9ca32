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
"""

from __future__ import annotations

import datetime as dt
import types
from typing import Any, NamedTuple

from cablerouter.directory._names import is_valid_on, normalise_name
from cablerouter.directory.index import Directory, Target
from cablerouter.directory.model import (
    CLEARANCES,
    AddresseeEntry,
    CollectiveEntry,
    Delivery,
    DistributionList,
    Exemption,
)
from cablerouter.directory.topic import DEFAULT_TOPIC_PREFIX
from cablerouter.telegram.model import PRECEDENCES, Addressee, Cable, Precedence

__all__ = ("Resolution", "resolve_distribution", "resolve_line")

_PRECEDENCE_RANK: dict[Precedence | None, int] = {p: i for i, p in enumerate(PRECEDENCES)}  # never changed
_NO_RANK = len(PRECEDENCES)
# The strongest rule (then the smallest station) names how an addressee was reached.
_RULE_RANK = types.MappingProxyType(
    {rule: i for i, rule in enumerate(("plad", "name_variant", "name_typo", "ri", "station", "unknown", "collective"))}
)
_KNOWN_MARKINGS = types.MappingProxyType(
    {"UNCLAS": 0, "UNCLASSIFIED": 0, "CONFIDENTIAL": 1, "SECRET": 2, "TOP SECRET": 3}
)

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
    rule: str
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


# A "reach" accumulates every path to one addressee in a plain list (cheaper than an
# object on this hot path):
# [entry, topic, flags, role, rank, vias, mcn, mcn_key, zen, rule, station].
_Reach = list[Any]


def _fold(reach: _Reach, role: int, rank: int, via: str, mcn: str | None, zen: bool, rule: str,
          station: str | None) -> None:
    """Fold one more path into a reach: the strongest role and precedence, every via, the
    MCN of the strongest path that has one (ties broken by via and MCN, so order never
    matters), ``zen`` only while every path is ZEN."""
    reach[3] = min(reach[3], role)
    reach[4] = min(reach[4], rank)
    if via not in reach[5]:
        reach[5].append(via)
    if mcn:
        key = (role, rank, via != "direct", via, mcn)
        if reach[7] is None or key < reach[7]:
            reach[7] = key
            reach[6] = mcn
    if not zen:
        reach[8] = False
    if (_RULE_RANK[rule], station or "") < (_RULE_RANK[reach[9]], reach[10] or ""):
        reach[9] = rule
        reach[10] = station


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
    exemptions: list[Exemption] = []
    if cable.xmt:
        exempted, exemptions = _exemptions(cable, directory, day)
        excluded = excluded | exempted
    reached: dict[str, _Reach] = {}
    # TO lines are folded before INFO lines, so the insertion order of `reached` is already
    # "action first, then first appearance".
    sections: tuple[tuple[int, list[Addressee], Precedence | None], ...] = (
        (0, cable.to, cable.precedence),
        (1, cable.info, cable.info_precedence or cable.precedence),
    )
    routes = directory._routes  # package-private: one dict lookup for most lines
    memo = directory.line_memo()  # the other lines' resolutions, per (PLAD, RI, day)
    target: AddresseeEntry | CollectiveEntry | None
    for role, lines, default in sections:
        for line in lines:
            rank = _PRECEDENCE_RANK.get(line.precedence or default, _NO_RANK)
            mcn, zen = line.mcn, line.zen
            route = routes.get(line.plad) if line.plad else None
            if route is not None:
                target_id, target, topic, expansion = route
                rule, station = "plad", target.ri or line.ri
            else:
                memo_key = (line.plad, line.ri, day) if line.plad or line.ri else None
                resolved = memo.get(memo_key) if memo_key is not None else None
                if resolved is None:
                    resolved = resolve_line(line, directory, day)
                    if memo_key is not None:
                        memo[memo_key] = resolved
                target_id, target, rule, station = resolved
                topic = None
                expansion = directory.expansion(target_id, day) if target.__class__ is CollectiveEntry else None
            if expansion:
                via = "collective:" + target_id
                key = (role, rank, True, via, mcn) if mcn else None
                for member_id, member, member_topic in expansion:
                    if member_id in excluded:
                        continue
                    reach = reached.get(member_id)
                    if reach is None:
                        if member is not None:
                            reached[member_id] = [member, member_topic, [], role, rank, [via], mcn, key, zen,
                                                  "collective", member.ri]
                        else:
                            reached[member_id] = [None, member_topic, ["unknown"], role, rank, [via], mcn, key,
                                                  zen, "collective", None]
                    else:
                        _fold(reach, role, rank, via, mcn, zen, "collective", member.ri if member else None)
                continue
            reach = reached.get(target_id)
            if reach is None:
                if target is None:
                    flags = ["unlisted"] if rule == "station" else ["unknown"]
                elif target.__class__ is CollectiveEntry:
                    flags = ["collective_without_members"]
                else:
                    flags = []
                key = (role, rank, False, "direct", mcn) if mcn else None
                reached[target_id] = [target, topic, flags, role, rank, ["direct"], mcn, key, zen, rule, station]
            else:
                _fold(reach, role, rank, "direct", mcn, zen, rule, station)
    level = _classification_level(cable)
    default_prefix = topic_prefix == DEFAULT_TOPIC_PREFIX
    deliveries = []
    # Every clearance receives an unclassified cable (level 0): only higher levels are checked.
    cleared = level if level is not None else 0
    for addressee_id, (target, topic, flags, role, rank, vias, mcn, _, zen, rule, station) in reached.items():
        above = (
            cleared > 0
            and target.__class__ is AddresseeEntry
            and target.clearance is not None
            and CLEARANCES.index(target.clearance) < cleared
        )
        if zen or above:
            flags = sorted([*flags, *(["zen"] if zen else []), *(["above_clearance"] if above else [])])
        if len(vias) > 1:
            vias.sort(key=_via_order)
        if topic is None or not default_prefix:
            topic = directory.topic(addressee_id, topic_prefix)
        deliveries.append(
            Delivery(
                addressee=addressee_id,
                topic=topic,
                role="action" if role == 0 else "info",
                precedence=PRECEDENCES[rank] if rank < _NO_RANK else None,
                via=vias,
                mcn=mcn,
                flags=flags,
                rule=rule,
                station=station,
            )
        )
    return DistributionList(
        cable_id=cable.id, directory_version=directory.version, deliveries=deliveries, exemptions=exemptions
    )


def _via_order(via: str) -> tuple[bool, str]:
    return via != "direct", via


def _originators(cable: Cable, directory: Directory, day: dt.date | None) -> frozenset[str]:
    """Ids of the originating post: the FM line's, or the DE RI's when FM is unknown."""
    if cable.originator is not None:
        fm = cable.originator
        memo = directory.line_memo()
        key = ("FM", fm.plad, fm.ri, day)
        resolved = memo.get(key) if fm.plad or fm.ri else None
        if resolved is None:
            resolved = resolve_line(fm, directory, day)
            if fm.plad or fm.ri:
                memo[key] = resolved
        originator_id, target, _, _ = resolved
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


def _exemptions(cable: Cable, directory: Directory, day: dt.date | None) -> tuple[frozenset[str], list[Exemption]]:
    """Ids exempted by XMT lines (exempting a collective exempts its members), and the
    record of each exemption: the collective it follows and whether that lists it."""
    ids: set[str] = set()
    records: list[Exemption] = []
    named = sorted(((line.line, line) for line in (*cable.to, *cable.info) if line.line), key=_first)
    for line in cable.xmt:
        target_id, target, _, _ = resolve_line(line, directory, day)
        ids.add(target_id)
        if isinstance(target, CollectiveEntry):
            ids.update(directory.members(target.id, day))
        collective = _collective_before(named, line.line, directory, day)
        if collective is None:
            flags = ["no_collective"]
        elif target_id in directory.members(collective, day):
            flags = []
        else:
            flags = ["not_in_collective"]
        records.append(Exemption(addressee=target_id, line=line.line, collective=collective, flags=flags))
    return frozenset(ids), records


def _first(pair: tuple[int, Addressee]) -> int:
    return pair[0]


def _collective_before(
    named: list[tuple[int, Addressee]], line: int, directory: Directory, day: dt.date | None
) -> str | None:
    """The id of the nearest collective named on a TO/INFO line before ``line``, if any."""
    for number, addressee in reversed(named):
        if number > line:
            continue
        target = resolve_line(addressee, directory, day).target
        if isinstance(target, CollectiveEntry):
            return target.id
    return None


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
