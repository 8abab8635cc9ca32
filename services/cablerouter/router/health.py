"""Evidence for readiness that the routing itself does not produce: whether the Kafka
cluster answers, and the age of the oldest batch in flight as a gauge.

A worker whose brokers are all gone still holds its partitions and has no lag it can see,
so its progress alone looks healthy. :class:`BrokerProbe` asks the cluster something
cheap every few seconds with a client of its own and reports each answer (or its
absence) to :meth:`Progress.broker_reachable`; ``/readyz`` turns red on the first probe
without an answer and green on the next one with one.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from typing import Any, Protocol

from aiokafka.errors import KafkaConnectionError
from aiokafka.protocol.metadata import MetadataRequest
from mode import Service
from prometheus_client import Gauge

from cablerouter.router.progress import Progress

__all__ = ("BrokerProbe", "track_oldest_batch_age")

log = logging.getLogger("cablerouter.router.health")


def track_oldest_batch_age(gauge: Gauge, progress: Progress, *,
                           clock: Callable[[], float] = time.monotonic) -> None:
    """Make ``gauge`` read :meth:`Progress.oldest_batch_age` whenever it is scraped (so it
    is always current and nothing else may ``set`` it)."""
    gauge.set_function(lambda: progress.oldest_batch_age(clock()))


class ProbeClient(Protocol):
    """What the probe needs of :class:`aiokafka.client.AIOKafkaClient`."""

    cluster: Any

    async def bootstrap(self) -> None: ...
    async def send(self, node_id: Any, request: Any) -> Any: ...
    async def close(self) -> None: ...


class BrokerProbe(Service):
    """Probe the cluster every ``interval_seconds`` and report to ``progress``.

    A probe sends a metadata request without topics (a few hundred bytes, whatever the
    number of topics) to every broker the client knows at once; the first answer within
    ``timeout_seconds`` counts as reachable, so one dead or paused broker of several does
    not make the cluster look unreachable. Until the client has bootstrapped, and after a
    probe that no broker answered, the next probe bootstraps a fresh client from
    ``bootstrap_servers`` (in random order).

    Starting never waits for the cluster, and stopping is bounded by ``timeout_seconds``
    whether or not the cluster answers. ``metrics`` (a :class:`RouterMetrics`), when
    given, gets its ``oldest_batch_age`` gauge tied to ``progress``.
    """

    def __init__(self, bootstrap_servers: str, *, progress: Progress, metrics: Any = None,
                 interval_seconds: float = 5.0, timeout_seconds: float = 3.0,
                 client_id: str = "cablerouter-health",
                 client_factory: Callable[[list[str]], ProbeClient] | None = None,
                 clock: Callable[[], float] = time.monotonic, **kwargs: Any) -> None:
        self._servers = [s.strip() for s in bootstrap_servers.split(",") if s.strip()]
        self._progress = progress
        self._interval = interval_seconds
        self._timeout = timeout_seconds
        self._client_id = client_id
        self._client_factory = client_factory or self._aiokafka_client
        self._clock = clock
        self._client: ProbeClient | None = None
        self._task: asyncio.Future[None] | None = None
        self._down_since: float | None = None
        if metrics is not None:
            track_oldest_batch_age(metrics.oldest_batch_age, progress, clock=clock)
        super().__init__(**kwargs)

    def _aiokafka_client(self, servers: list[str]) -> ProbeClient:
        from aiokafka.client import AIOKafkaClient

        return AIOKafkaClient(
            bootstrap_servers=servers, client_id=self._client_id,
            request_timeout_ms=int(self._timeout * 1000),
            # Its own refresh asks for every topic's metadata: never needed here.
            metadata_max_age_ms=24 * 3600 * 1000,
        )

    # -- one probe --------------------------------------------------------------------------
    async def probe(self) -> str:
        """Ask the cluster once; ``""`` when a broker answered, else what went wrong."""
        try:
            if self._client is None:
                await self._bootstrap()
            assert self._client is not None
            # Also right after bootstrapping: the brokers' advertised addresses, which the
            # router's clients use, may not answer where the bootstrap servers did.
            await asyncio.wait_for(self._ask_any(self._client), self._timeout)
        except Exception as exc:  # noqa: BLE001 - every failure means "no answer"
            await self._drop_client()
            if isinstance(exc, asyncio.TimeoutError):
                return f"no answer within {self._timeout:g} s"
            return repr(exc)
        return ""

    async def _bootstrap(self) -> None:
        servers = random.sample(self._servers, len(self._servers))
        client = self._client_factory(servers)
        self._client = client
        # Each bootstrap server may take the whole timeout before the next is tried.
        await asyncio.wait_for(client.bootstrap(), self._timeout * max(1, len(servers)))

    async def _ask_any(self, client: ProbeClient) -> None:
        nodes = [broker.nodeId for broker in client.cluster.brokers()]
        if not nodes:
            raise KafkaConnectionError("no broker known")
        pending = {asyncio.ensure_future(client.send(node, MetadataRequest([]))) for node in nodes}
        error: BaseException | None = None
        try:
            while pending:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                finished = [t for t in done if not t.cancelled()]
                answers = [t.result() for t in finished if t.exception() is None]
                if answers:
                    client.cluster.update_metadata(answers[0])  # learn new brokers
                    return
                error = next((t.exception() for t in finished), error)
            raise error or KafkaConnectionError("every request was cancelled")
        finally:
            for task in pending:
                task.add_done_callback(_retrieve)
                task.cancel()

    async def _drop_client(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            try:
                await asyncio.wait_for(client.close(), self._timeout)
            except BaseException as exc:
                if isinstance(exc, asyncio.CancelledError):
                    raise
                log.debug("closing the probe's client failed", extra={"error": repr(exc)})

    def _report(self, error: str, now: float) -> None:
        self._progress.broker_reachable(not error, now, error)
        if error and self._down_since is None:
            self._down_since = now
            log.error("Kafka cluster unreachable: no broker answers",
                      extra={"error": error, "bootstrap_servers": ",".join(self._servers)})
        elif not error and self._down_since is not None:
            log.info("Kafka cluster reachable again",
                        extra={"unreachable_seconds": round(now - self._down_since, 1)})
            self._down_since = None

    # -- the service ------------------------------------------------------------------------
    async def _run(self) -> None:
        while True:
            started = self._clock()
            self._report(await self.probe(), self._clock())
            await asyncio.sleep(max(0.0, self._interval - (self._clock() - started)))

    async def on_start(self) -> None:
        self._task = asyncio.ensure_future(self._run())

    async def on_stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait([task], timeout=self._timeout)
        await self._drop_client()


def _retrieve(task: asyncio.Future[Any]) -> None:
    """Fetch a cancelled probe request's outcome, so it is never reported as lost."""
    if not task.cancelled():
        task.exception()
