"""Tables and splitters for the text preamble: field markers, captions, TAGS and REF items."""

from __future__ import annotations

import re

__all__ = ("CAPTION_PHRASES", "CAPTION_WORDS", "FIELD_MARKER", "split_fields", "split_refs", "split_tags")

# Handling captions and distribution captions (5 FAH-2 H-250, WikiLeaks handling table).
CAPTION_WORDS = frozenset(
    (
        "SENSITIVE", "SIPDIS", "NOFORN", "NOCONTRACT", "ORCON", "PROPIN", "EXDIS", "NODIS",
        "LIMDIS", "STADIS", "CHEROKEE", "ROGER", "SPECAT", "LOU", "CONDIS", "ALDAC", "AIDAC",
        "CODEL", "DECAPTIONED", "SBU", "FOUO", "NOFORN/REL", "EFTO",
    )
)  # fmt: skip
CAPTION_PHRASES = frozenset(
    (
        "EYES ONLY", "SENSITIVE BUT UNCLASSIFIED", "FOR OFFICIAL USE ONLY",
        "LIMITED OFFICIAL USE", "SPECAT EXCLUSIVE", "EXDIS EYES ONLY", "NODIS EYES ONLY",
    )
)  # fmt: skip

# Field markers, searched anywhere in a preamble line, case-insensitively, at the start of
# the line or after white space. Written so that the engine can skip to the candidate
# first letters (E, T, S, R in either case, and U+017F, which matches `s` case-insensitively)
# before testing anything else: a marker's first letter, then "not after a non-space", then
# the rest of the marker; `(?<![\s\S]{2})` after the first letter means "at the start".
_S = "[Ss\u017f]"
_REF_MARKER_WORD = r"[Ee][Ff](?:" + _S + r"|[Tt][Ee][Ll]" + _S + r"?)?\b"
FIELD_MARKER = re.compile(
    r"[EeTtRr" + _S[1:-1] + r"](?<!\S[\s\S])(?:"
    r"(?<=[Ee])(?P<eo>\.? ?[Oo0]\.? ?(?=1\d{4}))"
    r"|(?<=[Tt])(?P<tags>[Aa][Gg]" + _S + r"\b ?:?)"
    r"|(?<=" + _S + r")(?P<subject>[Uu][Bb][Jj](?:[Ee][Cc][Tt])?\b ?:|(?<![\s\S]{2})[Uu][Bb][Jj][Ee][Cc][Tt]\b)"
    r"|(?<=[Rr])(?P<ref>" + _REF_MARKER_WORD + r" ?:|(?<![\s\S]{2})" + _REF_MARKER_WORD + r")"
    r")"
)
# `[PGOV](#)` link markup added by web copies.
_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_TAG_SEPARATORS = re.compile(r"[\s,;]+")
# REF item markers: `(A)`, `A.`, `A)`, `A:` before the item, and a repeated `REF` word.
_REF_MARKER = re.compile(r"(?:^|(?<=[\s,;]))(?:\( ?[A-Z] ?\)|[A-Z][.):])(?=\s|$)")
_REF_WORD = re.compile(r"(?:^|(?<=[\s;,]))REFS?\s+(?=[A-Z]\s*:)", re.IGNORECASE)
# A REF field that only says there is none.
_NO_REFS = frozenset(("NONE", "N/A", "NA"))


def split_tags(text: str) -> list[str]:
    """Split a TAGS field into upper-case tags, link markup removed.

    Parameters
    ----------
    text
        The text after ``TAGS``.

    Returns
    -------
    list[str]
        ``["PGOV", "MNUC"]`` for ``[PGOV](#) [MNUC](#)`` or ``PGOV, MNUC``.
    """
    if "](" in text:
        # Same as `_LINK.sub(r" \1 ", text)`, without expanding a template per link.
        text = " ".join(_LINK.split(text))
    # `_TAG_SEPARATORS.split(text.upper())` less its empty items: `\s` is str.split's white
    # space, so splitting at `,` and `;` made blanks gives the same tags without the engine.
    return [tag for tag in text.upper().replace(",", " ").replace(";", " ").split() if tag.strip(".:")]


def split_refs(text: str) -> list[str]:
    """Split a REF field into items without their letters.

    Parameters
    ----------
    text
        The text after ``REF:`` (continuation lines joined with spaces).

    Returns
    -------
    list[str]
        ``["ASTANA 0037", "08 ASTANA 1541"]`` for ``(A) ASTANA 0037 (B) 08 ASTANA 1541``.
    """
    if text.strip(" .").upper() in _NO_REFS:
        return []
    if "REF" in text.upper():
        text = _REF_WORD.sub(" ", text)
    items = []
    for item in _REF_MARKER.split(text):
        item = " ".join(item.split()).strip(" ,;:")
        if item:
            items.append(item)
    return items


def split_fields(
    s: str, line: int, field: str, pieces: list[tuple[str, str | None, int]], fm: re.Match[str] | None = None
) -> str:
    """Append the pieces of one preamble line; return the field in force at its end.

    Parameters
    ----------
    s
        The normalised line.
    line
        Its 1-based line number.
    field
        The field in force before the line (``""`` before any field).
    pieces
        Receives ``(field, text, line)``; ``text`` is ``None`` for a marker.
    fm
        The line's first field marker when the caller already searched for it.

    Returns
    -------
    str
        The field in force at the end of the line.
    """
    pos = 0
    if fm is None:
        fm = FIELD_MARKER.search(s)
    while fm is not None:
        if fm.start() > pos or fm.start() == 0:
            before = s[pos : fm.start()].strip()
            if before:
                pieces.append((field, before, line))
        field = fm.lastgroup or field
        pos = fm.end()
        pieces.append((field, None, line))
        fm = _next_field(s, pos)
    rest = s[pos:].strip()
    if rest:
        pieces.append((field, rest, line))
    return field


def _next_field(s: str, pos: int) -> re.Match[str] | None:
    """The next field marker at or after ``pos`` (``pos`` > 0: the end of a marker).

    Most lines hold one marker; in ASCII text (where the only blank left in a normalised
    line is the space) a further marker needs a space followed by one of these openings,
    which is much cheaper to rule out than searching the rest of the line.
    """
    if s.isascii():
        tail = s[pos - 1 :].upper()
        if not (
            " TAG" in tail or " SUBJ" in tail or " REF" in tail or " E." in tail
            or " EO" in tail or " E0" in tail or " E O" in tail or " E 0" in tail
        ):  # fmt: skip
            return None
    return FIELD_MARKER.search(s, pos)
