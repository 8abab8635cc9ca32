"""Live routing-directory updates from the compacted topic ``cables.directory``.

Every worker reads the whole topic (no consumer group: each worker needs every entry),
starting from the built-in or operator directory and applying each record in order with
:func:`cablerouter.directory.apply_update`. The worker is not ready until it has caught up
with the topic's end as it was at start-up; later updates apply as they arrive, so cables
routed after an update see it without a restart.
"""

from __future__ import annotations

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from mode import Service

from cablerouter.config import Settings
from cablerouter.directory import Directory, apply_update, apply_updates
from cablerouter.errors import CableRouterError
from cablerouter.metrics import RouterMetrics
from cablerouter.router.topics import create_missing_topics, directory_topic_spec

__all__ = ("DirectoryFeed",)

log = logging.getLogger("cablerouter.directory")


class DirectoryFeed(Service):
    """Holds the current directory snapshot and keeps it up to date from Kafka.

    Parameters
    ----------
    settings
        Bootstrap servers and the directory topic name.
    initial
        The directory to start from (built-in default or the operator's file).
    metrics
        Directory size, version and update counters.
    on_loaded
        Called once the topic has been read up to its end as of start-up.
    """

    def __init__(self, settings: Settings, *, initial: Directory, metrics: RouterMetrics,
                 on_loaded=lambda: None, **kwargs) -> None:
        self._settings = settings
        self._current = initial
        self._metrics = metrics
        self._on_loaded = on_loaded
        self._consumer: AIOKafkaConsumer | None = None
        self.loaded = asyncio.Event()
        super().__init__(**kwargs)
        self._publish_metrics()

    @property
    def current(self) -> Directory:
        return self._current

    def _publish_metrics(self) -> None:
        self._metrics.directory_entries.set(self._current.size)
        self._metrics.directory_info.info({"version": str(self._current.version)})

    async def _ensure_topic(self) -> None:
        s = self._settings
        admin = AIOKafkaAdminClient(bootstrap_servers=s.bootstrap_servers)
        await admin.start()
        try:
            await create_missing_topics(admin, {s.directory_topic: directory_topic_spec(s)})
        finally:
            await admin.close()

    async def on_start(self) -> None:
        await self._ensure_topic()
        s = self._settings
        # read_committed: an update a publisher wrote in a transaction and aborted is never
        # applied (and "loaded" is the end of the last committed one).
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=s.bootstrap_servers, group_id=None, enable_auto_commit=False,
            auto_offset_reset="earliest", isolation_level="read_committed",
        )
        await self._consumer.start()
        partitions = self._consumer.partitions_for_topic(s.directory_topic) or {0}
        tps = [TopicPartition(s.directory_topic, p) for p in sorted(partitions)]
        self._consumer.assign(tps)
        await self._consumer.seek_to_beginning(*tps)
        end = await self._consumer.end_offsets(tps)
        self._end_at_start = dict(end.items())
        self.add_future(self._run(tps))

    async def on_stop(self) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    async def _run(self, tps: list[TopicPartition]) -> None:
        self._position: dict[TopicPartition, int] = {}
        if all(off == 0 for off in self._end_at_start.values()):
            self._mark_loaded()
        consumer = self._consumer
        assert consumer is not None
        while not self.should_stop:
            batch = await consumer.getmany(timeout_ms=500)
            records = [r for tp_records in batch.values() for r in tp_records]
            if records:
                self._apply_batch(records)
            if not self.loaded.is_set():
                # The consumer's position, not the last record's offset + 1: a topic written
                # in transactions ends with a marker no consumer receives as a record.
                for tp in tps:
                    self._position[tp] = await consumer.position(tp)
                if all(self._position[tp] >= self._end_at_start[tp] for tp in tps):
                    self._mark_loaded()

    def _mark_loaded(self) -> None:
        self.loaded.set()
        log.info("directory loaded", extra={"version": str(self._current.version),
                                             "entries": self._current.size})
        self._on_loaded()

    def _apply_batch(self, records: list) -> None:
        """Apply a fetched batch at once (one re-index); isolate bad records if any."""
        pairs = [((r.key or b"").decode("utf-8", "replace"), r.value) for r in records]
        try:
            self._current = apply_updates(self._current, pairs)
        except CableRouterError:
            for r in records:
                self._apply(r.key, r.value, r.offset)
            return
        self._metrics.directory_updates.inc(len(records))
        self._publish_metrics()

    def _apply(self, key: bytes | None, value: bytes | None, offset: int) -> None:
        name = (key or b"").decode("utf-8", "replace")
        try:
            self._current = apply_update(self._current, name, value)
        except CableRouterError as exc:
            # A bad update must not stop routing: it is logged and skipped, the previous
            # snapshot stays in force.
            log.error("directory update rejected",
                      extra={"key": name, "offset": offset, "reason": exc.reason, "detail": exc.detail})
            return
        self._metrics.directory_updates.inc()
        self._publish_metrics()
