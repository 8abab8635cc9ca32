"""From raw bytes to lines: decoding, control characters, line ends, page-break artefacts.

Everything here is pure and allocation-light: the decoder splits only the lines it reads
one by one (header and text preamble) and hands the rest of the text on as one slice.
"""

from __future__ import annotations

import re

from cablerouter.errors import DecodeError
from cablerouter.telegram.model import DecodeLimits, DecodeWarning

__all__ = (
    "LineBuffer",
    "decode_bytes",
    "is_page_artefact",
    "strip_page_artefacts",
)

# C0 control bytes other than TAB, LF, VT, FF and CR, plus DEL: deleted before decoding.
# (They never occur inside a multi-byte UTF-8 sequence, so deleting them is safe.)
_CONTROL_BYTES = bytes([*range(0x09), *range(0x0E, 0x20), 0x7F])
# VT and FF are page/line feeds on teleprinter copies: they become line ends.
_FEEDS_TO_LF = bytes.maketrans(b"\x0b\x0c", b"\n\n")
# Share of deleted control bytes (or of U+FFFD after decoding) above which input is binary.
_BINARY_RATIO = 0.10
_REPLACEMENT_RATIO = 0.30
# CR CR LF (ACP 127 line end) and CR LF become one LF; each lone CR is a line end too.
_CR_RUN = re.compile(r"\r*\n|\r")

# Running page header inside State cable text: `ASTANA 00000179  002 OF 003` (the origin is
# cut to 10 characters, the page number may read `001.2`).
_PAGE_LINE = re.compile(r"[ \t]*[A-Z][A-Z .'-]{0,30} 0\d{7} +\d{3}(?:\.\d)? OF \d{1,3}(?:\.\.\.)?[ \t]*")
# ACP 127 page-continuation line: `PAGE 02 RUEHTA 0179 ...` or `PAGE 02        STATE   050524  131535Z`.
_PAGE_ACP = re.compile(r"PAGE +\d{1,3}(?: +[A-Z0-9#/]+)*")

# Lines split at a time: a header and its text preamble usually fit in one or two chunks.
_HEAD_LINES = 40


def decode_bytes(raw: bytes, limits: DecodeLimits, warnings: list[DecodeWarning]) -> str:
    """Decode raw telegram bytes into text with LF line ends.

    Parameters
    ----------
    raw
        The input as received.
    limits
        Limits to enforce (``max_bytes``).
    warnings
        Receives ``control_characters`` and ``invalid_utf8`` warnings.

    Returns
    -------
    str
        The text, control characters removed, line ends normalised to ``\\n``.

    Raises
    ------
    DecodeError
        ``empty_input``, ``oversized_input`` or ``binary_input``.
    """
    size = len(raw)
    if size == 0:
        raise DecodeError("empty_input", "Expected a telegram, got 0 bytes")
    if size > limits.max_bytes:
        raise DecodeError(
            "oversized_input",
            f"Expected at most {limits.max_bytes} bytes (DecodeLimits.max_bytes), got {size}",
        )
    data = raw.translate(_FEEDS_TO_LF, _CONTROL_BYTES)
    removed = size - len(data)
    if removed:
        if removed > size * _BINARY_RATIO:
            raise DecodeError(
                "binary_input",
                f"Expected text, got binary data ({removed} of {size} bytes are control bytes)",
                excerpt=_excerpt(raw[:40].decode("latin-1")),
            )
        warnings.append(
            DecodeWarning(code="control_characters", detail=f"removed {removed} control characters")
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", "replace")
        bad = text.count("\ufffd")
        if bad > len(text) * _REPLACEMENT_RATIO:
            raise DecodeError(
                "binary_input",
                f"Expected text, got binary data ({bad} of {len(text)} characters are not UTF-8)",
                excerpt=_excerpt(raw[:40].decode("latin-1")),
            ) from None
        warnings.append(
            DecodeWarning(
                code="invalid_utf8",
                detail=f"{bad} invalid UTF-8 sequences replaced by U+FFFD, first at byte {exc.start}",
            )
        )
    if "\r" in text:
        text = _CR_RUN.sub("\n", text)
    if text.startswith("\ufeff"):
        text = text[1:]
    if text.isspace():
        raise DecodeError("empty_input", f"Expected a telegram, got only white space ({size} bytes)")
    return text


def _excerpt(text: str, width: int = 60) -> str:
    """Printable excerpt of ``text`` for error messages."""
    return "".join(ch if ch.isprintable() else "?" for ch in text[:width])


class LineBuffer:
    """The lines of a text, split lazily: a head first, further chunks on demand.

    ``lines[i]`` is line ``i + 1`` of the input. While ``complete`` is false, the last
    item of ``lines`` is the unsplit remainder of the text; :meth:`has` splits further.
    ``ready`` is the number of items that are whole lines.
    """

    __slots__ = ("complete", "lines", "ready")

    def __init__(self, text: str) -> None:
        self.lines = text.split("\n", _HEAD_LINES)
        self.complete = len(self.lines) <= _HEAD_LINES
        self.ready = len(self.lines) if self.complete else _HEAD_LINES

    def has(self, index: int) -> bool:
        """Return whether line ``index`` (0-based) exists, splitting further if needed."""
        while index >= self.ready:
            if self.complete:
                return False
            lines = self.lines
            more = lines.pop().split("\n", _HEAD_LINES)
            lines.extend(more)
            self.complete = len(more) <= _HEAD_LINES
            self.ready = len(lines) if self.complete else len(lines) - 1
        return True

    def rest(self, index: int) -> str:
        """The text from line ``index`` (0-based) to the end."""
        lines = self.lines
        if index >= len(lines):
            return ""
        if index == len(lines) - 1:
            return lines[index]
        return "\n".join(lines[index:])


def is_page_artefact(line: str) -> bool:
    """Whether a stripped, upper-cased line is a page-break artefact.

    Parameters
    ----------
    line
        The line, stripped and upper case.

    Returns
    -------
    bool
        ``True`` for ``PAGE 02 ...`` continuation lines and State running page headers
        (``ASTANA 00000179 002 OF 003``).
    """
    if line.startswith("PAGE "):
        return _PAGE_ACP.fullmatch(line) is not None
    if " OF 0" in line:
        return _PAGE_LINE.fullmatch(line) is not None
    return False


def strip_page_artefacts(body: str) -> tuple[str, int]:
    """Remove State running page-header lines from a body.

    Parameters
    ----------
    body
        Text with ``\\n`` line ends.

    Returns
    -------
    tuple[str, int]
        The body without those lines and the number of lines removed.
    """
    find = body.find
    pos = find(" OF 0")
    if pos < 0:
        return body, 0
    keep: list[str] = []
    start = 0
    removed = 0
    match = _PAGE_LINE.fullmatch
    while pos >= 0:
        line_start = body.rfind("\n", 0, pos) + 1
        line_end = find("\n", pos)
        if line_end < 0:
            line_end = len(body)
        if match(body, line_start, line_end) is not None:
            keep.append(body[start:line_start])
            start = line_end + 1
            removed += 1
        pos = find(" OF 0", line_end)
    if not removed:
        return body, 0
    keep.append(body[start:])
    return "".join(keep), removed
