"""`bpmtool render` (the swimlane SVG) and `bpmtool report` (the shareable HTML/Markdown)."""

from __future__ import annotations

import sys
from contextlib import AbstractContextManager, nullcontext
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bpmtool import api
from bpmtool.cli import log_options as opt
from bpmtool.cli.app import app, input_errors_exit, write_output
from bpmtool.cli.checking import check_log
from bpmtool.cli.log_options import LogOptions, progress_bar

if TYPE_CHECKING:
    import pandas as pd

    from bpmtool.api import CheckResult, Cluster, JourneyResult, Model, Progress

__all__: list[str] = []

_MODEL = typer.Argument(..., help="A model: .yaml, .json or .bpmn", show_default=False)
_LOG = typer.Option(
    None,
    "--log",
    help="An event log to check and draw over the model (.xes, .xes.gz, .csv, .parquet), "
    "or a folder, glob or fsspec address (s3://…) of partitioned Parquet, read partition "
    "by partition.",
)
_QUIET = typer.Option(False, "--quiet", "-q", help="No progress bars.")
#: which of a BPMN file's diagrams to draw (shared with `convert`)
DIAGRAM = typer.Option(
    None,
    "--diagram",
    help="Which of a BPMN file's diagrams to draw: its number (from 1) or its name "
    "(default: the first, the one showing the collaboration).",
)


class Orientation(StrEnum):
    horizontal = "horizontal"
    vertical = "vertical"


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    pdf = "pdf"


_ORIENTATION = typer.Option(
    Orientation.horizontal,
    "--orientation",
    help="horizontal (lanes as rows) or vertical (lanes as columns)",
)


def _check(
    loaded: Model,
    log: str,
    quiet: bool,
    options: LogOptions,
    open_rule: api.OpenCaseRule,
    log_filter: api.LogFilter | None,
    cluster: Cluster | None,
) -> tuple[pd.DataFrame | str, CheckResult]:
    """The check of ``log`` and what was checked (:func:`~bpmtool.cli.checking.check_log`),
    its filter's outcome said on stderr."""
    source, result = check_log(
        loaded,
        log,
        options,
        quiet=quiet,
        cluster=cluster,
        log_filter=log_filter,
        open_rule=open_rule,
    )
    opt.show_filter(result.filtered)
    return source, result


def _cluster(
    log: str | None, scheduler: str | None, workers: int | None
) -> AbstractContextManager[Cluster | None]:
    """The cluster the log is checked on; none without a log (drawing the model alone never
    connects to ``$BPMTOOL_SCHEDULER``)."""
    return api.cluster(scheduler, workers) if log is not None else nullcontext()


def _flows_bar(result: CheckResult | None, quiet: bool) -> AbstractContextManager[Progress | None]:
    """The progress bar of the flow numbers drawn over the swimlanes: read partition by
    partition of a check that ran so, else nothing to follow."""
    return progress_bar(
        "flows of partitions",
        quiet=quiet or result is None or result.pieces is None,
        unit="part",
    )


@app.command()
def render(
    model: Path = _MODEL,
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write the SVG here (default: standard output)."
    ),
    log: str | None = _LOG,
    orientation: Orientation = _ORIENTATION,
    findings: bool = typer.Option(
        True,
        "--findings/--no-findings",
        help="Number the lint findings (and with --log the check's) "
        "on the diagram; the legend says which.",
    ),
    case: str | None = opt.CASE,
    activity: str | None = opt.ACTIVITY,
    timestamp: str | None = opt.TIMESTAMP,
    resource: str | None = opt.RESOURCE,
    lane: str | None = opt.LANE,
    lanes_from: Path | None = opt.LANES_FROM,
    encoding: str | None = opt.ENCODING,
    date_format: str | None = opt.DATE_FORMAT,
    open_after: str | None = opt.OPEN_AFTER,
    open_cases: Path | None = opt.OPEN_CASES,
    since: str | None = opt.SINCE,
    until: str | None = opt.UNTIL,
    window: str = opt.WINDOW,
    where: list[str] | None = opt.WHERE,
    variant: list[int] | None = opt.VARIANT,
    in_lane: list[str] | None = opt.IN_LANE,
    case_ids: Path | None = opt.CASE_IDS,
    scheduler: str | None = opt.SCHEDULER,
    workers: int | None = opt.WORKERS,
    quiet: bool = _QUIET,
    relayout: bool = typer.Option(
        False,
        "--relayout",
        help="Lay a BPMN file out anew (bpmtool's swimlanes) instead of drawing the "
        "author's own layout.",
    ),
    diagram: str | None = DIAGRAM,
) -> None:
    """Draw the model as a swimlane SVG, with its findings and, given a log, the check."""
    with input_errors_exit():
        loaded = api.choose_diagram(api.load(model), diagram)
        options = LogOptions(
            case, activity, timestamp, resource, lane, lanes_from, encoding, date_format
        )
        rule = opt.open_case_rule(open_after, open_cases)
        chosen = opt.log_filter(since, until, window, where, variant, in_lane, case_ids)
        with _cluster(log, scheduler, workers) as cluster:
            result = _check(loaded, log, quiet, options, rule, chosen, cluster)[1] if log else None
            with _flows_bar(result, quiet) as flows:
                svg = api.render_svg(
                    loaded,
                    findings=findings,
                    overlay=result,
                    orientation=orientation.value,
                    relayout=relayout,
                    cluster=cluster,
                    read_progress=flows,
                )
    write_output(svg, out)


