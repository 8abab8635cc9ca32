"""The ``cablerouter`` console script: parses arguments and dispatches to a sub-command."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from cablerouter import __version__
from cablerouter.errors import CableRouterError

__all__ = ("build_parser", "main")

# Sub-command modules under cablerouter.commands, in the order --help lists them.
COMMANDS: tuple[str, ...] = (
    "worker",
    "publish",
    "tail",
    "summary",
    "decode",
    "route",
    "directory",
    "topics",
    "schemas",
)

DESCRIPTION = """\
cablerouter routes ACP 127 / State Department telegrams ("cables") through Kafka:
raw cable text on `cables.raw` is decoded, its addressees (direct RI/PLAD lines,
collectives, XMT exemptions) are resolved against a routing directory, and one
enriched copy is delivered to each addressee's own topic. Rejected input goes to
`cables.deadletter` with its reason.

Configuration comes from CABLEROUTER_* environment variables (see the README)."""


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered sub-command."""
    parser = argparse.ArgumentParser(
        prog="cablerouter",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"cablerouter {__version__}")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for name in COMMANDS:
        module = importlib.import_module(f"cablerouter.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except CableRouterError as exc:  # bad settings, bad directory file, ...
        print(f"cablerouter: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from aiokafka.errors import KafkaError

        if isinstance(exc, KafkaError):
            print(f"cablerouter: Kafka error: {exc!r} (is the broker at "
                  "CABLEROUTER_BOOTSTRAP_SERVERS running?)", file=sys.stderr)
            return 1
        raise
