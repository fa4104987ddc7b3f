"""`bpmtool check`: where practice leaves the model, handoff by handoff."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bpmtool import api
from bpmtool.cli.app import app, input_errors_exit, style, use_colour, write_output
from bpmtool.cli.log import DATE_FORMAT_HELP, column_options, progress_bar, show_notes
from bpmtool.cli.model_commands import FailOn, _exit_code, format_findings_text
from bpmtool.durations import parse_duration

__all__: list[str] = []


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


@app.command()
def check(
    model: Path = typer.Argument(..., help="A model: .yaml, .json or .bpmn", show_default=False),
    log: Path = typer.Argument(..., help="An event log: .xes, .xes.gz, .csv or .parquet",
                               show_default=False),
    format: str = typer.Option("text", "--format", "-f", help="text or json"),
    method: str = typer.Option("both", "--method", help="replay, alignments or both"),
    fail_on: FailOn = typer.Option(FailOn.never, "--fail-on",
                                   help="Exit 1 when a finding reaches this severity."),
    slow_after: str | None = typer.Option(None, "--slow-after",
                                          help="Flag handoffs whose p90 wait exceeds this "
                                               "(e.g. 3d) where no CTQ sets a target."),
    case: str | None = typer.Option(None, "--case", help="Column holding the case id."),
    activity: str | None = typer.Option(None, "--activity", help="Column holding the activity."),
    timestamp: str | None = typer.Option(None, "--timestamp", help="Column holding the time."),
    resource: str | None = typer.Option(None, "--resource", help="Column holding the resource."),
    lane: str | None = typer.Option(None, "--lane", help="Column holding the team (lane)."),
    lanes_from: Path | None = typer.Option(None, "--lanes-from",
                                           help="CSV or YAML mapping resource → lane."),
    date_format: str | None = typer.Option(None, "--date-format", help=DATE_FORMAT_HELP),
    cases_csv: Path | None = typer.Option(None, "--cases", help="Write per-case diagnostics "
                                                                "to this CSV."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the report here."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Check an event log against a model: fitness, precision and handoff findings."""
    with input_errors_exit():
        try:
            limit = parse_duration(slow_after) if slow_after else None
        except ValueError as exc:
            typer.echo(f"error: --slow-after: {exc}", err=True)
            raise typer.Exit(2) from None
        loaded = api.load(model)
        with progress_bar("reading log", quiet=quiet) as reading:
            frame = api.read_log(log, columns=column_options(case, activity, timestamp,
                                                             resource, lane),
                                 date_format=date_format, progress=reading)
        show_notes(api.log_notes(frame))
        with progress_bar("aligning variants", quiet=quiet, unit="variant") as aligning:
            result = api.check(loaded, frame, method=method, lanes_from=lanes_from,
                               slow_after=limit, progress=aligning)
        if cases_csv is not None:
            from bpmtool.io.files import write_atomic

            write_atomic(cases_csv, result.case_frame().to_csv(index=False))
    if format == "json":
        write_output(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n", out)
        raise typer.Exit(_exit_code(result.findings, fail_on))
    colour = out is None and use_colour()
    s = result.summary()
    lines = [style(f"{log} against {model}", bold=True, enabled=colour),
             f"  cases {s['cases']:,} ({s['open_cases']:,} still open), events {s['events']:,}, "
             f"variants {s['variants']:,}",
             f"  fitness      replay {_pct(s['fitness_replay'])}   alignments "
             f"{_pct(s['fitness_alignments'])}",
             f"  precision    {_pct(s['precision'])}",
             f"  fitting cases {_pct(s['fitting_cases_alignments'] or s['fitting_cases_replay'])}"
             f" of the finished ones",
             f"  unknown activities {s['unknown_events']:,} events ({_pct(s['unknown_share'])})"
             f"; lanes from {s['lane_source']}", ""]
    if result.handoffs:
        lines.append(style("Observed handoffs (lane → lane: count, median / p90 wait)",
                           bold=True, enabled=colour))
        for h in result.handoffs:
            mark = "" if h.modelled else "   ← not in the model"
            lines.append(f"  {h.source_lane:>10} → {h.target_lane:<10} {h.count:>7,}   "
                         f"{h.median_wait or '-':>7} / {h.p90_wait or '-':<7}{mark}")
        lines.append("")
    lines.append(format_findings_text(result.findings, colour=colour) if result.findings
                 else "No findings: practice follows the model at every handoff.")
    write_output("\n".join(lines) + "\n", out)
    raise typer.Exit(_exit_code(result.findings, fail_on))
