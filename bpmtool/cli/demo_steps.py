"""The steps of `bpmtool demo`, each writing one output and saying what it found.

Every step goes through :mod:`bpmtool.api`, like any other face.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bpmtool import api
from bpmtool.cli.model_commands import format_findings_text

Step = tuple[str, Callable[[], str]]


def steps(model_path: Path, flawed_path: Path, out: Path) -> Iterator[Step]:
    """Yield (title, action) pairs; each action writes its file(s) and returns a summary."""
    model = api.load(model_path)
    flawed = api.load(flawed_path)
    examples = model_path.parent.parent / "examples"
    log_path = examples / "saas-handoffs.csv"
    surveys_path = examples / "saas-handoffs-surveys.csv"

    def lint_reference() -> str:
        findings = api.lint(model)
        # the path as the project names it, so the file is the same wherever it is installed
        named = model_path.relative_to(model_path.parent.parent).as_posix()
        api.write_file(
            out / "lint.json",
            json.dumps(api.lint_document(model, findings, file=named), indent=2, ensure_ascii=False)
            + "\n",
        )
        return f"{len(findings)} finding(s) on {model.label!r} → lint.json"

    def lint_flawed() -> str:
        findings = api.lint(flawed)
        api.write_file(out / "flawed-lint.txt", format_findings_text(findings, colour=False))
        codes = len({f.code for f in findings})
        return f"{len(findings)} findings, {codes} rules fired → flawed-lint.txt"

    def sipoc() -> str:
        table = api.sipoc(model)
        api.write_file(out / "sipoc.md", api.sipoc_table(model, "md"))
        api.write_file(out / "sipoc.xlsx", api.sipoc_table(model, "xlsx"))
        return f"{len(table.rows)} activities, {len(table.stages)} stages → sipoc.md, sipoc.xlsx"

    def graph() -> str:
        api.write_file(out / "graph.graphml", api.graph_text(model, "graphml"))
        api.write_file(out / "graph.dot", api.graph_text(model, "dot"))
        return "→ graph.graphml, graph.dot"

    results: dict[str, Any] = {}

    def swimlanes() -> str:
        api.write_file(out / "swimlanes.svg", api.render_svg(model))
        api.write_file(out / "flawed-swimlanes.svg", api.render_svg(flawed))
        api.write_file(out / "saas-handoffs.bpmn", api.export_bpmn(model))
        return "→ swimlanes.svg, flawed-swimlanes.svg, saas-handoffs.bpmn"

    def check() -> str:
        result = results["check"] = api.check(model, log_path)
        api.write_file(
            out / "check.json", json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"
        )
        api.write_file(out / "check-cases.csv", result.case_frame().to_csv(index=False))
        s = result.summary()
        return (
            f"fitness {s['fitness_alignments']:.1%}, precision {s['precision']:.1%}, "
            f"{len(result.findings)} findings → check.json, check-cases.csv"
        )

    def journey() -> str:
        result = results["journey"] = api.journey(model, log_path, surveys=surveys_path)
        api.write_file(
            out / "journey.json",
            json.dumps(result.to_dict(), indent=2, ensure_ascii=False, default=str) + "\n",
        )
        api.write_file(out / "struggling-customers.csv", result.exceptions_csv())
        return (
            f"{len(result.exceptions_frame())} struggling customers → journey.json, "
            "struggling-customers.csv"
        )

    def report() -> str:
        check, journey = results.get("check"), results.get("journey")
        api.write_file(
            out / "report.html",
            api.report(model, check=check, journey=journey, source=model_path.name),
        )
        api.write_file(
            out / "report.md",
            api.report(model, check=check, journey=journey, fmt="md", source=model_path.name),
        )
        api.write_file(out / "check-overlay.svg", api.render_svg(model, overlay=check))
        return "→ report.html, report.md, check-overlay.svg"

    yield "lint the reference model", lint_reference
    yield "lint the deliberately flawed model", lint_flawed
    yield "SIPOC table", sipoc
    yield "graph export", graph
    yield "swimlanes and BPMN", swimlanes
    yield "check the example log", check
    yield "customer journey", journey
    yield "the shareable report", report
