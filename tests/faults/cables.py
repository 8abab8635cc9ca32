"""Input of the fault scenarios and what each raw record must become, predicted offline.

The prediction is what ``cablerouter route`` computes (``decode_telegram`` with the
worker's limits, then ``resolve_distribution`` against the shipped directory) plus the two
checks the worker adds on top (a cable with no deliveries left, and enriched messages over
``CABLEROUTER_MAX_DELIVERY_BYTES``), all with the project's own pure functions and the
same settings the workers get. The checker then compares what is on the topics with it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pathlib
import random

import msgspec

from cablerouter import __version__
from cablerouter.config import Settings
from cablerouter.directory import Directory, resolve_distribution
from cablerouter.directory_files import load_default_directory
from cablerouter.errors import CableRouterError
from cablerouter.router.envelope import Provenance, encode_deliveries
from cablerouter.telegram import DecodeLimits, decode_telegram

REPO = pathlib.Path(__file__).resolve().parents[2]
CORPUS_FILES = [*sorted((REPO / "tests/corpus/cables").glob("*.txt")), REPO / "tests/corpus/seed/10ASTANA179.txt"]

# The broker's message.max.bytes (Kafka's default, what local-kafka runs with).
BROKER_MESSAGE_MAX_BYTES = 1_048_588

DeliveryKey = tuple[str, str, str, str | None, tuple[str, ...], str | None, tuple[str, ...]]
"""topic, addressee, role, precedence, via, mcn, flags of one delivery."""


class Routed(msgspec.Struct, frozen=True):
    cable_id: str | None
    deliveries: tuple[DeliveryKey, ...]


class DeadLettered(msgspec.Struct, frozen=True):
    reason: str


Outcome = Routed | DeadLettered


def corpus() -> list[bytes]:
    """The 151 corpus cables (150 + the seed), in a fixed order."""
    files = CORPUS_FILES
    assert len(files) == 151, f"expected the 151 corpus cables, found {len(files)}"
    return [f.read_bytes() for f in files]


def held_out_seed() -> int | None:
    """``FAULTS_SEED`` (an integer) asks for a held-out run: other cables and other fault
    timing than the suite's own, chosen by that seed."""
    value = os.environ.get("FAULTS_SEED", "").strip()
    return int(value) if value else None


def held_out_rng(salt: str) -> random.Random | None:
    """A random source for ``salt`` in a held-out run (``None`` in the suite's own)."""
    seed = held_out_seed()
    return None if seed is None else random.Random(f"{seed}:{salt}")


