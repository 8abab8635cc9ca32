"""``cablerouter summary``: where each cable went, from the audit and dead-letter topics."""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import sys
import time

import msgspec

from cablerouter.config import Settings, load_settings, settings_help

__all__ = ("collect", "register")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "summary",
        help="report where each cable went (audit topic) and what was dead-lettered",
        description="Read CABLEROUTER_ROUTED_TOPIC and CABLEROUTER_DEADLETTER_TOPIC from a "
        "point in time and print, per cable, the topics it was delivered to, then the number "
        "of deliveries per topic and the dead letters by reason. With --expect N it waits "
        "until N cables are accounted for and exits 1 if they are not within --timeout.",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--since", type=float, default=0.0, metavar="EPOCH_SECONDS",
                   help="only records written at or after this time (default: everything)")
    p.add_argument("--expect", type=int, default=0, metavar="N", help="wait for N cables")
    p.add_argument("--timeout", type=float, default=120.0, metavar="S")
    p.add_argument("--per-cable", type=int, default=-1, metavar="N",
                   help="list at most N cables individually (default: all)")
    p.set_defaults(handler=_run)


class Seen(msgspec.Struct):
    routed: dict[str, list[str]]      # "<id or source offset>" -> topics
    dead: dict[str, tuple[str, str]]  # "<key>@<offset>" -> (reason, detail)

    @property
    def total(self) -> int:
        return len(self.routed) + len(self.dead)


async def collect(settings: Settings, *, since: float, expect: int, timeout: float) -> Seen:
    """Read the audit and dead-letter topics from ``since`` until ``expect`` cables are seen."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    # Committed records only: the router writes in transactions.
    consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers, group_id=None,
                                enable_auto_commit=False, auto_offset_reset="earliest",
                                isolation_level="read_committed")
    await consumer.start()
    seen = Seen({}, {})
    try:
        deadline = time.monotonic() + timeout
        wanted = (settings.routed_topic, settings.deadletter_topic)
        tps: list[TopicPartition] = []
        while time.monotonic() < deadline:
            # The router creates both topics when it starts; wait for them.
            tps = await _partitions(settings, wanted)
            if {tp.topic for tp in tps} == set(wanted):
                break
            tps = []
            await asyncio.sleep(0.5)
        if not tps:
            return seen
        consumer.assign(tps)
        starts = await consumer.offsets_for_times({tp: int(since * 1000) for tp in tps})
        for tp in tps:
            found = starts.get(tp)
            if found is None:
                await consumer.seek_to_end(tp)
            else:
                consumer.seek(tp, found.offset)
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=500)
            for tp, records in batch.items():
                for r in records:
                    if tp.topic == settings.routed_topic:
                        audit = msgspec.json.decode(r.value)
                        name = audit.get("id") or f"{audit['topic']}@{audit['offset']}"
                        where = f"{audit['topic']}[{audit['partition']}]@{audit['offset']}"
                        seen.routed[f"{name} ({where})"] = audit["topics"]
                    else:
                        h = {k: v.decode("utf-8", "replace") for k, v in r.headers}
                        key = (r.key or b"").decode("utf-8", "replace") or "-"
                        where = f"{h.get('source-topic')}[{h.get('source-partition')}]@{h.get('source-offset')}"
                        seen.dead[f"{key} ({where})"] = (h.get("reason", "?"), h.get("detail", ""))
            if expect and seen.total >= expect:
                break
            if not expect and not batch:
                break
    finally:
        await consumer.stop()
    return seen


async def _partitions(settings: Settings, topics: tuple[str, ...]) -> list:
    from aiokafka import TopicPartition
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        described = await admin.describe_topics(list(topics))
    finally:
        await admin.close()
    return [TopicPartition(d["topic"], p["partition"])
            for d in described if d["error_code"] == 0 for p in d["partitions"]]


def render(seen: Seen, per_cable: int) -> str:
    lines: list[str] = []
    per_topic: collections.Counter[str] = collections.Counter()
    for i, (name, topics) in enumerate(sorted(seen.routed.items())):
        per_topic.update(topics)
        if per_cable < 0 or i < per_cable:
            shown = ", ".join(topics[:6]) + (f", ... (+{len(topics) - 6})" if len(topics) > 6 else "")
            lines.append(f"  {name}: {len(topics)} deliveries -> {shown}")
    out = [f"routed cables: {len(seen.routed)}", *lines]
    out.append(f"deliveries per topic ({len(per_topic)} topics, {sum(per_topic.values())} deliveries):")
    out += [f"  {count:6d}  {topic}" for topic, count in per_topic.most_common()]
    reasons = collections.Counter(reason for reason, _ in seen.dead.values())
    out.append(f"dead-lettered: {len(seen.dead)}" + (
        " (" + ", ".join(f"{r} {n}" for r, n in reasons.most_common()) + ")" if reasons else ""))
    out += [f"  {name}: {reason}: {detail}" for name, (reason, detail) in sorted(seen.dead.items())]
    return "\n".join(out)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings(os.environ)
    seen = asyncio.run(collect(settings, since=args.since, expect=args.expect, timeout=args.timeout))
    print(render(seen, args.per_cable))
    if args.expect and seen.total < args.expect:
        print(f"summary: only {seen.total} of {args.expect} cables accounted for within "
              f"{args.timeout:.0f}s", file=sys.stderr)
        return 1
    return 0
