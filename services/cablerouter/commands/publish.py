"""``cablerouter publish``: send raw cable files to the input topic."""

from __future__ import annotations

import argparse
import asyncio
import os
import pathlib
import sys
import time
from collections.abc import Iterator

from cablerouter.config import Settings, load_settings, settings_help

__all__ = ("iter_inputs", "register")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "publish",
        help="publish raw cable files, folders (*.txt) or stdin to the input topic",
        description="Send each input as one message to CABLEROUTER_RAW_TOPIC (created if "
        "missing as the worker creates it: CABLEROUTER_RAW_PARTITIONS, "
        "CABLEROUTER_TOPIC_REPLICATION, CABLEROUTER_TOPIC_MIN_INSYNC_REPLICAS), keyed by the "
        "file name without extension (the cable id for corpus files). "
        "Waits for every message to be acknowledged (acks=all), shows progress on stderr, "
        "prints a summary and exits 1 if any message failed.",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="file, folder (walked for *.txt) or - for stdin")
    p.add_argument("--topic", help="override CABLEROUTER_RAW_TOPIC")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(handler=_run)


def iter_inputs(paths: list[str]) -> Iterator[tuple[str, bytes]]:
    """Yield ``(key, bytes)`` for every input: files, ``*.txt`` under folders, or stdin."""
    for path in paths:
        if path == "-":
            yield "stdin", sys.stdin.buffer.read()
            continue
        p = pathlib.Path(path)
        if p.is_dir():
            for f in sorted(p.rglob("*.txt")):
                yield f.stem, f.read_bytes()
        else:
            yield p.stem, p.read_bytes()


class _Bar:
    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled, self.done, self.failed = total, enabled, 0, 0
        self._start = time.monotonic()
        self._last = 0.0

    def step(self, ok: bool) -> None:
        self.done += 1
        self.failed += 0 if ok else 1
        now = time.monotonic()
        if self.enabled and (now - self._last > 0.1 or self.done == self.total):
            self._last = now
            width = 30
            filled = int(width * self.done / max(1, self.total))
            rate = self.done / max(1e-9, now - self._start)
            sys.stderr.write(
                f"\rpublish [{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total}"
                f" {rate:,.0f}/s failed {self.failed}"
            )
            sys.stderr.flush()
            if self.done == self.total:
                sys.stderr.write("\n")


async def _ensure_topic(settings: Settings, topic: str) -> set[str]:
    """Create ``topic`` if missing, as the worker creates its input topic (brokers do not
    auto-create topics): ``CABLEROUTER_RAW_PARTITIONS``, ``CABLEROUTER_TOPIC_REPLICATION``
    and ``CABLEROUTER_TOPIC_MIN_INSYNC_REPLICAS``. Returns the topics created."""
    from aiokafka.admin import AIOKafkaAdminClient

    from cablerouter.router.topics import create_missing_topics, raw_topic_spec

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        return await create_missing_topics(admin, {topic: raw_topic_spec(settings)})
    finally:
        await admin.close()


async def publish(settings: Settings, topic: str, inputs: list[tuple[str, bytes]], *, progress: bool) -> int:
    """Publish ``inputs``; returns the number that failed."""
    from aiokafka import AIOKafkaProducer

    if await _ensure_topic(settings, topic):
        print(f"publish: created topic {topic} ({settings.raw_partitions} partitions)", file=sys.stderr)
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers, acks="all", enable_idempotence=True,
        linger_ms=settings.linger_ms, max_request_size=max(1_048_576, settings.max_cable_bytes * 2),
    )
    await producer.start()
    bar = _Bar(len(inputs), progress)
    try:
        futures = [await producer.send(topic, value, key=key.encode()) for key, value in inputs]
        for fut in futures:
            try:
                await fut
                bar.step(True)
            except Exception as exc:  # noqa: BLE001 - counted and reported
                bar.step(False)
                print(f"publish: failed: {exc!r}", file=sys.stderr)
    finally:
        await producer.stop()
    return bar.failed


def _run(args: argparse.Namespace) -> int:
    settings = load_settings(os.environ)
    topic = args.topic or settings.raw_topic
    inputs = list(iter_inputs(args.paths))
    started = time.monotonic()
    failed = asyncio.run(publish(settings, topic, inputs, progress=not args.quiet and sys.stderr.isatty()))
    took = time.monotonic() - started
    print(f"published {len(inputs) - failed} of {len(inputs)} cables to {topic} "
          f"in {took:.2f}s ({failed} failed)", file=sys.stderr)
    return 1 if failed else 0
