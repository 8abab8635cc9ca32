"""``cablerouter schemas``: write or check the JSON Schemas in ``schemas/``."""

from __future__ import annotations

import argparse
import pathlib
import sys

from cablerouter.schema import SCHEMAS, render_schema

__all__ = ("register",)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "schemas",
        help="write or check the JSON Schemas generated from the message types",
        description="Generate the JSON Schema of every message type into DIR, or with --check "
        "exit 1 if any file in DIR differs from what the code generates.",
    )
    p.add_argument("dir", type=pathlib.Path, help="the schemas folder (schemas/)")
    p.add_argument("--check", action="store_true", help="only compare; exit 1 on drift")
    p.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    stale = []
    for name in SCHEMAS:
        path = args.dir / name
        text = render_schema(name)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            args.dir.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            print(f"wrote {path}")
    for name in stale:
        print(f"stale: {args.dir / name} (run `cablerouter schemas {args.dir}`)", file=sys.stderr)
    return 1 if stale else 0
