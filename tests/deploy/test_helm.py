"""The Helm chart ``helm/cablerouter``: linted, rendered and validated offline.

* ``helm`` is the pinned build of ``deploy/tools/helm`` (built once from the Go module proxy
  and cached under ``.cache/tools``; a few minutes cold, instant warm).
* ``helm lint --strict`` and ``helm template`` run with the default values and with each
  ``ci/*-values.yaml`` (every optional object: KEDA, ServiceMonitor, PrometheusRule,
  dashboards, directory ConfigMap; and the alternatives HPA and PodMonitor).
* Built-in kinds are validated with ``kubernetes-validate --strict`` (unknown fields are
  errors) for Kubernetes 1.31 and the newest version it knows. Custom resources
  (ServiceMonitor, PodMonitor, PrometheusRule, ScaledObject) are not in its schemas: they
  are validated against their CRDs' ``openAPIV3Schema`` checked in under
  ``tests/deploy/helm_crd_schemas`` (made strict the same way; CEL rules are not evaluated).
* ``values.schema.json`` rejects bad values and accepts good ones; cross-value rules it
  cannot express stop the render with the chart's own message.
* Every setting of ``services/cablerouter/config.py`` has a value, with the same
  constraints in the schema, and the rendered environment loads as those settings.

Missing tools skip these tests with the reason; with ``CI`` set they fail instead.
"""

from __future__ import annotations

import copy
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator

import msgspec
import pytest
import yaml

from cablerouter.config import Settings, load_settings

pytestmark = pytest.mark.deploy

REPO = pathlib.Path(__file__).resolve().parents[2]
CHART = REPO / "helm" / "cablerouter"
HELM_TOOL = REPO / "deploy" / "tools" / "helm"
HELM_VERSION = "v3.21.4"
CRD_SCHEMAS = pathlib.Path(__file__).resolve().parent / "helm_crd_schemas"
ALERTS = REPO / "deploy" / "prometheus" / "alerts.yml"
GRAFANA_DASHBOARDS = REPO / "deploy" / "grafana" / "dashboards"
IN_CI = bool(os.environ.get("CI"))
KUBERNETES_31 = "1.31.0"

RELEASE = "rel"
NAMESPACE = "telegrams"
FULLNAME = f"{RELEASE}-cablerouter"

# Scenario -> values files (relative to the chart).
SCENARIOS = {
    "default": [],
    "all-features": ["ci/all-features-values.yaml"],
    "hpa-podmonitor": ["ci/hpa-podmonitor-values.yaml"],
}
CUSTOM_KINDS = {"ServiceMonitor", "PodMonitor", "PrometheusRule", "ScaledObject"}
# What each scenario must render (kind -> count), so that an object silently dropped by a
# template is noticed, not just one that is invalid.
EXPECTED_KINDS = {
    "default": {"Deployment": 1, "Service": 1, "ServiceAccount": 1, "PodDisruptionBudget": 1},
    "all-features": {"Deployment": 1, "Service": 1, "ServiceAccount": 1,
                     "PodDisruptionBudget": 1, "ConfigMap": 2, "ServiceMonitor": 1,
                     "PrometheusRule": 1, "ScaledObject": 1},
    "hpa-podmonitor": {"Deployment": 1, "Service": 1, "ServiceAccount": 1,
                       "PodDisruptionBudget": 1, "HorizontalPodAutoscaler": 1, "PodMonitor": 1},
}
# Chart defaults that differ from the router's own, on purpose (values.yaml says why).
CHART_DEFAULTS = {"web_host": "0.0.0.0", "state_dir": "/var/lib/cablerouter"}
SCHEMA_ERROR = "values don't meet the specifications of the schema"


def unavailable(reason: str) -> None:
    """Skip (or, with CI set, fail) a test that cannot run for want of a tool."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set: the Helm chart tests must run)", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def helm() -> str:
    """Path of the pinned helm binary (built by deploy/tools/helm when not cached)."""
    try:
        proc = subprocess.run([str(HELM_TOOL)], capture_output=True, text=True, timeout=1800,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        unavailable(f"deploy/tools/helm could not run: {exc}")
    if proc.returncode != 0:
        unavailable(f"deploy/tools/helm failed (exit {proc.returncode}): {proc.stderr[-2000:]}")
    path = proc.stdout.strip()
    assert path and pathlib.Path(path).is_file(), f"deploy/tools/helm printed {proc.stdout!r}"
    return path


@pytest.fixture(scope="module")
def kubernetes_validate() -> str:
    """The kubernetes-validate command of this Python environment."""
    exe = pathlib.Path(sys.executable).parent / "kubernetes-validate"
    if not exe.is_file():
        found = shutil.which("kubernetes-validate")
        if not found:
            unavailable("kubernetes-validate is not installed (pip install -e 'services[test]')")
        exe = pathlib.Path(found)
    return str(exe)


@pytest.fixture(scope="module")
def newest_kubernetes(kubernetes_validate: str) -> str:
    import kubernetes_validate as kv

    newest = kv.latest_version()  # "1.37.0"
    assert re.fullmatch(r"1\.\d+\.\d+", newest), newest
    return newest


@pytest.fixture(scope="module")
def chart(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A copy of the chart to render. Should the chart ship no dashboards/*.json yet, the
    copy gets one tiny dashboard, so that grafanaDashboards can be rendered and checked."""
    target = tmp_path_factory.mktemp("chart") / "cablerouter"
    shutil.copytree(CHART, target)
    if not list((target / "dashboards").glob("*.json")):
        (target / "dashboards").mkdir(exist_ok=True)
        (target / "dashboards" / "tiny.json").write_text(
            json.dumps({"uid": "tiny", "title": "Tiny", "panels": [], "schemaVersion": 39}))
    return target


