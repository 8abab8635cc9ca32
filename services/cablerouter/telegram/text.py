"""The text of a telegram (FL12): classification line, captions, E.O., TAGS, SUBJECT, REF, body.

The text preamble is read line by line, but field markers are searched *inside* lines too,
because reflowed copies run several fields together
(``UNCLAS TALLINN 000128 SIPDIS ... E.O. 12958: N/A TAGS: OECD ECON EN``). The body after
the preamble is never split into lines: it is handed on as one slice and scanned with a few
C-level searches (page artefacts, paragraph marks, signature).
"""

from __future__ import annotations

import datetime as dt
import re

from cablerouter.telegram._body import read_body
from cablerouter.telegram._classification import (
    CLASSIFICATION_INSIDE,
    build_classification,
    match_classification,
    misspelt_warning,
)
from cablerouter.telegram._dates import parse_declassification_date
from cablerouter.telegram._preamble import (
    CAPTION_PHRASES,
    CAPTION_WORDS,
    FIELD_MARKER,
    split_fields,
    split_refs,
    split_tags,
)
from cablerouter.telegram.lines import LineBuffer, is_page_artefact
from cablerouter.telegram.model import Classification, DecodeWarning

__all__ = ("Text", "declassification", "parse_text", "reference_id", "skipped_lines_warnings")

# How many lines after the header the classification line is looked for.
_CLASS_SEARCH_LINES = 60
# Non-field lines accepted between the classification line and the first field.
_MAX_INSTRUCTION_LINES = 30

# A paragraph opening: `1. (U) ...`, `¶1. ...`, `3.(SBU)`.
_PARAGRAPH = re.compile(r"¶? ?\d{1,3} ?\.(?!\d)")
# A REF item continuing after a blank line: `B. STATE 1234`, `(B) ...` (not a `(U)` mark).
_REF_ITEM = re.compile(r"(?:\((?!U\))[A-Z]\)|[A-Z][.)]) ")
class Text:
    """What :func:`parse_text` found; plain mutable record local to one decode call."""

    __slots__ = (
        "body",
        "body_line",
        "captions",
        "classification",
        "declassify_on",
        "eo",
        "instructions",
        "paragraph_marks",
        "refs",
        "signer",
        "subject",
        "tags",
    )

    def __init__(self) -> None:
        self.classification: Classification | None = None
        self.captions: list[str] = []
        self.instructions: list[str] = []
        self.eo: str | None = None
        self.declassify_on: dt.date | None = None
        self.tags: list[str] = []
        self.subject: str | None = None
        self.refs: list[str] = []
        self.body = ""
        self.body_line: int | None = None
        self.signer: str | None = None
        self.paragraph_marks: list[str] = []


def _normalise(line: str) -> str:
    """A text line stripped of blanks, archive back-slashes and WikiLeaks pilcrows."""
    s = line.strip()
    if s.endswith("\\"):
        s = s.rstrip("\\ \t")
    if "¶" in s:
        s = s.replace("¶", "").strip()
    if "  " in s or "\t" in s:
        s = " ".join(s.split())
    return s


def _find_classification(
    buf: LineBuffer, start: int, warnings: list[DecodeWarning]
) -> tuple[int, re.Match[str] | None, str]:
    """Index of the classification line at or after ``start``, its match and its line."""
    first = -1
    fallback = -1
    fallback_match: re.Match[str] | None = None
    fallback_u = ""
    duplicate = False
    i = start
    end = start + _CLASS_SEARCH_LINES
    while i < end and buf.has(i):
        s = buf.lines[i].strip()
        i += 1
        if not s:
            continue
        if first < 0:
            first = i - 1
        u = " ".join(s.upper().lstrip(",;:\"'").split()).rstrip("\\ ")
        m = match_classification(u)
        if m is not None and (m.group("serial") is not None or m.group("sec") is not None):
            skipped_lines_warnings(warnings, first, i - 1, duplicate)
            return i - 1, m, u
        if m is not None and fallback < 0:
            fallback, fallback_match, fallback_u = i - 1, m, u
            continue
        if u.startswith(("VZCZC", "ZCZC")):
            duplicate = True
        if _PARAGRAPH.match(u) is not None:
            break
        if "UNCLAS" in u or "SECRET" in u or "CONFIDENTIAL" in u:
            m = CLASSIFICATION_INSIDE.search(u)
            if m is not None:
                skipped_lines_warnings(warnings, first, i - 1, duplicate)
                return i - 1, m, u
    if fallback >= 0:
        skipped_lines_warnings(warnings, first, fallback, duplicate)
        return fallback, fallback_match, fallback_u
    return first, None, ""