def corpus_stream(count: int) -> list[bytes]:
    """``count`` cables: the corpus repeated (each copy gets its own key when published).

    In a held-out run (:func:`held_out_seed`) the cables come in a shuffled order and about
    a third are mutants of corpus cables (pieces inserted, bytes deleted, lines doubled),
    which the prediction reads like any other input.
    """
    cables = corpus()
    rng = held_out_rng("stream")
    if rng is None:
        return [cables[i % len(cables)] for i in range(count)]
    from tests.mutants import mutants

    pieces = [b"XMT ", b"\n", b"INFO ", b"RUEHC/SECSTATE WASHDC", b" 0000", b"//", b"PAGE 02"]
    changed = mutants(CORPUS_FILES, pieces, count // 3 + 1, rng.randrange(1 << 30))
    stream = [rng.choice(cables) for _ in range(count - len(changed))] + changed
    rng.shuffle(stream)
    return stream[:count]


class Predictor:
    """Predicts raw records' outcomes for one scenario's settings (cached by content)."""

    def __init__(self, settings: Settings, directory: Directory | None = None) -> None:
        self.settings = settings
        self.directory = directory if directory is not None else load_default_directory()
        self.limits = DecodeLimits(max_bytes=settings.max_cable_bytes,
                                   max_addressees=settings.max_addressees)
        self._cache: dict[bytes, Outcome] = {}
        self.largest_delivery: dict[bytes, int] = {}

    def __call__(self, value: bytes | None) -> Outcome:
        if value is None:
            return DeadLettered("empty_input")
        digest = hashlib.sha256(value).digest()
        hit = self._cache.get(digest)
        if hit is None:
            hit = self._cache[digest] = self._predict(value, digest)
        return hit

    def _predict(self, value: bytes, digest: bytes) -> Outcome:
        s = self.settings
        try:
            cable = decode_telegram(value, limits=self.limits)
            distribution = resolve_distribution(cable, self.directory, topic_prefix=s.topic_prefix)
        except CableRouterError as exc:
            return DeadLettered(exc.reason)
        if not distribution.deliveries:
            return DeadLettered("no_deliveries")
        now = dt.datetime.now(dt.UTC)
        provenance = Provenance(topic=s.raw_topic, partition=0, offset=0, received_at=now,
                                routed_at=now, router_version=__version__)
        largest = max(len(v) for _, v in encode_deliveries(cable, distribution, provenance))
        self.largest_delivery[digest] = largest
        # The provenance's offset, partition and timestamps vary by a few dozen bytes: a
        # cable that close to the limit has no single prediction.
        assert abs(largest - s.max_delivery_bytes) > 100, (
            f"a test cable's enriched size {largest} is too close to "
            f"CABLEROUTER_MAX_DELIVERY_BYTES={s.max_delivery_bytes} to predict")
        if largest > s.max_delivery_bytes:
            return DeadLettered("delivery_too_large")
        return Routed(distribution.cable_id, tuple(
            (d.topic, d.addressee, d.role, d.precedence, tuple(d.via), d.mcn, tuple(d.flags))
            for d in distribution.deliveries))

    def largest(self, value: bytes) -> int:
        self(value)
        return self.largest_delivery[hashlib.sha256(value).digest()]


# -- poison records --------------------------------------------------------------------

_TEMPLATE = b"""VZCZCXRO0001
RR RUEHC
DE RUEHTA #0001 0420828
ZNR UUUUU ZZH
R 110828Z FEB 10
FM AMEMBASSY ASTANA
TO RUEHC/SECSTATE WASHDC 0001
%(info)s
UNCLAS ASTANA 000001

SUBJECT: FAULT SUITE TEST CABLE

1. (U) Test.
%(body)s"""

_INFO_ADDRESSEES = (
    b"RUEHBJ/AMEMBASSY BEIJING", b"RUEHKO/AMEMBASSY TOKYO", b"RUEHUL/AMEMBASSY SEOUL",
    b"RUEHMO/AMEMBASSY MOSCOW", b"RUEHLO/AMEMBASSY LONDON",
)


def synthetic_cable(*, info_lines: int = 1, body: bytes = b"") -> bytes:
    """A small valid cable: TO SECSTATE, ``info_lines`` INFO addressee lines cycling over a
    few embassies (so many lines still reach only a few topics), then ``body``."""
    lines = [b"%s %04d" % (_INFO_ADDRESSEES[i % len(_INFO_ADDRESSEES)], i % 10000)
             for i in range(info_lines)]
    info = b"INFO " + b"\n".join(lines) if lines else b""
    return _TEMPLATE % {b"info": info, b"body": body}


_PAD_LINE = b"2. (U) " + b"PADDING TEXT OF THE FAULT SUITE " * 2 + b"\n"


def padded_cable(size: int) -> bytes:
    """A valid cable of exactly ``size`` bytes (body padding)."""
    head = synthetic_cable()
    need = size - len(head)
    assert need >= 0, size
    full, rest = divmod(need, len(_PAD_LINE))
    tail = (b"X" * (rest - 1) + b"\n") if rest else b""
    cable = head + _PAD_LINE * full + tail
    assert len(cable) == size
    return cable


def cable_with_delivery_size(predictor: Predictor, target: int) -> bytes:
    """A valid cable whose largest enriched message is about ``target`` bytes."""
    base = synthetic_cable()
    # Enriched size grows linearly with the padding; two probes give the slope.
    a, b = len(base) + 10_000, len(base) + 20_000
    sa, sb = predictor.largest(padded_cable(a)), predictor.largest(padded_cable(b))
    size = a + round((target - sa) * (b - a) / (sb - sa))
    cable = padded_cable(size)
    got = predictor.largest(cable)
    assert abs(got - target) < 200, (got, target)
    return cable


class Poison(msgspec.Struct, frozen=True):
    kind: str
    value: bytes | None
    expect: str  # the dead-letter reason, or "routed"


def poison_catalogue(settings: Settings, predictor: Predictor) -> list[Poison]:
    """Records at and around every size limit, and other input that must not route, with
    what each must become under the default limits (``expect``)."""
    s = settings
    garbage = random.Random(10).randbytes(4096)
    return [
        Poison("empty value", b"", "empty_input"),
        Poison("null value", None, "empty_input"),
        Poison("white space only", b"\r\n  \n\t\n", "empty_input"),
        Poison("binary garbage", garbage, "binary_input"),
        Poison("NUL bytes", b"\x00" * 2048, "binary_input"),
        # Within max_cable_bytes, but no enriched copy of a 1 MB cable fits
        # max_delivery_bytes.
        Poison("max_cable_bytes - 1", padded_cable(s.max_cable_bytes - 1), "delivery_too_large"),
        Poison("max_cable_bytes", padded_cable(s.max_cable_bytes), "delivery_too_large"),
        Poison("max_cable_bytes + 1", padded_cable(s.max_cable_bytes + 1), "oversized_input"),
        # Fits the broker, over max_cable_bytes; with its headers its dead letter does not
        # fit message.max.bytes, so it must be truncated (original-length, original-sha256).
        Poison("1,048,400 bytes", padded_cable(1_048_400), "oversized_input"),
        Poison("max_addressees lines", synthetic_cable(info_lines=s.max_addressees - 1), "routed"),
        Poison("max_addressees + 1 lines", synthetic_cable(info_lines=s.max_addressees),
               "too_many_addressees"),
        Poison("max_delivery_bytes - 2000",
               cable_with_delivery_size(predictor, s.max_delivery_bytes - 2000), "routed"),
        Poison("max_delivery_bytes + 2000",
               cable_with_delivery_size(predictor, s.max_delivery_bytes + 2000),
               "delivery_too_large"),
    ]
