"""docker-compose.yml: its configuration as the compose tool resolves it (fast, no engine),
and the whole stack run on a real Docker engine with deploy/docker/compose.test.yml (local
stand-in images): the sample corpus published into it is delivered exactly as
``cablerouter route`` predicts, and the stack's Prometheus holds both routers' series."""

from __future__ import annotations

import asyncio
import collections
import json
import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable

import msgspec
import pytest
import yaml

from tests.deploy.conftest import DOCKER_TIMINGS, REPO, DockerEngine, run

COMPOSE_FILE = REPO / "docker-compose.yml"
TEST_OVERRIDE = REPO / "deploy" / "docker" / "compose.test.yml"
PROJECT = "cablerouter-deploytest"
CORPUS_DIR = REPO / "tests" / "corpus"
CORPUS = sorted(CORPUS_DIR.rglob("*.txt"))
ROUTERS = ("router-1", "router-2")
KAFKA_VERSION = re.search(r"<kafka\.version>([^<]+)</kafka\.version>",
                          (REPO / "deploy" / "kafka" / "pom.xml").read_text()).group(1)


def compose_config(compose_command: list[str], *files: pathlib.Path, profiles: tuple[str, ...] = (),
                   env: dict[str, str] | None = None) -> dict:
    """The configuration the compose tool resolves from ``files`` (``config`` validates it)."""
    args = [*compose_command, "--project-directory", str(REPO)]
    for f in files:
        args += ["-f", str(f)]
    for p in profiles:
        args += ["--profile", p]
    proc = run([*args, "config"], env={**os.environ, **(env or {})}, timeout=120)
    return yaml.safe_load(proc.stdout)


def _bind_mounts(service: dict) -> dict[str, pathlib.Path]:
    """Container path -> host path of a service's bind mounts."""
    mounts = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            parts = volume.split(":")
            source, target = parts[0], parts[1]
            if source.startswith("/"):
                mounts[target] = pathlib.Path(source)
        elif volume.get("type") == "bind":
            mounts[volume["target"]] = pathlib.Path(volume["source"])
    return mounts


def _depends(service: dict) -> dict[str, str]:
    depends = service.get("depends_on", {})
    if isinstance(depends, list):
        return dict.fromkeys(depends, "service_started")
    return {name: spec["condition"] for name, spec in depends.items()}


def _env(service: dict) -> dict[str, str]:
    environment = service.get("environment", {})
    if isinstance(environment, list):
        return dict(item.split("=", 1) for item in environment)
    return {k: str(v) for k, v in environment.items()}


# --- fast: the configuration --------------------------------------------------------------

def test_compose_file_and_test_override_validate(compose_command) -> None:
    for files in ((COMPOSE_FILE,), (COMPOSE_FILE, TEST_OVERRIDE)):
        args = [*compose_command, "--project-directory", str(REPO)]
        for f in files:
            args += ["-f", str(f)]
        run([*args, "config", "--quiet"], timeout=120)


