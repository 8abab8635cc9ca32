"""Build the Faust application of the router: topics, the agent, progress and lag timers.

There is no module-level app: :func:`create_app` builds one from :class:`Settings`, an
injected Prometheus registry and the starting directory.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
import time
from collections.abc import Callable
from typing import Any

import faust
from faust.types import TP
from prometheus_client import CollectorRegistry

from cablerouter.config import Settings
from cablerouter.directory import Directory
from cablerouter.metrics import RouterMetrics
from cablerouter.router.batch import BatchRouter, SourceRecord, stage_for
from cablerouter.router.directory_feed import DirectoryFeed
from cablerouter.router.prepare import Stage
from cablerouter.router.progress import Progress
from cablerouter.router.retry import Backoff
from cablerouter.router.sink import DeliverySink
from cablerouter.router.topics import ensure_router_topics
from cablerouter.router.transport import RouterTransport

__all__ = ("Router", "create_app")

log = logging.getLogger("cablerouter.router")


class Router:
    """The parts of one router instance, for the worker command and for tests."""

    def __init__(self, app: faust.App, *, metrics: RouterMetrics, progress: Progress,
                 feed: DirectoryFeed, sink: DeliverySink, registry: CollectorRegistry,
                 raw_topic: str) -> None:
        self.app = app
        self._raw_topic = raw_topic
        self.metrics = metrics
        self.progress = progress
        self.feed = feed
        self.sink = sink
        self.registry = registry
        self._lag_series: set[tuple[str, str]] = set()

    async def update_lag(self) -> None:
        """Refresh the lag gauges from the consumer's high-water marks.

        A partition this worker has not routed anything from yet (for example one it took
        over fully consumed) is measured from the consumer's position, not from zero. The
        gauge of a partition no longer assigned is removed: its new owner reports its lag.
        """
        consumer = self.app.consumer
        assigned = {(tp.topic, str(tp.partition)) for tp in consumer.assignment()}
        for labels in self._lag_series - assigned:
            self.metrics.consumer_lag.remove(*labels)
        self._lag_series &= assigned
        for tp in consumer.assignment():
            if tp.topic != self._raw_topic:  # Faust's own internal topics are not input
                continue
            try:
                highwater = consumer.highwater(tp)
                position = (None if self.progress.next_offset(tp.topic, tp.partition) is not None
                            else await consumer.position(tp))
            except Exception:  # noqa: BLE001, S112 - not known yet right after assignment
                continue
            if highwater is None:
                continue
            lag = self.progress.observe_highwater(tp.topic, tp.partition, highwater, position)
            self.metrics.consumer_lag.labels(tp.topic, str(tp.partition)).set(lag)
            self._lag_series.add((tp.topic, str(tp.partition)))


class _RouterApp(faust.App):
    """Faust's app that creates the router's topics before anything else starts (the
    consumer must not subscribe to an input topic that does not exist yet: with
    ``auto.create.topics.enable=false`` it would wait for a metadata refresh, and with it
    the broker would create the topic with its default partition count)."""

    router_settings: Settings | None = None

    async def on_first_start(self) -> None:
        if self.router_settings is not None:
            await create_router_topics(self.router_settings)
        await super().on_first_start()


async def create_router_topics(settings: Settings) -> set[str]:
    """Create the router's own topics (input, dead-letter, audit, directory) that are
    missing, retrying with back-off for ``stage_retry_seconds``; returns those created."""
    from aiokafka.admin import AIOKafkaAdminClient

    backoff = Backoff(settings.stage_retry_seconds)
    while True:
        admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers,
                                    request_timeout_ms=10_000)
        try:
            await admin.start()
            created = await ensure_router_topics(admin, settings)
            if created:
                log.info("created the router's topics", extra={"topics": sorted(created)})
            return created
        except Exception as exc:
            delay = backoff.next()
            if delay is None:
                log.error("could not create the router's topics; stopping",
                          extra={"error": repr(exc)})
                raise
            log.warning("creating the router's topics failed; retrying",
                        extra={"error": repr(exc), "retry_in": delay})
        finally:
            with contextlib.suppress(Exception):  # never started
                await admin.close()
        await asyncio.sleep(delay)


def state_directory(settings: Settings) -> str:
    """Faust's data directory: ``<app id>-data`` under ``state_dir``, or under
    ``cablerouter`` in the system's temporary directory (never the working directory)."""
    base = settings.state_dir or os.path.join(tempfile.gettempdir(), "cablerouter")
    os.makedirs(base, exist_ok=True)  # Faust creates only the last level
    return os.path.join(base, f"{settings.app_id}-data")


def _broker_urls(bootstrap: str) -> list[str]:
    return [f"kafka://{hostport.strip()}" for hostport in bootstrap.split(",") if hostport.strip()]


