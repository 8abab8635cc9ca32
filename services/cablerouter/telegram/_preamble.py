"""Tables and splitters for the text preamble: captions, TAGS and REF items."""

from __future__ import annotations

import re

__all__ = ("CAPTION_PHRASES", "CAPTION_WORDS", "split_refs", "split_tags")

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
        text = _LINK.sub(r" \1 ", text)
    return [tag for tag in _TAG_SEPARATORS.split(text.upper()) if tag.strip(".:")]


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
