"""What a newcomer meets first: docs that speak of this repository only, the licence, and a
Makefile that says plainly when the Python is too old."""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

DOCS = [
    ROOT / "README.md",
    ROOT / "benchmarks" / "README.md",
    ROOT / "examples" / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_docs_point_inside_the_repository(doc: Path) -> None:
    text = doc.read_text(encoding="utf-8")
    for outside in ("../shared", "shared/data", "DESIGN.md", "the issue", "(issue "):
        assert outside not in text, f"{doc.name} mentions {outside!r}"
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):  # relative links resolve
        assert (doc.parent / target).exists(), f"{doc.name} links to missing {target}"


def test_the_licence_is_the_agpl_in_full() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("GNU AFFERO GENERAL PUBLIC LICENSE")
    assert "Version 3, 19 November 2007" in text
    assert "13. Remote Network Interaction" in text and "END OF TERMS AND CONDITIONS" in text
    assert 'license = "AGPL-3.0-or-later"' in (ROOT / "pyproject.toml").read_text()


def _fake_python(path: Path, version: str) -> Path:
    path.write_text(
        f'#!/bin/sh\nif [ "$1" = "--version" ]; then echo "Python {version}"; exit 0; fi\nexit 1\n'
    )
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_refuses_a_python_older_than_3_11(tmp_path: Path) -> None:
    old = _fake_python(tmp_path / "python3.9", "3.9.18")
    venv = tmp_path / "venv"
    run = subprocess.run(
        ["make", "-s", "demo", f"VENV={venv}", f"PYTHON={old}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode != 0
    assert "bpmtool needs Python 3.11 or newer" in run.stderr and "Python 3.9.18" in run.stderr
    assert "make demo PYTHON=python3.11" in run.stderr
    assert not venv.exists()  # nothing half-made
    # a .venv that an old Python made: the way out is make clean
    _fake_python((venv / "bin").mkdir(parents=True) or venv / "bin" / "python", "3.9.18")
    run = subprocess.run(
        ["make", "-s", "test", f"VENV={venv}"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert run.returncode != 0 and "Run 'make clean'" in run.stderr
    missing = subprocess.run(
        ["make", "-s", "demo", f"VENV={venv}-2", f"PYTHON={tmp_path / 'nope'}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert missing.returncode != 0 and "is not found" in missing.stderr
