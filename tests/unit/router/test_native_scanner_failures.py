"""A failure of the decoder's native scanner is counted and logged once per worker, never
silently absorbed: the decoder records it on the cable (or on its DecodeError when the Python
parsers then reject the input), prepare flags the result, and
Outcomes counts it in cablerouter_native_scanner_failures_total."""

from __future__ import annotations

import logging
import pathlib

import pytest
from prometheus_client import CollectorRegistry

from cablerouter import __version__
from cablerouter.config import Settings
from cablerouter.directory_files import load_default_directory
from cablerouter.metrics import RouterMetrics
from cablerouter.router.outcomes import Outcomes
from cablerouter.router.prepare import Params, Rejected, Routed, SourceRecord, prepare
from cablerouter.router.progress import Progress
from cablerouter.telegram import DecodeLimits, _scan

pytestmark = pytest.mark.unit

RAW = (pathlib.Path(__file__).resolve().parents[2] / "corpus" / "seed" / "10ASTANA179.txt").read_bytes()
PARAMS = Params(limits=DecodeLimits(), topic_prefix="cables.to.", routed_topic="cables.routed",
                router_version=__version__)


def _source(offset: int) -> SourceRecord:
    return SourceRecord(topic="cables.raw", partition=0, offset=offset, timestamp=1_700_000_000.0, key=None,
                        value=RAW)


def _panicking_scan(*_args: object) -> None:
    raise _scan.ScannerPanic("index out of bounds")


def test_a_scanner_failure_is_counted_and_logged_once(monkeypatch: pytest.MonkeyPatch,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    directory = load_default_directory()
    clean = prepare([_source(0)], directory, PARAMS)
    monkeypatch.setattr(_scan, "_scan", _panicking_scan)
    failed = prepare([_source(1), _source(2)], directory, PARAMS)
    assert all(isinstance(r, Routed) for r in clean + failed)
    assert [r.scanner_failed for r in clean + failed] == [False, True, True]
    # The cable is routed exactly as without the failure.
    assert failed[0].deliveries == clean[0].deliveries

    registry = CollectorRegistry()
    outcomes = Outcomes(Settings(), metrics=RouterMetrics(registry), progress=Progress(stall_seconds=30))
    with caplog.at_level(logging.ERROR, logger="cablerouter.router"):
        for offset, result in enumerate(clean + failed):
            outcomes.of(_source(offset), result)
    assert registry.get_sample_value("cablerouter_native_scanner_failures_total") == 2
    logged = [r for r in caplog.records if "native scanner failed" in r.getMessage()]
    assert len(logged) == 1 and logged[0].offset == 1


def test_a_scanner_failure_on_input_the_parsers_then_reject_is_counted_too(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_scan, "_scan", _panicking_scan)
    text_only = SourceRecord(topic="cables.raw", partition=0, offset=7, timestamp=1_700_000_000.0, key=None,
                             value=b"no telegram here, just text\n")
    [result] = prepare([text_only], load_default_directory(), PARAMS)
    assert isinstance(result, Rejected) and result.reason == "no_addressees"
    assert result.scanner_failed

    registry = CollectorRegistry()
    outcomes = Outcomes(Settings(), metrics=RouterMetrics(registry), progress=Progress(stall_seconds=30))
    outcomes.of(text_only, result)
    assert registry.get_sample_value("cablerouter_native_scanner_failures_total") == 1
