"""The router's CPU-bound step: a raw cable in, its encoded records (or why not) out.

:func:`prepare` decodes, resolves against the routing directory and encodes every delivery
and the audit record. It is pure and everything it takes and returns pickles, so it runs
either in the worker's event loop (:class:`InlineStage`, ``decode_processes = 0``) or in
child processes (:class:`ProcessStage`): there it does not compete with consuming and
producing for the worker's one Python thread, which is what bounds the router's
throughput (``bench/RESULTS.md``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import logging
import multiprocessing
import os
import threading
import time
import traceback
from collections.abc import AsyncIterator, Sequence
from typing import Literal, NamedTuple, Protocol

import msgspec

from cablerouter.directory import Directory, Role, resolve_distribution
from cablerouter.errors import DeadLetterReason, DecodeError
from cablerouter.router.envelope import (
    AuditRecord,
    OutRecord,
    Provenance,
    delivery_headers,
    encode_delivery,
    encode_shared,
    enriched_value,
)
from cablerouter.telegram import Cable, DecodeLimits, Precedence, decode_telegram
from cablerouter.telegram.decode import NATIVE_SCANNER_FAILED

__all__ = (
    "DeliveryNote",
    "Failed",
    "InlineStage",
    "Params",
    "ProcessStage",
    "Rejected",
    "Routed",
    "SourceRecord",
    "Stage",
    "prepare",
)

log = logging.getLogger("cablerouter.router")

_audit_encoder = msgspec.json.Encoder()
_UTC = dt.UTC
_AUDIT_HEADERS = [("content-type", b"application/json")]


class SourceRecord(msgspec.Struct, frozen=True):
    """One consumed raw record: where it was and what it held."""

    topic: str
    partition: int
    offset: int
    timestamp: float  # broker timestamp, seconds since the epoch
    key: bytes | None
    value: bytes | None


class Params(msgspec.Struct, frozen=True):
    """What :func:`prepare` needs besides the directory."""

    limits: DecodeLimits
    topic_prefix: str
    routed_topic: str
    router_version: str
    unreadable_addressee: Literal["deliver", "deadletter"] = "deliver"


class DeliveryNote(NamedTuple):
    """What the worker counts of one delivery (its metrics), without the message itself."""

    role: Role
    precedence: Precedence | None
    addressee: str
    unknown: bool  # the directory does not know the addressee


class Routed(NamedTuple):
    """A cable to deliver, compactly: :meth:`delivery_records` gives its deliveries'
    records, :attr:`audit` is its audit record.

    A cable's enriched messages differ only in their delivery object, so they are kept as
    the bytes they share plus each delivery's own, and put together by
    :meth:`delivery_records`.
    Results from child processes travel this way: about an eighth of the bytes, which the
    worker's process would otherwise spend much of its time receiving.
    """

    cable_id: str | None
    key: bytes | None
    shared: bytes  # what every enriched message ends with (cable, distribution, provenance)
    parts: list[tuple[str, bytes, list[tuple[str, bytes]]]]  # topic, delivery JSON, headers
    audit: OutRecord
    deliveries: list[DeliveryNote]
    seconds: float
    unreadable: list[int]  # line numbers of addressee lines the decoder could not read
    scanner_failed: bool = False  # the native scanner failed; the Python parsers decoded it

    def delivery_records(self) -> list[OutRecord]:
        """Every delivery's record, in distribution order."""
        key, shared = self.key, self.shared
        return [OutRecord(topic, key, enriched_value(body, shared), headers)
                for topic, body, headers in self.parts]


class Rejected(NamedTuple):
    """Bad input: the dead-letter reason."""

    reason: DeadLetterReason
    detail: str
    line: int | None
    cable_id: str | None
    seconds: float
    scanner_failed: bool = False  # the native scanner failed on it first (counted apart)


class Failed(NamedTuple):
    """An unexpected exception (a bug, not bad input), with its traceback."""

    error: str
    trace: str
    seconds: float


Result = Routed | Rejected | Failed


