"""``cablerouter topics create``: the router's own topics, created as the worker would.

The specs come from :func:`cablerouter.router.topics.router_topic_specs` (the same rules the
worker and the directory feed apply), so a deployment step that creates the topics before
any worker starts (the compose stack's ``init``, a Helm hook, an operator) cannot drift from
them. Addressee topics are not created here: the worker creates each on first use.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from cablerouter.config import Settings, load_settings, settings_help

__all__ = ("create", "register")


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "topics",
        help="create the router's own topics (input, audit, dead letters, directory)",
        description="`create` makes the topics the worker reads and writes besides the "
        "addressee topics, if they do not exist: CABLEROUTER_RAW_TOPIC with "
        "CABLEROUTER_RAW_PARTITIONS partitions, CABLEROUTER_ROUTED_TOPIC and "
        "CABLEROUTER_DEADLETTER_TOPIC with CABLEROUTER_TOPIC_PARTITIONS, and "
        "CABLEROUTER_DIRECTORY_TOPIC with one partition, compacted; all with "
        "CABLEROUTER_TOPIC_REPLICATION and CABLEROUTER_TOPIC_MIN_INSYNC_REPLICAS. Existing "
        "topics are left as they are. Prints one line per topic (created or exists) and exits "
        "1 if a topic cannot be created. --dry-run prints the specs without connecting.",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(title="actions", metavar="ACTION")
    c = actions.add_parser("create", help="create the router's topics that are missing")
    c.add_argument("--dry-run", action="store_true", help="print what would be created; do not connect")
    c.set_defaults(handler=_run_create)
    p.set_defaults(handler=lambda args: p.print_help(sys.stderr) or 2)


async def create(settings: Settings) -> list[tuple[str, bool]]:
    """Create the router's own topics that are missing; ``(topic, created here)`` for each,
    sorted by name."""
    from aiokafka.admin import AIOKafkaAdminClient

    from cablerouter.router.topics import create_missing_topics, router_topic_specs

    specs = router_topic_specs(settings)
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        created = await create_missing_topics(admin, specs)
    finally:
        await admin.close()
    return [(topic, topic in created) for topic in sorted(specs)]


def _describe(settings: Settings) -> dict[str, str]:
    from cablerouter.router.topics import router_topic_specs

    out = {}
    for topic, (partitions, replication, configs) in sorted(router_topic_specs(settings).items()):
        extra = "".join(f" {k}={v}" for k, v in sorted(configs.items()))
        out[topic] = f"partitions={partitions} replication={replication}{extra}"
    return out


def _run_create(args: argparse.Namespace) -> int:
    settings = load_settings(os.environ)
    specs = _describe(settings)
    if args.dry_run:
        for topic, spec in specs.items():
            print(f"would create {topic} ({spec}) if missing")
        return 0
    for topic, created in asyncio.run(create(settings)):
        print(f"{'created' if created else 'exists '} {topic} ({specs[topic]})")
    return 0
