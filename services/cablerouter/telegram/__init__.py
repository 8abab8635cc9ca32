"""Pure decoding of raw telegram bytes into a typed :class:`Cable` (no I/O)."""

from cablerouter.errors import DecodeError
from cablerouter.telegram.decode import decode_telegram
from cablerouter.telegram.model import (
    PRECEDENCES,
    Addressee,
    Cable,
    Classification,
    DecodeLimits,
    InternalDistribution,
    Origination,
    Precedence,
    RoutingLine,
    SecurityWarning,
    TransmissionId,
    UnreadableLine,
    DecodeWarning,
)

__all__ = (
    "PRECEDENCES",
    "Addressee",
    "Cable",
    "Classification",
    "DecodeError",
    "DecodeLimits",
    "InternalDistribution",
    "Origination",
    "Precedence",
    "RoutingLine",
    "SecurityWarning",
    "TransmissionId",
    "UnreadableLine",
    "DecodeWarning",
    "decode_telegram",
)
