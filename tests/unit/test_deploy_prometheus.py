"""The shipped Prometheus configuration and alert rules are valid for promtool, and every
alert fires and stays quiet as its promtool unit tests (alerts_test.yml) expect."""

import pathlib
import shutil
import subprocess

DEPLOY = pathlib.Path(__file__).resolve().parents[2] / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool")


def test_config_and_rules_pass_promtool() -> None:
    assert PROMTOOL, "promtool not installed (deploy/setup installs the Debian prometheus package)"
    for args in (["check", "config", str(DEPLOY / "prometheus.yml")],
                 ["check", "rules", str(DEPLOY / "alerts.yml")]):
        proc = subprocess.run([PROMTOOL, *args], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stdout + proc.stderr


def test_alert_rules_fire_and_stay_quiet_as_their_unit_tests_expect() -> None:
    assert PROMTOOL, "promtool not installed (deploy/setup installs the Debian prometheus package)"
    proc = subprocess.run([PROMTOOL, "test", "rules", "alerts_test.yml"], cwd=DEPLOY,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_alert_has_unit_tests_that_fire_it_and_keep_it_quiet() -> None:
    import yaml

    rules = yaml.safe_load((DEPLOY / "alerts.yml").read_text())
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    tests = yaml.safe_load((DEPLOY / "alerts_test.yml").read_text())["tests"]
    cases = [c for t in tests for c in t.get("alert_rule_test", [])]
    fired = {c["alertname"] for c in cases if c["exp_alerts"]}
    quiet = {c["alertname"] for c in cases if not c["exp_alerts"]}
    assert {"CablerouterBatchStalled", "CablerouterTransactionsAborted",
            "CablerouterProduceErrors", "CablerouterAccountingMismatch"} <= alerts
    assert alerts == fired == quiet, (alerts - fired, alerts - quiet)


def test_alert_rules_use_only_router_metrics_that_exist() -> None:
    from prometheus_client import CollectorRegistry, generate_latest

    from cablerouter.metrics import RouterMetrics

    exposed = generate_latest(RouterMetrics(CollectorRegistry()).registry).decode()
    names = {line.split()[2] for line in exposed.splitlines() if line.startswith("# TYPE")}
    text = (DEPLOY / "alerts.yml").read_text()
    import re

    used = set(re.findall(r"cablerouter_[a-z_]+", text))
    known = set()
    for n in names:
        known |= {n, f"{n}_total", f"{n}_bucket", f"{n}_sum", f"{n}_count"}
    assert used and used <= known, used - known