def create_app(settings: Settings, *, registry: CollectorRegistry, directory: Directory) -> Router:
    """Create the router's Faust app.

    Parameters
    ----------
    settings
        Everything configurable (see :class:`cablerouter.config.Settings`).
    registry
        The Prometheus registry the router's metrics are registered in.
    directory
        The routing directory to start from; live updates from the directory topic are
        applied on top of it.
    """
    app = _RouterApp(
        settings.app_id,
        broker=_broker_urls(settings.bootstrap_servers),
        autodiscover=False,
        store="memory://",
        key_serializer="raw",
        value_serializer="raw",
        topic_partitions=settings.raw_partitions,
        topic_replication_factor=settings.topic_replication,
        consumer_auto_offset_reset="earliest",
        web_enabled=False,
        broker_session_timeout=settings.session_timeout_seconds,
        broker_heartbeat_interval=settings.heartbeat_seconds,
        datadir=state_directory(settings),
        stream_wait_empty=True,
    )
    app.router_settings = settings
    app.transport = RouterTransport(app.conf.broker_consumer, app,
                                    fetch_max_wait_ms=settings.fetch_max_wait_ms)
    metrics = RouterMetrics(registry, max_addressees=settings.metric_addressees_max)
    progress = Progress(stall_seconds=settings.stall_seconds)

    def loaded() -> None:
        progress.directory_loaded = True

    feed = DirectoryFeed(settings, initial=directory, metrics=metrics, on_loaded=loaded,
                         loop=None)
    sink = DeliverySink(settings)
    stage = stage_for(settings)
    batch_router = BatchRouter(settings, sink=sink, metrics=metrics, progress=progress,
                               directory=lambda: feed.current, stage=stage)
    router = Router(app, metrics=metrics, progress=progress, feed=feed, sink=sink,
                    registry=registry, raw_topic=settings.raw_topic)

    raw_cables_topic = app.topic(
        settings.raw_topic, key_type=bytes, value_type=bytes,
        key_serializer="raw", value_serializer="raw", partitions=settings.raw_partitions,
    )

    # One actor: Faust hands the actors of one agent events from a shared queue, so two
    # would interleave a partition's offsets and neither could commit its part in order.
    # The batch router keeps ``agent_concurrency`` batches in flight instead, and commits
    # each partition's parts in input order.
    @app.agent(raw_cables_topic, name="route_cables", concurrency=1)
    async def route_cables(stream: faust.StreamT[Any]) -> None:
        """Decode, resolve and fan out each raw cable; bad input is dead-lettered."""
        assert isinstance(stream, faust.Stream)  # take_events is not on the StreamT interface
        await feed.loaded.wait()
        async for events in stream.take_events(settings.batch_size, within=settings.batch_seconds):
            # Returns once the batch is on its way; it commits in its own transactions.
            # Acking the events (when the loop comes back) commits nothing: Faust's own
            # offset commits are turned off (RouterTransport).
            await batch_router.submit([
                SourceRecord(
                    topic=e.message.topic, partition=e.message.partition,
                    offset=e.message.offset, timestamp=e.message.timestamp,
                    key=e.message.key, value=e.message.value,
                )
                for e in events
            ])

    # mode's signal-handler type (extended Callable syntax) accepts no function under mypy,
    # not even one of its exact signature: hence the two ignores.
    @app.on_partitions_revoked.connect  # type: ignore[arg-type]
    async def on_revoked(app: faust.App, revoked: set[TP], **kwargs: Any) -> None:
        # Finish what is in flight while this worker still owns the partitions; their
        # next owner starts from the offsets committed here.
        mine = [(tp.topic, tp.partition) for tp in revoked if tp.topic == settings.raw_topic]
        await batch_router.drain()
        batch_router.forget(mine)
        await sink.release(mine)

    @app.on_partitions_assigned.connect  # type: ignore[arg-type]
    async def on_assigned(app: faust.App, assigned: set[TP], **kwargs: Any) -> None:
        mine = {(tp.topic, tp.partition) for tp in assigned if tp.topic == settings.raw_topic}
        progress.assign(mine, time.monotonic())
        log.info("input partitions assigned", extra={"partitions": sorted(p for _, p in mine)})

    @app.timer(interval=1.0)
    async def refresh_lag() -> None:
        await router.update_lag()

    app.add_dependency(sink_service(sink, batch_router, settings))
    app.add_dependency(stage_service(stage, lambda: feed.current))
    app.add_dependency(feed)
    return router


def stage_service(stage: Stage, directory: Callable[[], Directory]):
    """Start the decoding processes with the app (so the first batch does not wait for
    them) and stop them with it."""
    from mode import Service

    class _StageService(Service):
        async def on_start(self) -> None:
            await stage.start(directory())

        async def on_stop(self) -> None:
            await asyncio.to_thread(stage.close)

    return _StageService()


def sink_service(sink: DeliverySink, batch_router: BatchRouter, settings: Settings):
    """Wrap the sink in a :class:`mode.Service`: it starts with the app, creates the
    router's own output topics, and on stop lets the batches in flight commit (for at most
    ``shutdown_seconds``; what does not commit is aborted and routed again later)."""
    from mode import Service

    class _SinkService(Service):
        async def on_start(self) -> None:
            await sink.start()

        async def on_stop(self) -> None:
            try:
                await asyncio.wait_for(batch_router.drain(), timeout=settings.shutdown_seconds / 2)
            except TimeoutError:
                log.warning("batches still in flight at shutdown; their input is routed again")
            await sink.stop()

    return _SinkService()
