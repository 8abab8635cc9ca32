"""Structured logging for the worker and the CLI: one JSON object per line (or plain text).

Fields passed with ``extra={...}`` become keys of the JSON object, so log lines carry the
cable id, reason, topic, partition and offset as data rather than prose.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import msgspec

__all__ = ("JsonFormatter", "logging_config")

_STANDARD = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}
_encoder = msgspec.json.Encoder()


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message and extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return _encoder.encode(out).decode() if _encodable(out) else repr(out)


def _encodable(obj: dict[str, Any]) -> bool:
    try:
        _encoder.encode(obj)
    except (TypeError, msgspec.EncodeError):
        for key, value in list(obj.items()):
            try:
                _encoder.encode(value)
            except (TypeError, msgspec.EncodeError):
                obj[key] = repr(value)
    return True


def logging_config(level: str, fmt: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for ``level`` and ``fmt`` (``json`` or ``text``)."""
    formatter = (
        {"()": JsonFormatter}
        if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "default",
                       "stream": "ext://sys.stderr"},
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "aiokafka": {"level": "WARNING"},
            "faust": {"level": "WARNING" if level != "DEBUG" else "DEBUG"},
            "mode": {"level": "WARNING" if level != "DEBUG" else "DEBUG"},
            "aiohttp.access": {"level": "WARNING"},
        },
    }