def prepare(sources: Sequence[SourceRecord], directory: Directory, params: Params) -> list[Result]:
    """Decode, resolve and encode each of ``sources``; never raises for one bad cable."""
    now = dt.datetime.now(_UTC)
    results: list[Result] = []
    for source in sources:
        started = time.perf_counter()
        try:
            result = _prepare_one(source, directory, params, now, started)
        except Exception as exc:  # noqa: BLE001 - the caller's internal-error policy decides
            result = Failed(f"{type(exc).__name__}: {exc}"[:500], traceback.format_exc(),
                            time.perf_counter() - started)
        results.append(result)
    return results


def _prepare_one(source: SourceRecord, directory: Directory, params: Params, now: dt.datetime,
                 started: float) -> Result:
    raw = source.value
    if raw is None:
        return Rejected("empty_input", "Expected cable text, got a null value", None, None,
                        time.perf_counter() - started)
    try:
        cable = decode_telegram(raw, limits=params.limits)
    except DecodeError as exc:
        return Rejected(exc.reason, exc.detail, exc.line, None, time.perf_counter() - started,
                        exc.native_scanner_failed)
    distribution = resolve_distribution(cable, directory, topic_prefix=params.topic_prefix)
    if not distribution.deliveries:
        return Rejected("no_deliveries", "Expected at least one addressee, got none after "
                        "exemptions", None, cable.id, time.perf_counter() - started, _scanner_failed(cable))
    if cable.unreadable and params.unreadable_addressee == "deadletter":
        first = cable.unreadable[0]
        return Rejected(
            "unreadable_addressee",
            f"Expected readable addressee lines, got {len(cable.unreadable)} that are not "
            f"(CABLEROUTER_UNREADABLE_ADDRESSEE=deadletter), first `{first.text[:80]}`",
            first.line, cable.id, time.perf_counter() - started, _scanner_failed(cable),
        )
    provenance = Provenance(
        topic=source.topic, partition=source.partition, offset=source.offset,
        received_at=dt.datetime.fromtimestamp(source.timestamp, _UTC),
        routed_at=now, router_version=params.router_version,
    )
    key = (cable.id or "").encode() or source.key
    headers: dict[str | None, list[tuple[str, bytes]]] = {}  # one list per precedence
    parts = []
    for delivery in distribution.deliveries:
        h = headers.get(delivery.precedence)
        if h is None:
            h = headers[delivery.precedence] = delivery_headers(cable.id, delivery.precedence)
        parts.append((delivery.topic, encode_delivery(delivery), h))
    audit = AuditRecord(
        id=cable.id, topic=source.topic, partition=source.partition, offset=source.offset,
        deliveries=len(parts), topics=[topic for topic, _, _ in parts], routed_at=now,
        unreadable=cable.unreadable,
    )
    deliveries = [DeliveryNote(d.role, d.precedence, d.addressee, "unknown" in d.flags)
                  for d in distribution.deliveries]
    routed = Routed(
        cable.id, key, encode_shared(cable, distribution, provenance), parts,
        OutRecord(params.routed_topic, key, _audit_encoder.encode(audit), _AUDIT_HEADERS),
        deliveries, time.perf_counter() - started, [u.line for u in cable.unreadable],
    )
    return routed._replace(scanner_failed=True) if _scanner_failed(cable) else routed


def _scanner_failed(cable: Cable) -> bool:
    """Whether the decoder recorded a failure of its native scanner on ``cable``."""
    return any(w.code == NATIVE_SCANNER_FAILED for w in cable.warnings)


class Stage(Protocol):
    """Where :func:`prepare` runs: :class:`InlineStage` or :class:`ProcessStage`."""

    async def start(self, directory: Directory) -> None:
        """Get ready to prepare with ``directory`` (start child processes, if any)."""

    def run(self, parts: Sequence[Sequence[SourceRecord]], directory: Directory
            ) -> AsyncIterator[tuple[Sequence[SourceRecord], list[Result]]]:
        """Each part with its results, in the order given."""
        ...

    def close(self) -> None:
        """Stop (blocks until child processes exit; run it in a thread)."""


class InlineStage:
    """Runs :func:`prepare` in the event loop's thread, one part when it is asked for."""

    def __init__(self, params: Params) -> None:
        self._params = params

    async def start(self, directory: Directory) -> None:
        pass

    async def run(self, parts: Sequence[Sequence[SourceRecord]], directory: Directory
                  ) -> AsyncIterator[tuple[Sequence[SourceRecord], list[Result]]]:
        """Each part with its results, prepared when the caller asks for it."""
        for part in parts:
            yield part, prepare(part, directory, self._params)

    def close(self) -> None:
        pass


