"""The fetch wait and isolation level the router sets on Faust's worker consumer reach the
started fetcher.

aiokafka reads ``_fetch_max_wait_ms`` when the consumer starts; this guards that assumption
(pinned versions) on a real broker, where ``start()`` really builds the fetcher.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from cablerouter.config import Settings
from cablerouter.directory_files import load_default_directory
from cablerouter.router.app import create_app


async def test_configured_fetch_wait_reaches_the_started_fetcher(bootstrap) -> None:
    settings = Settings().replace(bootstrap_servers=bootstrap, fetch_max_wait_ms=75)
    router = create_app(settings, registry=CollectorRegistry(), directory=load_default_directory())
    thread = router.app.consumer._thread
    consumer = thread._create_worker_consumer(router.app.transport)
    try:
        await consumer.start()
        assert consumer._fetcher._fetch_max_wait_ms == 75
        assert consumer._fetcher._isolation_level == 1  # aiokafka's READ_COMMITTED
    finally:
        await consumer.stop()
        thread.thread_loop.close()
