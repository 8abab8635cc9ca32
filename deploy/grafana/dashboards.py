#!/usr/bin/env python3
"""Generate the Grafana dashboards of cablerouter from code.

Every dashboard is built here as plain JSON (Grafana dashboard schema, ``schemaVersion``
39) and written, byte for byte the same, to ``deploy/grafana/dashboards/`` (provisioned by
``deploy/grafana/provisioning/dashboards/cablerouter.yml``) and to
``helm/cablerouter/dashboards/`` (shipped by the Helm chart). The committed files must equal
this generator's output: ``tests/unit/test_dashboards.py`` checks it, and
``tests/deploy/test_dashboards.py`` runs every panel's every query on a real Prometheus
scraping a real worker.

Usage (from the repository root)::

    python3 deploy/grafana/dashboards.py          # write both copies
    python3 deploy/grafana/dashboards.py --check  # exit 1 if a committed file differs

Queries select workers with the template variables ``$job`` and ``$instance`` (multi-value,
regular-expression matchers, "All" is ``.*``) and read the provisioned Prometheus data
source through the ``${datasource}`` variable. Rates use ``$__rate_interval``.
"""

from __future__ import annotations

import json
import pathlib
import sys
from typing import Any

REPO = pathlib.Path(__file__).resolve().parents[2]
OUTPUTS = (REPO / "deploy" / "grafana" / "dashboards", REPO / "helm" / "cablerouter" / "dashboards")

# The uid of the data source in provisioning/datasources/prometheus.yml: the default of the
# ``datasource`` variable, so a provisioned Grafana opens the dashboards on it.
DATASOURCE_UID = "cablerouter-prometheus"
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
SCHEMA_VERSION = 39
# The series every query selects: the chosen jobs' and instances' workers.
SEL = 'job=~"$job", instance=~"$instance"'
RATE = "$__rate_interval"

Json = dict[str, Any]


def target(expr: str, legend: str = "__auto", *, instant: bool = False, fmt: str = "time_series") -> Json:
    """One Prometheus query of a panel; ``refId`` is set when the panel is built."""
    return {
        "datasource": DATASOURCE,
        "editorMode": "code",
        "expr": expr,
        "format": fmt,
        "instant": instant,
        "legendFormat": legend,
        "range": not instant,
    }


def _panel(kind: str, title: str, description: str, targets: list[Json], *, unit: str,
           w: int, h: int, options: Json, custom: Json | None = None, decimals: int | None = None,
           extra: Json | None = None) -> Json:
    defaults: Json = {"unit": unit, "color": {"mode": "palette-classic"}}
    if custom is not None:
        defaults["custom"] = custom
    if decimals is not None:
        defaults["decimals"] = decimals
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "gridPos": {"w": w, "h": h},
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": options,
        "targets": [{**t, "refId": chr(ord("A") + i)} for i, t in enumerate(targets)],
        **(extra or {}),
    }


def timeseries(title: str, description: str, targets: list[Json], *, unit: str = "short",
               w: int = 12, h: int = 8, stack: bool = False, decimals: int | None = None) -> Json:
    custom = {
        "drawStyle": "line", "lineWidth": 1, "fillOpacity": 10 if stack else 0,
        "showPoints": "never", "spanNulls": False,
        "stacking": {"mode": "normal" if stack else "none", "group": "A"},
    }
    options = {
        "legend": {"displayMode": "table", "placement": "bottom", "showLegend": True,
                   "calcs": ["mean", "max", "lastNotNull"]},
        "tooltip": {"mode": "multi", "sort": "desc"},
    }
    return _panel("timeseries", title, description, targets, unit=unit, w=w, h=h,
                  options=options, custom=custom, decimals=decimals)


def stat(title: str, description: str, targets: list[Json], *, unit: str = "short", w: int = 4,
         h: int = 4, fields: str = "", calc: str = "lastNotNull", decimals: int | None = None) -> Json:
    options = {
        "reduceOptions": {"calcs": [calc], "fields": fields, "values": False},
        "colorMode": "value", "graphMode": "area", "justifyMode": "auto",
        "orientation": "auto", "textMode": "auto",
    }
    return _panel("stat", title, description, targets, unit=unit, w=w, h=h, options=options,
                  decimals=decimals)


def table(title: str, description: str, targets: list[Json], *, w: int = 12, h: int = 10,
          value_title: str = "Value") -> Json:
    """An instant query's series as rows, the value column named ``value_title``, largest first."""
    options = {"showHeader": True, "cellHeight": "sm",
               "sortBy": [{"displayName": value_title, "desc": True}]}
    extra = {"transformations": [
        {"id": "organize", "options": {"excludeByName": {"Time": True},
                                       "renameByName": {"Value": value_title}}},
    ]}
    return _panel("table", title, description, targets, unit="short", w=w, h=h,
                  options=options, extra=extra)


