"""Topic names: documented examples and prefix checks (properties in tests/property)."""

from __future__ import annotations

import pytest

from cablerouter.directory import topic_for

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("addressee", "topic"),
    [
        ("AMEMBASSY BEIJING", "cables.to.amembassy-beijing"),
        ("SECSTATE WASHDC", "cables.to.secstate-washdc"),
        ("CTG 40 0", "cables.to.ctg-40-0"),
        ("RUEHQQ", "cables.to.ruehqq"),
    ],
)
def test_plain_ids_are_readable(addressee: str, topic: str) -> None:
    assert topic_for(addressee) == topic


@pytest.mark.parametrize(
    ("addressee", "readable"),
    [
        ("amembassy beijing", "cables.to.amembassy-beijing."),
        ("AMEMBASSY  BEIJING", "cables.to.amembassy-beijing."),
        ("CTG 40.0", "cables.to.ctg-40-0."),
        ("AMEMBASSY BOGOTÁ", "cables.to.amembassy-bogota."),
        ("HQ USEUCOM VAIHINGEN GE//J5 DIRECTORATE (MC)//", "cables.to.hq-useucom-vaihingen-ge-j5-directorate-mc."),
    ],
)
def test_other_ids_get_a_hash_suffix(addressee: str, readable: str) -> None:
    topic = topic_for(addressee)
    assert topic.startswith(readable)
    assert len(topic) == len(readable) + 24
    other = addressee.swapcase()
    assert topic != topic_for(other)  # ids differing only in case stay apart


def test_long_plain_id_is_shortened_with_a_hash() -> None:
    long_id = "AMEMBASSY " + "X" * 300
    topic = topic_for(long_id)
    assert len(topic) == 249 and topic.startswith("cables.to.amembassy-xxx")
    assert topic != topic_for(long_id + "X")


def test_prefix() -> None:
    assert topic_for("AMEMBASSY BEIJING", prefix="") == "amembassy-beijing"
    assert topic_for("AMEMBASSY BEIJING", prefix="prod.cables.to.") == "prod.cables.to.amembassy-beijing"
    with pytest.raises(ValueError, match=r"Expected a topic prefix matching `\[a-z0-9._-\]\{0,224\}`, got 'Cables\.to\.'"):
        topic_for("X", prefix="Cables.to.")
    with pytest.raises(ValueError, match="Expected a topic prefix"):
        topic_for("X", prefix="a" * 225)
    assert len(topic_for("X" * 300, prefix="a" * 224)) == 249
