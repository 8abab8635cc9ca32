"""Pure decoding of raw telegram bytes into a typed :class:`Cable` (no I/O)."""

from cablerouter.errors import DecodeError
from cablerouter.telegram.decode import decode_telegram
from cablerouter.telegram.model import (
    PRECEDENCES,
    Addressee,
    Cable,
    Classification,
    DecodeLimits,
    DecodeWarning,
    InternalDistribution,
    Origination,
    Precedence,
    RoutingLine,
    SecurityWarning,
    TransmissionId,
    UnreadableLine,
)

__all__ = (
    "PRECEDENCES",
    "Addressee",
    "Cable",
    "Classification",
    "DecodeError",
    "DecodeLimits",
    "DecodeWarning",
    "InternalDistribution",
    "Origination",
    "Precedence",
    "RoutingLine",
    "SecurityWarning",
    "TransmissionId",
    "UnreadableLine",
    "decode_telegram",
)
