"""`bpmtool demo` (what `make demo` runs): every output written, each one real."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree
from typer.testing import CliRunner

from bpmtool.cli import app


def test_demo_writes_every_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    expected = {
        "lint.json",
        "flawed-lint.txt",
        "sipoc.md",
        "sipoc.xlsx",
        "graph.graphml",
        "graph.dot",
        "swimlanes.svg",
        "flawed-swimlanes.svg",
        "saas-handoffs.bpmn",
        "check.json",
        "check-cases.csv",
        "journey.json",
        "struggling-customers.csv",
        "report.html",
        "report.md",
        "check-overlay.svg",
    }
    assert {p.name for p in out.iterdir()} == expected
    assert all((out / name).stat().st_size > 40 for name in expected)
    check = json.loads((out / "check.json").read_text())
    assert check["summary"]["cases"] == 400
    assert len(check["flows"]) == 36 and check["flows"][0] == {
        "flow": "need->request_demo",
        "count": 400,
    }
    for svg in ("swimlanes.svg", "flawed-swimlanes.svg", "check-overlay.svg"):
        etree.parse(str(out / svg))
    report = (out / "report.html").read_text()
    assert "The customer journey" in report and "What the event log shows" in report
    assert "report.html" in result.output


def _numbered_codes(svg: str) -> list[str]:
    """The codes the legend numbers, in order ("3. CODE — message")."""
    import re

    return re.findall(r">\d+\. ([A-Z-]+) — ", svg)


def test_the_demos_check_overlay_numbers_lint_and_check_findings(tmp_path: Path) -> None:
    """The demo's check overlay numbers the same set as `render --log` and the web: the
    model's lint findings plus the check's, and its legend says so (it once numbered the
    check's findings only)."""
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["demo", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lint = json.loads((out / "lint.json").read_text())["findings"]
    check = json.loads((out / "check.json").read_text())["findings"]
    svg = (out / "check-overlay.svg").read_text()
    assert sorted(_numbered_codes(svg)) == sorted(f["code"] for f in lint + check)
    assert (
        f"Numbered: lint + check — the model's {len(lint)} lint finding(s) and the log's "
        f"{len(check)} check finding(s)."
    ) in svg
