"""The router's Faust transport: Faust's aiokafka driver with a configurable fetch wait.

Faust builds its worker consumer with ``fetch_max_wait_ms=1500`` written into the driver,
and aiokafka keeps one fetch request in flight per broker. When some input partitions have
run dry, the broker holds that fetch for the full wait, and partitions whose records were
just processed are not fetched again until it returns: a burst of cables stalls for up to
1.5 s at a time (measured in ``bench/pipeline.py``; see ``bench/RESULTS.md``). The classes
here change that value, from :attr:`Settings.fetch_max_wait_ms`, make the worker consumer
read ``read_committed`` (an upstream publisher's aborted transaction is never routed), and
turn Faust's own offset commits off: the router commits input offsets in its transactions
(:mod:`cablerouter.router.sink`).
"""

from __future__ import annotations

from typing import Any

import aiokafka
import faust
from faust.transport.drivers import aiokafka as faust_aiokafka

__all__ = ("RouterTransport",)


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport: Any) -> aiokafka.AIOKafkaConsumer:
        consumer = super()._create_worker_consumer(transport)
        # aiokafka reads this when the consumer starts and builds its fetcher; Faust offers
        # no way to set it (pinned: faust-streaming 0.15.3, aiokafka 0.14.0; a unit test
        # checks that the started consumer's fetcher uses it).
        consumer._fetch_max_wait_ms = transport.fetch_max_wait_ms
        # Faust reads read_committed only under its own exactly-once mode, which the router
        # does not use (its transactions are its own): an upstream publisher's aborted
        # transaction would otherwise be routed. Read at start, like the fetch wait.
        consumer._isolation_level = "read_committed"
        return consumer


class _Consumer(faust_aiokafka.Consumer):
    async def _commit(self, offsets: Any) -> bool:
        # The router's transactions are the only committers of input offsets (each with
        # the outcomes it commits). Faust's own commit would commit offsets whose
        # transaction is still open, or across a gap; answering "done" without writing
        # keeps Faust's bookkeeping of acked offsets bounded.
        return True

    def _new_consumer_thread(self) -> faust_aiokafka.AIOKafkaConsumerThread:
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class RouterTransport(faust_aiokafka.Transport):
    """Faust's aiokafka transport whose worker consumer waits at most ``fetch_max_wait_ms``.

    Assign an instance to ``app.transport`` before the app starts.
    """

    Consumer = _Consumer

    def __init__(self, url: Any, app: faust.App, *, fetch_max_wait_ms: int, **kwargs: Any) -> None:
        self.fetch_max_wait_ms = fetch_max_wait_ms
        super().__init__(url, app, **kwargs)
