"""Structured logging for the worker and the CLI: one JSON object per line (or plain text).

Fields passed with ``extra={...}`` become keys of the JSON object, so log lines carry the
cable id, reason, topic, partition and offset as data rather than prose.

Kafka clients log an ERROR per failed request and per metadata refresh; while a broker is
gone that is thousands of lines. :class:`QuietFilter` lets the first line of each kind
through and counts the rest, so an incident reads as one line plus one "repeated N times"
line a minute.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import msgspec

__all__ = ("JsonFormatter", "QuietFilter", "logging_config")

_STANDARD = frozenset(vars(logging.makeLogRecord({})).keys()) | {"message", "asctime"}
_encoder = msgspec.json.Encoder()


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object: time, level, logger, message and extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update({key: value for key, value in vars(record).items()
                    if key not in _STANDARD and not key.startswith("_")})
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


# Logged while a topic that was just created is still reaching every broker's metadata
# (logger, message template): benign while the topic is young.
_YOUNG_TOPIC_NOISE = frozenset({
    ("aiokafka.cluster", "Topic %s not found in cluster metadata"),
    ("aiokafka.cluster", "Topic %s is not available during auto-create initialization"),
})


class _Window:
    __slots__ = ("count", "last", "last_at", "start")

    def __init__(self, start: float, count: int, last: logging.LogRecord | None) -> None:
        self.start = start
        self.count = count
        self.last = last
        self.last_at = start


class QuietFilter(logging.Filter):
    """A handler filter: libraries' repeated warnings and errors once per window,
    young-topic noise demoted.

    A WARNING or above from a library (any logger but ``own``'s: the router's own lines,
    a dead letter's with its cable id for one, are deliberate and always pass) whose
    logger and message template (the unformatted ``msg``) were seen within the last
    ``window`` seconds is held back and counted. When the window is
    over, the count is logged as one WARNING, "message repeated N more times over S s:
    <the last one>" (fields ``repeated``, ``repeated_seconds``), with the next log line
    of any kind; a message still repeating then starts its next window counted, so a
    lasting incident gives one such line a minute and no new first line.

    aiokafka's "Topic ... not found in cluster metadata" (and "... not available during
    auto-create initialization") for a topic first named less than ``young_topic_seconds``
    ago is demoted to DEBUG: the router creates topics and produces to them at once, and
    their metadata reaches every broker a moment later. A topic still missing after that
    is logged at its own level.

    ``level`` is the handler's threshold (demoted records below it are dropped).
    """

    def __init__(self, window: float = 60.0, level: str | int = "INFO",
                 young_topic_seconds: float = 30.0, max_keys: int = 1000,
                 own: str = "cablerouter", clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._own = own
        self._window = window
        self._threshold = level if isinstance(level, int) else logging.getLevelNamesMapping()[level]
        self._young = young_topic_seconds
        self._max_keys = max_keys
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[tuple[str, int, str], _Window] = {}
        self._next_expiry = float("inf")
        self._topics_seen: dict[str, float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_quiet_summary", False):
            return True
        if record.name == self._own or record.name.startswith(self._own + "."):
            return True
        now = self._clock()
        with self._lock:
            due = self._sweep(now) if now >= self._next_expiry else []
            passed = self._decide(record, now, {key for key, _ in due})
        for key, window in due:
            self._emit_summary(key, window)
        return passed

    def _decide(self, record: logging.LogRecord, now: float, continuing: set[tuple[str, int, str]]) -> bool:
        template = record.msg if isinstance(record.msg, str) else repr(type(record.msg))
        if (record.name, template) in _YOUNG_TOPIC_NOISE and record.args:
            topic = str(record.args[0] if isinstance(record.args, tuple) else record.args)
            first = self._topics_seen.setdefault(topic, now)
            if len(self._topics_seen) > 10 * self._max_keys:
                self._topics_seen = {t: at for t, at in self._topics_seen.items()
                                     if now - at <= self._young}
            if now - first <= self._young:
                record.levelno, record.levelname = logging.DEBUG, "DEBUG"
                return self._threshold <= logging.DEBUG
        if record.levelno < logging.WARNING:
            return True
        key = (record.name, record.levelno, template)
        window = self._windows.get(key)
        if window is not None:
            window.count += 1
            window.last = record
            window.last_at = now
            return False
        if len(self._windows) >= self._max_keys:
            return True  # too many kinds at once to keep count of: let it through
        ongoing = key in continuing
        self._windows[key] = _Window(now, 1 if ongoing else 0, record if ongoing else None)
        self._next_expiry = min(self._next_expiry, now + self._window)
        return not ongoing

    def _sweep(self, now: float) -> list[tuple[tuple[str, int, str], _Window]]:
        """Close the windows that are over; returns those with repeats to report."""
        due = []
        for key, window in list(self._windows.items()):
            if now - window.start >= self._window:
                del self._windows[key]
                if window.count:
                    due.append((key, window))
        self._next_expiry = min((w.start + self._window for w in self._windows.values()),
                                default=float("inf"))
        return due

    def _emit_summary(self, key: tuple[str, int, str], window: _Window) -> None:
        name, levelno, template = key
        last = window.last
        assert last is not None
        logger = logging.getLogger(name)
        seconds = round(window.last_at - window.start)
        summary = logger.makeRecord(
            name, min(levelno, logging.WARNING), last.pathname, last.lineno,
            "message repeated %d more times over %d s: %s",
            (window.count, seconds, last.getMessage()), None,
            extra={"repeated": window.count, "repeated_seconds": seconds, "template": template,
                   "_quiet_summary": True},
        )
        logger.handle(summary)


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
        "filters": {"quiet": {"()": QuietFilter, "window": 60.0, "level": level}},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "default",
                       "stream": "ext://sys.stderr", "filters": ["quiet"]},
        },
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            "aiokafka": {"level": "WARNING"},
            "faust": {"level": "WARNING" if level != "DEBUG" else "DEBUG"},
            "mode": {"level": "WARNING" if level != "DEBUG" else "DEBUG"},
            "aiohttp.access": {"level": "WARNING"},
        },
    }
