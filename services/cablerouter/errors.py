"""The error hierarchy of cablerouter.

Every error the project raises on purpose derives from :class:`CableRouterError` and
carries a stable snake_case ``reason`` code. A decoder's code (:data:`DecodeReason`) becomes
the dead-letter ``reason`` header and the bounded ``reason`` label of
``cablerouter_dead_lettered_cables_total``, so codes are part of the public contract: add
new ones, never rename them. :data:`DeadLetterReason` is every code a cable can be
dead-lettered with; the tuples ``cablerouter.telegram.decode.REASONS`` and
``cablerouter.metrics.DEAD_LETTER_REASONS`` are derived from these types.
"""

from __future__ import annotations

from typing import Literal

__all__ = (
    "CableRouterError",
    "DeadLetterReason",
    "DecodeError",
    "DecodeReason",
    "DirectoryError",
    "RoutingError",
)

DecodeReason = Literal[
    "empty_input",
    "oversized_input",
    "binary_input",
    "no_addressees",
    "too_many_addressees",
    "bad_dtg",
]
"""Why the decoder rejected input (``DecodeError.reason``), explained in
:mod:`cablerouter.telegram.decode`."""

DeadLetterReason = Literal[
    DecodeReason,
    "no_deliveries",
    "unreadable_addressee",
    "topic_limit",
    "delivery_too_large",
    "internal_error",
]
"""Every dead-letter ``reason``: the decoder's, then the router's own (README, "Metrics,
health and dead letters")."""


class CableRouterError(Exception):
    """Root of every error cablerouter raises on purpose.

    Parameters
    ----------
    reason
        Stable snake_case code (``empty_input``, ``oversized_input``, ...).
    detail
        One line: what was expected, what was found, where.
    line
        1-based line number in the input the error refers to, if any.
    excerpt
        A short excerpt of the offending input, if any.
    """

    def __init__(
        self, reason: str, detail: str, *, line: int | None = None, excerpt: str | None = None
    ) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail
        self.line = line
        self.excerpt = excerpt

    def __str__(self) -> str:
        where = f" - at line {self.line}" if self.line is not None else ""
        return f"{self.detail}{where}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.reason!r}, {self.detail!r}, line={self.line!r})"


class DecodeError(CableRouterError):
    """Raw input could not be decoded into a :class:`~cablerouter.telegram.Cable`."""

    reason: DecodeReason
    native_scanner_failed: bool = False
    """The native scanner failed on this input before the Python parsers rejected it (a
    scanner bug, counted apart from the rejection)."""

    def __init__(
        self, reason: DecodeReason, detail: str, *, line: int | None = None, excerpt: str | None = None
    ) -> None:
        super().__init__(reason, detail, line=line, excerpt=excerpt)


class RoutingError(CableRouterError):
    """A decoded cable could not be resolved into a distribution list."""


class DirectoryError(CableRouterError):
    """A routing directory (file or update) is invalid; ``detail`` names the entry."""
