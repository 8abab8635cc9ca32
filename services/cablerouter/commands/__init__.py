"""Sub-commands of the ``cablerouter`` console script, one module each.

Each module exposes ``register(subparsers)``, which adds its parser and sets
``handler=<callable(args) -> int>`` as a default. ``cablerouter.cli`` lists the modules.
"""
