"""`bpmtool render` (the swimlane SVG) and `bpmtool report` (the shareable HTML/Markdown)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bpmtool import api
from bpmtool.cli.app import app, input_errors_exit, write_output
from bpmtool.cli.log import column_options, progress_bar, show_notes

if TYPE_CHECKING:
    import pandas as pd

    from bpmtool.mining.check import CheckResult
    from bpmtool.model import Model

__all__: list[str] = []

_MODEL = typer.Argument(..., help="A model: .yaml, .json or .bpmn", show_default=False)
_LOG = typer.Option(None, "--log", help="An event log to check and draw over the model "
                                        "(.xes, .xes.gz, .csv, .parquet).")
_CASE = typer.Option(None, "--case", help="Log column holding the case id.")
_ACTIVITY = typer.Option(None, "--activity", help="Log column of the activity.")
_TIMESTAMP = typer.Option(None, "--timestamp", help="Log column of the time.")
_QUIET = typer.Option(False, "--quiet", "-q", help="No progress bars.")
_ORIENTATION = typer.Option("horizontal", "--orientation",
                            help="horizontal (lanes as rows) or vertical (lanes as columns)")


def _check(loaded: Model, log: Path, quiet: bool,
           columns: dict[str, str] | None) -> tuple[pd.DataFrame, CheckResult]:
    with progress_bar("reading log", quiet=quiet) as reading:
        frame = api.read_log(log, columns=columns, progress=reading)
        show_notes(api.log_notes(frame))
    with progress_bar("aligning variants", quiet=quiet, unit="variant") as aligning:
        return frame, api.check(loaded, frame, progress=aligning)


@app.command()
def render(
    model: Path = _MODEL,
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the SVG here "
                                                              "(default: standard output)."),
    log: Path | None = _LOG,
    orientation: str = _ORIENTATION,
    findings: bool = typer.Option(True, "--findings/--no-findings",
                                  help="Number the lint (and check) findings on the diagram."),
    case: str | None = _CASE,
    activity: str | None = _ACTIVITY,
    timestamp: str | None = _TIMESTAMP,
    quiet: bool = _QUIET,
) -> None:
    """Draw the model as a swimlane SVG, with its findings and, given a log, the check."""
    with input_errors_exit():
        loaded = api.load(model)
        result = _check(loaded, log, quiet, column_options(case, activity, timestamp, None,
                                                           None))[1] if log else None
        found = api.lint(loaded) if findings else None
        if found is not None and result is not None:
            found += result.findings
        svg = api.render_svg(loaded, findings=found, overlay=result, orientation=orientation)
    write_output(svg, out)


@app.command()
def report(
    model: Path = _MODEL,
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the report here "
                                                              "(default: standard output)."),
    log: Path | None = _LOG,
    surveys: Path | None = typer.Option(None, "--surveys", help="NPS/CSAT answers by case id, "
                                        "for the journey section (needs --log)."),
    format: str = typer.Option("html", "--format", "-f", help="html or md"),
    orientation: str = _ORIENTATION,
    case: str | None = _CASE,
    activity: str | None = _ACTIVITY,
    timestamp: str | None = _TIMESTAMP,
    quiet: bool = _QUIET,
) -> None:
    """Write the shareable report: summary, swimlanes, findings with fixes, handoff matrix,
    SIPOC — and with --log the conformance figures (and the journey, when the model has one)."""
    with input_errors_exit():
        if surveys is not None and log is None:
            typer.echo("error: --surveys needs --log", err=True)
            raise typer.Exit(2)
        loaded = api.load(model)
        if surveys is not None and loaded.journey is None:
            typer.echo(f"error: --surveys: {model.name} has no journey section, so no survey "
                       "is read (see docs/journey.md)", err=True)
            raise typer.Exit(2)
        columns = column_options(case, activity, timestamp, None, None)
        result = journey = None
        if log is not None:
            frame, result = _check(loaded, log, quiet, columns)
            if loaded.journey is not None:
                journey = api.journey(loaded, frame, surveys=surveys)
        text = api.report(loaded, check=result, journey=journey, fmt=format,
                          orientation=orientation, source=model.name)
    write_output(text, out)
