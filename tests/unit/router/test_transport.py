"""The router's Faust transport builds its worker consumer with the configured fetch wait
(Faust writes 1,500 ms into its driver; a long wait stalls bursts of input)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from cablerouter.config import Settings
from cablerouter.directory_files import load_default_directory
from cablerouter.router.app import create_app
from cablerouter.router.transport import RouterTransport


async def test_worker_consumer_gets_the_configured_fetch_wait() -> None:
    router = create_app(Settings().replace(fetch_max_wait_ms=75), registry=CollectorRegistry(),
                        directory=load_default_directory())
    app = router.app
    assert isinstance(app.transport, RouterTransport)
    thread = app.consumer._thread
    consumer = thread._create_worker_consumer(app.transport)
    try:
        assert consumer._fetch_max_wait_ms == 75
        assert consumer._isolation_level == "read_committed"  # upstream aborts are never routed
        # Everything else is Faust's: the group is the app id, offsets are committed by Faust.
        assert consumer._group_id == "cablerouter"
        assert consumer._enable_auto_commit is False
    finally:
        await consumer.stop()
        thread.thread_loop.close()  # the consumer thread's own loop, never started here
