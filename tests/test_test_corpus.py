"""A fresh clone without the third-party corpus: its tests are skipped and counted on one
line, none vanishes, and under CI the missing corpus stops the run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CORPUS_VARIABLE, ROOT, SHARED_DATA, corpus_files

HERE = "tests/test_test_corpus.py"
#: a test that reads the corpus, a parametrisation over its files, and one that needs nothing
SELECTION = [
    f"{HERE}::test_the_corpus_has_its_four_parts",
    f"{HERE}::test_every_pnml_net_is_a_pnml_document",
    f"{HERE}::test_the_project_models_are_here",
]


def test_the_corpus_has_its_four_parts() -> None:
    assert sorted(p.name for p in SHARED_DATA.iterdir() if p.is_dir()) >= [
        "bpmn",
        "logs",
        "pnml",
        "xsd",
    ]


@pytest.mark.parametrize(
    "path", corpus_files(sorted((SHARED_DATA / "pnml").glob("*.pnml"))), ids=lambda p: p.name
)
def test_every_pnml_net_is_a_pnml_document(path: Path) -> None:
    assert b"<pnml" in path.read_bytes()[:500]


def test_the_project_models_are_here() -> None:
    assert (ROOT / "models" / "saas-handoffs.yaml").is_file()


def _pytest(corpus: Path, *, ci: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env[CORPUS_VARIABLE] = str(corpus)
    if ci:
        env["CI"] = "true"
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *SELECTION],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_without_the_corpus_its_tests_are_skipped_on_one_line(tmp_path: Path) -> None:
    run = _pytest(tmp_path, ci=False)
    out = run.stdout + run.stderr
    assert run.returncode == 0, out
    lines = [line for line in out.splitlines() if "need the third-party test corpus" in line]
    assert len(lines) == 1, out
    assert lines[0].startswith("2 tests skipped")
    assert str(tmp_path) in lines[0] and CORPUS_VARIABLE in lines[0]
    assert "1 passed, 2 skipped" in out
    assert "empty parameter set" not in out


def test_under_ci_a_missing_corpus_fails_loudly(tmp_path: Path) -> None:
    run = _pytest(tmp_path, ci=True)
    out = run.stdout + run.stderr
    assert run.returncode != 0
    assert "2 selected tests need the third-party test corpus" in out
    assert str(tmp_path) in out and CORPUS_VARIABLE in out
    assert "passed" not in out