def skipped_lines_warnings(warnings: list[DecodeWarning], first: int, found: int, duplicate: bool) -> None:
    """Warn about lines skipped before the classification line.

    Parameters
    ----------
    warnings
        Receives ``text_before_classification`` when lines ``first`` up to ``found``
        (0-based, ``found`` excluded) were skipped, and ``duplicate_header`` when they held
        a second copy of the header.
    first
        The first skipped line (-1: none).
    found
        The classification line.
    duplicate
        Whether a second copy of the header was among them.
    """
    if found > first >= 0:
        warnings.append(
            DecodeWarning(
                code="text_before_classification",
                line=first + 1,
                detail=f"skipped lines {first + 1}-{found} before the classification line",
            )
        )
    if duplicate:
        warnings.append(
            DecodeWarning(code="duplicate_header", line=first + 1, detail="a second copy of the header was skipped")
        )


def parse_text(buf: LineBuffer, start: int, warnings: list[DecodeWarning]) -> Text:
    """Parse the text from line ``start`` (0-based, first line after the header).

    Parameters
    ----------
    buf
        The lines of the input.
    start
        Index of the first line after the header.
    warnings
        Receives the text warnings.

    Returns
    -------
    Text
        The fields found; ``body`` is empty when the input has no text.
    """
    t = Text()
    cls_index, m, u = _find_classification(buf, start, warnings)
    if cls_index < 0:
        warnings.append(DecodeWarning(code="no_text", detail="the input ends after the header"))
        return t
    pieces: list[tuple[str, str | None, int]] = []
    if m is None:
        warnings.append(DecodeWarning(code="no_classification", line=cls_index + 1, detail="no classification line"))
        i = cls_index
    else:
        t.classification = build_classification(m, buf.lines[cls_index].strip(), cls_index + 1)
        if m.group("word") == "UUNCLAS":
            warnings.append(misspelt_warning(cls_index + 1))
        tail = u[m.end() :].strip()
        if tail:
            # Reflowed copies continue on the classification line.
            raw_line = _normalise(buf.lines[cls_index])
            offset = len(raw_line) - len(tail)
            tail = raw_line[offset:] if offset >= 0 and raw_line[offset:].upper() == tail else tail
            split_fields(tail, cls_index + 1, "", pieces)
        i = cls_index + 1
    body_index = _read_preamble(buf, i, pieces)
    _fold_pieces(t, pieces, warnings)
    if body_index >= 0:
        t.body, t.signer, t.paragraph_marks = read_body(buf, body_index)
        t.body_line = body_index + 1
    return t


def _read_preamble(buf: LineBuffer, i: int, pieces: list[tuple[str, str | None, int]]) -> int:
    """Collect preamble pieces from line ``i``; return the body's first line index (or -1).

    A piece is ``(field, text, line)``; ``text`` is ``None`` for a field marker and
    ``field`` is ``""`` for lines before any field (captions and passing instructions).
    """
    field = pieces[-1][0] if pieces else ""
    seen_main = any(p[0] in ("subject", "tags", "ref") for p in pieces)
    after_blank = False
    loose_start = -1
    loose_count = 0
    keep = 0
    lines = buf.lines
    ready = buf.ready
    while True:
        if i >= ready:
            if not buf.has(i):
                break
            lines = buf.lines
            ready = buf.ready
        line = lines[i]
        i += 1
        if not line or line.isspace():
            after_blank = True
            continue
        # _normalise, inlined (this loop runs for every preamble line), then a cheap
        # pre-check before searching the line for field markers.
        s = line.strip()
        if s.endswith("\\"):
            s = s.rstrip("\\ \t")
        if "¶" in s:
            s = s.replace("¶", "").strip()
        if "  " in s or "\t" in s:
            s = " ".join(s.split())
        if not s:
            after_blank = True
            continue
        if s[0].isdigit() and _PARAGRAPH.match(s) is not None:
            return i - 1
        upper = s.upper()
        if upper == "BT" or (("PAGE " in upper or " OF 0" in upper) and is_page_artefact(upper)):
            continue
        if (
            "TAGS" in upper or "SUBJ" in upper or "REF" in upper or "E.O" in upper or "EO " in upper or "E.0" in upper
        ):
            fm = FIELD_MARKER.search(s)
        else:
            fm = None
        if fm is not None:
            field = split_fields(s, i, field, pieces, fm)
            seen_main = seen_main or field in ("subject", "tags", "ref")
            after_blank = False
            continue
        if field and (not after_blank or (field == "ref" and len(s) < 100 and _REF_ITEM.match(s) is not None)):
            pieces.append((field, s, i))
            after_blank = False
            continue
        if seen_main:
            return i - 1
        # Before the fields: captions and passing instructions.
        if loose_start < 0:
            loose_start = i - 1
            keep = len(pieces)
        loose_count += 1
        if loose_count > _MAX_INSTRUCTION_LINES:
            del pieces[keep:]
            return loose_start
        pieces.append(("", s, i))
        field = ""
        after_blank = False
    return -1