def heatmap(title: str, description: str, targets: list[Json], *, w: int = 12, h: int = 8) -> Json:
    options = {
        "calculate": False,
        "yAxis": {"axisPlacement": "left", "unit": "short"},
        "rowsFrame": {"layout": "le"},
        "color": {"mode": "scheme", "scheme": "Oranges", "steps": 64},
        "cellGap": 1,
        "tooltip": {"mode": "single", "yHistogram": True},
        "legend": {"show": True},
    }
    return _panel("heatmap", title, description, targets, unit="short", w=w, h=h, options=options,
                  custom={"hideFrom": {"legend": False, "tooltip": False, "viz": False}})


def row(title: str) -> Json:
    return {"type": "row", "title": title, "collapsed": False, "panels": [],
            "gridPos": {"w": 24, "h": 1}}


def _layout(panels: list[Json]) -> list[Json]:
    """Give panels ids and positions: left to right, wrapping at Grafana's 24 columns."""
    x = y = row_h = 0
    out = []
    for i, panel in enumerate(panels, start=1):
        w, h = panel["gridPos"]["w"], panel["gridPos"]["h"]
        if panel["type"] == "row" or x + w > 24:
            x, y, row_h = 0, y + row_h, 0
        out.append({"id": i, **panel, "gridPos": {"h": h, "w": w, "x": x, "y": y}})
        x, row_h = x + w, max(row_h, h)
        if panel["type"] == "row":
            x, y, row_h = 0, y + h, 0
    return out


def _variables() -> list[Json]:
    def query_var(name: str, label: str, query: str) -> Json:
        return {
            "name": name, "label": label, "type": "query", "datasource": DATASOURCE,
            # A classic query (the label_values function), as Grafana's query editor saves it.
            "definition": query,
            "query": {"query": query, "refId": "PrometheusVariableQueryEditor-VariableQuery"},
            "refresh": 2, "includeAll": True, "multi": True, "allValue": ".*",
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
            "options": [], "regex": "", "sort": 1, "hide": 0,
        }

    return [
        {"name": "datasource", "label": "Data source", "type": "datasource", "query": "prometheus",
         "current": {"selected": False, "text": "Prometheus", "value": DATASOURCE_UID},
         "options": [], "refresh": 1, "regex": "", "hide": 0, "includeAll": False, "multi": False},
        query_var("job", "Job", "label_values(cablerouter_consumed_cables_total, job)"),
        query_var("instance", "Worker",
                  'label_values(cablerouter_consumed_cables_total{job=~"$job"}, instance)'),
    ]


def dashboard(uid: str, title: str, description: str, panels: list[Json]) -> Json:
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": ["cablerouter"],
        "timezone": "utc",
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": SCHEMA_VERSION,
        "version": 1,
        "refresh": "30s",
        "time": {"from": "now-1h", "to": "now"},
        "timepicker": {},
        "fiscalYearStartMonth": 0,
        "liveNow": False,
        "weekStart": "",
        "annotations": {"list": [{
            "builtIn": 1, "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True, "hide": True, "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts", "type": "dashboard",
        }]},
        # The other cablerouter dashboards, keeping the chosen workers and time range.
        "links": [{"type": "dashboards", "tags": ["cablerouter"], "title": "cablerouter",
                   "asDropdown": False, "includeVars": True, "keepTime": True}],
        "templating": {"list": _variables()},
        "panels": _layout(panels),
    }


def _quantiles(metric: str, by: str = "") -> list[Json]:
    group = f"le{', ' + by if by else ''}"
    legend = "p{q}" if not by else f"{{{{{by}}}}} p{{q}}"
    return [
        target(f"histogram_quantile({q}, sum by ({group}) (rate({metric}_bucket{{{SEL}}}[{RATE}])))",
               legend.format(q=round(q * 100)))
        for q in (0.5, 0.95, 0.99)
    ]


