"""Commands about a model on its own: lint, sipoc, graph, schema, rules."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from bpmtool import api
from bpmtool.cli.app import (
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    app,
    input_errors_exit,
    style,
    use_colour,
    write_output,
)
from bpmtool.findings import Finding, Kind, Severity

__all__ = ["format_findings_text"]

MODEL_ARG = typer.Argument(..., help="A model: .yaml, .yml, .json or .bpmn", show_default=False)
OUT_OPT = typer.Option(None, "--out", "-o", help="Write here instead of standard output.")


class TextOrJson(StrEnum):
    text = "text"
    json = "json"


class FailOn(StrEnum):
    error = "error"
    warning = "warning"
    never = "never"


def _load(path: Path) -> api.Loaded:
    with input_errors_exit():
        loaded = api.load_with_warnings(path)
    for warning in loaded.warnings:
        typer.echo(f"warning: {warning}", err=True)
    return loaded


_SEVERITY_COLOUR = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}
_KIND_TITLE = {
    Kind.GAP: "Gaps",
    Kind.OVERLAP: "Overlaps",
    Kind.STRUCTURE: "Structure",
    Kind.DEVIATION: "Deviations",
    Kind.PERFORMANCE: "Performance",
}


def format_findings_text(findings: list[Finding], *, colour: bool) -> str:
    """Findings grouped by kind, worst first, with the fix under each message."""
    lines: list[str] = []
    for kind in Kind:
        group = [f for f in findings if f.kind == kind]
        if not group:
            continue
        lines.append(style(f"{_KIND_TITLE[kind]} ({len(group)})", bold=True, enabled=colour))
        for f in group:
            sev = style(f"{f.severity.value:<7}", _SEVERITY_COLOUR[f.severity], enabled=colour)
            lines.append(
                f"  {sev} {style(f.code, bold=True, enabled=colour)}  [{', '.join(f.subject)}]"
            )
            lines.append(f"          {f.message}")
            if f.fix:
                lines.append(style(f"          fix: {f.fix}", "cyan", enabled=colour))
        lines.append("")
    return "\n".join(lines)


def _summary(findings: list[Finding]) -> dict[str, int]:
    return api.lint_summary(findings)


def _exit_code(findings: list[Finding], fail_on: FailOn) -> int:
    if fail_on == FailOn.never:
        return 0
    threshold = Severity(fail_on.value).rank
    return EXIT_FINDINGS if any(f.severity.rank >= threshold for f in findings) else 0


#: the files ``lint`` reads from a folder
MODEL_SUFFIXES = (".yaml", ".yml", ".json", ".bpmn")


def model_files(paths: list[Path]) -> list[Path]:
    """The model files named: files as given, folders searched (recursively, hidden folders
    skipped) for every .yaml, .yml, .json and .bpmn, in name order."""
    found: list[Path] = []
    for path in paths:
        if not path.is_dir():
            found.append(path)
            continue
        inside = sorted(
            p
            for p in path.rglob("*")
            if p.suffix.lower() in MODEL_SUFFIXES
            and p.is_file()
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        )
        if not inside:
            typer.echo(
                f"error: {path}: no model files here (looked for {', '.join(MODEL_SUFFIXES)})",
                err=True,
            )
            raise typer.Exit(EXIT_BAD_INPUT)
        found += inside
    return found


@app.command()
def lint(
    models: list[Path] = typer.Argument(
        ...,
        metavar="MODEL",
        show_default=False,
        help="Models (.yaml, .yml, .json, .bpmn) or folders of them.",
    ),
    format: TextOrJson = typer.Option(
        TextOrJson.text,
        "--format",
        "-f",
        help="text or json (one model: its lint document; several: a list of them).",
    ),
    fail_on: FailOn = typer.Option(
        FailOn.error, "--fail-on", help="Exit 1 when a finding reaches this severity."
    ),
    out: Path | None = OUT_OPT,
) -> None:
    """Check models for gaps, overlaps and structural problems at their handoffs.

    Exit code: the worst over all models — 2 when one cannot be read, 1 when a finding
    reaches --fail-on, else 0."""
    files = model_files(models)
    colour = out is None and use_colour()
    documents: list[dict[str, object]] = []
    texts: list[str] = []
    worst = 0
    for path in files:
        try:
            loaded = _load(path)
        except typer.Exit:
            worst = EXIT_BAD_INPUT
            continue
        findings = api.lint(loaded.model)
        worst = max(worst, _exit_code(findings, fail_on))
        if format == TextOrJson.json:
            documents.append(api.lint_document(loaded.model, findings, file=str(path)))
        else:
            texts.append(_lint_text(path, findings, colour=colour))
    if format == TextOrJson.json:
        if documents:
            doc: object = (
                documents[0]
                if len(files) == 1 and len(models) == 1 and not models[0].is_dir()
                else documents
            )
            write_output(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", out)
    elif texts:
        if len(files) > 1:
            unreadable = len(files) - len(texts)
            texts.append(
                f"{len(files)} models linted"
                + (f", {unreadable} could not be read" if unreadable else "")
                + "\n"
            )
        write_output("\n".join(texts), out)
    raise typer.Exit(worst)


def _lint_text(path: Path, findings: list[Finding], *, colour: bool) -> str:
    summary = _summary(findings)
    if not findings:
        return f"{path}: no findings — every handoff checks out.\n"
    head = (
        f"{path}: {summary['findings']} finding(s) — {summary['error']} error(s), "
        f"{summary['warning']} warning(s), {summary['info']} info"
    )
    return (
        style(head, bold=True, enabled=colour)
        + "\n\n"
        + format_findings_text(findings, colour=colour)
    )


@app.command()
def sipoc(
    model: Path = MODEL_ARG,
    format: str = typer.Option("text", "--format", "-f", help="text, md, csv, html, json or xlsx"),
    out: Path | None = OUT_OPT,
) -> None:
    """Print the SIPOC table: suppliers, inputs, process, outputs, customers."""
    if format not in api.SIPOC_FORMATS:
        typer.echo(
            f"error: --format: unknown format {format!r}; use one of "
            f"{', '.join(api.SIPOC_FORMATS)}",
            err=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    if format == "xlsx" and out is None:
        typer.echo("error: --format xlsx needs --out FILE.xlsx", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    write_output(api.sipoc_table(_load(model).model, format), out)


@app.command()
def graph(
    model: Path = MODEL_ARG,
    format: str = typer.Option("json", "--format", "-f", help="graphml, json or dot"),
    out: Path | None = OUT_OPT,
) -> None:
    """Export the model's flow graph for yEd, Gephi, Graphviz or NetworkX."""
    if format not in api.GRAPH_FORMATS:
        typer.echo(
            f"error: --format: unknown format {format!r}; use one of "
            f"{', '.join(api.GRAPH_FORMATS)}",
            err=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    write_output(api.graph_text(_load(model).model, format), out)


@app.command()
def schema(out: Path | None = OUT_OPT) -> None:
    """Print the JSON Schema of the model format (for editor autocompletion)."""
    write_output(json.dumps(api.json_schema(), indent=2) + "\n", out)


@app.command()
def rules(
    format: str = typer.Option("text", "--format", "-f", help="text, json or md"),
) -> None:
    """List every finding code: its kind, default severity and why it matters."""
    catalogue = api.rule_catalogue()
    if format == "json":
        write_output(json.dumps(catalogue, indent=2) + "\n", None)
        return
    if format == "md":
        lines = ["| code | kind | severity | checks | why it matters |", "|---|---|---|---|---|"]
        lines += [
            f"| `{r['code']}` | {r['kind']} | {r['severity']} | {r['scope']} | {r['why']} |"
            for r in catalogue
        ]
        write_output("\n".join(lines) + "\n", None)
        return
    colour = use_colour()
    lines = []
    for r in catalogue:
        sev = r["severity"] + (" (off unless preset: all)" if r["optional"] else "")
        lines.append(
            f"{style(r['code'], bold=True, enabled=colour):<34} {r['kind']:<11} "
            f"{sev:<9} {r['scope']:<5} {r['why']}"
        )
    write_output("\n".join(lines) + "\n", None)
