"""The demo's ``lint.json`` is the documented stable lint JSON: exactly the keys that
docs/lint-json.md lists, and the same document ``bpmtool lint --format json`` prints."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from bpmtool.cli import app
from bpmtool.cli.demo_steps import steps

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "lint-json.md"


def _documented_keys() -> set[str]:
    rows = re.findall(r"^\| `([^`]+)` \|", DOC.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(rows) > 10
    return set(rows)


def _keys(value: Any, path: str = "") -> set[str]:
    """Key paths as the doc writes them; evidence's keys depend on the rule, so stop there."""
    out: set[str] = set()
    if isinstance(value, dict) and not path.endswith("evidence"):
        for key, inner in value.items():
            here = f"{path}.{key}" if path else key
            out |= {here} | _keys(inner, here)
    elif isinstance(value, list) and value and isinstance(value[0], dict):
        for item in value:
            out |= _keys(item, f"{path}[]")
    return out


def test_the_demos_lint_json_has_exactly_the_documented_keys(tmp_path: Path) -> None:
    model = ROOT / "models" / "saas-handoffs.yaml"
    _, write_lint = next(iter(steps(model, ROOT / "models" / "flawed-handoffs.yaml", tmp_path)))
    write_lint()
    doc = json.loads((tmp_path / "lint.json").read_text(encoding="utf-8"))
    assert doc["schema"] == "bpmtool.lint/1"
    assert doc["model"]["file"] == "models/saas-handoffs.yaml"  # the same on every machine
    flawed = json.loads(
        CliRunner()
        .invoke(app, ["lint", str(ROOT / "models" / "flawed-handoffs.yaml"), "-f", "json"])
        .stdout
    )
    # the reference model is clean; the flawed one shows the keys of a finding
    assert _keys(doc) | _keys(flawed) == _documented_keys()
    assert set(doc) == set(flawed)


def test_the_demo_and_the_cli_write_the_same_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)  # the CLI is given the path as the project names it
    model = ROOT / "models" / "saas-handoffs.yaml"
    _, write_lint = next(iter(steps(model, ROOT / "models" / "flawed-handoffs.yaml", tmp_path)))
    write_lint()
    demo = json.loads((tmp_path / "lint.json").read_text(encoding="utf-8"))
    cli = json.loads(
        CliRunner().invoke(app, ["lint", "models/saas-handoffs.yaml", "-f", "json"]).stdout
    )
    assert cli == demo