def overview() -> Json:
    """Is routing keeping up: throughput, latency, lag, dead letters, transactions, workers."""
    panels = [
        row("Now"),
        stat("Workers up", "Workers Prometheus scrapes successfully (the up metric).",
             [target(f"sum(up{{{SEL}}})", "workers")]),
        stat("Routed cables/s", "Cables whose every delivery the broker acknowledged, per second.",
             [target(f"sum(rate(cablerouter_routed_cables_total{{{SEL}}}[{RATE}]))", "routed")],
             unit="cps", decimals=1),
        stat("Consumer lag", "Input messages not yet routed, all partitions.",
             [target(f"sum(cablerouter_consumer_lag_messages{{{SEL}}})", "lag")]),
        stat("In-flight cables", "Cables taken from the input and not yet acknowledged.",
             [target(f"sum(cablerouter_in_flight_cables{{{SEL}}})", "in flight")]),
        stat("Oldest batch age", "Age of the oldest batch not yet committed, any worker (0: none). "
             "CablerouterBatchStalled fires above 30 s.",
             [target(f"max(cablerouter_oldest_batch_age_seconds{{{SEL}}})", "oldest batch")], unit="s"),
        stat("End-to-end p99", "99th percentile from the raw record's broker timestamp to all "
             "its deliveries acknowledged.",
             [target("histogram_quantile(0.99, sum by (le) "
                     f"(rate(cablerouter_end_to_end_seconds_bucket{{{SEL}}}[{RATE}])))",
                     "p99")], unit="s"),
        row("Throughput"),
        timeseries("Throughput", "Cables consumed from the input, routed (every delivery "
                   "acknowledged) and dead-lettered, per second.",
                   [target(f"sum(rate(cablerouter_consumed_cables_total{{{SEL}}}[{RATE}]))", "consumed"),
                    target(f"sum(rate(cablerouter_routed_cables_total{{{SEL}}}[{RATE}]))", "routed"),
                    target(f"sum(rate(cablerouter_dead_lettered_cables_total{{{SEL}}}[{RATE}]))", "dead-lettered")],
                   unit="cps"),
        timeseries("Throughput per worker", "Cables consumed per second by each worker.",
                   [target(f"sum by (instance) (rate(cablerouter_consumed_cables_total{{{SEL}}}[{RATE}]))",
                           "{{instance}}")], unit="cps"),
        row("Latency"),
        timeseries("End-to-end latency", "From the raw record's broker timestamp to all its "
                   "deliveries acknowledged: 50th, 95th and 99th percentile.",
                   _quantiles("cablerouter_end_to_end_seconds"), unit="s"),
        timeseries("End-to-end latency p99 by precedence", "99th percentile per cable precedence "
                   "(its most urgent delivery's; NONE when none has one).",
                   [target("histogram_quantile(0.99, sum by (le, precedence) "
                           f"(rate(cablerouter_end_to_end_by_precedence_seconds_bucket{{{SEL}}}[{RATE}])))",
                           "{{precedence}}")], unit="s"),
        timeseries("Prepare time", "Decode, resolve and encode time per cable: 50th, 95th and "
                   "99th percentile.", _quantiles("cablerouter_prepare_seconds"), unit="s"),
        timeseries("Batches", "Cables in flight and the age of the oldest batch not yet committed, "
                   "per worker.",
                   [target(f"sum by (instance) (cablerouter_in_flight_cables{{{SEL}}})", "{{instance}} in flight"),
                    target(f"max by (instance) (cablerouter_oldest_batch_age_seconds{{{SEL}}})",
                           "{{instance}} oldest batch (s)")]),
        row("Lag and dead letters"),
        timeseries("Consumer lag per partition", "Input messages not yet routed, per input topic "
                   "partition.",
                   [target(f"max by (topic, partition) (cablerouter_consumer_lag_messages{{{SEL}}})",
                           "{{topic}} [{{partition}}]")]),
        timeseries("Dead letters by reason", "Cables sent to the dead-letter topic per second, by "
                   "reason code (the reason header of each dead letter).",
                   [target(f"sum by (reason) (rate(cablerouter_dead_lettered_cables_total{{{SEL}}}[{RATE}]))",
                           "{{reason}}")], unit="cps", stack=True),
        row("Transactions and errors"),
        timeseries("Transactions by outcome", "Routing transactions per second, committed and "
                   "aborted (aborted ones are retried).",
                   [target(f"sum by (outcome) (rate(cablerouter_transactions_total{{{SEL}}}[{RATE}]))",
                           "{{outcome}}")], unit="ops"),
        timeseries("Errors", "Failed produce or topic-creation attempts, internal errors (bugs) and "
                   "re-delivered input skipped as committed already, per second.",
                   [target(f"sum(rate(cablerouter_produce_errors_total{{{SEL}}}[{RATE}]))", "produce errors"),
                    target(f"sum(rate(cablerouter_internal_errors_total{{{SEL}}}[{RATE}]))", "internal errors"),
                    target(f"sum(rate(cablerouter_skipped_committed_cables_total{{{SEL}}}[{RATE}]))",
                           "skipped as committed")], unit="ops"),
        timeseries("Workers", "Workers scraped, up and down.",
                   [target(f"sum(up{{{SEL}}})", "up"),
                    target(f"count(up{{{SEL}}} == 0) or vector(0)", "down")], decimals=0),
    ]
    return dashboard("cablerouter-overview", "cablerouter / Overview",
                     "Is routing keeping up: throughput, latency, lag, dead letters, transactions "
                     "and workers.", panels)


