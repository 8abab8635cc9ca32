"""Exemptions: the ``XMT`` runs of an address block and the lines that end them.

An exemption names addressees of a collective (or AIG) that must not receive the cable.
State writes it in several forms, all read here the same way::

    RUEHX/EUROPEAN POLITICAL COLLECTIVE          XMT on its own line, or glued as XMT/,
    XMT/AMEMBASSY SOFIA                          continuing over the following lines
    AMEMBASSY BUCHAREST
    INFO RUCNCIS/CIS COLLECTIVE, XMT AMEMBASSY MINSK    inline after the collective
    INFO XMT AMEMBASSY X                               after the TO/INFO keyword
    XMT AMEMBASSY SOFIA, AMEMBASSY BUCHAREST           several on one line
"""

from __future__ import annotations

from typing import Literal

from cablerouter.telegram.addressees import parse_addressee, split_exemptions
from cablerouter.telegram.model import MAX_UNREADABLE_CHARS, Addressee, DecodeWarning, UnreadableLine

__all__ = ("ExemptionRun", "add_addressees", "unparsed_addressee_warning")


def unparsed_addressee_warning(line: int, s: str) -> DecodeWarning:
    """The ``unparsed_addressee_line`` warning for a line that holds no addressee."""
    return DecodeWarning(code="unparsed_addressee_line", line=line, detail=f"not an addressee: `{s[:80]}`")


class ExemptionRun:
    """The run of exempted addressees that an ``XMT`` opens inside a TO or INFO block.

    ``XMT`` (on its own line, glued as ``XMT/``, after ``TO``/``INFO`` or inline after a
    collective as ``, XMT``) exempts the designators after it, and the lines that follow
    continue the exemption (5 FAH-2 H-321.9: ``XMT/AMEMBASSY SOFIA`` then ``AMEMBASSY
    BUCHAREST``, both exempted). A following line ends the run, returning to the block the
    ``XMT`` interrupted, only when it shows what exempted designators never carry: a
    message continuity number, a precedence of its own, or a routing indicator when the
    exempted lines had none (an RI names the station a copy is sent to).
    """

    __slots__ = ("enclosing", "has_ri", "open", "xmt")

    def __init__(self, xmt: list[Addressee]) -> None:
        self.xmt = xmt
        self.enclosing: list[Addressee] | None = None
        self.has_ri = False
        self.open = False

    def start(self, block: list[Addressee] | None) -> None:
        if block is not None and block is not self.xmt:
            self.enclosing = block
            self.has_ri = False
        self.open = True

    def close(self) -> None:
        self.open = False

    def continue_with(self, u: str, s: str, line: int, warnings: list[DecodeWarning]) -> list[Addressee]:
        """The block a line after exempted ones belongs to (see the class docstring)."""
        if self.enclosing is None or not self.open:
            return self.xmt
        a = parse_addressee(split_exemptions(u)[0], s, line)
        if a is None or not (a.mcn or a.precedence or (a.ri and not self.has_ri)):
            return self.xmt
        self.open = False
        warnings.append(
            DecodeWarning(
                code="addressee_after_exemption",
                line=line,
                detail=f"`{s[:80]}` read as an addressee, not an exemption (it carries "
                + ("an MCN" if a.mcn else "a precedence" if a.precedence else "a routing indicator")
                + ")",
            )
        )
        return self.enclosing

    def add(self, a: Addressee) -> None:
        self.xmt.append(a)
        self.has_ri = self.has_ri or a.ri is not None


def add_addressees(
    block: list[Addressee],
    run: ExemptionRun,
    text: str,
    raw: str,
    line: int,
    warnings: list[DecodeWarning],
    count: int,
    unreadable: list[UnreadableLine],
    block_name: Literal["to", "info", "xmt"],
) -> int:
    """Parse one addressee line into ``block``; exempted designators go to ``run``.

    The designators after an inline ``, XMT`` (and every one of ``block`` when it is the XMT
    list) are exemptions; several on one line are separated by commas.
    """
    parts = split_exemptions(text)
    exempt = block is run.xmt
    for k, part in enumerate(parts):
        pieces = [part] if not exempt else [p for p in (q.strip() for q in part.split(",")) if p] or [part]
        for piece in pieces:
            whole = len(parts) == 1 and len(pieces) == 1
            a = parse_addressee(piece, raw if whole else piece, line)
            if a is None:
                warnings.append(unparsed_addressee_warning(line, raw))
                if not unreadable or unreadable[-1].line != line:
                    kind = "xmt" if exempt else block_name
                    unreadable.append(UnreadableLine(line=line, block=kind, text=raw[:MAX_UNREADABLE_CHARS]))
            elif exempt:
                run.add(a)
                count += 1
            else:
                block.append(a)
                count += 1
        if k == 0 and len(parts) > 1 and not exempt:
            run.start(block)
            exempt = True
    return count


