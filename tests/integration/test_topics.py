"""The router's own topics on the real broker: created once with the configured partitions
and configs, and `cablerouter publish` creates a missing input topic the same way (brokers
do not auto-create topics), as does `cablerouter topics create` for all of them."""

from __future__ import annotations

import asyncio
import os
import pathlib
import subprocess
import sys

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from cablerouter.config import Settings
from cablerouter.router.topics import ensure_router_topics

from tests.integration.kafkautil import read_to_end

REPO = pathlib.Path(__file__).resolve().parents[2]


async def describe(bootstrap: str, topics: list[str]) -> dict[str, tuple[int, dict[str, str]]]:
    """Topic -> (partitions, the topic configs set on it)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
        configs = await admin.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, t) for t in topics])
    finally:
        await admin.close()
    partitions = {d["topic"]: len(d["partitions"]) for d in described}
    out = {}
    for response in configs:
        for _, _, _, name, entries in response.resources:
            # config_source 1 = DYNAMIC_TOPIC_CONFIG: set on this topic, not a broker default
            out[name] = (partitions[name], {e[0]: e[1] for e in entries if e[3] == 1})
    return out


async def test_router_topics_are_created_once_with_their_specs(bootstrap, unique_name) -> None:
    u = unique_name
    settings = Settings().replace(
        bootstrap_servers=bootstrap, raw_topic=f"{u}.raw", raw_partitions=3,
        deadletter_topic=f"{u}.dead", routed_topic=f"{u}.routed", directory_topic=f"{u}.directory",
        topic_partitions=2,
    )
    names = [f"{u}.raw", f"{u}.dead", f"{u}.routed", f"{u}.directory"]
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        assert await ensure_router_topics(admin, settings) == set(names)
        assert await ensure_router_topics(admin, settings) == set(), "existing topics are kept"
    finally:
        await admin.close()

    got = await describe(bootstrap, names)
    isr = {"min.insync.replicas": "1"}
    assert got == {
        f"{u}.raw": (3, isr),
        f"{u}.dead": (2, isr),
        f"{u}.routed": (2, isr),
        f"{u}.directory": (1, {**isr, "cleanup.policy": "compact"}),
    }


async def test_publish_creates_a_missing_input_topic_like_the_worker(bootstrap, unique_name) -> None:
    topic = f"{unique_name}.raw"
    env = {**os.environ, "CABLEROUTER_BOOTSTRAP_SERVERS": bootstrap, "CABLEROUTER_RAW_TOPIC": topic,
           "CABLEROUTER_RAW_PARTITIONS": "5"}
    env.pop("KAFKA_BOOTSTRAP", None)
    proc = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "cablerouter", "publish", "--quiet", "tests/corpus/seed"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert f"created topic {topic} (5 partitions)" in proc.stderr
    assert (await describe(bootstrap, [topic]))[topic] == (5, {"min.insync.replicas": "1"})
    seed = (REPO / "tests/corpus/seed/10ASTANA179.txt").read_bytes()
    records = (await read_to_end(bootstrap, [topic]))[topic]
    assert [(r.key, r.value) for r in records] == [(b"10ASTANA179", seed)]

    again = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "cablerouter", "publish", "--quiet", "tests/corpus/seed"],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0 and "created topic" not in again.stderr, again.stderr


async def test_topics_create_makes_the_routers_topics_as_the_worker_would(bootstrap, router_env) -> None:
    env = {**os.environ, **router_env, "CABLEROUTER_RAW_PARTITIONS": "3", "CABLEROUTER_TOPIC_PARTITIONS": "2",
           "CABLEROUTER_TOPIC_MIN_INSYNC_REPLICAS": "1"}
    names = [env[f"CABLEROUTER_{k}_TOPIC"] for k in ("RAW", "ROUTED", "DEADLETTER", "DIRECTORY")]

    def create() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cablerouter", "topics", "create"], env=env, cwd=REPO,
                              capture_output=True, text=True, timeout=120)

    first = await asyncio.to_thread(create)
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert sorted(line.split()[1] for line in lines) == sorted(names)
    assert all(line.startswith("created ") for line in lines), first.stdout
    got = await describe(bootstrap, names)
    assert {t: p for t, (p, _) in got.items()} == {names[0]: 3, names[1]: 2, names[2]: 2, names[3]: 1}
    assert got[names[3]][1]["cleanup.policy"] == "compact"
    assert all(configs["min.insync.replicas"] == "1" for _, configs in got.values())

    again = await asyncio.to_thread(create)  # idempotent: every topic exists now
    assert again.returncode == 0, again.stderr
    assert all(line.startswith("exists ") for line in again.stdout.splitlines()), again.stdout