def routing() -> Json:
    """Where cables go: deliveries, fan-out, addressees, topics and the directory."""
    panels = [
        row("Deliveries"),
        timeseries("Deliveries by precedence and role", "Enriched copies delivered to addressee "
                   "topics per second, by precedence (NONE: the cable has none) and role.",
                   [target(f"sum by (precedence, role) (rate(cablerouter_deliveries_total{{{SEL}}}[{RATE}]))",
                           "{{precedence}} {{role}}")], unit="ops", stack=True, w=24),
        table("Top addressees", "The ten addressees with most deliveries over the dashboard's time "
              "range (only the first CABLEROUTER_METRIC_ADDRESSEES_MAX addressees a worker sees "
              "have their own series; the rest are other).",
              [target("topk(10, sum by (addressee) "
                      f"(increase(cablerouter_addressee_deliveries_total{{{SEL}}}[$__range])))",
                      "{{addressee}}", instant=True, fmt="table")],
              value_title="Deliveries"),
        timeseries("Unknown addressees", "Deliveries per second to addressees the directory does "
                   "not know (routed to a topic made from their name).",
                   [target(f"sum(rate(cablerouter_unknown_addressees_total{{{SEL}}}[{RATE}]))", "unknown")],
                   unit="ops", h=10),
        row("Fan-out"),
        heatmap("Fan-out distribution", "Routed cables by deliveries per cable (histogram buckets, "
                "upper bound).",
                [target(f"sum by (le) (increase(cablerouter_fanout_deliveries_bucket{{{SEL}}}[{RATE}]))",
                        "{{le}}", fmt="heatmap")]),
        timeseries("Mean fan-out", "Deliveries per routed cable, mean over the rate window.",
                   [target(f"sum(rate(cablerouter_fanout_deliveries_sum{{{SEL}}}[{RATE}])) / "
                           f"sum(rate(cablerouter_fanout_deliveries_count{{{SEL}}}[{RATE}]))", "mean")]),
        row("Topics and directory"),
        stat("Topics created", "Addressee topics the workers created over the dashboard's time range.",
             [target(f"sum(increase(cablerouter_topics_created_total{{{SEL}}}[$__range]))", "created",
                     instant=True)], w=6, decimals=0),
        stat("Directory version", "Version of the routing directory each worker uses.",
             [target(f"count by (version) (cablerouter_directory_info{{{SEL}}})", "{{version}}",
                     instant=True, fmt="table")], w=6, fields="/^version$/"),
        stat("Directory entries", "Stations, addressees and collectives in the directory.",
             [target(f"max(cablerouter_directory_entries{{{SEL}}})", "entries")], w=6),
        stat("Directory updates", "Live directory updates applied over the dashboard's time range.",
             [target(f"sum(increase(cablerouter_directory_updates_total{{{SEL}}}[$__range]))", "updates",
                     instant=True)], w=6, decimals=0),
        timeseries("Topic creation", "Addressee topics created per second.",
                   [target(f"sum(rate(cablerouter_topics_created_total{{{SEL}}}[{RATE}]))", "created")],
                   unit="ops"),
        timeseries("Directory updates and versions", "Live directory updates applied per second, and each "
                   "worker's directory version.",
                   [target(f"sum(rate(cablerouter_directory_updates_total{{{SEL}}}[{RATE}]))", "updates"),
                    target(f"max by (instance, version) (cablerouter_directory_info{{{SEL}}})",
                           "{{instance}} version {{version}}")], unit="ops"),
    ]
    return dashboard("cablerouter-routing", "cablerouter / Routing",
                     "Where cables go: deliveries by precedence and role, fan-out, top addressees, "
                     "topics and the routing directory.", panels)


def build() -> dict[str, Json]:
    """File name -> dashboard."""
    return {"cablerouter-overview.json": overview(), "cablerouter-routing.json": routing()}


def render(board: Json) -> str:
    return json.dumps(board, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    check = argv == ["--check"]
    if argv and not check:
        print(__doc__, file=sys.stderr)
        return 2
    stale = []
    for folder in OUTPUTS:
        for name, board in build().items():
            path = folder / name
            text = render(board)
            if check:
                if not path.exists() or path.read_text() != text:
                    stale.append(path)
            else:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
        if check:
            extra = {p.name for p in folder.glob("*.json")} - set(build())
            stale += [folder / n for n in sorted(extra)]
    for path in stale:
        print(f"{path.relative_to(REPO)} differs from the generator: run {__file__}", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
