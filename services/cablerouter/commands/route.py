"""``cablerouter route``: decode cables and print each one's distribution list as JSON Lines."""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
from collections.abc import Iterator

import msgspec

from cablerouter.config import load_settings, settings_help
from cablerouter.directory import Delivery, Directory, resolve_distribution
from cablerouter.directory_files import load_default_directory, load_directory_file
from cablerouter.errors import CableRouterError, DirectoryError
from cablerouter.telegram import DecodeLimits, decode_telegram

__all__ = ("RouteError", "RouteErrorLine", "RouteLine", "register")


class RouteLine(msgspec.Struct, frozen=True, kw_only=True):
    """One output line: a cable's distribution list."""

    source: str
    id: str | None
    directory_version: str
    deliveries: list[Delivery]


class RouteError(msgspec.Struct, frozen=True, kw_only=True):
    """Why one input could not be routed."""

    reason: str
    line: int | None
    detail: str


class RouteErrorLine(msgspec.Struct, frozen=True, kw_only=True):
    """One output line for an input that failed to decode."""

    source: str
    error: RouteError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "route",
        help="print the distribution list of cables (JSON Lines), offline",
        description="Decode each cable file (a folder means every *.txt in it, `-` or nothing "
        "means one cable on standard input) and resolve it against the routing directory. "
        "Prints one JSON line per cable: source, id, directory_version and deliveries (each "
        "with addressee, topic, role, precedence, via, mcn, flags). An input that fails to "
        'decode prints {"source": ..., "error": {"reason", "line", "detail"}} and makes the '
        "exit code 1. Topic names, limits and the directory file come from the same "
        "CABLEROUTER_* settings the worker reads, so the output predicts the worker's.",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("paths", nargs="*", default=["-"], metavar="PATH", help="cable files or folders, or -")
    p.add_argument(
        "--directory",
        metavar="FILE",
        type=pathlib.Path,
        help="operator directory file (YAML, or JSON by suffix); default: "
        "CABLEROUTER_DIRECTORY_FILE, else the shipped default",
    )
    p.set_defaults(handler=_run)


def load_directory(path: pathlib.Path | None) -> Directory:
    """The operator's directory file if given, else the shipped default."""
    return load_default_directory() if path is None else load_directory_file(path)


def _inputs(paths: list[str]) -> Iterator[tuple[str, bytes]]:
    for name in paths:
        if name == "-":
            yield "-", sys.stdin.buffer.read()
            continue
        path = pathlib.Path(name)
        files = sorted(path.glob("*.txt")) if path.is_dir() else [path]
        for file in files:
            yield str(file), file.read_bytes()


def _run(args: argparse.Namespace) -> int:
    settings = load_settings(os.environ)
    limits = DecodeLimits(max_bytes=settings.max_cable_bytes, max_addressees=settings.max_addressees)
    path = args.directory or (pathlib.Path(settings.directory_file) if settings.directory_file else None)
    try:
        directory = load_directory(path)
    except DirectoryError as exc:
        print(f"cablerouter route: {exc}", file=sys.stderr)
        return 2
    encoder = msgspec.json.Encoder()
    out = sys.stdout.buffer
    status = 0
    try:
        inputs = list(_inputs(args.paths))
    except OSError as exc:
        print(f"cablerouter route: {exc}", file=sys.stderr)
        return 2
    for source, raw in inputs:
        try:
            cable = decode_telegram(raw, limits=limits)
        except CableRouterError as exc:
            status = 1
            line: RouteLine | RouteErrorLine = RouteErrorLine(
                source=source, error=RouteError(reason=exc.reason, line=exc.line, detail=exc.detail)
            )
        else:
            distribution = resolve_distribution(cable, directory, topic_prefix=settings.topic_prefix)
            line = RouteLine(
                source=source,
                id=distribution.cable_id,
                directory_version=distribution.directory_version,
                deliveries=distribution.deliveries,
            )
        out.write(encoder.encode(line) + b"\n")
    out.flush()
    return status
