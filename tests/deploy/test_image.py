"""The container image of deploy/docker/Dockerfile, built on a real Docker engine (on the
local stand-in bases, deploy/docker/local-images): how it is configured, that it runs as
an unprivileged user on a read-only root file system, carries the native scanner and
decodes and routes the corpus as the package does outside it."""

from __future__ import annotations

import json
import subprocess
import sys

import msgspec

from tests.deploy.conftest import REPO, DockerEngine

CORPUS = sorted((REPO / "tests" / "corpus").rglob("*.txt"))
PYPROJECT = REPO / "services" / "pyproject.toml"
REQUIREMENTS = REPO / "deploy" / "docker" / "requirements.txt"
# A container as strict as the compose stack's workers: read-only root, no capabilities,
# no new privileges, the corpus mounted read-only.
STRICT = ["--rm", "--read-only", "--cap-drop=ALL", "--security-opt=no-new-privileges",
          "--network=none", "-v", f"{REPO / 'tests' / 'corpus'}:/corpus:ro"]


def _container_paths() -> list[str]:
    return ["/corpus/" + str(p.relative_to(REPO / "tests" / "corpus")) for p in CORPUS]


def test_requirements_pin_what_pyproject_pins() -> None:
    """deploy/docker/requirements.txt holds every runtime dependency at one version, the
    direct ones at pyproject.toml's pins and all at the versions the tests run with."""
    import importlib.metadata as md
    import tomllib

    pins = {}
    for line in REQUIREMENTS.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not pinned: {line}"
            pins[name.lower().replace("_", "-")] = version
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    for requirement in project["dependencies"]:
        name, _, version = requirement.partition("==")
        assert pins.get(name.lower().replace("_", "-")) == version, requirement
    for name, version in pins.items():
        assert md.version(name) == version, f"{name}: the image pins {version}, the tests run {md.version(name)}"


def test_image_configuration(docker_engine: DockerEngine, cablerouter_image: str) -> None:
    (info,) = json.loads(docker_engine.docker("image", "inspect", cablerouter_image).stdout)
    config = info["Config"]
    assert config["Entrypoint"] == ["cablerouter"]
    assert config["Cmd"] == ["worker"]
    assert config["User"] == "10001:10001"
    assert "6066/tcp" in config["ExposedPorts"]
    assert "/var/lib/cablerouter" in config["Volumes"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["CABLEROUTER_STATE_DIR"] == "/var/lib/cablerouter"
    assert env["CABLEROUTER_WEB_HOST"] == "0.0.0.0"
    health = config["Healthcheck"]["Test"]
    assert health[0] == "CMD" and health[-1] == "/opt/cablerouter/healthcheck.py"
    labels = config["Labels"]
    version = __import__("tomllib").loads(PYPROJECT.read_text())["project"]["version"]
    assert labels["org.opencontainers.image.title"] == "cablerouter"
    assert labels["org.opencontainers.image.version"] == version
    assert labels["org.opencontainers.image.revision"] == "deploy-test"
    assert labels["org.opencontainers.image.licenses"] == "Apache-2.0"
    # Only the runtime stage's layers: no compiler, no Rust toolchain, no sources.
    probe = docker_engine.docker(
        "run", *STRICT, "--entrypoint", "/bin/sh", cablerouter_image, "-c",
        "id -u; id -g; command -v gcc cargo rustc || true; ls /src 2>&1 || true").stdout.decode()
    lines = probe.splitlines()
    assert lines[:2] == ["10001", "10001"], probe
    assert not any(line.endswith(("gcc", "cargo", "rustc")) for line in lines), probe
    assert "No such file" in probe, probe


def test_cli_runs_with_read_only_root(docker_engine: DockerEngine, cablerouter_image: str) -> None:
    version = docker_engine.docker("run", *STRICT, cablerouter_image, "--version").stdout.decode()
    assert version.split()[-1] == __import__("tomllib").loads(PYPROJECT.read_text())["project"]["version"]
    assert b"worker" in docker_engine.docker("run", *STRICT, cablerouter_image, "--help").stdout
    summary = docker_engine.docker("run", *STRICT, cablerouter_image, "directory", "show", "--summary").stdout
    assert summary.startswith(b"version ")


def test_native_scanner_is_in_the_image(docker_engine: DockerEngine, cablerouter_image: str) -> None:
    """The scanner is built into the image and used: it reads most corpus cables (the rest
    go to the Python parsers)."""
    script = (
        "import pathlib, sys\n"
        "import cablerouter_scan\n"
        "from cablerouter.telegram import DecodeLimits, _scan\n"
        "assert _scan.AVAILABLE, 'scanner not available'\n"
        "paths = sys.argv[1:]\n"
        "read = sum(_scan.scan_decode(pathlib.Path(p).read_bytes(), DecodeLimits()) is not None\n"
        "           for p in paths)\n"
        "print(read, len(paths))\n"
    )
    out = docker_engine.docker("run", *STRICT, "--entrypoint", "python", cablerouter_image,
                               "-c", script, *_container_paths()).stdout.decode().split()
    read, total = int(out[0]), int(out[1])
    assert total == len(CORPUS)
    assert read >= 0.9 * total, f"the scanner read only {read} of {total} corpus cables"


def test_image_decodes_and_routes_as_the_package(docker_engine: DockerEngine, cablerouter_image: str) -> None:
    """``decode`` and ``route`` in the image give, cable for cable, what the package gives
    outside it."""
    for command in ("decode", "route"):
        inside = docker_engine.docker("run", *STRICT, cablerouter_image, command,
                                      *_container_paths()).stdout.splitlines()
        outside = subprocess.run([sys.executable, "-m", "cablerouter", command, *map(str, CORPUS)],
                                 capture_output=True, timeout=300, check=True).stdout.splitlines()
        assert len(inside) == len(outside) == len(CORPUS), command
        for a, b in zip(inside, outside, strict=True):
            a, b = msgspec.json.decode(a), msgspec.json.decode(b)
            # Paths differ (/corpus/... inside); everything decoded must not.
            del a["source"], b["source"]
            assert a == b, command


def test_healthcheck_script_reports_unhealthy_without_a_worker(
    docker_engine: DockerEngine, cablerouter_image: str
) -> None:
    """The HEALTHCHECK command fails when nothing serves /healthz (the compose test sees it
    pass for running workers)."""
    proc = docker_engine.docker("run", *STRICT, "--entrypoint", "/opt/cablerouter/bin/python",
                                cablerouter_image, "/opt/cablerouter/healthcheck.py", check=False)
    assert proc.returncode == 1, proc.stderr
    assert b"/healthz on 127.0.0.1:6066" in proc.stderr
