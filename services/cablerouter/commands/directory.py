"""``cablerouter directory``: show the routing directory, validate an operator's file or publish it live."""

from __future__ import annotations

import argparse
import pathlib
import sys

import msgspec

from cablerouter.config import settings_help
from cablerouter.directory import Directory, directory_document
from cablerouter.directory.variants import variant_key
from cablerouter.directory_files import load_directory
from cablerouter.errors import DirectoryError

__all__ = ("register",)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "directory",
        help="show the routing directory or validate a directory file",
        description="`show` prints the directory (the shipped default, or --directory FILE) "
        "as a directory file; `validate FILE` checks an operator's file and exits 1, naming "
        "the offending entry on standard error, if it is invalid; `publish FILE` puts a file's "
        "entries on CABLEROUTER_DIRECTORY_TOPIC, where every worker applies them live.",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = p.add_subparsers(title="actions", metavar="ACTION", required=True)
    show = sub.add_parser("show", help="print the directory as a file (JSON or YAML)")
    show.add_argument("--directory", metavar="FILE", type=pathlib.Path, help="operator directory file")
    show.add_argument("--format", choices=("json", "yaml"), default="json", help="output format (json)")
    show.add_argument("--summary", action="store_true", help="print only version and entry counts")
    show.add_argument(
        "--stations",
        action="store_true",
        help="print how resolution sees each routing indicator (JSON Lines): whether it is a "
        "relay (it serves several distinct addressees, so PLADs are never matched loosely "
        "under it), the entries it serves, and every name listed under it with the "
        "spelling-variant key a PLAD is compared by",
    )
    show.set_defaults(handler=_show)
    validate = sub.add_parser("validate", help="check a directory file (YAML, or JSON by suffix)")
    validate.add_argument("file", type=pathlib.Path, help="the directory file")
    validate.set_defaults(handler=_validate)
    publish = sub.add_parser(
        "publish",
        help="put a directory file's entries on the live directory topic",
        description="Validate FILE, read CABLEROUTER_DIRECTORY_TOPIC to its end (committed "
        "records) and write, in one transaction, the entries that are new or changed; with "
        "--replace also a tombstone for every entry the topic carries and FILE does not. "
        "Workers apply the records on top of their base directory (CABLEROUTER_DIRECTORY_FILE "
        "or the shipped default) without a restart. Publishing the same file again writes "
        "nothing. Prints what changed; exits 1 if FILE is invalid.",
        epilog=settings_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    publish.add_argument("file", type=pathlib.Path, help="the directory file (YAML, or JSON by suffix)")
    publish.add_argument("--replace", action="store_true",
                         help="also delete the topic's entries that FILE does not carry")
    publish.add_argument("--dry-run", action="store_true",
                         help="print every key that would be added (+), changed (~) or removed (-); write nothing")
    publish.set_defaults(handler=_publish)


def _show(args: argparse.Namespace) -> int:
    try:
        directory = load_directory(args.directory)
    except DirectoryError as exc:
        print(f"cablerouter directory show: {exc}", file=sys.stderr)
        return 1
    source = "the shipped default" if args.directory is None else str(args.directory)
    document = directory_document(
        directory, description=f"Routing directory from {source}, version {directory.version}"
    )
    if args.summary:
        print(
            f"version {directory.version}: {directory.size} entries "
            f"({len(document.stations)} stations, {len(document.addressees)} addressees, "
            f"{len(document.collectives)} collectives; {len(directory.loose().relays)} relay RIs)"
        )
        return 0
    if args.stations:
        _print_stations(directory)
        return 0
    if args.format == "yaml":
        sys.stdout.buffer.write(msgspec.yaml.encode(document))
    else:
        sys.stdout.buffer.write(msgspec.json.format(msgspec.json.encode(document), indent=2) + b"\n")
    return 0


def _publish(args: argparse.Namespace) -> int:
    import asyncio
    import os

    from cablerouter.commands.directory_publish import publish_directory
    from cablerouter.config import load_settings

    settings = load_settings(os.environ)
    try:
        directory = load_directory(args.file)
    except DirectoryError as exc:
        print(f"{args.file}: invalid: {exc}", file=sys.stderr)
        return 1
    plan = asyncio.run(publish_directory(settings, directory, replace=args.replace, dry_run=args.dry_run))
    if args.dry_run:
        for mark, keys in (("+", plan.added), ("~", plan.changed), ("-", plan.removed)):
            for key in keys:
                print(f"{mark} {key}")
    verb = "would write" if args.dry_run else "wrote"
    print(f"{settings.directory_topic}: {len(plan.added)} added, {len(plan.changed)} changed, "
          f"{len(plan.removed)} removed, {len(plan.unchanged)} unchanged; {verb} {len(plan.records)} "
          f"records ({args.file}: {directory.size} entries, version {directory.version})")
    return 0


def _validate(args: argparse.Namespace) -> int:
    try:
        directory = load_directory(args.file)
    except DirectoryError as exc:
        print(f"{args.file}: invalid: {exc}", file=sys.stderr)
        return 1
    print(f"{args.file}: valid, {directory.size} entries, version {directory.version}")
    return 0


class StationView(msgspec.Struct, frozen=True, kw_only=True):
    """One line of ``directory show --stations``."""

    ri: str
    relay: bool
    station_names: list[str]
    serves: list[str]
    names: list[tuple[str, str]]  # (name as listed, its spelling-variant key)


def _print_stations(directory: Directory) -> None:
    loose = directory.loose()
    stations = directory.stations()
    served = directory.served()
    encoder = msgspec.json.Encoder()
    out = sys.stdout.buffer
    for ri in sorted(set(stations) | set(served)):
        station = stations.get(ri)
        names = [name for ids in [served.get(ri, ())] for target_id in ids for name in directory.names_of(target_id)]
        view = StationView(
            ri=ri,
            relay=ri in loose.relays,
            station_names=[n if isinstance(n, str) else n.name for n in station.names] if station else [],
            serves=list(served.get(ri, ())),
            names=[(name, variant_key(name)) for name in dict.fromkeys(names)],
        )
        out.write(encoder.encode(view) + b"\n")
    out.flush()
