"""Properties of resolution: order-independent, one delivery per addressee, legal topics."""

from __future__ import annotations

import datetime as dt
import re

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cablerouter.directory import CollectiveEntry, Directory, resolve_distribution, resolve_line
from cablerouter.directory_files import load_default_directory
from cablerouter.telegram.model import PRECEDENCES, Addressee, Cable, Origination

pytestmark = pytest.mark.property

DIRECTORY: Directory = load_default_directory()
LEGAL = re.compile(r"[a-z0-9._-]{1,249}")

# (ri, plad) pairs: known names, aliases, spellings, RI-only lines, collectives, unknowns.
LINES = [
    ("RUEHC", "SECSTATE WASHDC"), (None, "DEPT OF STATE WASHINGTON DC"), ("RUEHC", None),
    ("RUCNCIS", "CIS COLLECTIVE"), ("RUCNMEM", "EU MEMBER STATES COLLECTIVE"), ("RUCNMEM", None),
    ("RUEHZL", "EUROPEAN POLITICAL COLLECTIVE"), ("RUEHMO", "AMEMBASSY MOSCOW"), ("RUEHMO", None),
    ("RUEHTA", "AMEMBASSY ASTANA"), (None, "AMEMBASSY ALMATY"), ("RUEHLO", "AMEMBASSY LONDON"),
    ("RUEHSK", "amembassy  minsk"), ("RUEKJCS", "SECDEF WASHDC"), ("RUEKJCS", "JOINT STAFF WASHDC"),
    ("RUEKJCS", None), ("RUEHZZ", "AMCONSUL ATLANTIS"), ("RUEHQQ", None), (None, "USOFFICE NOWHERE"),
    ("RHMFISS", "DEPT OF ENERGY WASHINGTON DC"), ("RUEAIIA", "CIA WASHDC"),
]  # fmt: skip

line_strategy = st.builds(
    lambda pair, precedence, mcn, zen, office: Addressee(
        ri=pair[0], plad=pair[1], precedence=precedence, mcn=mcn, zen=zen and pair[1] is not None, office=office
    ),
    st.sampled_from(LINES),
    st.one_of(st.none(), st.sampled_from(PRECEDENCES)),
    st.one_of(st.none(), st.from_regex(r"[0-9]{4}", fullmatch=True)),
    st.booleans(),
    st.one_of(st.none(), st.just("POL")),
)
precedence = st.one_of(st.none(), st.sampled_from(PRECEDENCES))


@st.composite
def cables(draw: st.DrawFn) -> Cable:
    fm = draw(st.sampled_from([None, "AMEMBASSY ASTANA", "AMEMBASSY MOSCOW", "SECSTATE WASHDC", "USOFFICE NOWHERE"]))
    return Cable(
        id="PROP1",
        origin=Origination(ri=draw(st.sampled_from(["RUEHTA", "RUEHMO", "RUEHC", "RUEHQQ"]))),
        originator=Addressee(plad=fm) if fm else None,
        precedence=draw(precedence),
        info_precedence=draw(precedence),
        dtg=draw(st.one_of(st.none(), st.just(dt.datetime(2010, 2, 11, tzinfo=dt.UTC)))),
        to=draw(st.lists(line_strategy, max_size=6)),
        info=draw(st.lists(line_strategy, max_size=12)),
        xmt=draw(st.lists(line_strategy, max_size=2)),
    )


def delivery_set(cable: Cable) -> list[bytes]:
    return sorted(msgspec.json.encode(d) for d in resolve_distribution(cable, DIRECTORY).deliveries)


@settings(max_examples=300, deadline=None)
@given(cable=cables(), data=st.data())
def test_shuffling_lines_gives_the_same_deliveries(cable: Cable, data: st.DataObject) -> None:
    shuffled = msgspec.structs.replace(
        cable,
        to=data.draw(st.permutations(cable.to)),
        info=data.draw(st.permutations(cable.info)),
        xmt=data.draw(st.permutations(cable.xmt)),
    )
    assert delivery_set(shuffled) == delivery_set(cable)


@settings(max_examples=300, deadline=None)
@given(cable=cables())
def test_one_delivery_per_addressee_and_legal_topics(cable: Cable) -> None:
    deliveries = resolve_distribution(cable, DIRECTORY).deliveries
    ids = [d.addressee for d in deliveries]
    assert len(ids) == len(set(ids))
    topics = [d.topic for d in deliveries]
    assert len(topics) == len(set(topics))
    for d in deliveries:
        assert LEGAL.fullmatch(d.topic)
        assert d.via and d.via == sorted(set(d.via), key=lambda v: (v != "direct", v))
        assert d.flags == sorted(set(d.flags))
    roles = [d.role for d in deliveries]
    assert roles == sorted(roles)  # action deliveries first


@settings(max_examples=200, deadline=None)
@given(cable=cables())
def test_every_direct_line_is_delivered(cable: Cable) -> None:
    """A line that names an addressee (not a collective with members) always yields its delivery."""
    got = {d.addressee: d for d in resolve_distribution(cable, DIRECTORY).deliveries}
    for role, lines in (("action", cable.to), ("info", cable.info)):
        for line in lines:
            target_id, target, _, _ = resolve_line(line, DIRECTORY, cable.dtg.date() if cable.dtg else None)
            if isinstance(target, CollectiveEntry) and DIRECTORY.members(target.id):
                continue
            assert target_id in got
            assert "direct" in got[target_id].via
            if role == "action":
                assert got[target_id].role == "action"
