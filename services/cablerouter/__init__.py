"""cablerouter: a Kafka-native message switch for ACP 127 / State Department telegrams."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("cablerouter")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ("__version__",)