def run_helm(helm: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([helm, *args], capture_output=True, text=True, timeout=120,
                          check=False)
    if check and proc.returncode != 0:
        pytest.fail(f"helm {' '.join(args)} failed ({proc.returncode}):\n{proc.stderr}",
                    pytrace=False)
    return proc


def template_args(chart: pathlib.Path, files: list[str], extra: tuple[str, ...]) -> list[str]:
    args = ["template", RELEASE, str(chart), "--namespace", NAMESPACE]
    for name in files:
        args += ["-f", str(chart / name)]
    return args + list(extra)


_RENDERED: dict[tuple, list[dict]] = {}


def render(helm: str, chart: pathlib.Path, files: list[str] = (), *extra: str) -> list[dict]:
    """The rendered objects of ``helm template`` (empty documents dropped); each distinct
    render runs once per session, callers get their own copy."""
    key = (helm, str(chart), tuple(files), extra)
    if key not in _RENDERED:
        out = run_helm(helm, *template_args(chart, list(files), extra)).stdout
        _RENDERED[key] = [doc for doc in yaml.safe_load_all(out) if doc]
    return copy.deepcopy(_RENDERED[key])


def render_fails(helm: str, chart: pathlib.Path, *extra: str) -> str:
    """``helm template`` must fail; returns its error output."""
    proc = run_helm(helm, *template_args(chart, [], extra), check=False)
    assert proc.returncode != 0, f"helm template {' '.join(extra)} rendered:\n{proc.stdout[:2000]}"
    return proc.stderr


def one(objects: list[dict], kind: str) -> dict:
    found = [o for o in objects if o["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, got {len(found)}"
    return found[0]


def values_of(scenario: str) -> dict:
    """Default values merged with the scenario's files (maps merged, null deletes a key)."""

    def merge(base: dict, over: dict) -> dict:
        out = dict(base)
        for key, value in over.items():
            if value is None:
                out.pop(key, None)
            elif isinstance(value, dict) and isinstance(out.get(key), dict):
                out[key] = merge(out[key], value)
            else:
                out[key] = value
        return out

    values = yaml.safe_load((CHART / "values.yaml").read_text())
    for name in SCENARIOS[scenario]:
        values = merge(values, yaml.safe_load((CHART / name).read_text()))
    return values


def container_of(objects: list[dict]) -> dict:
    containers = one(objects, "Deployment")["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["router"]
    return containers[0]


def leaf_values(node: object, prefix: str = "") -> Iterator[tuple[str, object]]:
    """(dotted path, value) of a values tree: non-empty maps are walked into, the rest are
    leaves."""
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from leaf_values(value, f"{prefix}.{key}" if prefix else key)
    else:
        yield prefix, node


# --------------------------------------------------------------------------- the tool


def test_helm_tool_prints_the_cached_pinned_binary(helm: str) -> None:
    path = pathlib.Path(helm)
    assert path.is_relative_to(REPO / ".cache" / "tools"), path
    version = run_helm(helm, "version", "--template", "{{.Version}}").stdout.strip()
    assert version == HELM_VERSION
    ignored = subprocess.run(["git", "-C", str(REPO), "check-ignore", "-q", str(path)],
                             check=False)
    assert ignored.returncode == 0, f"{path} is not covered by .gitignore"
    # Warm: the second call finds the cached binary and prints the same path.
    again = subprocess.run([str(HELM_TOOL)], capture_output=True, text=True, check=True,
                           timeout=60)
    assert again.stdout.strip() == helm and "building" not in again.stderr


def test_helm_assumes_a_current_kubernetes(helm: str, tmp_path: pathlib.Path) -> None:
    """Built like a release: the Kubernetes version helm assumes offline is its client-go's,
    not the 1.20 a plain `go install` build claims (which fails the chart's kubeVersion)."""
    probe = tmp_path / "probe"
    (probe / "templates").mkdir(parents=True)
    (probe / "Chart.yaml").write_text("apiVersion: v2\nname: probe\nversion: 0.0.1\n")
    (probe / "templates" / "version.yaml").write_text(
        "kubeVersion: {{ .Capabilities.KubeVersion.Version | quote }}\n")
    out = run_helm(helm, "template", "probe", str(probe)).stdout
    version = yaml.safe_load(out)["kubeVersion"]
    major, minor = re.fullmatch(r"v(\d+)\.(\d+)\.\d+", version).groups()
    assert (int(major), int(minor)) >= (1, 31), version


# --------------------------------------------------------------------------- lint


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_lint_strict(helm: str, chart: pathlib.Path, scenario: str) -> None:
    args = ["lint", "--strict", str(chart), "--namespace", NAMESPACE]
    for name in SCENARIOS[scenario]:
        args += ["-f", str(chart / name)]
    proc = run_helm(helm, *args)
    out = proc.stdout + proc.stderr
    assert "1 chart(s) linted, 0 chart(s) failed" in out, out
    assert "[WARNING]" not in out and "[ERROR]" not in out, out
    # Lint renders in a mode where a template's `fail` is only reported: none may fire.
    assert "Fail:" not in out, out


def test_lint_reports_a_failing_template(helm: str, chart: pathlib.Path) -> None:
    """`helm lint` passes a chart whose template calls `fail` (it only reports it), which is
    why test_lint_strict looks for the report."""
    proc = run_helm(helm, "lint", "--strict", str(chart), "--set", "keda.enabled=true",
                    "--set", "keda.maxReplicaCount=5")
    assert "Fail: keda.maxReplicaCount (5) exceeds" in proc.stdout + proc.stderr


def test_lint_strict_of_the_chart_in_the_tree(helm: str) -> None:
    out = run_helm(helm, "lint", "--strict", str(CHART)).stdout
    assert "1 chart(s) linted, 0 chart(s) failed" in out, out


# --------------------------------------------------------------------------- validation


def kinds(objects: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for obj in objects:
        counts[obj["kind"]] = counts.get(obj["kind"], 0) + 1
    return counts


def validate_builtin(kubernetes_validate: str, objects: list[dict], version: str,
                     tmp_path: pathlib.Path) -> subprocess.CompletedProcess:
    path = tmp_path / "manifests.yaml"
    path.write_text(yaml.safe_dump_all(objects, sort_keys=False))
    return subprocess.run([kubernetes_validate, "--strict", "-k", version, str(path)],
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("k8s", ["1.31", "newest"])
def test_builtin_kinds_pass_kubernetes_validate_strict(
        helm: str, chart: pathlib.Path, kubernetes_validate: str, newest_kubernetes: str,
        tmp_path: pathlib.Path, scenario: str, k8s: str) -> None:
    objects = render(helm, chart, SCENARIOS[scenario])
    assert kinds(objects) == EXPECTED_KINDS[scenario]
    builtin = [o for o in objects if o["kind"] not in CUSTOM_KINDS]
    version = KUBERNETES_31 if k8s == "1.31" else newest_kubernetes
    proc = validate_builtin(kubernetes_validate, builtin, version, tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert not re.search(r"^(WARN|ERROR)", out, re.M), out
    passed = re.findall(r"^INFO .* passed for resource (\S+) against version (\S+)$", out, re.M)
    assert len(passed) == len(builtin), out
    assert {v for _, v in passed} == {".".join(version.split(".")[:2])}


def test_kubernetes_validate_strict_rejects_unknown_and_mistyped_fields(
        helm: str, chart: pathlib.Path, kubernetes_validate: str,
        tmp_path: pathlib.Path) -> None:
    """The validator itself can fail: the same Deployment, spoiled twice."""
    deployment = one(render(helm, chart), "Deployment")
    unknown = copy.deepcopy(deployment)
    unknown["spec"]["template"]["spec"]["containers"][0]["livenessProbes"] = {}
    mistyped = copy.deepcopy(deployment)
    mistyped["metadata"]["name"] = "mistyped"
    mistyped["spec"]["replicas"] = "one"
    proc = validate_builtin(kubernetes_validate, [unknown, mistyped], KUBERNETES_31, tmp_path)
    out = proc.stdout + proc.stderr
    assert proc.returncode != 0, out
    assert (f"deployment/{FULLNAME} against version 1.31: "
            "spec.template.spec.containers.0: Additional properties are not allowed") in out, out
    assert "deployment/mistyped against version 1.31: spec.replicas: 'one' is not of type" in out, out


def strict_crd_schema(node: object) -> object:
    """An openAPIV3Schema as a JSON Schema that, like kubernetes-validate --strict, rejects
    unknown fields: objects with properties and no additionalProperties get
    ``additionalProperties: false`` (these CRDs preserve no unknown fields)."""
    if isinstance(node, list):
        return [strict_crd_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: strict_crd_schema(v) for k, v in node.items()}
    if ("properties" in out and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")):
        out["additionalProperties"] = False
    if isinstance(out.get("pattern"), str) and out["pattern"].startswith("^(?i)"):
        # Go's regexp takes an inline flag anywhere; Python's only at the start.
        out["pattern"] = "(?i)^" + out["pattern"][len("^(?i)"):]
    if out.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    return out


@pytest.fixture(scope="module")
def crd_validators() -> dict[tuple[str, str], object]:
    try:
        import jsonschema
    except ImportError:
        unavailable("jsonschema is not installed (it comes with kubernetes-validate)")

    validators = {}
    for path in sorted(CRD_SCHEMAS.glob("*.json")):
        schema = json.loads(path.read_text())
        key = (schema.pop("x-cablerouter-apiVersion"), schema.pop("x-cablerouter-kind"))
        schema.pop("$comment")
        schema = strict_crd_schema(schema)
        jsonschema.Draft4Validator.check_schema(schema)
        validators[key] = jsonschema.Draft4Validator(schema)
    assert {k for _, k in validators} == CUSTOM_KINDS
    return validators


def crd_errors(validators: dict, obj: dict) -> list[str]:
    key = (obj["apiVersion"], obj["kind"])
    assert key in validators, f"no checked-in schema for {key}"
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validators[key].iter_errors(obj)]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_custom_resources_match_their_crd_schemas(
        helm: str, chart: pathlib.Path, crd_validators: dict, scenario: str) -> None:
    custom = [o for o in render(helm, chart, SCENARIOS[scenario]) if o["kind"] in CUSTOM_KINDS]
    assert len(custom) == sum(n for k, n in EXPECTED_KINDS[scenario].items()
                              if k in CUSTOM_KINDS)
    for obj in custom:
        assert crd_errors(crd_validators, obj) == [], obj["kind"]


def test_crd_schemas_reject_unknown_and_mistyped_fields(
        helm: str, chart: pathlib.Path, crd_validators: dict) -> None:
    objects = render(helm, chart, SCENARIOS["all-features"])
    monitor = copy.deepcopy(one(objects, "ServiceMonitor"))
    monitor["spec"]["endpoints"][0]["scrapeIntervall"] = "30s"
    scaled = copy.deepcopy(one(objects, "ScaledObject"))
    scaled["spec"]["maxReplicaCount"] = "twelve"
    rule = copy.deepcopy(one(objects, "PrometheusRule"))
    rule["spec"]["groups"][0]["rules"][0]["expression"] = "up"
    for spoiled in (monitor, scaled, rule):
        assert crd_errors(crd_validators, spoiled), spoiled["kind"]


# --------------------------------------------------------------------------- settings


def test_every_setting_has_a_value() -> None:
    """A new setting in config.py must get a value (and so an environment variable)."""
    config = yaml.safe_load((CHART / "values.yaml").read_text())["config"]
    assert list(config) == list(Settings.__struct_fields__)


def test_chart_defaults_are_the_routers_own_but_where_documented() -> None:
    config = yaml.safe_load((CHART / "values.yaml").read_text())["config"]
    defaults = Settings()
    for name, value in config.items():
        expected = CHART_DEFAULTS.get(name, getattr(defaults, name))
        assert value == expected, name
    # And the documented exceptions are accepted by the router.
    msgspec.convert(config, Settings)


def test_schema_constrains_each_setting_as_the_router_does() -> None:
    router = msgspec.json.schema(Settings)["$defs"]["Settings"]["properties"]
    schema = json.loads((CHART / "values.schema.json").read_text())
    config = schema["properties"]["config"]
    assert config["additionalProperties"] is False
    assert set(config["required"]) == set(router)
    assert set(config["properties"]) == set(router)
    for name, constraints in router.items():
        chart = config["properties"][name]
        for keyword, value in constraints.items():
            if keyword == "default":
                continue
            if keyword == "enum":
                assert set(chart.get("enum", ())) == set(value), name
            else:
                assert chart.get(keyword) == value, (name, keyword)
    secret_names = schema["properties"]["kafka"]["properties"]["secretKeys"]["propertyNames"]
    assert set(secret_names["enum"]) == set(router)


def environment(container: dict, secrets: dict[tuple[str, str], str]) -> dict[str, str]:
    """The container's CABLEROUTER_* environment, with secretKeyRef values looked up."""
    env: dict[str, str] = {}
    for entry in container["env"]:
        if not entry["name"].startswith("CABLEROUTER_"):
            continue
        assert entry["name"] not in env, f"{entry['name']} twice"
        if "value" in entry:
            env[entry["name"]] = entry["value"]
        else:
            ref = entry["valueFrom"]["secretKeyRef"]
            env[entry["name"]] = secrets[(ref["name"], ref["key"])]
    return env


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_rendered_environment_loads_as_the_values(
        helm: str, chart: pathlib.Path, scenario: str) -> None:
    values = values_of(scenario)
    objects = render(helm, chart, SCENARIOS[scenario])
    secrets = {("kafka-connection", "bootstrap-servers"): "broker-0.kafka:9093"}
    env = environment(container_of(objects), secrets)
    assert sorted(env) == sorted(f"CABLEROUTER_{n.upper()}" for n in Settings.__struct_fields__)
    settings = load_settings(env)
    expected = dict(values["config"])
    if values["kafka"]["existingSecret"]:
        assert "bootstrap_servers" in values["kafka"]["secretKeys"]
        expected["bootstrap_servers"] = "broker-0.kafka:9093"
    if values["directory"]["enabled"]:
        expected["directory_file"] = f"{values['directory']['mountPath']}/{values['directory']['key']}"
    assert settings == msgspec.convert(expected, Settings)


def test_numbers_keep_their_digits(helm: str, chart: pathlib.Path) -> None:
    """Values files give numbers as floats: big integers must not turn into 1.2e+07, and
    fractions must stay fractions."""
    env = {e["name"]: e.get("value") for e in container_of(render(
        helm, chart, [], "--set", "config.max_message_bytes=12345678",
        "--set-json", "config.batch_seconds=0.125", "--set", "config.max_topics=100000000",
        "--set-json", "config.session_timeout_seconds=12.5"))["env"]}
    assert env["CABLEROUTER_MAX_MESSAGE_BYTES"] == "12345678"
    assert env["CABLEROUTER_MAX_TOPICS"] == "100000000"
    assert env["CABLEROUTER_BATCH_SECONDS"] == "0.125"
    assert env["CABLEROUTER_SESSION_TIMEOUT_SECONDS"] == "12.5"
    file_env = {e["name"]: e.get("value")
                for e in container_of(render(helm, chart, SCENARIOS["all-features"]))["env"]}
    assert file_env["CABLEROUTER_MAX_MESSAGE_BYTES"] == "2097164"
    assert file_env["CABLEROUTER_BATCH_SECONDS"] == "0.025"


# --------------------------------------------------------------------------- the workload


def test_deployment_defaults(helm: str, chart: pathlib.Path) -> None:
    objects = render(helm, chart)
    deployment = one(objects, "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    container = container_of(objects)
    chart_meta = yaml.safe_load((CHART / "Chart.yaml").read_text())
    assert deployment["metadata"]["name"] == FULLNAME
    assert deployment["metadata"]["namespace"] == NAMESPACE
    assert deployment["spec"]["replicas"] == 1
    assert container["image"] == f"cablerouter:{chart_meta['appVersion']}"
    assert container["command"] == ["cablerouter", "worker"]
    assert container["resources"]["requests"] and container["resources"]["limits"]
    # Hardened: non-root, read-only root, no capabilities, RuntimeDefault seccomp.
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    sc = container["securityContext"]
    assert sc["readOnlyRootFilesystem"] is True
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert pod["automountServiceAccountToken"] is False
    # The writable places are emptyDirs: Faust's state directory and /tmp.
    env = {e["name"]: e.get("value") for e in container["env"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[mounts[env["CABLEROUTER_STATE_DIR"]]]
    assert "emptyDir" in volumes[mounts["/tmp"]]
    # Probes on the web port, which listens beyond loopback.
    port = next(p for p in container["ports"] if p["name"] == "http")
    assert str(port["containerPort"]) == env["CABLEROUTER_WEB_PORT"]
    assert env["CABLEROUTER_WEB_HOST"] == "0.0.0.0"
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}
    assert container["startupProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    # A graceful stop fits in the grace period.
    assert pod["terminationGracePeriodSeconds"] > float(env["CABLEROUTER_SHUTDOWN_SECONDS"])


def test_topology_spread_selects_the_releases_pods(helm: str, chart: pathlib.Path) -> None:
    deployment = one(render(helm, chart), "Deployment")
    selector = deployment["spec"]["selector"]["matchLabels"]
    constraints = deployment["spec"]["template"]["spec"]["topologySpreadConstraints"]
    assert {c["topologyKey"] for c in constraints} == {"topology.kubernetes.io/zone",
                                                      "kubernetes.io/hostname"}
    for constraint in constraints:
        assert constraint["labelSelector"] == {"matchLabels": selector}
        assert constraint["matchLabelKeys"] == ["pod-template-hash"]


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_standard_labels_on_every_object(helm: str, chart: pathlib.Path, scenario: str) -> None:
    chart_meta = yaml.safe_load((CHART / "Chart.yaml").read_text())
    for obj in render(helm, chart, SCENARIOS[scenario]):
        labels = obj["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == "cablerouter", obj["kind"]
        assert labels["app.kubernetes.io/instance"] == RELEASE
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
        assert labels["helm.sh/chart"] == f"cablerouter-{chart_meta['version']}"
        assert "app.kubernetes.io/version" in labels
        assert obj["metadata"]["namespace"] == NAMESPACE


def test_topology_spread_keeps_a_given_selector(helm: str, chart: pathlib.Path) -> None:
    given = {"maxSkew": 2, "topologyKey": "kubernetes.io/hostname",
             "whenUnsatisfiable": "DoNotSchedule",
             "labelSelector": {"matchLabels": {"app": "other"}}}
    deployment = one(render(helm, chart, [], "--set-json",
                            f"topologySpreadConstraints={json.dumps([given])}"), "Deployment")
    assert deployment["spec"]["template"]["spec"]["topologySpreadConstraints"] == [given]


def test_service_and_pdb_select_the_workers(helm: str, chart: pathlib.Path) -> None:
    objects = render(helm, chart)
    deployment = one(objects, "Deployment")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    service = one(objects, "Service")
    assert service["spec"]["ports"] == [{"name": "metrics", "port": 6066, "targetPort": "http",
                                         "protocol": "TCP"}]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    pdb = one(objects, "PodDisruptionBudget")
    assert pdb["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    assert pdb["spec"]["maxUnavailable"] == 1 and "minAvailable" not in pdb["spec"]
    other = one(render(helm, chart, SCENARIOS["all-features"]), "PodDisruptionBudget")
    assert other["spec"]["minAvailable"] == 2 and "maxUnavailable" not in other["spec"]


def test_recreate_strategy_has_no_rolling_update(helm: str, chart: pathlib.Path) -> None:
    rolling = one(render(helm, chart), "Deployment")["spec"]["strategy"]
    assert rolling == {"type": "RollingUpdate",
                       "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}}
    recreate = one(render(helm, chart, [], "--set", "strategy.type=Recreate"), "Deployment")
    assert recreate["spec"]["strategy"] == {"type": "Recreate"}


def test_image_digest_and_tag(helm: str, chart: pathlib.Path) -> None:
    digest = "sha256:" + "a" * 64
    assert container_of(render(helm, chart, [], "--set", "image.tag=1.2.3"))["image"] \
        == "cablerouter:1.2.3"
    assert container_of(render(helm, chart, [], "--set", f"image.digest={digest}"))["image"] \
        == f"cablerouter@{digest}"


# --------------------------------------------------------------------------- directory


def test_directory_from_the_charts_configmap(helm: str, chart: pathlib.Path,
                                             tmp_path: pathlib.Path) -> None:
    values = values_of("all-features")
    objects = render(helm, chart, SCENARIOS["all-features"])
    configmap = next(o for o in objects if o["kind"] == "ConfigMap"
                     and o["metadata"]["name"] == f"{FULLNAME}-directory")
    assert configmap["data"] == {"directory.yaml": values["directory"]["content"]}
    container = container_of(objects)
    pod = one(objects, "Deployment")["spec"]["template"]
    mount = next(m for m in container["volumeMounts"] if m["name"] == "directory")
    assert mount == {"name": "directory", "mountPath": "/etc/cablerouter/directory",
                     "readOnly": True}
    volume = next(v for v in pod["spec"]["volumes"] if v["name"] == "directory")
    assert volume["configMap"]["name"] == configmap["metadata"]["name"]
    env = {e["name"]: e.get("value") for e in container["env"]}
    assert env["CABLEROUTER_DIRECTORY_FILE"] == "/etc/cablerouter/directory/directory.yaml"
    # The router accepts the file.
    path = tmp_path / "directory.yaml"
    path.write_text(configmap["data"]["directory.yaml"])
    check = subprocess.run([sys.executable, "-m", "cablerouter", "directory", "validate",
                            str(path)], capture_output=True, text=True, timeout=120,
                           check=False)
    assert check.returncode == 0, check.stderr
    # A changed directory rolls the workers.
    changed = render(helm, chart, SCENARIOS["all-features"], "--set",
                     "directory.content=addressees: []")
    before = pod["metadata"]["annotations"]["checksum/directory"]
    after = one(changed, "Deployment")["spec"]["template"]["metadata"]["annotations"]
    assert after["checksum/directory"] != before


def test_directory_as_a_map_is_written_as_json_for_a_json_key(
        helm: str, chart: pathlib.Path) -> None:
    content = {"addressees": [{"id": "SECSTATE WASHDC", "plad": "SECSTATE WASHDC",
                               "ri": "RUEHC"}]}
    objects = render(helm, chart, [], "--set", "directory.enabled=true",
                     "--set", "directory.key=directory.json",
                     "--set-json", f"directory.content={json.dumps(content)}")
    configmap = one(objects, "ConfigMap")
    assert json.loads(configmap["data"]["directory.json"]) == content


def test_directory_from_an_existing_configmap(helm: str, chart: pathlib.Path) -> None:
    objects = render(helm, chart, SCENARIOS["hpa-podmonitor"])
    assert not [o for o in objects if o["kind"] == "ConfigMap"]
    pod = one(objects, "Deployment")["spec"]["template"]
    volume = next(v for v in pod["spec"]["volumes"] if v["name"] == "directory")
    assert volume["configMap"] == {"name": "routing-directory",
                                   "items": [{"key": "directory.json", "path": "directory.json"}]}
    assert "annotations" not in pod["metadata"]
    env = {e["name"]: e.get("value") for e in container_of(objects)["env"]}
    assert env["CABLEROUTER_DIRECTORY_FILE"] == "/etc/cablerouter/directory/directory.json"


def test_kafka_settings_from_an_existing_secret(helm: str, chart: pathlib.Path) -> None:
    objects = render(helm, chart, [], "--set", "kafka.existingSecret=kafka-connection",
                     "--set", "kafka.secretKeys.app_id=group")
    env = {e["name"]: e for e in container_of(objects)["env"]}
    assert env["CABLEROUTER_BOOTSTRAP_SERVERS"] == {
        "name": "CABLEROUTER_BOOTSTRAP_SERVERS",
        "valueFrom": {"secretKeyRef": {"name": "kafka-connection", "key": "bootstrap-servers"}}}
    assert env["CABLEROUTER_APP_ID"]["valueFrom"]["secretKeyRef"] == {
        "name": "kafka-connection", "key": "group"}
    # A setting taken out of the Secret is a plain value again.
    kept = {e["name"]: e for e in container_of(render(
        helm, chart, [], "--set", "kafka.existingSecret=kafka-connection",
        "--set", "kafka.secretKeys.bootstrap_servers=null"))["env"]}
    assert kept["CABLEROUTER_BOOTSTRAP_SERVERS"]["value"] == "127.0.0.1:19092"
    # Without a Secret name, the keys are not used.
    plain = {e["name"]: e for e in container_of(render(helm, chart))["env"]}
    assert plain["CABLEROUTER_BOOTSTRAP_SERVERS"]["value"] == "127.0.0.1:19092"


# --------------------------------------------------------------------------- scaling


def test_keda_scales_on_the_routers_consumer_lag(helm: str, chart: pathlib.Path) -> None:
    values = values_of("all-features")
    objects = render(helm, chart, SCENARIOS["all-features"])
    deployment = one(objects, "Deployment")
    assert "replicas" not in deployment["spec"], "the autoscaler owns the replica count"
    scaled = one(objects, "ScaledObject")
    assert scaled["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                                                "name": deployment["metadata"]["name"]}
    assert scaled["spec"]["maxReplicaCount"] <= values["config"]["raw_partitions"]
    [trigger] = scaled["spec"]["triggers"]
    assert trigger["type"] == "kafka"
    meta = trigger["metadata"]
    assert meta["consumerGroup"] == values["config"]["app_id"]
    assert meta["topic"] == values["config"]["raw_topic"]
    assert meta["lagThreshold"] == "500" and meta["allowIdleConsumers"] == "false"
    assert trigger["authenticationRef"] == {"name": "kafka-trigger-auth"}
    # The servers come from the Secret through the container's environment.
    env_names = {e["name"] for e in container_of(objects)["env"]}
    assert meta["bootstrapServersFromEnv"] in env_names
    assert all(isinstance(v, str) for v in meta.values())
    plain = one(render(helm, chart, [], "--set", "keda.enabled=true"), "ScaledObject")
    assert plain["spec"]["triggers"][0]["metadata"]["bootstrapServers"] == "127.0.0.1:19092"


def test_hpa_alternative(helm: str, chart: pathlib.Path) -> None:
    objects = render(helm, chart, SCENARIOS["hpa-podmonitor"])
    assert "replicas" not in one(objects, "Deployment")["spec"]
    hpa = one(objects, "HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 6)
    assert hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu"
    assert hpa["spec"]["scaleTargetRef"]["name"] == FULLNAME


# --------------------------------------------------------------------------- monitoring


def test_monitors_scrape_the_metrics_port_as_job_cablerouter(
        helm: str, chart: pathlib.Path) -> None:
    objects = render(helm, chart, SCENARIOS["all-features"])
    service = one(objects, "Service")
    monitor = one(objects, "ServiceMonitor")
    assert monitor["spec"]["selector"]["matchLabels"].items() \
        <= service["metadata"]["labels"].items()
    assert monitor["spec"]["endpoints"][0]["port"] == service["spec"]["ports"][0]["name"]
    assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    # The alerts select up{job="cablerouter"}: the job label comes from this pod label.
    assert service["metadata"]["labels"][monitor["spec"]["jobLabel"]] == "cablerouter"
    assert monitor["metadata"]["labels"]["release"] == "prometheus"
    pod_objects = render(helm, chart, SCENARIOS["hpa-podmonitor"])
    podmonitor = one(pod_objects, "PodMonitor")
    pod_labels = one(pod_objects, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert podmonitor["spec"]["podMetricsEndpoints"][0]["port"] == "http"
    assert pod_labels[podmonitor["spec"]["jobLabel"]] == "cablerouter"
    assert podmonitor["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()


def test_alerts_copy_equals_the_source() -> None:
    source = yaml.safe_load(ALERTS.read_text())["groups"]
    copy_ = yaml.safe_load((CHART / "alerts" / "alerts.yml").read_text())["groups"]
    assert copy_ == source, "cp deploy/prometheus/alerts.yml helm/cablerouter/alerts/alerts.yml"


def test_prometheus_rule_carries_the_alerts(helm: str, chart: pathlib.Path) -> None:
    rule = one(render(helm, chart, SCENARIOS["all-features"]), "PrometheusRule")
    assert rule["spec"]["groups"] == yaml.safe_load(ALERTS.read_text())["groups"]
    assert rule["metadata"]["labels"]["release"] == "prometheus"


def test_dashboards_configmap_for_the_grafana_sidecar(helm: str, chart: pathlib.Path) -> None:
    objects = render(helm, chart, SCENARIOS["all-features"])
    configmap = next(o for o in objects if o["kind"] == "ConfigMap"
                     and o["metadata"]["name"] == f"{FULLNAME}-dashboards")
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    assert configmap["metadata"]["annotations"] == {"grafana_folder": "Cablerouter"}
    files = {p.name: p.read_text() for p in sorted((chart / "dashboards").glob("*.json"))}
    assert files and set(configmap["data"]) == set(files)
    for name, text in files.items():
        assert json.loads(configmap["data"][name]) == json.loads(text), name
    custom = render(helm, chart, [], "--set", "grafanaDashboards.enabled=true",
                    "--set", "grafanaDashboards.label=dashboards",
                    "--set", "grafanaDashboards.labelValue=cablerouter",
                    "--set", "grafanaDashboards.namespace=monitoring")
    labels = one(custom, "ConfigMap")["metadata"]
    assert labels["labels"]["dashboards"] == "cablerouter"
    assert "grafana_dashboard" not in labels["labels"]
    assert labels["namespace"] == "monitoring"


def test_charts_dashboards_are_the_projects() -> None:
    """The chart cannot read deploy/grafana: its dashboards/ is a copy, kept equal."""
    ours = {p.name: json.loads(p.read_text()) for p in (CHART / "dashboards").glob("*.json")}
    theirs = {p.name: json.loads(p.read_text()) for p in GRAFANA_DASHBOARDS.glob("*.json")}
    assert ours == theirs, "cp deploy/grafana/dashboards/*.json helm/cablerouter/dashboards/"


def test_dashboards_enabled_without_dashboards_fails(helm: str,
                                                     tmp_path: pathlib.Path) -> None:
    bare = tmp_path / "cablerouter"
    shutil.copytree(CHART, bare, ignore=shutil.ignore_patterns("dashboards"))
    err = render_fails(helm, bare, "--set", "grafanaDashboards.enabled=true")
    assert "the chart has no dashboards/*.json" in err


# --------------------------------------------------------------------------- values schema

BAD_VALUES = {
    "negative replicas": (["--set", "replicaCount=-1"], "/replicaCount"),
    "replicas not a number": (["--set-string", "replicaCount=two"], "/replicaCount"),
    "unknown top-level key": (["--set", "replicas=2"], "additional properties 'replicas'"),
    "unknown setting": (["--set", "config.batch_sizes=10"], "additional properties 'batch_sizes'"),
    "setting of the wrong type": (["--set-string", "config.batch_size=many"], "/config/batch_size"),
    "setting below its minimum": (["--set", "config.raw_partitions=0"], "/config/raw_partitions"),
    "setting above its maximum": (["--set", "config.web_port=70000"], "/config/web_port"),
    "exclusive minimum": (["--set", "config.batch_seconds=0"], "/config/batch_seconds"),
    "setting not in its enum": (["--set", "config.compression=zstd"], "/config/compression"),
    "log level": (["--set", "config.log_level=TRACE"], "/config/log_level"),
    "bad topic name": (["--set", "config.raw_topic=cables raw"], "/config/raw_topic"),
    "loopback web host": (["--set", "config.web_host=127.0.0.1"], "/config/web_host"),
    "relative state dir": (["--set", "config.state_dir=state"], "/config/state_dir"),
    "number for a string setting": (["--set-json", "config.app_id=5"], "/config/app_id"),
    "both autoscalers": (["--set", "keda.enabled=true", "--set", "hpa.enabled=true"], "'not' failed"),
    "both monitors": (["--set", "serviceMonitor.enabled=true", "--set", "podMonitor.enabled=true"],
                      "'not' failed"),
    "keda maximum zero": (["--set", "keda.maxReplicaCount=0"], "/keda/maxReplicaCount"),
    "keda unknown key": (["--set", "keda.maxReplicas=3"], "additional properties 'maxReplicas'"),
    "secret key for no setting": (["--set", "kafka.secretKeys.password=pw"],
                                  "invalid propertyName 'password'"),
    "pull policy": (["--set", "image.pullPolicy=Sometimes"], "/image/pullPolicy"),
    "bad digest": (["--set", "image.digest=latest"], "/image/digest"),
    "service port zero": (["--set", "service.port=0"], "/service/port"),
    "probe period zero": (["--set", "probes.liveness.periodSeconds=0"], "/probes/liveness/periodSeconds"),
    "negative pdb": (["--set", "podDisruptionBudget.maxUnavailable=-1"],
                     "/podDisruptionBudget/maxUnavailable"),
    "CABLEROUTER_ in extraEnv": (["--set", "extraEnv[0].name=CABLEROUTER_X",
                                  "--set", "extraEnv[0].value=1"], "/extraEnv/0/name"),
    "bad label value": (["--set", "grafanaDashboards.labelValue=not valid"],
                        "/grafanaDashboards/labelValue"),
    "directory content of the wrong type": (["--set-json", "directory.content=[1]"],
                                            "/directory/content"),
    "enabled not a boolean": (["--set-string", "serviceMonitor.enabled=yes"],
                              "/serviceMonitor/enabled"),
    "bad scrape interval": (["--set", "serviceMonitor.interval=often"], "/serviceMonitor/interval"),
    "bad quantity": (["--set", "resources.requests.memory=lots"], "/resources/requests/memory"),
}


@pytest.mark.parametrize("case", BAD_VALUES)
def test_schema_rejects_bad_values(helm: str, chart: pathlib.Path, case: str) -> None:
    args, where = BAD_VALUES[case]
    err = render_fails(helm, chart, *args)
    assert SCHEMA_ERROR in err, err
    assert where in err, err


def test_schema_rejects_a_bad_values_file(helm: str, chart: pathlib.Path,
                                          tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("config:\n  raw_partitions: -4\n  linger_ms: 1.5\nimage: cablerouter:1.0\n")
    err = render_fails(helm, chart, "-f", str(bad))
    assert SCHEMA_ERROR in err
    for where in ("/config/raw_partitions", "/config/linger_ms", "/image"):
        assert where in err, err


GOOD_VALUES = {
    "no replicas": ["--set", "replicaCount=0"],
    # `--set` passes "0.5" as a string (helm parses only integers): fractions need
    # --set-json or a values file.
    "fractional seconds": ["--set-json", "config.batch_seconds=0.5",
                           "--set-json", "config.stall_seconds=7.5"],
    "integer seconds": ["--set", "config.session_timeout_seconds=20"],
    "every enum": ["--set", "config.compression=gzip", "--set", "config.on_internal_error=crash",
                   "--set", "config.log_level=DEBUG", "--set", "config.log_format=text"],
    "keda to zero": ["--set", "keda.enabled=true", "--set", "keda.minReplicaCount=0"],
    "hpa alone": ["--set", "hpa.enabled=true", "--set", "hpa.maxReplicas=4"],
    "pod monitor alone": ["--set", "podMonitor.enabled=true"],
    "pdb minAvailable percent": ["--set", "podDisruptionBudget.minAvailable=50%"],
    "no pdb": ["--set", "podDisruptionBudget.enabled=false"],
    "no probes": ["--set", "probes.startup.enabled=false", "--set", "probes.liveness.enabled=false",
                  "--set", "probes.readiness.enabled=false"],
    "existing service account": ["--set", "serviceAccount.create=false",
                                 "--set", "serviceAccount.name=router"],
    "ipv6 any": ["--set", "config.web_host=::"],
}


@pytest.mark.parametrize("case", GOOD_VALUES)
def test_schema_accepts_good_values(helm: str, chart: pathlib.Path, case: str) -> None:
    objects = render(helm, chart, [], *GOOD_VALUES[case])
    assert one(objects, "Deployment")


def test_good_values_render_valid_objects(helm: str, chart: pathlib.Path,
                                         kubernetes_validate: str, newest_kubernetes: str,
                                         crd_validators: dict, tmp_path: pathlib.Path) -> None:
    """Every accepted variant, and the other shapes the templates take, renders objects
    that Kubernetes and the CRDs accept."""
    variants = [*GOOD_VALUES.values(), ["--set", "strategy.type=Recreate"],
                ["--set", "kafka.existingSecret=s", "--set", "keda.enabled=true"],
                ["--set", "directory.enabled=true", "--set", "directory.key=d.json",
                 "--set-json", 'directory.content={"addressees": []}']]
    builtin: list[dict] = []
    for number, args in enumerate(variants):
        for obj in render(helm, chart, [], *args):
            if obj["kind"] in CUSTOM_KINDS:
                assert crd_errors(crd_validators, obj) == [], (args, obj["kind"])
            else:
                obj["metadata"]["name"] += f"-{number}"
                builtin.append(obj)
    for version in (KUBERNETES_31, newest_kubernetes):
        proc = validate_builtin(kubernetes_validate, builtin, version, tmp_path)
        out = proc.stdout + proc.stderr
        assert proc.returncode == 0 and not re.search(r"^(WARN|ERROR)", out, re.M), out
        assert out.count(" passed for resource ") == len(builtin), out


# Rules between values that a JSON schema cannot state: the templates stop the render.
TEMPLATE_FAILURES = {
    "keda beyond the partitions": (["--set", "keda.enabled=true", "--set", "keda.maxReplicaCount=5"],
                                   "keda.maxReplicaCount (5) exceeds config.raw_partitions (4)"),
    "keda beyond more partitions": (["--set", "keda.enabled=true", "--set", "config.raw_partitions=8",
                                     "--set", "keda.maxReplicaCount=9"],
                                    "keda.maxReplicaCount (9) exceeds config.raw_partitions (8)"),
    "hpa beyond the partitions": (["--set", "hpa.enabled=true", "--set", "hpa.maxReplicas=5"],
                                  "hpa.maxReplicas (5) exceeds config.raw_partitions (4)"),
    "keda minimum above maximum": (["--set", "keda.enabled=true", "--set", "keda.minReplicaCount=4",
                                    "--set", "keda.maxReplicaCount=3"],
                                   "keda.minReplicaCount exceeds keda.maxReplicaCount"),
    "hpa without a cpu request": (["--set", "hpa.enabled=true", "--set", "resources.requests=null"],
                                  "hpa.enabled needs resources.requests.cpu"),
    "grace period too short": (["--set", "terminationGracePeriodSeconds=10"],
                               "terminationGracePeriodSeconds (10) must exceed config.shutdown_seconds (10)"),
    "directory without content": (["--set", "directory.enabled=true"],
                                  "directory.enabled needs directory.content or directory.existingConfigMap"),
    "directory twice": (["--set", "directory.enabled=true", "--set", "directory.existingConfigMap=d",
                         "--set", "config.directory_file=/d.yaml"],
                        "leave config.directory_file empty"),
}


@pytest.mark.parametrize("case", TEMPLATE_FAILURES)
def test_templates_reject_inconsistent_values(helm: str, chart: pathlib.Path, case: str) -> None:
    args, message = TEMPLATE_FAILURES[case]
    err = render_fails(helm, chart, *args)
    assert SCHEMA_ERROR not in err, err
    assert message in err, err


@pytest.mark.parametrize("pair", ["autoscalers", "monitors"])
def test_templates_reject_both_alternatives_without_the_schema(
        helm: str, chart: pathlib.Path, pair: str) -> None:
    """The exclusions hold even when schema validation is skipped."""
    args = {"autoscalers": ["--set", "keda.enabled=true", "--set", "hpa.enabled=true"],
            "monitors": ["--set", "serviceMonitor.enabled=true", "--set", "podMonitor.enabled=true"]}
    err = render_fails(helm, chart, "--skip-schema-validation", *args[pair])
    assert "choose one" in err, err


# --------------------------------------------------------------------------- docs


def test_readme_lists_every_value() -> None:
    readme = (CHART / "README.md").read_text()
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    missing = [p for p, _ in leaf_values(values) if f"`{p}`" not in readme]
    assert not missing, f"not in helm/cablerouter/README.md: {missing}"
    # Top-level ones too (the table's sections).
    assert all(f"`{key}" in readme for key in values)
    # And each row's default is the one in values.yaml.
    rows = dict(re.findall(r"^\| `([^`]+)` \| `(.*?)` \|", readme, re.M))
    leaves = dict(leaf_values(values))
    for path, value in leaves.items():
        assert path in rows, f"no table row for {path}"
        assert json.loads(rows[path]) == value, f"README default of {path}: {rows[path]}"


def render_notes(helm: str, chart: pathlib.Path, tmp_path: pathlib.Path, *extra: str) -> str:
    """templates/NOTES.txt as `helm install` would print it (which needs a cluster): a copy
    of the chart renders it through `tpl` into a ConfigMap that `helm template` shows."""
    copy_ = tmp_path / "notes-chart"
    shutil.copytree(chart, copy_)
    shutil.copy(chart / "templates" / "NOTES.txt", copy_ / "notes-source.txt")
    (copy_ / "templates" / "zz-notes.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n"
        "  notes: {{ tpl (.Files.Get \"notes-source.txt\") . | quote }}\n")
    out = run_helm(helm, "template", RELEASE, str(copy_), "--namespace", NAMESPACE,
                   "--show-only", "templates/zz-notes.yaml", *extra).stdout
    return yaml.safe_load(out)["data"]["notes"]


def test_notes_render(helm: str, chart: pathlib.Path, tmp_path: pathlib.Path) -> None:
    notes = render_notes(helm, chart, tmp_path, "-f", str(chart / SCENARIOS["all-features"][0]))
    assert FULLNAME in notes and f"namespace {NAMESPACE}" in notes
    assert "Secret kafka-connection" in notes
    assert "bootstrap_servers <- key bootstrap-servers" in notes
    assert "2-12 (KEDA, on consumer lag)" in notes
    assert "ConfigMap rel-cablerouter-directory, key directory.yaml" in notes
    assert "WARNING" not in notes
    warned = render_notes(helm, chart, tmp_path / "warned", "--set", "replicaCount=5")
    assert "WARNING: replicaCount 5 exceeds config.raw_partitions 4" in warned
    assert "Kafka bootstrap servers: 127.0.0.1:19092" in warned
    assert "WARNING: config.bootstrap_servers points at the pod itself" in warned
    elsewhere = render_notes(helm, chart, tmp_path / "elsewhere",
                             "--set", "config.bootstrap_servers=kafka:9092")
    assert "WARNING" not in elsewhere
