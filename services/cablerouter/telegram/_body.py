"""The body of a telegram: closing lines, page-break artefacts, signature, paragraph marks.

The body is never split into lines; it is scanned with a few C-level searches.
"""

from __future__ import annotations

import re

from cablerouter.telegram.lines import LineBuffer, strip_page_artefacts

__all__ = ("read_body", "signer_of")

# Paragraph classification marks: `(SBU)`, `(S/NF)` right after a paragraph number
# (`3. (SBU)`, `4.(S/NF)`): a digit, a full stop and at most four blanks before the `(`.
# The engine skips to each `(`, rules out most of them with a look-ahead for a mark word,
# then tests the few fixed-width look-behinds (one blank, the usual case, first), so the
# marks come out of one findall instead of a Python step per hit. The look-behinds capture
# the character before the full stop: `[^\W_A-Za-z]` holds every character for which
# str.isdigit is true (digits, superscripts, ...) but also other letters (`é`), so the
# caller keeps only captures that are digits.
_MARK_WORD = r"(?:SBU|U|C|S|TS|LOU|FOUO|R|NF)"
_PARAGRAPH_MARK = re.compile(
    r"\((?=" + _MARK_WORD + r"[/)-])(?:"
    + "|".join(r"(?<=([^\W_A-Za-z])\.%s\()" % (r"[ \t]" * blanks) for blanks in (1, 0, 2, 3, 4))
    + r")(" + _MARK_WORD + r"(?:[/-][A-Z][A-Z ]{0,14})?)\)"
)
_SIGNER = re.compile(r"[A-Za-z][A-Za-z'-]*(?: [A-Za-z][A-Za-z'-]*){0,2}")
_NOT_SIGNERS = frozenset(
    ("COMMENT", "TEXT", "NOTE", "SUMMARY", "NONE", "SIPDIS", "SENSITIVE", "UNCLASSIFIED", "BT", "NNNN")
)
# Lines closing a message or added by archives after it.
_TRAILER = re.compile(r"NNNN|BT|#\d{3,5}|=+[A-Z ]*=+|[.\"'\\ ]+|<< ?END OF DOCUMENT ?>>", re.IGNORECASE)


def read_body(buf: LineBuffer, index: int) -> tuple[str, str | None, list[str]]:
    """Read the body from line ``index`` (0-based) to the end.

    Parameters
    ----------
    buf
        The lines of the input.
    index
        The body's first line.

    Returns
    -------
    tuple[str, str or None, list[str]]
        The body (closing lines and page-break artefacts removed), the signer and the
        paragraph classification marks.
    """
    body = buf.rest(index)
    # Drop closing lines (NNNN, BT, #SSN, archive markers) from the end.
    body = body.rstrip()
    for _ in range(8):
        cut = body.rfind("\n") + 1
        last = body[cut:].strip()
        if last and _TRAILER.fullmatch(last) is None:
            break
        body = body[:cut].rstrip()
    body, _ = strip_page_artefacts(body)
    if not body:
        return body, None, []
    signer = signer_of(body[body.rfind("\n") + 1 :])
    # Distinct marks in order of appearance (exactly one look-behind captures per hit;
    # which one does not matter).
    marks = dict.fromkeys(
        [mark for d0, d1, d2, d3, d4, mark in _PARAGRAPH_MARK.findall(body) if (d0 or d1 or d2 or d3 or d4).isdigit()]
    )
    return body, signer, list(marks)


def signer_of(line: str) -> str | None:
    """The signature when the last text line is a name (``SPRATLEN``, ``End Text. AGUIRRE``)."""
    s = line.strip().rstrip("\\ \t")
    if not s or s.endswith((".", ",", ":", ";")):
        return None
    if ". " in s:
        s = s.rsplit(". ", 1)[1].strip()
        if not s.isupper():
            return None
    if len(s) > 40 or _SIGNER.fullmatch(s) is None:
        return None
    upper = s.upper()
    if upper in _NOT_SIGNERS or upper.startswith("END ") or upper == "END":
        return None
    return " ".join(upper.split())
