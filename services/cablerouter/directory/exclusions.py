"""Who a collective never reaches: the cable's originator and its XMT exemptions (see
:mod:`cablerouter.directory.resolve`, rule 2)."""

from __future__ import annotations

import datetime as dt

from cablerouter.directory.index import Directory
from cablerouter.directory.lines import resolved
from cablerouter.directory.model import AddresseeEntry, CollectiveEntry, Exemption
from cablerouter.telegram.model import Addressee, Cable

__all__ = ("exemptions", "originators")


def originators(cable: Cable, directory: Directory, day: dt.date | None) -> frozenset[str]:
    """Ids of the originating post: the FM line's, or the DE RI's when FM is unknown."""
    if cable.originator is not None:
        originator_id, target, _, _ = resolved(cable.originator, directory, day)
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


def exemptions(cable: Cable, directory: Directory, day: dt.date | None) -> tuple[frozenset[str], list[Exemption]]:
    """Ids exempted by XMT lines (exempting a collective exempts its members), and the
    record of each exemption: the collective it follows and whether that lists it."""
    ids: set[str] = set()
    records: list[Exemption] = []
    named = sorted(((line.line, line) for line in (*cable.to, *cable.info) if line.line), key=_first)
    for line in cable.xmt:
        target_id, target, _, _ = resolved(line, directory, day)
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
        target = resolved(addressee, directory, day).target
        if isinstance(target, CollectiveEntry):
            return target.id
    return None