def _fold_pieces(t: Text, pieces: list[tuple[str, str | None, int]], warnings: list[DecodeWarning]) -> None:
    """Turn preamble pieces into captions, instructions, E.O., TAGS, SUBJECT and REF."""
    captions: dict[str, None] = {}
    eo: list[str] = []
    tags: list[str] = []
    subject: list[str] = []
    refs: list[str] = []
    for field, text, line in pieces:
        if not text:
            continue
        if field == "":
            # A lone caption word (`SIPDIS`) is the common case; the rest is read word by word.
            upper = text.upper().strip(" .,;")
            if upper in CAPTION_WORDS:
                captions[upper] = None
            else:
                _caption_or_instruction(text, upper, captions, t.instructions, warnings, line)
        elif field == "eo":
            eo.append(text)
        elif field == "tags":
            tags.append(text)
        elif field == "subject":
            subject.append(text)
        elif field == "ref":
            refs.append(text)
    t.captions = list(captions)
    if eo:
        t.eo = " ".join(" ".join(eo).split())
        t.declassify_on = declassification(t.eo, warnings)
    if tags:
        t.tags = split_tags(" ".join(tags))
    if subject:
        t.subject = " ".join(" ".join(subject).split()) or None
    if refs:
        t.refs = split_refs(" ".join(refs))


def declassification(eo: str, warnings: list[DecodeWarning]) -> dt.date | None:
    """The declassification date after ``DECL`` on the E.O. line, if any; an invalid date
    adds a ``bad_declassification_date`` warning."""
    upper = eo.upper()
    decl = upper.find("DECL")
    if decl < 0:
        return None
    when = parse_declassification_date(upper[decl:])
    if when is False:
        warnings.append(DecodeWarning(code="bad_declassification_date", detail=f"E.O. line `{eo[:60]}`"))
        return None
    return when


def _caption_or_instruction(
    text: str, upper: str, captions: dict[str, None], instructions: list[str], warnings: list[DecodeWarning], line: int
) -> None:
    if upper in CAPTION_PHRASES:
        captions[upper] = None
        return
    words = upper.replace(",", " ").split()
    n = 0
    for word in words:
        if word not in CAPTION_WORDS:
            break
        captions[word] = None
        n += 1
    if n == len(words):
        return
    if n == 0 and len(words) <= 3 and any(w in CAPTION_WORDS for w in words):
        for word in words:
            if word in CAPTION_WORDS:
                captions[word] = None
        unknown = [w for w in words if w not in CAPTION_WORDS]
        warnings.append(DecodeWarning(code="unknown_caption", line=line, detail=f"`{' '.join(unknown)}`"))
        return
    if n:
        text = " ".join(text.replace(",", " ").split()[n:])
    instructions.append(text)


def reference_id(classification: Classification | None, year: int | None) -> str | None:
    """The cable reference id ``YY`` + origin + serial (``10ASTANA179``).

    Parameters
    ----------
    classification
        The classification line, which names origin and serial.
    year
        The DTG year.

    Returns
    -------
    str or None
        The id, or ``None`` when origin, serial or year is missing.
    """
    if classification is None or year is None:
        return None
    origin, serial = classification.origin, classification.serial
    if not origin or not serial:
        return None
    return f"{year % 100:02d}{origin.replace(' ', '')}{int(serial)}"
