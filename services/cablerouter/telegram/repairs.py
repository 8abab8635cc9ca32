"""Repairs of garbled addressee lines, applied to the cable of every reader.

Archive copies of real cables carry a few recurring kinds of damage in their addressee
lines. Where the intended reading is unambiguous the line is repaired: the addressee keeps
the line as written in :attr:`Addressee.raw`, lists the repair in :attr:`Addressee.repairs`,
and the cable gets a warning named after the repair. A line that only looks damaged is left
as it is, with an ``ambiguous_addressee_line`` warning.

``month_in_plad``
    A month glued into the PLAD, as in ``RUEHLP/AMEMBASSY LA PAZ JUL LIMA 3312`` of a cable
    dated July: the cable's own month (from its DTG) marks where a second addressee starts.
    The line becomes ``RUEHLP/AMEMBASSY LA PAZ`` and ``AMEMBASSY LIMA 3312`` (the second
    takes the first's kind of post, the precedence and the MCN), or, when nothing follows
    the month, one addressee without it. Any other month word leaves the line as it is.
``broken_ri``
    A routing indicator that lost its leading ``R`` and so was read into the PLAD
    (``UEHSM/AMEMBASSY STOCKHOLM``): restored when ``R`` and the first three letters make
    the stem of many United States RIs (``RUEH``, ``RHMF``, ...).
``mcn_in_plad``
    A message continuity number glued to the PLAD (``SECSTATE WASHDC0000``), or a number of
    one to three digits after the PLAD of a State post or after a precedence
    (``AMEMBASSY LIMA 312``), which is too short to be read as an MCN otherwise.
``doubled_word``
    The PLAD's first word written twice (``SECSTATE SECSTATE WASHDC``). Doubled words
    inside a name (``PAGO PAGO``) are names, not damage.

The check is three quick searches over the cable's PLADs joined into one text, so clean
cables pay little for it.
"""

from __future__ import annotations

import re

import msgspec

from cablerouter.telegram._dates import MONTH_NAMES
from cablerouter.telegram.model import PRECEDENCES, Addressee, Cable, DecodeWarning, Precedence, RepairCode

__all__ = ("repair_addressees",)

# What one of the repairs could act on, in PLADs joined by newlines: three searches that
# Python's regular-expression engine runs fast (one alternation of them all costs ~3 times
# as much, and a back-reference over whole PLADs more still).
_SLASH_OR_DIGIT = re.compile(r"[/0-9]")  # broken_ri, mcn_in_plad
_MONTH_WORD = re.compile(r" (?:" + "|".join(MONTH_NAMES) + r")\b")  # month_in_plad
_DOUBLED_FIRST_WORD = re.compile(r"^(\S+) \1 ", re.MULTILINE)  # doubled_word


def _suspect(text: str) -> bool:
    return (
        _SLASH_OR_DIGIT.search(text) is not None
        or _MONTH_WORD.search(text) is not None
        or _DOUBLED_FIRST_WORD.search(text) is not None
    )


_BROKEN_RI = re.compile(r"([UH][A-Z]{3,6})/([A-Z0-9].*)")
# The first four letters of United States RIs that serve at least five stations in the
# ACP 117 (2010) table and the observed PLAD/RI pairs (services/cablerouter/data/directory),
# and the DMS gateways' RHMF: a lost `R` is restored only to one of these.
_US_RI_STEMS = frozenset(
    [
        "RHEF", "RHEG", "RHEH", "RHHJ", "RHHM", "RHMF", "RHWS", "RUAC", "RUAY", "RUCB", "RUCF", "RUCG", "RUCN", "RUCO",
        "RUCP", "RUCX", "RUDC", "RUDK", "RUEA", "RUEH", "RUEK", "RUEO", "RUEP", "RUES", "RUET", "RUGI", "RUHD", "RUKT",
        "RULK", "RULS", "RULW", "RUMI", "RUQV", "RUSF", "RUWD", "RUWI", "RUWO", "RUYN", "RUZD", "RUZE", "RUZF",
    ]
)
_GLUED_MCN = re.compile(r"(.*[A-Z])(\d{4,6})")
# Kinds of State post whose PLADs never end in a number.
_STATE_POSTS = frozenset(("AMEMBASSY", "AMCONSUL", "AMCONGEN", "SECSTATE", "USMISSION", "USINT", "AMEMB"))
# One-word precedences (a number after one is an MCN too short to be read as one).
_PRECEDENCE_WORDS: dict[str, Precedence] = {p: p for p in PRECEDENCES if " " not in p}


