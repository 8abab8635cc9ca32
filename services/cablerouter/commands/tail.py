"""``cablerouter tail``: follow an addressee's topic (or any topic) and show its cables."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

import msgspec

from cablerouter.config import Settings, load_settings, settings_help

__all__ = ("register", "topic_of")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "tail",
        help="show the cables delivered to an addressee (or any topic)",
        description="Follow ADDRESSEE's delivery topic (an addressee id or PLAD such as "
        "'SECSTATE WASHDC', mapped with the same topic-name function the router uses) or a "
        "TOPIC given by name. Prints one line per delivery (pretty) or the raw JSON.",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("target", metavar="ADDRESSEE|TOPIC")
    start = p.add_mutually_exclusive_group()
    start.add_argument("--from-beginning", action="store_true",
                       help="start at the oldest record (default: only new ones)")
    p.add_argument("--json", action="store_true", help="print each record's value as JSON Lines")
    p.add_argument("--max", type=int, default=0, metavar="N", help="stop after N records")
    p.add_argument("--idle-timeout", type=float, default=0, metavar="S",
                   help="stop after S seconds without a record (default: follow forever)")
    p.set_defaults(handler=_run)


def topic_of(target: str, settings: Settings, existing: set[str]) -> str:
    """The topic ``target`` names: an existing topic as is, else the addressee's topic."""
    from cablerouter.directory import topic_for

    if target in existing:
        return target
    from cablerouter.directory_files import load_directory

    directory = load_directory(settings.directory_file)
    found = directory.lookup_name(target) or directory.lookup_ri(target.strip().upper())
    return topic_for(found.id if found is not None else " ".join(target.upper().split()),
                     prefix=settings.topic_prefix)


def _pretty(value: bytes) -> str:
    try:
        msg = msgspec.json.decode(value)
        d, c = msg["delivery"], msg["cable"]
        return (f"{c.get('id') or '-':<20} {d['role']:<6} {d.get('precedence') or '-':<15} "
                f"{(c.get('subject') or '')[:70]}")
    except Exception:  # noqa: BLE001 - not an enriched message: show it raw
        return value[:200].decode("utf-8", "replace").replace("\n", " ")


async def _tail(settings: Settings, args: argparse.Namespace) -> int:
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        bootstrap_servers=settings.bootstrap_servers, group_id=None, enable_auto_commit=False,
        auto_offset_reset="earliest" if args.from_beginning else "latest",
        isolation_level="read_committed",  # the router writes in transactions
    )
    await consumer.start()
    seen = 0
    try:
        topics = set(await consumer.topics())
        topic = topic_of(args.target, settings, topics)
        if topic not in topics:
            print(f"tail: topic {topic} does not exist (yet); waiting for it", file=sys.stderr)
        consumer.subscribe([topic])
        print(f"tail: {topic}", file=sys.stderr)
        idle = 0.0
        while not args.max or seen < args.max:
            batch = await consumer.getmany(timeout_ms=500)
            if not batch:
                idle += 0.5
                if args.idle_timeout and idle >= args.idle_timeout:
                    break
                continue
            idle = 0.0
            for records in batch.values():
                for r in records:
                    line = r.value.decode("utf-8", "replace") if args.json else _pretty(r.value)
                    print(line, flush=True)
                    seen += 1
                    if args.max and seen >= args.max:
                        break
    finally:
        await consumer.stop()
    return 0


def _run(args: argparse.Namespace) -> int:
    return asyncio.run(_tail(load_settings(os.environ), args))
