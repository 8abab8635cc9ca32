"""Hypothesis: the decoder raises nothing but DecodeError, on any bytes or damaged cables,
and both readers (the native scanner first, or the Python parsers alone) give the same
outcome.

``max_examples`` is moderate here; ``bench/fuzz_decode.py`` runs the same strategies for
100,000+ inputs. Set ``CABLEROUTER_FUZZ_EXAMPLES`` to raise the count of this module.
"""

from __future__ import annotations

import os
import pathlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cablerouter.errors import DecodeError
from cablerouter.telegram import Cable, DecodeLimits, decode_telegram
from cablerouter.telegram.decode import decode_with

from tests.property.fuzz_tokens import TOKENS

pytestmark = pytest.mark.property

CORPUS = pathlib.Path(__file__).resolve().parents[1] / "corpus"
CABLES = [
    (CORPUS / "seed" / "10ASTANA179.txt").read_bytes(),
    *(path.read_bytes() for path in sorted((CORPUS / "cables").glob("*.txt"))),
]
EXAMPLES = int(os.environ.get("CABLEROUTER_FUZZ_EXAMPLES", "400"))
SETTINGS = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
LIMITS = DecodeLimits(max_bytes=64 * 1024, max_addressees=40)


def _python_only(raw: bytes) -> object:
    try:
        return decode_with(raw, LIMITS, native=False)
    except DecodeError as exc:
        return ("error", exc.reason, str(exc), exc.line, exc.excerpt)


def check(raw: bytes) -> None:
    try:
        cable = decode_telegram(raw, limits=LIMITS)
    except DecodeError as exc:
        assert _python_only(raw) == ("error", exc.reason, str(exc), exc.line, exc.excerpt)
        assert exc.reason in {
            "empty_input", "oversized_input", "binary_input", "no_addressees", "too_many_addressees", "bad_dtg",
        }  # fmt: skip
        assert exc.detail and "\n" not in exc.detail
        return
    assert isinstance(cable, Cable)
    assert _python_only(raw) == cable
    assert cable.to or cable.info or cable.xmt
    assert len(cable.to) + len(cable.info) + len(cable.xmt) <= LIMITS.max_addressees
    for a in (*cable.to, *cable.info, *cable.xmt):
        assert a.line >= 1 and (a.plad or a.ri)
        assert a.plad is None or (a.plad == a.plad.upper() and "  " not in a.plad)


@st.composite
def mutated_cable(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(CABLES)))
    for _ in range(draw(st.integers(1, 8))):
        if not raw:
            break
        pos = draw(st.integers(0, len(raw)))
        op = draw(st.integers(0, 4))
        if op == 0:  # delete a span
            del raw[pos : pos + draw(st.integers(1, 200))]
        elif op == 1:  # insert a token
            raw[pos:pos] = draw(st.sampled_from(TOKENS))
        elif op == 2:  # insert random bytes
            raw[pos:pos] = draw(st.binary(max_size=20))
        elif op == 3:  # duplicate a span
            raw[pos:pos] = raw[pos : pos + draw(st.integers(1, 400))]
        else:  # truncate
            del raw[pos:]
    return bytes(raw)


@SETTINGS
@given(st.binary(max_size=2048))
def test_arbitrary_bytes(raw: bytes) -> None:
    check(raw)


@SETTINGS
@given(st.lists(st.sampled_from(TOKENS), max_size=60).map(b"".join))
def test_token_soup(raw: bytes) -> None:
    check(raw)


@SETTINGS
@given(mutated_cable())
def test_mutated_cables(raw: bytes) -> None:
    check(raw)


@SETTINGS
@given(st.sampled_from(CABLES), st.sampled_from([b"\r\n", b"\r", b"\r\r\n"]), st.booleans())
def test_line_ends_and_case_do_not_change_addressees(raw: bytes, newline: bytes, lower: bool) -> None:
    plain = decode_telegram(raw)
    other = raw.replace(b"\n", newline)
    if lower:
        other = other.lower()
    cable = decode_telegram(other)
    assert [(a.ri, a.plad, a.mcn, a.line) for a in cable.to] == [(a.ri, a.plad, a.mcn, a.line) for a in plain.to]
    assert [(a.ri, a.plad, a.mcn, a.line) for a in cable.info] == [
        (a.ri, a.plad, a.mcn, a.line) for a in plain.info
    ]
