"""The `bpmtool` commands about a model: exit codes, formats and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import networkx as nx
from typer.testing import CliRunner

from bpmtool.cli import app
from tests.conftest import FLAWED_MODEL, REFERENCE_MODEL

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def test_lint_clean_model_exits_0() -> None:
    result = run("lint", REFERENCE_MODEL)
    assert result.exit_code == 0, result.output
    assert "no findings" in result.output


def test_lint_flawed_model_exits_1_and_groups_by_kind() -> None:
    result = run("lint", FLAWED_MODEL)
    assert result.exit_code == 1
    text = result.output
    assert text.index("Gaps") < text.index("Overlaps") < text.index("Structure")
    assert "HANDOFF-NO-ARTIFACT" in text and "fix:" in text
    assert "\x1b[" not in text  # plain when not on a terminal


def test_fail_on_thresholds() -> None:
    warn_only = Path(__file__).parent / "fixtures" / "rules" / "HANDOFF-NO-ARTIFACT.yaml"
    # the first document of a fixture file is the one where the rule fires
    first = warn_only.read_text().split("---")[0]
    tmp = Path(__file__).parent / "fixtures" / "_tmp_warning_only.yaml"
    tmp.write_text(first)
    try:
        assert run("lint", tmp).exit_code == 0  # default: fail on errors only
        assert run("lint", tmp, "--fail-on", "warning").exit_code == 1
        assert run("lint", FLAWED_MODEL, "--fail-on", "never").exit_code == 0
    finally:
        tmp.unlink()


def test_lint_json_is_the_documented_shape() -> None:
    result = run("lint", FLAWED_MODEL, "--format", "json")
    doc = json.loads(result.output)
    assert set(doc) == {"schema", "model", "summary", "findings"}
    assert doc["schema"] == "bpmtool.lint/1"
    assert doc["summary"]["findings"] == len(doc["findings"]) > 20
    first = doc["findings"][0]
    assert set(first) == {"code", "kind", "severity", "subject", "message", "fix", "evidence"}
    assert first["severity"] == "error"


def test_bad_input_exits_2_with_located_messages(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nlanes: [{id: a}]\nnodes:\n  - {id: n, lane: b}\n")
    result = run("lint", bad)
    assert result.exit_code == 2
    assert f"{bad}:4:" in result.output and "unknown lane id 'b'" in result.output
    assert "Traceback" not in result.output


def test_unknown_extension_and_missing_file_exit_2(tmp_path: Path) -> None:
    assert run("lint", tmp_path / "model.txt").exit_code == 2
    assert run("lint", tmp_path / "missing.yaml").exit_code == 2


def test_sipoc_formats(tmp_path: Path) -> None:
    text = run("sipoc", REFERENCE_MODEL)
    assert text.exit_code == 0 and "Kickoff meeting" in text.output
    md = run("sipoc", REFERENCE_MODEL, "--format", "md").output
    assert md.startswith("# SIPOC") and "| Build | Implementation |" in md
    csv_out = run("sipoc", REFERENCE_MODEL, "--format", "csv").output.splitlines()
    assert csv_out[0] == "node,stage,lane,suppliers,inputs,process,outputs,customers"
    assert len(csv_out) == 1 + 22  # one row per activity
    data = json.loads(run("sipoc", REFERENCE_MODEL, "--format", "json").output)
    assert [s["name"] for s in data["stages"]] == ["Build", "Grow", "Ignite"]
    html = run("sipoc", REFERENCE_MODEL, "--format", "html").output
    assert html.startswith("<!doctype html>") and "<table" in html
    xlsx = tmp_path / "s.xlsx"
    assert run("sipoc", REFERENCE_MODEL, "--format", "xlsx", "-o", xlsx).exit_code == 0
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["Summary", "Build", "Grow", "Ignite", "No stage"]
    assert wb["Build"]["E2"].value == "Sign contract"
    assert run("sipoc", REFERENCE_MODEL, "--format", "xlsx").exit_code == 2
    assert run("sipoc", REFERENCE_MODEL, "--format", "pdf").exit_code == 2


def test_graph_formats_load_in_networkx(tmp_path: Path) -> None:
    out = tmp_path / "g.graphml"
    assert run("graph", REFERENCE_MODEL, "--format", "graphml", "-o", out).exit_code == 0
    g = nx.read_graphml(out)
    assert g.number_of_nodes() == 33 and g.number_of_edges() == 36
    assert g.nodes["kickoff"]["lane"] == "impl"
    assert sum(1 for *_, d in g.edges(data=True) if d["handoff"]) == 15
    data = json.loads(run("graph", REFERENCE_MODEL, "--format", "json").output)
    assert nx.node_link_graph(data, edges="links").number_of_nodes() == 33
    dot = run("graph", REFERENCE_MODEL, "--format", "dot").output
    assert dot.startswith('digraph "saas-handoffs"') and dot.count("subgraph cluster_") == 5


def test_schema_and_rules() -> None:
    schema = json.loads(run("schema").output)
    assert schema["title"] == "bpmtool process model"
    listing = run("rules").output
    assert "PING-PONG" in listing and "HANDOFF-NO-ARTIFACT" in listing
    rules = json.loads(run("rules", "--format", "json").output)
    assert {"code", "kind", "severity", "scope", "why"} <= set(rules[0])


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    bpmtool = Path(sys.executable).parent / "bpmtool"
    junk = tmp_path / "junk.yaml"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    proc = subprocess.run([str(bpmtool), "lint", str(junk)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert "binary" in proc.stderr and "Traceback" not in proc.stderr
