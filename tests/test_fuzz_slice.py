"""A fast slice of the fuzzing suite (``make fuzz`` runs 10,000 inputs per parser): every
parser gets mutated and hypothesis-drawn inputs through the public API, in worker
processes under time and memory limits, and none may crash or hang."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PER_PARSER = 200


@pytest.mark.slow
def test_no_parser_crashes_or_hangs_on_fuzzed_input(tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.fuzz.run",
            "--per-target",
            str(PER_PARSER),
            "--chunk",
            str(PER_PARSER),
            "--seed",
            "11",
            "--json",
            str(report_path),
            "--out",
            str(tmp_path / "findings"),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(report_path.read_text())
    assert result.returncode == 0, result.stdout[-3000:]
    assert len(report["targets"]) == 11
    for name, row in report["targets"].items():
        assert row["inputs"] == PER_PARSER, name
        assert row["crash"] == row["hang"] == 0, (name, report["failures"])
        assert row["refused"] > 0, name  # the mutations do reach the error paths
    assert report["total"]["accepted"] > 0
