"""``cablerouter route``: decode cables and print each one's distribution list as JSON Lines."""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
from collections.abc import Iterator

import msgspec

from cablerouter.config import load_settings, settings_help
from cablerouter.directory import Delivery, Directory, Exemption, resolve_distribution, resolve_line
from cablerouter.directory_files import load_directory
from cablerouter.errors import CableRouterError, DirectoryError
from cablerouter.telegram import Cable, DecodeLimits, UnreadableLine, decode_telegram

__all__ = ("RouteError", "RouteErrorLine", "RouteLine", "explain", "register")


class RouteLine(msgspec.Struct, frozen=True, kw_only=True):
    """One output line: a cable's distribution list."""

    source: str
    id: str | None
    directory_version: str
    deliveries: list[Delivery]
    exemptions: list[Exemption] = []
    unreadable: list[UnreadableLine] = []


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
        "with addressee, topic, role, precedence, via, mcn, flags, rule, station), exemptions "
        "and unreadable addressee lines. --explain prints instead, for a person, each "
        "delivery with the rule that produced it and the lines that named it. An input that fails to "
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
    p.add_argument(
        "--explain",
        action="store_true",
        help="print each delivery with the resolution rule that produced it and the cable's "
        "lines behind it (text, not JSON)",
    )
    p.set_defaults(handler=_run)


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
    try:
        directory = load_directory(args.directory or settings.directory_file)
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
                exemptions=distribution.exemptions,
                unreadable=cable.unreadable,
            )
            if args.explain:
                out.write(explain(source, cable, line, directory).encode())
                continue
        if args.explain:
            assert isinstance(line, RouteErrorLine)
            out.write(f"{source}: not routed: {line.error.reason}: {line.error.detail}\n\n".encode())
            continue
        out.write(encoder.encode(line) + b"\n")
    out.flush()
    return status


_RULES = {
    "plad": "its PLAD (or an alias) is listed",
    "name_variant": "a spelling variant of a listed name",
    "name_typo": "a misspelling of the name listed under station {station}",
    "station": "not listed: its own topic, at the known station {station}",
    "ri": "an RI-only line: the addressee station {station} serves",
    "unknown": "neither its PLAD nor its routing indicator is in the directory",
    "collective": "a member of {collective}",
}


def explain(source: str, cable: Cable, routed: RouteLine, directory: Directory) -> str:
    """``route --explain``: each delivery, the rule behind it and the lines that named it."""
    day = cable.dtg.date() if cable.dtg is not None else None
    named: dict[str, list[str]] = {}
    for a in (*cable.to, *cable.info):
        resolved = resolve_line(a, directory, day)
        repaired = f" (repaired: {', '.join(a.repairs)})" if a.repairs else ""
        named.setdefault(resolved.id, []).append(f"line {a.line}: {a.raw}{repaired}")
    out = [(f"{source}: {routed.id or '(no id)'}, directory {routed.directory_version}, "
           f"{len(routed.deliveries)} deliveries")]
    for d in routed.deliveries:
        collective = next((v.removeprefix("collective:") for v in d.via if v.startswith("collective:")), "")
        rule = _RULES.get(d.rule, d.rule).format(station=d.station or "?", collective=collective)
        flags = f" [{', '.join(d.flags)}]" if d.flags else ""
        out.append(f"  {d.addressee} -> {d.topic} ({d.role}, {d.precedence or 'no precedence'}){flags}")
        out.append(f"      rule {d.rule}: {rule}; via {', '.join(d.via)}")
        texts = named.get(d.addressee, []) or [t for c in (collective,) if c for t in named.get(c, [])]
        out.extend(f"      {text}" for text in texts)
    for e in routed.exemptions:
        flags = f" [{', '.join(e.flags)}]" if e.flags else ""
        out.append(f"  exempted: {e.addressee} (line {e.line}, from {e.collective or 'no collective'}){flags}")
    out.extend(f"  unreadable {u.block.upper()} line {u.line}: {u.text}" for u in routed.unreadable)
    return "\n".join(out) + "\n\n"
