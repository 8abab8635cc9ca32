"""The body of a telegram: closing lines, page-break artefacts, signature, paragraph marks.

The body is never split into lines; it is scanned with a few C-level searches.
"""

from __future__ import annotations

import re

from cablerouter.telegram.lines import LineBuffer, strip_page_artefacts

__all__ = ("read_body",)

# Paragraph classification marks: `(SBU)`, `(S/NF)` right after a paragraph number
# (`3. (SBU)`, `4.(S/NF)`); the number is checked on the few hits.
_PARAGRAPH_MARK = re.compile(r"\(((?:SBU|U|C|S|TS|LOU|FOUO|R|NF)(?:[/-][A-Z][A-Z ]{0,14})?)\)")
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
    signer = _signer(body[body.rfind("\n") + 1 :])
    marks: dict[str, None] = {}
    for m in _PARAGRAPH_MARK.finditer(body):
        start = m.start()
        if body[start - 1] not in ". \t" and start:
            continue  # not right after a paragraph number (cheap reject of most hits)
        before = body[start - 6 if start > 6 else 0 : start].rstrip(" \t")
        if before[-1:] == "." and before[-2:-1].isdigit():
            marks[m.group(1)] = None
    return body, signer, list(marks)


def _signer(line: str) -> str | None:
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
