"""No exempted addressee ever receives a cable: raw address blocks with exemptions written in
every form State and ACP 127 use, decoded and resolved against the default directory."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cablerouter.directory import resolve_distribution
from cablerouter.directory_files import load_default_directory
from cablerouter.telegram import decode_telegram

pytestmark = pytest.mark.property

DIRECTORY = load_default_directory()
COLLECTIVES = {
    "CIS COLLECTIVE": "RUCNCIS",
    "EU MEMBER STATES COLLECTIVE": "RUCNMEM",
}
MEMBERS = {name: DIRECTORY.members(name) for name in COLLECTIVES}
RI = {m: DIRECTORY.target(m).ri for ms in MEMBERS.values() for m in ms}  # type: ignore[union-attr]
# Addressees named directly, never members of the collectives above.
OTHERS = [("RUEHC", "SECSTATE WASHDC"), ("RUEHBJ", "AMEMBASSY BEIJING"), ("RUEHKO", "AMEMBASSY TOKYO"),
          ("RUEHUL", "AMEMBASSY SEOUL"), ("RUCNDT", "USMISSION USUN NEW YORK")]  # fmt: skip
HEAD = "VZCZCXRO1169\nOO RUEHIK\nDE RUEHFB #0001 0421200\nZNR UUUUU ZZH\nO 111200Z FEB 10\nFM AMCONSUL FOOBAR\n"
TAIL = "\nUNCLAS FOOBAR 000001\n\nSUBJECT: EXEMPTIONS\n\n1. TEXT.\n"


def _written(member: str, with_ri: bool) -> str:
    return f"{RI[member]}/{member}" if with_ri else member


@st.composite
def address_blocks(draw: st.DrawFn) -> tuple[str, set[str], set[str]]:
    """An address block, the addressees it exempts and those it names directly."""
    lines: list[str] = []
    exempted: set[str] = set()
    named: set[str] = set()
    keyword = "TO"
    for _ in range(draw(st.integers(1, 3))):
        collective = draw(st.sampled_from(sorted(COLLECTIVES)))
        members = MEMBERS[collective]
        out = draw(st.lists(st.sampled_from(members), min_size=1, max_size=4, unique=True))
        exempted.update(out)
        with_ri = draw(st.booleans())
        written = [_written(m, with_ri) for m in out]
        head = f"{COLLECTIVES[collective]}/{collective}"
        form = draw(st.sampled_from(["line", "slash", "inline", "comma", "keyword"]))
        if form == "line":  # XMT on its own line, the rest continuing
            block = [head, f"XMT {written[0]}", *written[1:]]
        elif form == "slash":
            block = [head, f"XMT/{written[0]}", *written[1:]]
        elif form == "inline":
            block = [f"{head}, XMT {written[0]}", *written[1:]]
        elif form == "comma":
            block = [head, "XMT " + ", ".join(written)]
        else:  # `INFO XMT ...` after the collective's block
            block = [head]
            lines.append(f"{keyword} {block[0]}")
            keyword = "INFO" if keyword == "TO" else "TO"
            lines.append(f"{keyword} XMT {written[0]}")
            lines.extend(written[1:])
            block = []
        if block:
            lines.append(f"{keyword} {block[0]}")
            lines.extend(block[1:])
        # Direct addressees after the run end it with what exemptions never carry.
        for ri, plad in draw(st.lists(st.sampled_from(OTHERS), max_size=2, unique=True)):
            ending = draw(st.sampled_from(["mcn", "precedence", "keyword"]))
            if ending == "keyword":
                keyword = "INFO" if keyword == "TO" else "TO"
                lines.append(f"{keyword} {ri}/{plad}")
            else:
                lines.append(f"{ri}/{plad} " + ("1234" if ending == "mcn" else "PRIORITY"))
            named.add(plad)
    if draw(st.booleans()):  # a final ACP-style XMT list
        extra = draw(st.sampled_from(MEMBERS["CIS COLLECTIVE"]))
        lines.append(f"XMT {extra}")
        exempted.add(extra)
    return "\n".join(lines), exempted, named


@settings(max_examples=300, deadline=None)
@given(block=address_blocks())
def test_no_exempted_addressee_is_ever_delivered(block: tuple[str, set[str], set[str]]) -> None:
    text, exempted, named = block
    cable = decode_telegram((HEAD + text + "\n" + TAIL).encode())
    delivered = {d.addressee for d in resolve_distribution(cable, DIRECTORY).deliveries}
    assert not delivered & exempted, text
    assert named <= delivered, text
    assert not any("XMT" in addressee for addressee in delivered), text
