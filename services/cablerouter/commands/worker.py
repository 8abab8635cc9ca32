"""``cablerouter worker``: run the router (a Faust worker) until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import gc
import os

from cablerouter.config import load_settings, settings_help

__all__ = ("register",)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "worker",
        help="run the streaming router: cables.raw -> one enriched copy per addressee topic",
        description="Consume raw cables, decode them, resolve their addressees against the "
        "routing directory and deliver one enriched copy to each addressee's topic. Bad input "
        "goes to the dead-letter topic with its reason. Serves /healthz, /readyz and /metrics. "
        "Stops gracefully on SIGTERM/SIGINT (finishing the batch in flight). Several workers "
        "with the same CABLEROUTER_APP_ID share the input partitions.",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    import faust
    from prometheus_client import CollectorRegistry

    from cablerouter.directory_files import load_default_directory, load_directory_file
    from cablerouter.logs import logging_config
    from cablerouter.router.app import create_app
    from cablerouter.web import WebService, build_web_app

    settings = load_settings(os.environ)
    directory = (
        load_directory_file(settings.directory_file)
        if settings.directory_file
        else load_default_directory()
    )
    registry = CollectorRegistry()
    router = create_app(settings, registry=registry, directory=directory)
    web_app = build_web_app(
        registry=registry,
        readiness=router.progress.readiness,
    )
    router.app.add_dependency(WebService(web_app, host=settings.web_host, port=settings.web_port))
    worker = faust.Worker(
        router.app,
        loglevel=settings.log_level,
        logging_config=logging_config(settings.log_level, settings.log_format),
        quiet=True,
    )
    # What is built so far (the directory and its indexes, the app) lives as long as the
    # process: freeze it out of the cyclic collector's way, so that the full collections
    # routing's allocations trigger scan only young objects, and collect the youngest
    # generation every 20,000 allocations instead of 700 (batches in flight hold many
    # objects that were scanned over and over). How much it saved, and how that was
    # measured: bench/RESULTS.md, "Pipeline", third round.
    gc.collect()
    gc.freeze()
    gc.set_threshold(20_000, 10, 10)
    worker.execute_from_commandline()
    return 0
