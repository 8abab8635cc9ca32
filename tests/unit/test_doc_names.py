"""Names the documentation gives exist: every ``cablerouter_*`` metric, and every
``cablerouter <command>`` (with its sub-commands and options) written as code."""

from __future__ import annotations

import argparse
import pathlib
import re
import subprocess

import pytest
from prometheus_client import CollectorRegistry

from cablerouter.cli import build_parser
from cablerouter.metrics import RouterMetrics

pytestmark = pytest.mark.unit

REPO = pathlib.Path(__file__).resolve().parents[2]
# Identifiers that share the prefix but are not metrics: the native scanner's module.
NOT_METRICS = {"cablerouter_scan"}


def _documents() -> dict[str, str]:
    """Tracked prose and code outside the tests (they name what they test themselves)."""
    listed = subprocess.run(["git", "ls-files", "*.md", "*.py", "*.yml", "*.yaml", "*.json"], cwd=REPO,
                            capture_output=True, text=True, check=True).stdout.split()
    return {name: (REPO / name).read_text(encoding="utf-8") for name in listed
            if not name.startswith(("tests/", "services/scan/")) and (REPO / name).is_file()}


def _metric_samples() -> set[str]:
    names: set[str] = set()
    for metric in RouterMetrics(CollectorRegistry()).registry.collect():
        names.add(metric.name + {"counter": "_total", "info": "_info"}.get(metric.type, ""))
        names.update(sample.name for sample in metric.samples)
        if metric.type == "histogram":
            names.update(metric.name + suffix for suffix in ("_bucket", "_sum", "_count"))
    return names


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def command_problems(span: str, parser: argparse.ArgumentParser) -> list[str]:
    """What is wrong with one ``cablerouter ...`` command written in the documentation.

    A bare lower-case word must be a sub-command of the command before it (or, after a
    ``|``, an alternative to that command); an ``--option`` must be one of the command's.
    Upper-case words, paths and other values are the documentation's placeholders.
    """
    problems: list[str] = []
    path = [parser]  # the commands named so far, outermost first
    for token in span.split()[1:]:
        descend = None
        for index, raw in enumerate(re.split(r"\\?\|", token)):
            word = raw.strip("[]{}()")
            if word.startswith("--"):
                option = word.split("=", 1)[0]
                if option not in path[-1]._option_string_actions:
                    problems.append(f"{option} is not an option of `{path[-1].prog}`")
            elif re.fullmatch(r"[a-z][a-z-]*", word):
                if word in _subcommands(path[-1]):
                    descend = descend or _subcommands(path[-1])[word]
                elif not (index > 0 and any(word in _subcommands(p) for p in path[:-1])):
                    problems.append(f"`{path[-1].prog} {word}` is not a command")
        if descend is not None:
            path.append(descend)
    return problems


def test_every_metric_named_in_the_documentation_exists() -> None:
    known = _metric_samples() | NOT_METRICS
    named = {(name, doc) for doc, text in _documents().items()
             for name in re.findall(r"\bcablerouter_[a-z_]*[a-z]", text)}
    assert len({name for name, _ in named}) > 20, "the README and code name the metrics"
    assert sorted((name, doc) for name, doc in named if name not in known) == []


def test_every_command_written_in_the_documentation_exists() -> None:
    parser = build_parser()
    spans = {(span, doc) for doc, text in _documents().items()
             for span in re.findall(r"`+(cablerouter (?:[^`]+))`+", text)}
    assert len(spans) > 10, "the README and docstrings write commands as code"
    problems = [f"{doc}: `{span}`: {p}" for span, doc in sorted(spans) for p in command_problems(span, parser)]
    assert problems == []


@pytest.mark.parametrize(
    ("span", "problem"),
    [
        ("cablerouter schemas write schemas/", "`cablerouter schemas write` is not a command"),
        ("cablerouter directory show|list", "`cablerouter directory list` is not a command"),
        ("cablerouter route --explain --why", "--why is not an option of `cablerouter route`"),
        ("cablerouter wroker", "`cablerouter wroker` is not a command"),
    ],
)
def test_a_misnamed_command_is_found(span: str, problem: str) -> None:
    assert command_problems(span, build_parser()) == [problem]


@pytest.mark.parametrize(
    "span",
    [
        "cablerouter --help", "cablerouter schemas DIR [--check]", "cablerouter schemas schemas/",
        "cablerouter directory show [--summary\\|--stations]\\|validate FILE", "cablerouter tail ADDRESSEE\\|TOPIC",
        "cablerouter route [PATH...\\|-] [--explain]", "cablerouter schemas {args.dir}",
    ],
)
def test_documented_forms_pass(span: str) -> None:
    assert command_problems(span, build_parser()) == []