def test_stack_wiring(compose_command) -> None:
    config = compose_config(compose_command, COMPOSE_FILE, profiles=("publish",))
    services = config["services"]
    assert set(services) == {"kafka", "init", *ROUTERS, "publish", "prometheus", "grafana"}

    # Official images, Kafka at the version deploy/kafka/pom.xml pins.
    assert services["kafka"]["image"] == f"apache/kafka:{KAFKA_VERSION}"
    assert services["prometheus"]["image"].startswith("prom/prometheus:v")
    assert services["grafana"]["image"].startswith("grafana/grafana:")

    # Kafka: KRaft, broker and controller in one node; a health check the others wait for.
    kafka_env = _env(services["kafka"])
    assert kafka_env["KAFKA_PROCESS_ROLES"] == "broker,controller"
    assert kafka_env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == "1@kafka:9093"
    assert "PLAINTEXT://kafka:9092" in kafka_env["KAFKA_ADVERTISED_LISTENERS"]
    assert kafka_env["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    assert kafka_env["CLUSTER_ID"]
    assert "kafka-topics.sh" in " ".join(services["kafka"]["healthcheck"]["test"])

    # The init creates the topics with the router's own command (the worker's specs).
    assert _depends(services["init"]) == {"kafka": "service_healthy"}
    assert services["init"]["command"] == ["topics", "create"]
    assert _env(services["init"])["CABLEROUTER_BOOTSTRAP_SERVERS"] == "kafka:9092"
    assert _env(services["init"])["CABLEROUTER_RAW_PARTITIONS"] == _env(services["router-1"])["CABLEROUTER_RAW_PARTITIONS"]

    # Two routers of one image in one consumer group, read-only, state in memory.
    image = services["router-1"]["image"]
    assert services["router-1"]["build"]["dockerfile"] == "deploy/docker/Dockerfile"
    for name in ROUTERS:
        router = services[name]
        env = _env(router)
        assert router["image"] == image
        assert env["CABLEROUTER_BOOTSTRAP_SERVERS"] == "kafka:9092"
        assert env["CABLEROUTER_APP_ID"] == _env(services["router-1"])["CABLEROUTER_APP_ID"]
        assert router["read_only"] is True
        assert "/tmp" in router["tmpfs"]
        assert "/var/lib/cablerouter:uid=10001,gid=10001,mode=0700" in router["tmpfs"]
        assert _depends(router) == {"kafka": "service_healthy", "init": "service_completed_successfully"}
        assert router["hostname"] == name
    assert services["publish"]["image"] == services["init"]["image"] == image
    assert services["publish"]["command"][0] == "publish"
    assert _bind_mounts(services["publish"])["/corpus"] == CORPUS_DIR

    # Prometheus: the compose scrape config, beside the alert rules it loads, scraping both
    # routers at the port the image serves on.
    prometheus = services["prometheus"]
    prom_dir = _bind_mounts(prometheus)["/etc/prometheus"]
    assert prom_dir == REPO / "deploy" / "prometheus"
    config_arg = next(a for a in prometheus["command"] if a.startswith("--config.file="))
    prom_config = yaml.safe_load((prom_dir / pathlib.Path(config_arg.split("=", 1)[1]).name).read_text())
    assert config_arg == "--config.file=/etc/prometheus/compose.yml"
    for rule_file in prom_config["rule_files"]:
        assert (prom_dir / rule_file).is_file(), rule_file
    (job,) = prom_config["scrape_configs"]
    assert job["job_name"] == "cablerouter"  # the alert rules select this job
    targets = [t for sc in job["static_configs"] for t in sc["targets"]]
    assert sorted(targets) == [f"{name}:6066" for name in ROUTERS]

    # Grafana: the provisioning folders of deploy/grafana, a data source that points at the
    # Prometheus service and a dashboard provider that reads where the dashboards are mounted.
    grafana = services["grafana"]
    mounts = _bind_mounts(grafana)
    provisioning = mounts["/etc/grafana/provisioning"]
    assert provisioning == REPO / "deploy" / "grafana" / "provisioning"
    assert _depends(grafana) == {"prometheus": "service_healthy"}
    datasources = [d for f in sorted((provisioning / "datasources").glob("*.y*ml"))
                   for d in (yaml.safe_load(f.read_text()) or {}).get("datasources", [])]
    prom_sources = [d for d in datasources if d["type"] == "prometheus"]
    assert prom_sources, f"no Prometheus data source in {provisioning / 'datasources'}"
    for source in prom_sources:
        url = urllib.parse.urlsplit(source["url"])
        assert (url.hostname, url.port) == ("prometheus", 9090), source["url"]
    providers = [p for f in sorted((provisioning / "dashboards").glob("*.y*ml"))
                 for p in (yaml.safe_load(f.read_text()) or {}).get("providers", [])]
    assert providers, f"no dashboard provider in {provisioning / 'dashboards'}"
    for provider in providers:
        path = pathlib.PurePosixPath(provider["options"]["path"])
        mounted = [target for target in mounts if path == pathlib.PurePosixPath(target)
                   or pathlib.PurePosixPath(target) in path.parents]
        assert mounted, f"provider {provider['name']} reads {path}, which nothing is mounted at"
        host_dir = mounts[mounted[0]] / path.relative_to(mounted[0])
        assert sorted(host_dir.glob("*.json")), f"no dashboards in {host_dir}"

    # Every bind mount comes from inside the repository; host ports only on loopback.
    for name, service in services.items():
        for source in _bind_mounts(service).values():
            assert source == REPO or REPO in source.parents, (name, source)
            assert source.exists(), (name, source)
        for port in service.get("ports", []):
            host_ip = port["host_ip"] if isinstance(port, dict) else port.split(":")[0]
            assert host_ip == "127.0.0.1", (name, port)
    # Health checks for the long-running services.
    for name in ("kafka", "prometheus", "grafana"):
        assert services[name]["healthcheck"]["test"], name


def test_test_override_swaps_only_images(compose_command) -> None:
    base = compose_config(compose_command, COMPOSE_FILE)["services"]
    test = compose_config(compose_command, COMPOSE_FILE, TEST_OVERRIDE)["services"]
    # Grafana gets a profile, so that a plain "up" leaves it out; publish keeps its own.
    assert set(test) == set(base)
    assert "profiles" not in base["grafana"] and test["grafana"]["profiles"] == ["grafana"]
    assert [n for n, s in test.items() if s.get("profiles")] == sorted(["grafana", "publish"])
    assert test["kafka"]["image"] == f"cablerouter-local/kafka:{KAFKA_VERSION}"
    assert test["init"]["image"] == test["router-1"]["image"]  # the router's own image
    assert test["prometheus"]["image"].startswith("cablerouter-local/")
    args = test["router-1"]["build"]["args"]
    assert args["PYTHON_IMAGE"].startswith("cablerouter-local/python:3.11")
    assert args["RUST_IMAGE"].startswith("cablerouter-local/rust:")
    # Apart from images and build arguments, the services are docker-compose.yml's.
    for name, service in base.items():
        ignored = ("image", "build", "profiles") if name == "grafana" else ("image", "build")
        assert _normal(test[name], ignored) == _normal(service, ignored), name


def _normal(service: dict, ignored: tuple[str, ...]) -> dict:
    """A service without the ``ignored`` keys; mounts and ports in a fixed order (the
    compose tool may list them in either order once an override is merged)."""
    return {k: sorted(v, key=str) if k in ("volumes", "ports") else v
            for k, v in service.items() if k not in ignored}


# --- slow: the stack on a real engine -----------------------------------------------------

def _free_port(start: int) -> int:
    """The first port from ``start`` that nothing on 127.0.0.1 holds. The stack's host ports
    start at 16000: clear of local-kafka's brokers (N*10000+9092/9093, shifted by 100 or 500
    for the other clusters) and of the ephemeral range."""
    for port in range(start, start + 200):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise AssertionError(f"no free port from {start}")


class Stack:
    """The compose project of the test: the compose tool on docker-compose.yml and the test
    override, with the engine's DOCKER_HOST and the chosen host ports."""

    def __init__(self, engine: DockerEngine, compose_command: list[str], image: str) -> None:
        self.engine = engine
        self.kafka_port = _free_port(16094)
        self.prometheus_port = _free_port(16390)  # disjoint ranges of 200 ports each
        self.env = {**engine.env, "CABLEROUTER_IMAGE": image,
                    "KAFKA_HOST_PORT": str(self.kafka_port),
                    "PROMETHEUS_HOST_PORT": str(self.prometheus_port),
                    "GRAFANA_HOST_PORT": str(_free_port(16630))}
        self.base = [*compose_command, "--project-directory", str(REPO), "-p", PROJECT,
                     "-f", str(COMPOSE_FILE), "-f", str(TEST_OVERRIDE)]

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    def compose(self, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
        return run([*self.base, *args], env=self.env, timeout=timeout, check=check)

    def containers(self) -> dict[str, dict]:
        """Service name -> ``docker inspect`` of its container (every state)."""
        ids = self.engine.docker("ps", "-aq", "--filter", f"label=com.docker.compose.project={PROJECT}",
                                 "--filter", "label=com.docker.compose.oneoff=False").stdout.split()
        if not ids:
            return {}
        found = json.loads(self.engine.docker("inspect", *[i.decode() for i in ids]).stdout)
        return {c["Config"]["Labels"]["com.docker.compose.service"]: c for c in found}

    def address(self, service: str) -> str:
        (network,) = self.containers()[service]["NetworkSettings"]["Networks"].values()
        return network["IPAddress"]


def _get(url: str, timeout: float = 5) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def _wait(what: str, check: Callable[[], object], timeout: float):  # check returns a truthy result when done
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except OSError as exc:  # not listening yet
            last = exc
        if last and not isinstance(last, Exception):
            return last
        time.sleep(1)
    raise AssertionError(f"{what}: not after {timeout}s (last: {last!r})")


@pytest.fixture(scope="module")
def stack(docker_engine, compose_command, cablerouter_image, local_images):
    """The stack, up with every health check passing and both routers ready; its logs are
    kept in .cache/docker/compose-test.log, then it is taken down with its volumes."""
    stack = Stack(docker_engine, compose_command, cablerouter_image)
    stack.compose("down", "-v", "--remove-orphans", timeout=300)
    t0 = time.monotonic()
    try:
        # With depends_on conditions, "up" starts each service once what it needs is healthy
        # (or, for init, has exited 0).
        stack.compose("up", "-d", "--no-build", timeout=600)
        for name in ROUTERS:
            _wait(f"{name} healthy", lambda n=name: stack.containers()[n]["State"].get("Health", {})
                  .get("Status") == "healthy", timeout=120)
            _wait(f"{name} ready", lambda n=name: _get(f"http://{stack.address(n)}:6066/readyz")[0] == 200,
                  timeout=120)
        DOCKER_TIMINGS["compose stack up"] = time.monotonic() - t0
        yield stack
    finally:
        log = REPO / ".cache" / "docker" / "compose-test.log"
        logs = stack.compose("logs", "--no-color", "--timestamps", check=False, timeout=120)
        log.write_bytes(logs.stdout + logs.stderr)
        stack.compose("down", "-v", "--remove-orphans", timeout=300, check=False)


def test_stack_services_are_healthy(stack: Stack) -> None:
    containers = stack.containers()
    assert set(containers) == {"kafka", "init", *ROUTERS, "prometheus"}  # no Grafana here
    assert containers["init"]["State"]["Status"] == "exited"
    assert containers["init"]["State"]["ExitCode"] == 0
    for name in ("kafka", *ROUTERS, "prometheus"):
        state = containers[name]["State"]
        assert state["Status"] == "running", (name, state)
        assert state["Health"]["Status"] == "healthy", (name, state["Health"])
    for name in ROUTERS:
        container = containers[name]
        assert container["HostConfig"]["ReadonlyRootfs"] is True
        assert container["Config"]["User"] == "10001:10001"
        assert container["Config"]["Image"] == stack.env["CABLEROUTER_IMAGE"]
    # The init's topics, as the worker would create them.
    topics = stack.engine.docker("exec", containers["kafka"]["Id"], "/opt/kafka/bin/kafka-topics.sh",
                                 "--bootstrap-server", "localhost:9092", "--describe", "--topic",
                                 "cables.raw").stdout.decode()
    assert "PartitionCount: 4" in topics, topics


def _kcat(*args: str, timeout: float = 60) -> bytes:
    kcat = shutil.which("kcat")
    assert kcat, "kcat is not installed (deploy/setup installs it)"
    return subprocess.run([kcat, *args], capture_output=True, timeout=timeout, check=True).stdout


async def _read_keys(bootstrap: str, partitions: dict[str, list[int]]) -> collections.Counter:
    """(topic, key) -> records, read_committed, of every partition up to its end."""
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                isolation_level="read_committed", auto_offset_reset="earliest")
    await consumer.start()
    try:
        tps = [TopicPartition(t, p) for t, ps in partitions.items() for p in ps]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        end = await consumer.end_offsets(tps)  # read_committed: the last stable offsets
        keys: collections.Counter = collections.Counter()
        deadline = time.monotonic() + 120
        async def behind() -> bool:
            return any([await consumer.position(tp) < end[tp] for tp in tps])

        while await behind():
            assert time.monotonic() < deadline, "deliveries not read within 120 s"
            for tp, records in (await consumer.getmany(timeout_ms=1000, max_records=5000)).items():
                keys.update((tp.topic, r.key.decode()) for r in records)
        return keys
    finally:
        await consumer.stop()


def _expected_deliveries() -> collections.Counter:
    """What ``cablerouter route`` predicts: (topic, cable id) -> number of deliveries."""
    proc = subprocess.run([sys.executable, "-m", "cablerouter", "route", *map(str, CORPUS)],
                          capture_output=True, timeout=300, check=True)
    expected: collections.Counter = collections.Counter()
    for line in proc.stdout.splitlines():
        routed = msgspec.json.decode(line)
        for delivery in routed["deliveries"]:
            expected[(delivery["topic"], routed["id"])] += 1
    return expected


def _prometheus(stack: Stack, expr: str) -> list[dict]:
    url = (f"http://127.0.0.1:{stack.prometheus_port}/api/v1/query?"
           + urllib.parse.urlencode({"query": expr}))
    status, body = _get(url)
    assert status == 200, body
    return json.loads(body)["data"]["result"]


def test_published_corpus_is_delivered_and_measured(stack: Stack) -> None:
    t0 = time.monotonic()
    publish = stack.compose("run", "--rm", "publish", timeout=300)
    assert f"{len(CORPUS)}".encode() in publish.stdout + publish.stderr

    # Every cable accounted for, as the image's summary (read_committed) reports it.
    summary = stack.compose("run", "--rm", "publish", "summary", "--expect", str(len(CORPUS)),
                            "--timeout", "180", "--per-cable", "0", timeout=300)
    DOCKER_TIMINGS["compose corpus routed"] = time.monotonic() - t0
    print(summary.stdout.decode())

    # The deliveries, read back from the host through the published port, read_committed:
    # exactly what `cablerouter route` predicts, topic by topic and cable by cable.
    expected = _expected_deliveries()
    metadata = json.loads(_kcat("-b", stack.bootstrap, "-L", "-J"))
    partitions = {t["topic"]: [p["partition"] for p in t["partitions"]]
                  for t in metadata["topics"] if t["topic"].startswith("cables.to.")}
    topics = sorted(partitions)
    assert topics == sorted({topic for topic, _ in expected})
    delivered = asyncio.run(_read_keys(stack.bootstrap, partitions))
    assert delivered == expected
    per_topic = collections.Counter()
    for (topic, _), n in delivered.items():
        per_topic[topic] += n

    # The image's tail, in the stack's network, sees the busiest addressee's deliveries.
    busiest = per_topic.most_common(1)[0][0]
    tail = stack.compose("run", "--rm", "--no-deps", "publish", "tail", busiest, "--from-beginning",
                         "--json", "--idle-timeout", "5", timeout=180)
    tailed = collections.Counter(msgspec.json.decode(line)["cable"]["id"]
                                 for line in tail.stdout.splitlines())
    assert tailed == collections.Counter({key: n for (topic, key), n in expected.items()
                                          if topic == busiest})
    print(f"{sum(delivered.values())} deliveries on {len(topics)} topics; most: {per_topic.most_common(5)}")

    # The stack's Prometheus scrapes both routers: together they routed every cable, each
    # took its share of the input partitions, and the alert rules are loaded.
    routed = _wait("both routers' routed counters in Prometheus, summing to the corpus",
                   lambda: (r := _prometheus(stack, "cablerouter_routed_cables_total"))
                   and len(r) == 2 and sum(float(s["value"][1]) for s in r) == len(CORPUS) and r,
                   timeout=120)
    by_instance = {s["metric"]["instance"]: float(s["value"][1]) for s in routed}
    print(f"Prometheus cablerouter_routed_cables_total: {by_instance}")
    assert sorted(by_instance) == [f"{name}:6066" for name in ROUTERS]
    assert all(v > 0 for v in by_instance.values()), by_instance
    assert {s["metric"]["job"] for s in routed} == {"cablerouter"}
    deliveries = _prometheus(stack, "sum(cablerouter_deliveries_total)")
    assert float(deliveries[0]["value"][1]) == sum(expected.values())
    up = _prometheus(stack, 'up{job="cablerouter"}')
    assert sorted(float(s["value"][1]) for s in up) == [1.0, 1.0]
    _, body = _get(f"http://127.0.0.1:{stack.prometheus_port}/api/v1/rules")
    rules = {r["name"] for g in json.loads(body)["data"]["groups"] for r in g["rules"]}
    assert {"CablerouterNotReady", "CablerouterBatchStalled"} <= rules, rules
