"""The Grafana dashboards and provisioning files (deploy/grafana) without Grafana: the
committed JSON is the generator's output, in both copies; every dashboard is well formed
(uids, panel ids, grid positions, targets, data sources, variables); every query uses only
metrics the router exports and parses as PromQL (promtool); the provisioning files give the
data source uid the dashboards use. tests/deploy/test_dashboards.py runs every query on a
real Prometheus."""

from __future__ import annotations

import importlib.util
import json
import pathlib
import re
import shutil
import subprocess

import pytest
import yaml

REPO = pathlib.Path(__file__).resolve().parents[2]
GRAFANA = REPO / "deploy" / "grafana"
COPIES = (GRAFANA / "dashboards", REPO / "helm" / "cablerouter" / "dashboards")
PROMTOOL = shutil.which("promtool")
# Grafana's own variables that may appear in a query.
BUILTINS = {"__rate_interval", "__interval", "__interval_ms", "__range", "__range_s", "__range_ms"}
PANEL_TYPES = {"row", "timeseries", "stat", "table", "heatmap", "bargauge", "gauge"}
VARIABLE = re.compile(r"\$(?:\{(\w+)(?::\w+)?\}|(\w+))")


def _generator():
    spec = importlib.util.spec_from_file_location("grafana_dashboards", GRAFANA / "dashboards.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _generator()
BOARDS = GEN.build()


def _panels(board: dict) -> list[dict]:
    """Every panel, including those nested in collapsed rows."""
    out = []
    for panel in board["panels"]:
        out.append(panel)
        out.extend(panel.get("panels", []))
    return out


def _queries(board: dict) -> list[tuple[dict, dict]]:
    return [(p, t) for p in _panels(board) for t in p.get("targets", [])]


def test_committed_dashboards_are_the_generators_output_in_both_copies() -> None:
    assert BOARDS, "the generator built no dashboard"
    for folder in COPIES:
        committed = {p.name: p.read_text() for p in folder.glob("*.json")}
        assert sorted(committed) == sorted(BOARDS), (
            f"{folder.relative_to(REPO)} holds {sorted(committed)}, the generator makes {sorted(BOARDS)}")
        for name, board in BOARDS.items():
            assert committed[name] == GEN.render(board), (
                f"{folder.relative_to(REPO)}/{name} differs from the generator: "
                "run python3 deploy/grafana/dashboards.py")
    first, second = ({p.name: p.read_bytes() for p in f.glob("*.json")} for f in COPIES)
    assert first == second
    assert GEN.main(["--check"]) == 0


def test_check_mode_notices_a_stale_copy(tmp_path, monkeypatch) -> None:
    out = tmp_path / "dashboards"
    monkeypatch.setattr(GEN, "OUTPUTS", (out,))
    monkeypatch.setattr(GEN, "REPO", tmp_path)
    assert GEN.main(["--check"]) == 1  # nothing written yet
    assert GEN.main([]) == 0
    assert GEN.main(["--check"]) == 0
    name = next(iter(BOARDS))
    (out / name).write_text((out / name).read_text().replace("cablerouter_", "cablerouterx_", 1))
    assert GEN.main(["--check"]) == 1
    assert GEN.main([]) == 0
    (out / "leftover.json").write_text("{}")
    assert GEN.main(["--check"]) == 1


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_dashboard_is_well_formed(name: str) -> None:
    board = json.loads(GEN.render(BOARDS[name]))
    for key in ("uid", "title", "schemaVersion", "panels", "templating", "time", "tags",
                "annotations", "version", "refresh"):
        assert key in board, f"{name}: no {key}"
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,40}", board["uid"]), board["uid"]
    assert isinstance(board["schemaVersion"], int) and board["schemaVersion"] >= 36
    assert "id" not in board or board["id"] is None, "a provisioned dashboard must not fix its id"

    panels = _panels(board)
    ids = [p["id"] for p in panels]
    assert all(isinstance(i, int) for i in ids) and len(ids) == len(set(ids)), ids
    titles = [p["title"] for p in panels if p["type"] != "row"]
    assert all(titles) and len(titles) == len(set(titles)), titles
    cells: dict[tuple[int, int], str] = {}
    for p in panels:
        assert p["type"] in PANEL_TYPES, p["type"]
        g = p["gridPos"]
        assert set(g) == {"h", "w", "x", "y"} and all(isinstance(v, int) for v in g.values()), p["title"]
        assert g["h"] > 0 and g["w"] > 0 and g["x"] >= 0 and g["y"] >= 0 and g["x"] + g["w"] <= 24, p["title"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, f"{p['title']} overlaps {cells[(x, y)]}"
                cells[(x, y)] = p["title"]
        if p["type"] == "row":
            assert "targets" not in p
            continue
        assert p["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, p["title"]
        assert p.get("description"), f"{p['title']}: no description"
        assert "defaults" in p["fieldConfig"] and "options" in p
        targets = p["targets"]
        assert targets, f"{p['title']}: no query"
        refs = [t["refId"] for t in targets]
        assert len(refs) == len(set(refs)) and all(refs), (p["title"], refs)
        for t in targets:
            assert t["expr"].strip(), (p["title"], t["refId"])
            assert t["datasource"] in ({"type": "prometheus", "uid": "${datasource}"},
                                       {"type": "prometheus", "uid": GEN.DATASOURCE_UID}), p["title"]
            assert t["format"] in ("time_series", "table", "heatmap")
            assert t["instant"] != t["range"], (p["title"], t["refId"])
            if p["type"] == "heatmap":
                assert t["format"] == "heatmap", p["title"]


@pytest.mark.parametrize("name", sorted(BOARDS))
def test_variables_are_defined_used_and_resolve(name: str) -> None:
    board = BOARDS[name]
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert {"datasource", "job", "instance"} <= set(variables)
    ds = variables["datasource"]
    assert ds["type"] == "datasource" and ds["query"] == "prometheus"
    assert ds["current"]["value"] == GEN.DATASOURCE_UID
    for v in variables.values():
        if v["type"] == "query":
            assert v["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, v["name"]
            assert v["definition"] == v["query"]["query"]
            assert v["query"]["query"].startswith("label_values("), v["name"]
    text = json.dumps(board["panels"]) + json.dumps([v.get("query") for v in variables.values()])
    used = {a or b for a, b in VARIABLE.findall(text)}
    assert used - BUILTINS <= set(variables), f"undefined variables {used - BUILTINS - set(variables)}"
    assert set(variables) <= used, f"variables never used: {set(variables) - used}"
    # Every query selects the chosen workers.
    for panel, t in _queries(board):
        for selector in re.findall(r"\w+\{([^}]*)\}", t["expr"]):
            assert 'job=~"$job"' in selector and 'instance=~"$instance"' in selector, (panel["title"], t["expr"])


def test_dashboard_uids_are_unique() -> None:
    uids = [b["uid"] for b in BOARDS.values()]
    assert len(uids) == len(set(uids)), uids


def _metric_names() -> set[str]:
    from prometheus_client import CollectorRegistry, generate_latest

    from cablerouter.metrics import RouterMetrics

    exposed = generate_latest(RouterMetrics(CollectorRegistry()).registry).decode()
    names = {line.split()[2] for line in exposed.splitlines() if line.startswith("# TYPE")}
    known = set()
    for n in names:
        known |= {n, f"{n}_total", f"{n}_bucket", f"{n}_sum", f"{n}_count", f"{n}_info"}
    return known


def test_queries_use_only_metrics_the_router_exports() -> None:
    known = _metric_names()
    for board in BOARDS.values():
        for panel, t in _queries(board):
            used = set(re.findall(r"\bcablerouter_[a-z_]+", t["expr"]))
            assert used <= known, (panel["title"], used - known)
            assert used or re.search(r"\bup\{", t["expr"]), (panel["title"], t["expr"])


def test_the_panels_the_dashboards_promise_are_there() -> None:
    exprs = " ".join(t["expr"] for b in BOARDS.values() for _, t in _queries(b))
    for metric in ("consumed_cables_total", "routed_cables_total", "dead_lettered_cables_total",
                   "deliveries_total", "consumer_lag_messages", "end_to_end_seconds_bucket",
                   "end_to_end_by_precedence_seconds_bucket", "fanout_deliveries_bucket",
                   "addressee_deliveries_total", "topics_created_total", "directory_info",
                   "directory_updates_total", "in_flight_cables", "transactions_total",
                   "oldest_batch_age_seconds"):
        assert f"cablerouter_{metric}" in exprs, metric
    assert "up{" in exprs
    assert re.search(r"by \((?:precedence, role|role, precedence)\)", exprs)
    assert re.search(r"by \(le, precedence\)", exprs)
    assert "by (reason)" in exprs and "by (outcome)" in exprs and "by (topic, partition)" in exprs


def substitute(expr: str, *, job: str = "cablerouter", instance: str = ".*",
               interval: str = "15s", rate_interval: str = "1m", range_: str = "1h") -> str:
    """The query Grafana sends: its variables replaced (longest names first)."""
    values = {"__rate_interval": rate_interval, "__interval_ms": "15000", "__interval": interval,
              "__range_ms": "3600000", "__range_s": "3600", "__range": range_,
              "job": job, "instance": instance}
    out = VARIABLE.sub(lambda m: values[m.group(1) or m.group(2)], expr)
    assert "$" not in out, out
    return out


def test_every_query_parses_as_promql(tmp_path) -> None:
    assert PROMTOOL, "promtool not installed (deploy/setup installs the Debian prometheus package)"
    rules = [{"record": f"dashboard:query_{i}", "expr": substitute(t["expr"])}
             for i, (_, t) in enumerate(q for b in BOARDS.values() for q in _queries(b))]
    path = tmp_path / "queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules}]}))
    proc = subprocess.run([PROMTOOL, "check", "rules", str(path)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # promtool does find a broken query.
    path.write_text(yaml.safe_dump({"groups": [{"name": "d", "rules": [
        {"record": "dashboard:broken", "expr": "sum by (le (rate(x[1m]))"}]}]}))
    assert subprocess.run([PROMTOOL, "check", "rules", str(path)], capture_output=True,
                          timeout=60).returncode != 0


def test_provisioned_datasource_is_the_one_the_dashboards_use() -> None:
    config = yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "prometheus.yml").read_text())
    assert config["apiVersion"] == 1
    sources = config["datasources"]
    assert [s["uid"] for s in sources] == [GEN.DATASOURCE_UID]
    (source,) = sources
    assert source["type"] == "prometheus" and source["access"] == "proxy"
    assert source["url"] == "http://prometheus:9090"
    assert source["isDefault"] is True
    assert re.fullmatch(r"\d+[smh]", source["jsonData"]["timeInterval"])
    # Grafana's $__rate_interval needs the scrape interval of the stack's Prometheus.
    for config_file in ("compose.yml", "prometheus.yml"):
        path = REPO / "deploy" / "prometheus" / config_file
        if path.exists():
            scrape = yaml.safe_load(path.read_text())
            assert source["jsonData"]["timeInterval"] == scrape["global"]["scrape_interval"], path


def test_dashboard_provider_reads_a_folder_of_files() -> None:
    text = (GRAFANA / "provisioning" / "dashboards" / "cablerouter.yml").read_text()
    config = yaml.safe_load(text)
    assert config["apiVersion"] == 1
    (provider,) = config["providers"]
    assert provider["type"] == "file" and provider["name"]
    path = provider["options"]["path"]
    assert path.startswith("/") and not path.endswith(".json")
    assert path in text.split("\napiVersion")[0], "the comment must name the mount path"
    assert provider["updateIntervalSeconds"] > 0
