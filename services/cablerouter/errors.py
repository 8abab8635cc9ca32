"""The error hierarchy of cablerouter.

Every error the project raises on purpose derives from :class:`CableRouterError` and
carries a stable snake_case ``reason`` code. The code becomes the dead-letter ``reason``
header and the bounded ``reason`` label of ``cablerouter_dead_lettered_total``, so codes
are part of the public contract: add new ones, never rename them.
"""

from __future__ import annotations

__all__ = ("CableRouterError", "DecodeError", "DirectoryError", "RoutingError")


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


class RoutingError(CableRouterError):
    """A decoded cable could not be resolved into a distribution list."""


class DirectoryError(CableRouterError):
    """A routing directory (file or update) is invalid; ``detail`` names the entry."""
