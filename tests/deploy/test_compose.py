"""docker-compose.yml: its configuration as the compose tool resolves it (fast, no engine),
and the whole stack run on a real Docker engine with deploy/docker/compose.test.yml (local
stand-in images): the sample corpus published into it is delivered exactly as
``cablerouter route`` predicts, and the stack's Prometheus holds both routers' series."""

from __future__ import annotations

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
        return {name: "service_started" for name in depends}
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
    assert services["init"]["image"] == services["kafka"]["image"]
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

    # The init creates the topics with the script this repository ships.
    assert _depends(services["init"]) == {"kafka": "service_healthy"}
    init_mounts = _bind_mounts(services["init"])
    script = init_mounts[services["init"]["entrypoint"][-1]]
    assert script == REPO / "deploy" / "docker" / "create-topics" and script.is_file()
    assert _env(services["init"])["BOOTSTRAP_SERVERS"] == "kafka:9092"

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
        assert "/var/lib/cablerouter" in router["tmpfs"] and "/tmp" in router["tmpfs"]
        assert _depends(router) == {"kafka": "service_healthy", "init": "service_completed_successfully"}
        assert router["hostname"] == name
    assert services["publish"]["image"] == image
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
    assert test["kafka"]["image"] == test["init"]["image"] == f"cablerouter-local/kafka:{KAFKA_VERSION}"
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
