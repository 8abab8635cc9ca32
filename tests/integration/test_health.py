"""The broker probe with real aiokafka clients: the test broker answers; a refused port and
a listener that never answers do not, and the probe still stops at once."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator

from cablerouter.router.health import BrokerProbe
from cablerouter.router.progress import Progress


@contextlib.asynccontextmanager
async def silent_listener() -> AsyncIterator[str]:
    """``host:port`` of a server that accepts connections and never says a word (a paused
    broker looks like this)."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"127.0.0.1:{port}"
    finally:
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()


async def test_the_test_broker_is_reachable(bootstrap: str) -> None:
    probe = BrokerProbe(bootstrap, progress=Progress(stall_seconds=30), timeout_seconds=5)
    try:
        assert await probe.probe() == ""
        assert await probe.probe() == ""  # the second asks the known brokers directly
    finally:
        await probe.stop()


async def test_a_refused_port_is_unreachable_at_once() -> None:
    probe = BrokerProbe("127.0.0.1:1", progress=Progress(stall_seconds=30), timeout_seconds=3)
    started = time.monotonic()
    error = await probe.probe()
    assert error.startswith("KafkaConnectionError(") and time.monotonic() - started < 2
    await probe.stop()


async def test_a_silent_broker_is_unreachable_after_the_timeout_and_stop_is_prompt() -> None:
    progress = Progress(stall_seconds=30)
    progress.directory_loaded = True
    progress.assign({("raw", 0)}, 0)
    async with silent_listener() as address:
        probe = BrokerProbe(address, progress=progress, timeout_seconds=1, interval_seconds=0.2)
        started = time.monotonic()
        assert await probe.probe() == "no answer within 1 s"
        assert 0.9 < time.monotonic() - started < 3
        await probe.start()
        await asyncio.sleep(1.5)
        r = progress.readiness(time.monotonic())
        assert not r.ready and r.failed == ["broker_unreachable"], r
        started = time.monotonic()
        await probe.stop()  # in the middle of a probe that gets no answer
        assert time.monotonic() - started < 1.5
