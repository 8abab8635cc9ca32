import json
import logging

import pytest

from cablerouter.logs import JsonFormatter


def test_json_lines_carry_extra_fields() -> None:
    record = logging.makeLogRecord({
        "name": "cablerouter.router", "levelname": "WARNING", "msg": "cable dead-lettered",
        "cable_id": "10ASTANA179", "reason": "bad_dtg", "offset": 7, "obj": object(),
    })
    out = json.loads(JsonFormatter().format(record))
    assert out["message"] == "cable dead-lettered"
    assert (out["cable_id"], out["reason"], out["offset"]) == ("10ASTANA179", "bad_dtg", 7)
    assert out["level"] == "WARNING" and out["time"].endswith("+00:00")
    assert out["obj"].startswith("<object object")


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[tuple[str, str, str]] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append((record.name, record.levelname, record.getMessage()))


@pytest.fixture
def quiet():
    """A QuietFilter on a collecting handler of a private logger tree, with a fake clock."""
    from cablerouter.logs import QuietFilter

    now = [1000.0]
    handler = Collect()
    handler.addFilter(QuietFilter(window=60, level="INFO", young_topic_seconds=30,
                                  clock=lambda: now[0]))
    root = logging.getLogger("qt")
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    root.propagate = False
    yield now, handler.lines, root
    root.removeHandler(handler)


def test_repeats_are_counted_and_reported_once_a_window(quiet) -> None:
    now, lines, root = quiet
    log = logging.getLogger("qt.aiokafka")
    for i in range(100):  # a broker is gone: one error per request
        log.error("Unable connect to node with id %s: %s", i % 3, "refused")
        now[0] += 0.5
    assert lines == [("qt.aiokafka", "ERROR", "Unable connect to node with id 0: refused")]
    for _ in range(100):  # it goes on past the window
        log.error("Unable connect to node with id %s: %s", 2, "refused")
        now[0] += 0.5
    assert lines[1:] == [("qt.aiokafka", "WARNING",
                          ("message repeated 119 more times over 60 s: "
                          "Unable connect to node with id 2: refused"))]
    now[0] += 120  # it stopped; the count of the last window comes with the next line
    root.info("something else")
    assert lines[2:] == [("qt.aiokafka", "WARNING",
                          ("message repeated 80 more times over 40 s: "
                          "Unable connect to node with id 2: refused")),
                         ("qt", "INFO", "something else")]
    log.error("Unable connect to node with id %s: %s", 1, "refused")  # a new incident
    assert lines[-1] == ("qt.aiokafka", "ERROR", "Unable connect to node with id 1: refused")


def test_different_loggers_templates_and_levels_are_counted_apart(quiet) -> None:
    _now, lines, _ = quiet
    for _ in range(3):
        logging.getLogger("qt.a").error("x %s", 1)
        logging.getLogger("qt.b").error("x %s", 1)
        logging.getLogger("qt.a").error("y %s", 1)
        logging.getLogger("qt.a").warning("x %s", 1)
        logging.getLogger("qt.a").info("x %s", 1)  # below WARNING: never held back
    assert lines.count(("qt.a", "INFO", "x 1")) == 3
    assert len(lines) == 4 + 3


def test_a_single_message_gives_no_summary(quiet) -> None:
    now, lines, root = quiet
    root.error("once")
    now[0] += 61
    root.error("once")
    assert lines == [("qt", "ERROR", "once"), ("qt", "ERROR", "once")]


def test_topic_metadata_noise_of_young_topics_is_demoted(quiet) -> None:
    now, lines, _ = quiet
    cluster = logging.getLogger("qt.cluster")
    from cablerouter import logs

    logs._YOUNG_TOPIC_NOISE = logs._YOUNG_TOPIC_NOISE | {
        ("qt.cluster", "Topic %s not found in cluster metadata")}
    try:
        for _ in range(5):
            cluster.error("Topic %s not found in cluster metadata", "cables.to.a")
            now[0] += 5
        cluster.error("Topic %s not found in cluster metadata", "cables.to.b")
        assert lines == []  # debug, below the handler's INFO
        now[0] += 10  # cables.to.a was first named 35 s ago and is still missing
        cluster.error("Topic %s not found in cluster metadata", "cables.to.a")
        cluster.error("Topic %s not found in cluster metadata", "cables.to.b")
        assert lines == [("qt.cluster", "ERROR", "Topic cables.to.a not found in cluster metadata")]
    finally:
        logs._YOUNG_TOPIC_NOISE = logs._YOUNG_TOPIC_NOISE - {
            ("qt.cluster", "Topic %s not found in cluster metadata")}


def test_demoted_noise_shows_at_debug_level() -> None:
    from cablerouter.logs import QuietFilter

    record = logging.makeLogRecord({"name": "aiokafka.cluster", "levelno": logging.ERROR,
                                    "levelname": "ERROR", "msg": "Topic %s not found in cluster metadata",
                                    "args": ("t",)})
    assert not QuietFilter(level="INFO").filter(record)
    assert QuietFilter(level="DEBUG").filter(record) and record.levelname == "DEBUG"


def test_logging_config_puts_the_filter_on_the_one_handler() -> None:
    from cablerouter.logs import QuietFilter, logging_config

    config = logging_config("DEBUG", "json")
    assert config["handlers"]["stderr"]["filters"] == ["quiet"]
    spec = dict(config["filters"]["quiet"])
    quiet = spec.pop("()")(**spec)
    assert isinstance(quiet, QuietFilter)
    record = logging.makeLogRecord({"name": "aiokafka.cluster", "levelno": logging.ERROR,
                                    "levelname": "ERROR", "msg": "Topic %s not found in cluster metadata",
                                    "args": ("t",)})
    assert quiet.filter(record) and record.levelname == "DEBUG"  # the worker logs at DEBUG


def test_summary_lines_carry_the_count_as_fields(quiet) -> None:
    now, _lines, root = quiet
    seen: list[logging.LogRecord] = []
    grab = logging.Handler()
    grab.emit = seen.append  # type: ignore[method-assign]
    root.addHandler(grab)
    try:
        for _ in range(3):
            root.warning("again %s", "x")
        now[0] += 60
        root.info("next")
    finally:
        root.removeHandler(grab)
    summary = next(r for r in seen if hasattr(r, "repeated"))
    assert (summary.repeated, summary.repeated_seconds, summary.template) == (2, 0, "again %s")
    out = json.loads(JsonFormatter().format(summary))
    assert out["repeated"] == 2 and out["level"] == "WARNING" and "_quiet_summary" not in out


def test_the_routers_own_lines_are_never_held_back(quiet) -> None:
    now, _lines, _ = quiet
    from cablerouter.logs import QuietFilter

    handler = Collect()
    handler.addFilter(QuietFilter(clock=lambda: now[0]))
    own = logging.getLogger("cablerouter.test_logs")
    own.addHandler(handler)
    own.propagate = False
    try:
        for offset in range(3):  # one line per dead-lettered cable, as the README promises
            own.warning("cable dead-lettered", extra={"offset": offset})
        logging.getLogger("cablerouterish").addHandler(handler)
        logging.getLogger("cablerouterish").warning("x")
        logging.getLogger("cablerouterish").warning("x")
    finally:
        own.removeHandler(handler)
        own.propagate = True
        logging.getLogger("cablerouterish").removeHandler(handler)
    assert handler.lines == [("cablerouter.test_logs", "WARNING", "cable dead-lettered")] * 3 + [
        ("cablerouterish", "WARNING", "x")]
