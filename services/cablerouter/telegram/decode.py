"""Entry point of the telegram decoder (being written)."""

from __future__ import annotations

from cablerouter.telegram.model import Cable, DecodeLimits

__all__ = ("decode_telegram",)


def decode_telegram(raw: bytes, *, limits: DecodeLimits = DecodeLimits()) -> Cable:
    raise NotImplementedError("decode_telegram is not written yet")