@app.command()
def report(
    model: Path = _MODEL,
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write the report here (default: standard output)."
    ),
    log: str | None = _LOG,
    surveys: Path | None = typer.Option(
        None,
        "--surveys",
        help="NPS/CSAT answers by case id, for the journey section (needs --log).",
    ),
    format: ReportFormat = typer.Option(
        ReportFormat.html,
        "--format",
        "-f",
        help="html, md, or pdf (printed by Chromium or Chrome: BPMTOOL_CHROMIUM or the PATH).",
    ),
    orientation: Orientation = _ORIENTATION,
    case: str | None = opt.CASE,
    activity: str | None = opt.ACTIVITY,
    timestamp: str | None = opt.TIMESTAMP,
    resource: str | None = opt.RESOURCE,
    lane: str | None = opt.LANE,
    lanes_from: Path | None = opt.LANES_FROM,
    encoding: str | None = opt.ENCODING,
    date_format: str | None = opt.DATE_FORMAT,
    open_after: str | None = opt.OPEN_AFTER,
    open_cases: Path | None = opt.OPEN_CASES,
    since: str | None = opt.SINCE,
    until: str | None = opt.UNTIL,
    window: str = opt.WINDOW,
    where: list[str] | None = opt.WHERE,
    variant: list[int] | None = opt.VARIANT,
    in_lane: list[str] | None = opt.IN_LANE,
    case_ids: Path | None = opt.CASE_IDS,
    scheduler: str | None = opt.SCHEDULER,
    workers: int | None = opt.WORKERS,
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
            typer.echo(
                f"error: --surveys: {model.name} has no journey section, so no survey "
                "is read (see docs/journey.md)",
                err=True,
            )
            raise typer.Exit(2)
        options = LogOptions(
            case, activity, timestamp, resource, lane, lanes_from, encoding, date_format
        )
        if format is ReportFormat.pdf and out is None and sys.stdout.isatty():
            typer.echo("error: a PDF is not for the terminal: give -o report.pdf", err=True)
            raise typer.Exit(2)
        with _cluster(log, scheduler, workers) as cluster:
            result = journey = None
            if log is not None:
                chosen = opt.log_filter(since, until, window, where, variant, in_lane, case_ids)
                rule = opt.open_case_rule(open_after, open_cases)
                source, result = _check(loaded, log, quiet, options, rule, chosen, cluster)
                if loaded.journey is not None:
                    journey = _journey(loaded, source, surveys, options, chosen, cluster, quiet)
            with _flows_bar(result, quiet) as flows:
                if format is ReportFormat.pdf:
                    text: str | bytes = api.report_pdf(
                        loaded,
                        check=result,
                        journey=journey,
                        orientation=orientation.value,
                        source=model.name,
                        cluster=cluster,
                        read_progress=flows,
                    )
                else:
                    text = api.report(
                        loaded,
                        check=result,
                        journey=journey,
                        fmt=format.value,
                        orientation=orientation.value,
                        source=model.name,
                        cluster=cluster,
                        read_progress=flows,
                    )
    write_output(text, out)


def _journey(
    model: Model,
    source: pd.DataFrame | str,
    surveys: Path | None,
    options: LogOptions,
    log_filter: api.LogFilter | None,
    cluster: Cluster | None,
    quiet: bool,
) -> JourneyResult:
    """The journey of what the report checked: the frame read, or a partitioned log's
    address — then partition by partition, each reduced to its journey facts where it is
    read, never joined here."""
    if isinstance(source, str):
        with progress_bar("journeys of partitions", quiet=quiet, unit="part") as reading:
            return api.journey(
                model,
                source,
                surveys=surveys,
                columns=options.renames(),
                date_format=options.date_format,
                cluster=cluster,
                log_filter=log_filter,
                read_progress=reading,
            )
    return api.journey(model, source, surveys=surveys, log_filter=log_filter)