# Set once per child process by its initializer: the parameters and the directory the pool
# was started with (a new directory starts a new pool).
_child: tuple[Params, Directory] | None = None


def _init_child(params: Params, directory: Directory) -> None:
    global _child  # noqa: PLW0603 - per-process state of a pool worker
    _child = (params, directory)
    # A pool child never sees end-of-file on its task queue when the worker dies without
    # shutting the pool down (SIGKILL, the OOM killer): it holds a copy of the queue's
    # write end itself. It would live on as an orphan, so it watches its parent instead.
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True,
                     name="parent-watch").start()


def _exit_with_parent(parent: int, interval: float = 0.5) -> None:
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(0)


def _prepare_in_child(sources: Sequence[SourceRecord]) -> list[Result]:
    assert _child is not None, "pool initializer did not run"
    params, directory = _child
    return prepare(sources, directory, params)


def _ready() -> bool:
    return _child is not None


class ProcessStage:
    """Runs :func:`prepare` in ``processes`` child processes.

    Every part of a batch is submitted at once and the results are handed back in order,
    so the worker ships one part while the children decode the next. The children start
    with the routing directory in force; when it changes (a live update) a new pool is
    started with the new one and the old pool finishes what it was given. If a child dies
    the pool is replaced and the parts it lost are prepared in the event loop instead, so
    nothing is lost.
    """

    def __init__(self, params: Params, processes: int) -> None:
        self._params = params
        self._processes = processes
        self._pool: concurrent.futures.ProcessPoolExecutor | None = None
        self._directory: Directory | None = None
        self._closed = False

    def _pool_for(self, directory: Directory) -> concurrent.futures.ProcessPoolExecutor | None:
        if self._closed:
            return None
        if self._pool is None or directory is not self._directory:
            old = self._pool
            self._pool = concurrent.futures.ProcessPoolExecutor(
                self._processes, mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_child, initargs=(self._params, directory),
            )
            self._directory = directory
            if old is not None:
                old.shutdown(wait=False)
        return self._pool

    async def start(self, directory: Directory) -> None:
        """Start the children now (not on the first batch) and wait until they are up."""
        pool = self._pool_for(directory)
        assert pool is not None, "stage closed"
        loop = asyncio.get_running_loop()
        await asyncio.gather(*(loop.run_in_executor(pool, _ready) for _ in range(self._processes)))

    async def run(self, parts: Sequence[Sequence[SourceRecord]], directory: Directory
                  ) -> AsyncIterator[tuple[Sequence[SourceRecord], list[Result]]]:
        """Each part with its results, in order; all parts are submitted at once.

        A part the children cannot prepare (one died, or the pool was shut down under
        it) is prepared in the event loop instead: the batch always completes.
        """
        loop = asyncio.get_running_loop()
        pool = self._pool_for(directory)
        futures: list[asyncio.Future[list[Result]] | None] = []
        for part in parts:
            future = None
            if pool is not None:
                try:
                    future = loop.run_in_executor(pool, _prepare_in_child, part)
                except RuntimeError as exc:  # broken, or shut down (the worker is stopping)
                    self._forget(pool, exc)
                    pool = None
            futures.append(future)
        for part, future in zip(parts, futures, strict=True):
            results = None
            if future is not None:
                try:
                    results = await future
                except concurrent.futures.process.BrokenProcessPool as exc:
                    self._forget(pool, exc)
                except asyncio.CancelledError:
                    task = asyncio.current_task()
                    if task is not None and task.cancelling():
                        raise  # this task is being cancelled, not just the child's work
            if results is None:
                results = prepare(part, directory, self._params)
            yield part, results

    def _forget(self, pool: concurrent.futures.ProcessPoolExecutor | None, exc: BaseException) -> None:
        """Drop a pool that failed (the next batch starts a new one); log it once."""
        if pool is not None and self._pool is pool and not self._closed:
            log.error("decoding processes failed; preparing in the worker, restarting them",
                      extra={"error": repr(exc)})
            self._pool = None
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        """Stop the children (blocks until they exit; run it in a thread)."""
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
