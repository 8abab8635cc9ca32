"""The worker's HTTP edge: ``/healthz``, ``/readyz`` and ``/metrics``.

It is started with the app (before partitions are assigned) so liveness answers while a
rebalance or recovery is still under way. ``/readyz`` is :class:`Readiness` as JSON: 200
when every rule of :mod:`cablerouter.router.progress` holds, else 503 with the codes of
the failed rules in ``failed`` and the first one's explanation in ``reason``.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import msgspec
from aiohttp import web
from mode import Service
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from cablerouter.router.progress import Readiness

__all__ = ("WebService", "build_web_app")

_json = msgspec.json.Encoder()


def build_web_app(
    *, registry: CollectorRegistry, readiness: Callable[[float], Readiness]
) -> web.Application:
    """The aiohttp application serving the three endpoints."""

    async def healthz(_: web.Request) -> web.Response:
        return web.Response(body=b'{"status":"ok"}', content_type="application/json")

    async def readyz(_: web.Request) -> web.Response:
        state = readiness(time.monotonic())
        return web.Response(
            body=_json.encode(state), status=200 if state.ready else 503,
            content_type="application/json", headers={"Cache-Control": "no-store"},
        )

    async def metrics(request: web.Request) -> web.Response:
        # `?name[]=...` limits the answer to those samples, as prometheus_client's own
        # handlers do: a cheap scrape for callers that poll one counter often.
        names = request.query.getall("name[]", [])
        source = registry.restricted_registry(names) if names else registry
        return web.Response(
            body=generate_latest(source), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    return app


class WebService(Service):
    """Runs :func:`build_web_app` on ``host:port`` for the lifetime of the worker."""

    def __init__(self, app: web.Application, *, host: str, port: int, **kwargs) -> None:
        self._web_app = app
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None
        super().__init__(**kwargs)

    async def on_start(self) -> None:
        self._runner = web.AppRunner(self._web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self._host, self._port, reuse_address=True)
        await site.start()
        self.log.info("serving /healthz /readyz /metrics on http://%s:%s", self._host, self._port)

    async def on_stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
