"""Fixtures of the container-image and compose-stack tests (test_image.py, test_compose.py).

Once per session: a private Docker engine (``deploy/docker/engine``: Debian's dockerd with
its own socket and data root under ``.cache/docker``, kept between runs as a build cache),
the local stand-in base images (``deploy/docker/local-images``: a debootstrapped Debian
tarball cached under ``.cache/docker/base``, and Python, Rust, Kafka and Prometheus images
built on it) and the cablerouter image built from ``deploy/docker/Dockerfile`` on them.

Missing tools (Debian's ``docker.io``, ``docker-compose``, ``debootstrap``) are installed
when the session runs as root; if that is not possible the tests skip with the reason, and
with ``CI`` set they fail instead.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import shutil
import subprocess
import time

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
DOCKER_DIR = REPO / "deploy" / "docker"
ENGINE = DOCKER_DIR / "engine"
LOCAL_IMAGES = DOCKER_DIR / "local-images"
DOCKERFILE = DOCKER_DIR / "Dockerfile"
IMAGE_TAG = "cablerouter:deploy-test"
IN_CI = bool(os.environ.get("CI"))

# Seconds each slow step took in this session, printed at its end.
DOCKER_TIMINGS: dict[str, float] = {}


def docker_unavailable(reason: str) -> None:
    """Skip (or, with CI set, fail) a test that cannot run for want of tools."""
    if IN_CI:
        pytest.fail(f"{reason} (CI is set: the deploy tests must run)", pytrace=False)
    pytest.skip(reason)


def run(cmd: list[str], *, env: dict[str, str] | None = None, timeout: float = 600,
        check: bool = True, cwd: pathlib.Path = REPO, input: bytes | None = None,
        ) -> subprocess.CompletedProcess:
    """Run a command, capturing its output; a failure shows both streams."""
    proc = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, timeout=timeout,
                          input=input, check=False)
    if check and proc.returncode != 0:
        pytest.fail(f"{' '.join(map(str, cmd))} exited {proc.returncode}\n"
                    f"stdout: {proc.stdout.decode(errors='replace')[-3000:]}\n"
                    f"stderr: {proc.stderr.decode(errors='replace')[-3000:]}", pytrace=False)
    return proc


def _install_debian_packages(packages: list[str]) -> str | None:
    """apt-get install ``packages``; returns why not, or None when done."""
    if os.geteuid() != 0:
        return f"not root, cannot install {' '.join(packages)}"
    if not shutil.which("apt-get"):
        return f"no apt-get to install {' '.join(packages)}"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
    proc = subprocess.run(install, env=env, capture_output=True, timeout=900)
    if proc.returncode != 0:
        subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=600)
        proc = subprocess.run(install, env=env, capture_output=True, timeout=900)
    if proc.returncode != 0:
        return f"apt-get install {' '.join(packages)} failed: {proc.stderr.decode(errors='replace')[-500:]}"
    return None


def _need_tools(tools: dict[str, str]) -> None:
    """Make sure each command (name -> Debian package) exists, installing what is missing."""
    missing = sorted({pkg for cmd, pkg in tools.items() if not shutil.which(cmd)})
    if missing:
        why = _install_debian_packages(missing)
        if why:
            docker_unavailable(why)
    still = [cmd for cmd in tools if not shutil.which(cmd)]
    if still:
        docker_unavailable(f"{', '.join(still)} not found after installing {', '.join(missing)}")


@pytest.fixture(scope="session")
def compose_command() -> list[str]:
    """The compose tool: ``docker-compose`` (Debian's package) or the ``docker compose``
    plug-in, whichever is installed."""
    if not shutil.which("docker-compose"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30) \
            if shutil.which("docker") else None
        if probe is not None and probe.returncode == 0:
            return ["docker", "compose"]
        _need_tools({"docker-compose": "docker-compose"})
    return ["docker-compose"]


@dataclasses.dataclass(frozen=True)
class DockerEngine:
    host: str

    @property
    def env(self) -> dict[str, str]:
        """The environment for docker and compose commands against this engine."""
        return {**os.environ, "DOCKER_HOST": self.host}

    def docker(self, *args: str, timeout: float = 600, check: bool = True,
               input: bytes | None = None) -> subprocess.CompletedProcess:
        return run(["docker", *args], env=self.env, timeout=timeout, check=check, input=input)


@pytest.fixture(scope="session")
def docker_engine() -> DockerEngine:
    """The private engine, started for the session (or reused if it runs already; then it
    is left running at the end)."""
    _need_tools({"dockerd": "docker.io", "docker": "docker.io", "debootstrap": "debootstrap"})
    status = subprocess.run([str(ENGINE), "status"], capture_output=True, timeout=60)
    was_running = status.returncode == 0
    t0 = time.monotonic()
    proc = subprocess.run([str(ENGINE), "start"], capture_output=True, timeout=180)
    if proc.returncode != 0:
        docker_unavailable(f"the Docker engine did not start: {proc.stderr.decode(errors='replace')[-1500:]}")
    DOCKER_TIMINGS["engine start"] = time.monotonic() - t0
    engine = DockerEngine(proc.stdout.decode().strip())
    # The data root is kept between runs, and on vfs every layer is a full copy: drop images
    # no tag names any more and build cache beyond what a few rebuilds need.
    engine.docker("image", "prune", "-f", timeout=300)
    engine.docker("builder", "prune", "-f", "--keep-storage", "20GB", timeout=300)
    yield engine
    if not was_running:
        subprocess.run([str(ENGINE), "stop"], capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def local_images(docker_engine: DockerEngine) -> dict[str, str]:
    """Name (base, python, rust, kafka, prometheus) -> tag of the local stand-in images."""
    t0 = time.monotonic()
    proc = run([str(LOCAL_IMAGES), "all"], env=docker_engine.env, timeout=1800)
    DOCKER_TIMINGS["local base images"] = time.monotonic() - t0
    images = dict(line.split("=", 1) for line in proc.stdout.decode().split())
    assert set(images) == {"base", "python", "rust", "kafka", "prometheus"}, images
    return images


@pytest.fixture(scope="session")
def cablerouter_image(docker_engine: DockerEngine, local_images: dict[str, str]) -> str:
    """The image of deploy/docker/Dockerfile, built on the local Python and Rust images
    (--network=host: pip and cargo fetch the pinned packages)."""
    log = REPO / ".cache" / "docker" / "build-cablerouter.log"
    t0 = time.monotonic()
    proc = run([str(DOCKER_DIR / "build"), "--network=host", "-f", str(DOCKERFILE),
                "--build-arg", f"PYTHON_IMAGE={local_images['python']}",
                "--build-arg", f"RUST_IMAGE={local_images['rust']}",
                "--build-arg", "REVISION=deploy-test",
                "-t", IMAGE_TAG, "."], env=docker_engine.env, timeout=1800, check=False)
    log.write_bytes(proc.stdout + b"\n" + proc.stderr)
    DOCKER_TIMINGS["cablerouter image build"] = time.monotonic() - t0
    assert proc.returncode == 0, f"docker build failed (log: {log}):\n{proc.stderr.decode()[-3000:]}"
    return IMAGE_TAG


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if DOCKER_TIMINGS:
        terminalreporter.write_sep("-", "container image and compose stack: seconds per step")
        for step, seconds in DOCKER_TIMINGS.items():
            terminalreporter.write_line(f"{step}: {seconds:.1f}")