def repair_addressees(cable: Cable) -> Cable:
    """Return ``cable`` with its garbled TO/INFO/XMT lines repaired (see the module docstring).

    Parameters
    ----------
    cable
        A decoded cable.

    Returns
    -------
    Cable
        The same object when nothing needed repair, else a copy with repaired addressee
        lists and one warning per repair (or per ambiguous line).
    """
    lines = [*cable.to, *cable.info, *cable.xmt]
    if not _suspect("\n".join([a.plad for a in lines if a.plad])):
        return cable
    month = MONTH_NAMES[cable.dtg.month - 1] if cable.dtg is not None else None
    warnings = list(cable.warnings)
    to = _repair_list(cable.to, month, warnings)
    info = _repair_list(cable.info, month, warnings)
    xmt = _repair_list(cable.xmt, month, warnings)
    if len(warnings) == len(cable.warnings):
        return cable
    return msgspec.structs.replace(cable, to=to, info=info, xmt=xmt, warnings=warnings)


def _repair_list(lines: list[Addressee], month: str | None, warnings: list[DecodeWarning]) -> list[Addressee]:
    out: list[Addressee] = []
    for a in lines:
        if a.plad is None or not _suspect(a.plad):
            out.append(a)
            continue
        repaired = _repair(a, month, warnings)
        out.extend(repaired)
    return out


def _repair(a: Addressee, month: str | None, warnings: list[DecodeWarning]) -> list[Addressee]:
    """The addressees one suspect line stands for, with a warning per repair made."""
    assert a.plad is not None
    ri, plad, mcn, precedence = a.ri, a.plad, a.mcn, a.precedence
    done: list[RepairCode] = []
    if ri is None:
        m = _BROKEN_RI.fullmatch(plad)
        if m is not None and "R" + m.group(1)[:3] in _US_RI_STEMS:
            ri, plad = "R" + m.group(1), m.group(2)
            done.append("broken_ri")
    words = plad.split(" ")
    if len(words) >= 3 and words[0] == words[1]:
        words = words[1:]
        done.append("doubled_word")
    if mcn is None:
        m = _GLUED_MCN.fullmatch(words[-1])
        if m is not None:
            words[-1], mcn = m.group(1), m.group(2)
            done.append("mcn_in_plad")
        elif len(words) >= 2 and words[-1].isdigit() and len(words[-1]) <= 3:
            before = words[-2]
            if before in _PRECEDENCE_WORDS and len(words) >= 3:
                mcn, precedence = words[-1], precedence or _PRECEDENCE_WORDS[before]
                words = words[:-2]
                done.append("mcn_in_plad")
            elif words[0] in _STATE_POSTS and len(words) >= 3:
                mcn = words[-1]
                words = words[:-1]
                done.append("mcn_in_plad")
    second: list[str] = []
    found = [k for k in range(1, len(words)) if words[k] in MONTH_NAMES]
    if found:
        k = found[0]
        if len(found) == 1 and words[k] == month and k >= 2:
            second = words[k + 1 :]
            if second and second[0] not in _STATE_POSTS:
                second = [words[0], *second]
            words = words[:k]
            done.append("month_in_plad")
        else:
            warnings.append(
                DecodeWarning(
                    code="ambiguous_addressee_line",
                    line=a.line,
                    detail=f"`{a.raw[:80]}` holds the month word {words[k]} but the cable is dated "
                    + (month or "without a DTG")
                    + ": left as written",
                )
            )
    if not done:
        return [a]
    first = Addressee(
        ri=ri,
        plad=" ".join(words),
        zen=a.zen,
        precedence=None if second else precedence,
        mcn=None if second else mcn,
        office=None if second else a.office,
        line=a.line,
        raw=a.raw,
        repairs=done,
    )
    out = [first]
    if second:
        out.append(
            Addressee(
                plad=" ".join(second),
                zen=a.zen,
                precedence=precedence,
                mcn=mcn,
                office=a.office,
                line=a.line,
                raw=a.raw,
                repairs=["month_in_plad"],
            )
        )
    readings = " and ".join(f"`{_written(x)}`" for x in out)
    warnings.extend(DecodeWarning(code=code, line=a.line, detail=f"`{a.raw[:80]}` read as {readings}") for code in done)
    return out


def _written(a: Addressee) -> str:
    """An addressee as a line would write it (for warning details)."""
    text = f"{a.ri}/{a.plad}" if a.ri else a.plad or ""
    if a.office:
        text += f"//{a.office}//"
    if a.precedence:
        text += f" {a.precedence}"
    if a.mcn:
        text += f" {a.mcn}"
    return text
