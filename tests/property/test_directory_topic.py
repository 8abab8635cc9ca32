"""Properties of ``topic_for``: always a legal Kafka name, never the same for two ids."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cablerouter.directory import topic_for

pytestmark = pytest.mark.property

LEGAL = re.compile(r"[a-z0-9._-]{1,249}")
PREFIXES = st.one_of(st.just("cables.to."), st.just(""), st.from_regex(r"[a-z0-9._-]{0,224}", fullmatch=True))
# Few characters so that ids often differ only in case, blanks or punctuation.
NEAR = st.text(alphabet="Aa B-._/é", max_size=12)
PLAIN = st.from_regex(r"[A-Z0-9]{1,6}( [A-Z0-9]{1,6}){0,3}", fullmatch=True)
LONG = st.text(alphabet="AB ", min_size=230, max_size=400)
ANY_ID = st.one_of(st.text(max_size=300), NEAR, PLAIN, LONG)


def assert_legal(topic: str) -> None:
    assert LEGAL.fullmatch(topic), topic
    assert topic not in (".", "..")


@settings(max_examples=800)
@given(addressee=st.text(max_size=400), prefix=PREFIXES)
@example(addressee="", prefix="")
@example(addressee="\ud800 surrogate", prefix="")
@example(addressee="A" * 1000, prefix="p" * 224)
def test_topic_is_legal(addressee: str, prefix: str) -> None:
    topic = topic_for(addressee, prefix=prefix)
    assert_legal(topic)
    assert topic.startswith(prefix)
    assert topic == topic_for(addressee, prefix=prefix)  # deterministic


@settings(max_examples=500)
@given(ids=st.lists(ANY_ID, unique=True, min_size=2, max_size=40), prefix=PREFIXES)
@example(ids=["AMEMBASSY BEIJING", "amembassy beijing", "AMEMBASSY-BEIJING", "AMEMBASSY  BEIJING", "AMEMBASSY BEIJING "], prefix="cables.to.")
@example(ids=["A" * 240, "A" * 241, "A" * 239 + "B"], prefix="cables.to.")
@example(ids=["CTG 40.0", "CTG 40 0", "CTG 400"], prefix="")
def test_distinct_ids_get_distinct_topics(ids: list[str], prefix: str) -> None:
    topics = [topic_for(i, prefix=prefix) for i in ids]
    assert len(set(topics)) == len(ids)
    for topic in topics:
        assert_legal(topic)


@settings(max_examples=300)
@given(addressee=PLAIN)
def test_plain_ids_are_a_lossless_readable_slug(addressee: str) -> None:
    topic = topic_for(addressee)
    slug = topic.removeprefix("cables.to.")
    assert "." not in slug
    assert slug.upper().replace("-", " ") == addressee


@settings(max_examples=300)
@given(addressee=st.one_of(st.text(max_size=50), LONG).filter(lambda s: not re.fullmatch(r"[A-Z0-9]+( [A-Z0-9]+)*", s) or len(s) > 239))
def test_other_ids_end_in_a_hash(addressee: str) -> None:
    slug = topic_for(addressee).removeprefix("cables.to.")
    assert re.fullmatch(r"[a-z0-9-]*\.[0-9a-f]{24}", slug), slug
