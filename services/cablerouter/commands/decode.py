"""``cablerouter decode``: decode telegram files (or stdin) into JSON Lines.

One JSON object per input, in the order given (folders are walked for ``*.txt`` in
sorted order):

* a decoded cable: ``{"source": PATH, ...every Cable field...}``; the fields are those of
  ``schemas/cable.schema.json`` (``id``, ``to``, ``info``, ``xmt``, ``subject``, ``tags``,
  ... with each addressee as ``{"ri", "plad", "zen", "precedence", "mcn", "office",
  "line", "raw"}``, absent values ``null``);
* a failure: ``{"source": PATH, "error": {"reason", "line", "detail", "excerpt"}}`` where
  ``reason`` is a ``DecodeError`` reason code, or ``unreadable`` when the file could not
  be read.

``source`` is ``"-"`` for standard input. The exit code is 0 when every input decoded
and 1 when any failed (all lines are still printed).
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from collections.abc import Iterator

import msgspec

from cablerouter.errors import DecodeError
from cablerouter.telegram import DecodeLimits, decode_telegram

__all__ = ("register",)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "decode",
        help="decode telegram files into JSON Lines (one cable or error per input)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="telegram files, folders (walked for *.txt) or - for standard input (the default)",
    )
    p.add_argument(
        "--max-bytes",
        type=int,
        default=DecodeLimits().max_bytes,
        help="largest input accepted (default: %(default)s)",
    )
    p.add_argument(
        "--max-addressees",
        type=int,
        default=DecodeLimits().max_addressees,
        help="largest number of TO+INFO+XMT addressees (default: %(default)s)",
    )
    p.add_argument("--no-body", action="store_true", help="leave the body out (\"body\": \"\")")
    p.set_defaults(handler=_run)


def _sources(paths: list[str]) -> Iterator[str]:
    for name in paths or ["-"]:
        path = pathlib.Path(name)
        if name != "-" and path.is_dir():
            for file in sorted(path.rglob("*.txt")):
                if file.is_file():
                    yield str(file)
        else:
            yield name


def _run(args: argparse.Namespace) -> int:
    limits = DecodeLimits(max_bytes=args.max_bytes, max_addressees=args.max_addressees)
    encoder = msgspec.json.Encoder()
    out = sys.stdout.buffer
    failed = 0
    for source in _sources(args.paths):
        prefix = b'{"source":' + encoder.encode(source)
        try:
            raw = sys.stdin.buffer.read() if source == "-" else pathlib.Path(source).read_bytes()
        except OSError as exc:
            failed += 1
            error: dict[str, object] = {"reason": "unreadable", "line": None, "detail": str(exc), "excerpt": None}
            out.write(prefix + b',"error":' + encoder.encode(error) + b"}\n")
            continue
        try:
            cable = decode_telegram(raw, limits=limits)
        except DecodeError as exc:
            failed += 1
            error = {"reason": exc.reason, "line": exc.line, "detail": exc.detail, "excerpt": exc.excerpt}
            out.write(prefix + b',"error":' + encoder.encode(error) + b"}\n")
            continue
        if args.no_body:
            cable = msgspec.structs.replace(cable, body="")
        out.write(prefix + b"," + encoder.encode(cable)[1:] + b"\n")
    out.flush()
    return 1 if failed else 0
