"""What the router writes: enriched deliveries, audit records and dead-letter headers.

The enriched message is the public contract of every addressee topic (its JSON Schema is
``schemas/enriched.schema.json``). For speed the cable, the distribution list and the
provenance are encoded once per cable and each delivery is spliced between them;
:func:`encode_deliveries` yields exactly the bytes of :class:`EnrichedCable`, which a test
checks.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import msgspec

from cablerouter.directory import Delivery, DistributionList
from cablerouter.errors import DeadLetterReason
from cablerouter.telegram.model import Cable, UnreadableLine

__all__ = (
    "CONTENT_TYPE",
    "SCHEMA_VERSION",
    "AuditRecord",
    "EnrichedCable",
    "OutRecord",
    "Provenance",
    "deadletter_headers",
    "deadletter_record",
    "encode_deliveries",
    "encode_delivery",
    "encode_shared",
    "enriched_value",
)

SCHEMA_VERSION = 1
CONTENT_TYPE = b"application/json"


class OutRecord(msgspec.Struct, frozen=True):
    """One record to produce."""

    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]]


class Provenance(msgspec.Struct, frozen=True, kw_only=True):
    """Where a delivery came from and when.

    Parameters
    ----------
    topic, partition, offset
        The raw cable's position in the input topic.
    received_at
        The raw message's broker timestamp (UTC).
    routed_at
        When the router built this delivery (UTC).
    router_version
        The cablerouter version that routed it.
    """

    topic: str
    partition: int
    offset: int
    received_at: dt.datetime
    routed_at: dt.datetime
    router_version: str


class EnrichedCable(msgspec.Struct, frozen=True, kw_only=True):
    """One delivery of a cable to one addressee topic.

    Parameters
    ----------
    schema_version
        Version of this message's schema (``1``).
    delivery
        This delivery: addressee, topic, role, precedence, via, MCN, flags.
    cable
        The decoded cable: header fields, text fields and body.
    distribution
        The cable's whole distribution list (every delivery, this one included).
    provenance
        Source offset, timestamps and router version.
    """

    schema_version: int
    delivery: Delivery
    cable: Cable
    distribution: DistributionList
    provenance: Provenance


class AuditRecord(msgspec.Struct, frozen=True, kw_only=True):
    """One record per routed cable on the audit topic (``cables.routed``).

    Parameters
    ----------
    id
        The cable's id, when the decoder found one.
    topic, partition, offset
        The raw cable's position in the input topic.
    deliveries, topics
        How many copies were delivered, and to which topics.
    routed_at
        When the router built the deliveries (UTC).
    unreadable
        Addressee lines the decoder could not read, verbatim with their line numbers: the
        addressees they name (if any) received no copy.
    """

    id: str | None
    topic: str
    partition: int
    offset: int
    deliveries: int
    topics: list[str]
    routed_at: dt.datetime
    unreadable: list[UnreadableLine] = []


_encoder = msgspec.json.Encoder()
_HEAD = b'{"schema_version":%d,"delivery":' % SCHEMA_VERSION


def encode_deliveries(
    cable: Cable, distribution: DistributionList, provenance: Provenance
) -> list[tuple[Delivery, bytes]]:
    """Encode one :class:`EnrichedCable` per delivery, sharing the cable's encoding.

    The cable, the distribution list and the provenance are encoded once per cable; each
    delivery's message is its own ``delivery`` object spliced between them, byte for byte
    what ``msgspec.json.encode(EnrichedCable(...))`` gives (a unit test compares them).
    """
    shared = encode_shared(cable, distribution, provenance)
    return [(d, enriched_value(encode_delivery(d), shared)) for d in distribution.deliveries]


def encode_shared(cable: Cable, distribution: DistributionList, provenance: Provenance) -> bytes:
    """What every enriched message of a cable ends with: its cable, distribution list and
    provenance (:func:`enriched_value` puts a delivery in front)."""
    return b"".join((
        b',"cable":', _encoder.encode(cable),
        b',"distribution":', _encoder.encode(distribution),
        b',"provenance":', _encoder.encode(provenance), b"}",
    ))


def encode_delivery(delivery: Delivery) -> bytes:
    """A delivery object's JSON, for :func:`enriched_value`."""
    return _encoder.encode(delivery)


def enriched_value(delivery_json: bytes, shared: bytes) -> bytes:
    """An :class:`EnrichedCable` message from :func:`encode_delivery` and
    :func:`encode_shared` (what :func:`encode_deliveries` gives for that delivery)."""
    return _HEAD + delivery_json + shared


_SCHEMA_VERSION_HEADER = str(SCHEMA_VERSION).encode()


def delivery_headers(cable_id: str | None, precedence: str | None) -> list[tuple[str, bytes]]:
    """Kafka headers of an enriched delivery."""
    return [
        ("content-type", CONTENT_TYPE),
        ("schema-version", _SCHEMA_VERSION_HEADER),
        ("cable-id", (cable_id or "").encode()),
        ("precedence", (precedence or "").encode()),
    ]


def deadletter_headers(
    *,
    reason: DeadLetterReason,
    detail: str,
    topic: str,
    partition: int,
    offset: int,
    line: int | None = None,
    cable_id: str | None = None,
) -> list[tuple[str, bytes]]:
    """Kafka headers of a dead letter; its value is the original bytes, untouched."""
    headers = [
        ("reason", reason.encode()),
        ("detail", detail.encode("utf-8", "replace")[:4000]),
        ("source-topic", topic.encode()),
        ("source-partition", str(partition).encode()),
        ("source-offset", str(offset).encode()),
    ]
    if line is not None:
        headers.append(("line", str(line).encode()))
    if cable_id:
        headers.append(("cable-id", cable_id.encode()))
    return headers


# What a record costs in a record batch beyond its key, value and header bytes (varint
# lengths, attributes, deltas), and the batch's own header: generous upper bounds.
_RECORD_OVERHEAD = 32
_HEADER_OVERHEAD = 10
_BATCH_OVERHEAD = 128


def record_size(key: bytes | None, value: bytes, headers: list[tuple[str, bytes]]) -> int:
    """An upper bound of the bytes a record takes alone in a record batch, which is what
    the broker compares with ``message.max.bytes``."""
    return (_BATCH_OVERHEAD + _RECORD_OVERHEAD + len(key or b"") + len(value)
            + sum(_HEADER_OVERHEAD + len(k.encode()) + len(v) for k, v in headers))


def deadletter_record(topic: str, key: bytes | None, value: bytes,
                      headers: list[tuple[str, bytes]], *, max_message_bytes: int) -> OutRecord:
    """The dead letter of ``value``: the original bytes, or, when they and the headers
    would not fit the broker's ``max_message_bytes``, a truncated value with the headers
    ``truncated`` (``true``), ``original-length`` and ``original-sha256`` (hex), so the
    record can still be written and the original identified."""
    if record_size(key, value, headers) <= max_message_bytes:
        return OutRecord(topic, key, value, headers)
    headers = [*headers,
               ("truncated", b"true"),
               ("original-length", str(len(value)).encode()),
               ("original-sha256", hashlib.sha256(value).hexdigest().encode())]
    room = max(0, max_message_bytes - record_size(key, b"", headers))
    return OutRecord(topic, key, value[:room], headers)
