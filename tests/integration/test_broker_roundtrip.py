"""The local broker is real: aiokafka and kcat (librdkafka) both produce and consume."""

from __future__ import annotations

import asyncio
import shutil
import subprocess

from tests.integration.kafkautil import consume_all

KCAT = shutil.which("kcat")


async def test_aiokafka_round_trip(bootstrap, topic_factory, producer) -> None:
    topic = await topic_factory()
    sent = [(f"k{i}".encode(), f"value {i}".encode()) for i in range(20)]
    for key, value in sent:
        await producer.send(topic, value, key=key)
    await producer.flush()
    got = await consume_all(bootstrap, topic, expect=len(sent))
    assert [(r.key, r.value) for r in got] == sent


async def test_kcat_produces_what_aiokafka_consumes(bootstrap, topic_factory) -> None:
    assert KCAT, "kcat is not installed (deploy/setup installs it)"
    topic = await topic_factory()
    lines = "".join(f"key{i}:line {i} from kcat\n" for i in range(10))
    proc = await asyncio.to_thread(
        subprocess.run,
        [KCAT, "-b", bootstrap, "-t", topic, "-P", "-K:", "-X", "acks=all"],
        input=lines.encode(), capture_output=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    got = await consume_all(bootstrap, topic, expect=10)
    assert [(r.key, r.value) for r in got] == [
        (f"key{i}".encode(), f"line {i} from kcat".encode()) for i in range(10)
    ]


async def test_aiokafka_produces_what_kcat_consumes(bootstrap, topic_factory, producer) -> None:
    assert KCAT, "kcat is not installed (deploy/setup installs it)"
    topic = await topic_factory()
    for i in range(10):
        await producer.send(topic, f"payload {i}".encode(), key=f"k{i}".encode(),
                            headers=[("content-type", b"text/plain")])
    await producer.flush()
    proc = await asyncio.to_thread(
        subprocess.run,
        [KCAT, "-b", bootstrap, "-t", topic, "-C", "-o", "beginning", "-e", "-c", "10",
         "-f", "%k|%s|%h\n"],
        capture_output=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode().splitlines() == [
        f"k{i}|payload {i}|content-type=text/plain" for i in range(10)
    ]
