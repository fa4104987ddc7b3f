"""`pip install .` gives a working bpmtool: the wheel holds the web app (as ``bpmtool.web``) and
the example models and logs, so ``bpmtool demo`` and ``bpmtool serve`` work from a fresh venv.

Slow: it builds the sdist and wheel, checks them with twine, and installs the wheel (with its
dependencies, from the package index) into a new virtual environment.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

#: the environment of the commands: no PYTHONPATH, so nothing comes from this checkout
_ENV = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "bpmtool", "web", "models", "examples")


_NO_INDEX = (
    "NewConnectionError",
    "Temporary failure in name resolution",
    "No matching distribution",
    "Could not find a version",
    "Network is unreachable",
)


def _needs_the_index(result: subprocess.CompletedProcess[str]) -> None:
    """Skip (fail under CI=true) when pip could not reach the package index: building and
    installing fetch setuptools and bpmtool's dependencies."""
    if (
        result.returncode != 0
        and any(s in result.stderr for s in _NO_INDEX)
        and os.environ.get("CI", "").lower() != "true"
    ):
        pytest.skip("the package index cannot be reached (needed to build and install)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_page(url: str, proc: subprocess.Popen[str], seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return str(response.read().decode("utf-8"))
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.5)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and wheel, built from a copy of the sources (the links kept as links)."""
    src = tmp_path_factory.mktemp("src")
    for name in _SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(
                path,
                src / name,
                symlinks=True,
                ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "node_modules"),
            )
        elif path.exists():
            shutil.copy2(path, src / name)
    out = tmp_path_factory.mktemp("dist")
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(src)],
        capture_output=True,
        text=True,
        env=_ENV,
    )
    _needs_the_index(built)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    return out


def test_the_wheel_holds_the_web_app_and_the_examples(dist: Path) -> None:
    wheel = next(dist.glob("*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "bpmtool/web/main.py",
        "bpmtool/web/templates/base.html",
        "bpmtool/web/static/style.css",
        "bpmtool/_bundled/models/saas-handoffs.yaml",
        "bpmtool/_bundled/models/flawed-handoffs.yaml",
        "bpmtool/_bundled/examples/saas-handoffs.csv",
        "bpmtool/_bundled/examples/saas-handoffs-surveys.csv",
    ):
        assert needed in names
    assert not [n for n in names if n.startswith("web/")], "a top-level web package"
    assert not [n for n in names if "node_modules" in n], "npm's packages shipped"
    if (ROOT / "web" / "static" / "build" / "manifest.json").is_file():  # `make web-assets` ran
        for bundle in ("manifest.json", "modeler.js", "modeler.css"):
            assert f"bpmtool/web/static/build/{bundle}" in names
    assert not [
        n for n in names if n.endswith(".py") and "/_bundled/" in n.removesuffix("/__init__.py")
    ], "scripts of examples/ shipped as modules"
    check = subprocess.run(
        [sys.executable, "-m", "twine", "check", *map(str, dist.iterdir())],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_demo_and_serve_from_a_fresh_venv(dist: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=_ENV)
    pip = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            str(next(dist.glob("*.whl"))),
        ],
        capture_output=True,
        text=True,
        env=_ENV,
    )
    _needs_the_index(pip)
    assert pip.returncode == 0, pip.stderr[-3000:]
    bpmtool = str(venv / "bin" / "bpmtool")
    elsewhere = tmp_path / "elsewhere"  # not the repository: nothing found by accident
    elsewhere.mkdir()

    demo = subprocess.run(
        [bpmtool, "demo", "--out", "out"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=600,
        env=_ENV,
    )
    assert demo.returncode == 0, demo.stdout + demo.stderr
    assert (elsewhere / "out" / "report.html").stat().st_size > 10_000
    assert "fitness 99.8%" in demo.stdout

    port = _free_port()
    proc = subprocess.Popen(
        [bpmtool, "serve", "--workspace", "ws", "--port", str(port)],
        cwd=elsewhere,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_ENV,
    )
    try:
        models = _wait_for_page(f"http://127.0.0.1:{port}/models", proc)
        logs = _wait_for_page(f"http://127.0.0.1:{port}/logs", proc)
        diagram = _wait_for_page(f"http://127.0.0.1:{port}/models/saas-handoffs.yaml/diagram", proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=120)
    assert "saas-handoffs.yaml" in models
    assert "saas-handoffs.csv" in logs
    assert (elsewhere / "ws" / "models" / "saas-handoffs.yaml").read_bytes() == (
        ROOT / "models" / "saas-handoffs.yaml"
    ).read_bytes()
    assert proc.returncode == 0, err
    assert "leaked semaphore" not in err
    # the wheel carries the browser bundles when they were built before it (make web-assets)
    if (ROOT / "web" / "static" / "build" / "manifest.json").is_file():
        assert "/static/build/modeler.js" in diagram
        assert "scripts are not built" not in err
    else:
        assert "The diagram editor is not installed on this server" in diagram
        assert "make web-assets" in err
