"""``bpmtool journey``: the customer journey in an event log, as text, JSON or the CSV work list."""

from __future__ import annotations

import json
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from bpmtool import api
from bpmtool.cli import log_options as opt
from bpmtool.cli.app import EXIT_BAD_INPUT, app, input_errors_exit, style, use_colour, write_output
from bpmtool.cli.comparison import format_comparison
from bpmtool.cli.log_options import LogOptions, progress_bar, show_notes

if TYPE_CHECKING:
    from bpmtool.api import JourneyResult

__all__ = ["format_journey_text", "journey_command"]


class JourneyFormat(StrEnum):
    text = "text"
    json = "json"
    csv = "csv"


@app.command("journey")
def journey_command(
    model_path: Path = typer.Argument(..., metavar="MODEL", help="A model (.yaml, .json, .bpmn)"),
    log_path: str = typer.Argument(
        ...,
        metavar="LOG",
        help="An event log (CSV, Parquet, XES), or a folder, glob or fsspec address "
        "(s3://…) of partitioned Parquet",
    ),
    exceptions: bool = typer.Option(
        False, "--exceptions", help="Only the struggling customers (the work list)."
    ),
    cases_csv: Path | None = typer.Option(
        None,
        "--cases",
        metavar="FILE.csv",
        help="Also write one row per case to this CSV file (stage, milestones, days in each "
        "stage, scores).",
    ),
    fmt: JourneyFormat = typer.Option(
        JourneyFormat.text, "--format", "-f", help="text, json, or csv (the exception report)."
    ),
    surveys: Path | None = typer.Option(
        None, "--surveys", help="A survey file: case id and NPS or CSAT."
    ),
    now: str | None = typer.Option(
        None,
        "--now",
        help="Measure open cases at this time (ISO 8601, e.g. "
        "2025-07-01 or 2025-07-01T09:30); default: the last "
        "event of the log.",
    ),
    case: str | None = opt.CASE,
    activity: str | None = opt.ACTIVITY,
    timestamp: str | None = opt.TIMESTAMP,
    resource: str | None = opt.RESOURCE,
    lane: str | None = opt.LANE,
    lanes_from: Path | None = opt.LANES_FROM,
    encoding: str | None = opt.ENCODING,
    date_format: str | None = opt.DATE_FORMAT,
    case_column: str | None = typer.Option(
        None, "--case-column", hidden=True, help="Deprecated: use --case."
    ),
    activity_column: str | None = typer.Option(
        None, "--activity-column", hidden=True, help="Deprecated: use --activity."
    ),
    timestamp_column: str | None = typer.Option(
        None, "--timestamp-column", hidden=True, help="Deprecated: use --timestamp."
    ),
    since: str | None = opt.SINCE,
    until: str | None = opt.UNTIL,
    window: str = opt.WINDOW,
    where: list[str] | None = opt.WHERE,
    variant: list[int] | None = opt.VARIANT,
    in_lane: list[str] | None = opt.IN_LANE,
    case_ids: Path | None = opt.CASE_IDS,
    compare: list[str] | None = opt.COMPARE,
    scheduler: str | None = opt.SCHEDULER,
    workers: int | None = opt.WORKERS,
    out: Path | None = typer.Option(
        None, "--out", "-o", help="Write here instead of standard output."
    ),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Stages, milestones, happy paths, struggling customers, behaviour × emotion, CTQs."""
    for old, new, value in (
        ("--case-column", "--case", case_column),
        ("--activity-column", "--activity", activity_column),
        ("--timestamp-column", "--timestamp", timestamp_column),
    ):
        if value:
            typer.echo(f"warning: {old} is deprecated; use {new}", err=True)
    moment = _parse_now(now)
    if lane or lanes_from:
        typer.echo(
            "note: journey places each step in the lane the model gives it; "
            "--lane and --lanes-from matter to check, render and report",
            err=True,
        )
    options = LogOptions(
        case or case_column,
        activity or activity_column,
        timestamp or timestamp_column,
        resource,
        lane,
        lanes_from,
        encoding,
        date_format,
    )
    chosen = opt.log_filter(since, until, window, where, variant, in_lane, case_ids)
    runs_on = (scheduler, workers)
    if compare:
        _compare(
            model_path,
            log_path,
            options,
            compare,
            window,
            chosen,
            surveys,
            fmt,
            out,
            quiet,
            runs_on,
        )
        return
    with input_errors_exit():
        model = api.load(model_path)
        if api.is_partitioned_log(log_path):
            # partition by partition: each reduced to its journey facts where it is read
            with (
                api.cluster(scheduler, workers) as cluster,
                progress_bar("journeys of partitions", quiet=quiet, unit="part") as reading,
            ):
                result = api.journey(
                    model,
                    log_path,
                    surveys=surveys,
                    now=moment,
                    columns=options.renames(),
                    date_format=date_format,
                    cluster=cluster,
                    log_filter=chosen,
                    read_progress=reading,
                )
            show_notes(result.notes)
        else:
            with api.cluster(scheduler, workers) as cluster:
                frame = options.read(log_path, quiet=quiet, cluster=cluster, log_filter=chosen)
            result = api.journey(model, frame, surveys=surveys, now=moment, log_filter=chosen)
        if cases_csv is not None:
            api.write_file(cases_csv, result.cases_csv())
    if fmt == JourneyFormat.csv:
        write_output(result.exceptions_csv(), out)
    elif fmt == JourneyFormat.json:
        data: Any = result.to_dict()
        if exceptions:
            data = {
                "schema": data["schema"],
                "model": data["model"],
                "now": data["now"],
                "exceptions": _records(result),
            }
        write_output(json.dumps(data, indent=2, ensure_ascii=False) + "\n", out)
    else:
        colour = out is None and use_colour()
        text = (
            _exceptions_text(result, colour=colour)
            if exceptions
            else format_journey_text(result, colour=colour)
        )
        write_output(text, out)


def _compare(
    model_path: Path,
    log_path: str,
    options: LogOptions,
    periods: list[str],
    window: str,
    chosen: api.LogFilter | None,
    surveys: Path | None,
    fmt: JourneyFormat,
    out: Path | None,
    quiet: bool,
    runs_on: tuple[str | None, int | None],
) -> None:
    """``journey --compare``: two windows' journeys side by side, as text or JSON; a
    partitioned log partition by partition (each read once for both windows)."""
    if fmt == JourneyFormat.csv:
        typer.echo("error: --compare writes text or json, not csv", err=True)
        raise typer.Exit(EXIT_BAD_INPUT)
    with input_errors_exit():
        model = api.load(model_path)
        with api.cluster(*runs_on) as cluster:
            if api.is_partitioned_log(log_path):
                with progress_bar("journeys of partitions", quiet=quiet, unit="part") as reading:
                    comparison = api.compare_journey_windows(
                        model,
                        log_path,
                        periods,
                        window=window,
                        log_filter=chosen,
                        columns=options.columns() or None,
                        date_format=options.date_format,
                        surveys=surveys,
                        cluster=cluster,
                        read_progress=reading,
                    )
            else:
                frame = options.read(log_path, quiet=quiet, cluster=cluster, log_filter=chosen)
                comparison = api.compare_journey_windows(
                    model, frame, periods, window=window, log_filter=chosen, surveys=surveys
                )
    text = (
        json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if fmt == JourneyFormat.json
        else format_comparison(comparison, window, "Journeys")
    )
    write_output(text, out)


def _parse_now(now: str | None) -> datetime | None:
    """``--now`` as a time, or exit 2 naming the option."""
    if now is None:
        return None
    try:
        return datetime.fromisoformat(now.strip())
    except ValueError:
        typer.echo(
            f"error: --now: {now!r} is not a time; use ISO 8601, e.g. 2025-07-01 or "
            "2025-07-01T09:30",
            err=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _records(result: JourneyResult) -> list[dict[str, Any]]:
    return list(json.loads(result.exceptions.to_json(orient="records")))


def _h(text: str, colour: bool) -> str:
    return style(text, bold=True, enabled=colour)


def _d(value: object) -> str:
    return "-" if value is None else f"{float(value):.1f}d"  # type: ignore[arg-type]


def format_journey_text(result: JourneyResult, *, colour: bool = False) -> str:
    """The journey analysis as a plain-text summary for a terminal."""
    d = result.to_dict(limit=10)
    lines = [
        _h(
            f"Journey of {d['cases']} cases ({d['events']} events), measured at {d['now'][:10]}",
            colour,
        ),
        *([f"  {result.filtered.text()}"] if result.filtered is not None else []),
        "",
        _h("Stage funnel", colour),
    ]
    for s in d["funnel"]:
        conv = "-" if s["conversion"] is None else f"{s['conversion']:.0%}"
        lines.append(
            f"  {s['name']:<24} {s['reached']:>7} reached  {conv:>5}  "
            f"{s['current']:>6} here now  median {_d(s['median_days'])}, "
            f"p90 {_d(s['p90_days'])}"
        )
    lines += ["", _h("Milestones", colour)]
    for m in d["milestones"]:
        extra = f", {m['overdue']} overdue, {m['late']} late" if m["deadline_days"] else ""
        lines.append(
            f"  {m['milestone']:<16} {m['reached']:>7}/{m['entered_stage']:<7} "
            f"median {_d(m['median_days'])}, p90 {_d(m['p90_days'])}{extra}  "
            f"{m['question']}"
        )
    hp = d["happy_paths"]
    lines += [
        "",
        _h(
            f"Happy paths ({hp['successful_cases']} successful cases, "
            f"{hp['successful_variants']} variants among them; "
            f"{hp['all_variants']} among all cases)",
            colour,
        ),
    ]
    for p in hp["paths"]:
        follows = (
            "follows the model"
            if p["follows_model"]
            else f"leaves the model at step {p['off_model_step'] + 1}"
        )
        lines.append(
            f"  #{p['rank']} {p['share']:.0%} (coverage {p['coverage']:.0%}), "
            f"median {_d(p['median_days'])}, {len(p['activities'])} steps, {follows}"
        )
        lines.append("     " + " → ".join(p["activities"]))
    if hp["departures_after_sale"]:
        lines.append("  where customers leave every happy path after the sale:")
        for dep in hp["departures_after_sale"][:5]:
            lines.append(f"     {dep['cases']:>6} × {dep['activity']!r} after {dep['after']!r}")
    lines += ["", _h("CTQs", colour)]
    for c in d["ctqs"]:
        lines.append(f"  {c['summary']}")
    lines += ["", _h("Triggers", colour)]
    for t in d["triggers"]:
        lines.append(
            f"  {t['trigger']:<24} {t['on_time']} on time, {t['late']} late, "
            f"{t['missed']} missed, {t['pending']} pending of {t['reached']}"
        )
    s = d["sentiment"]
    lines += ["", _h(f"Behaviour × emotion ({s['source'] or 'no emotion source'})", colour)]
    for q in s["quadrants"]:
        lines.append(f"  {q['name']:<24} {q['cases']:>7}  {q['action']}")
    lines.append(f"  without an emotional score: {s['cases_without_emotion']}")
    ex = d["exceptions"]
    lines += ["", _h(f"Struggling customers: {ex['cases']}", colour)]
    for reason, count in ex["by_reason"].items():
        lines.append(f"  {reason:<20} {count:>7}")
    if ex["cases"]:
        lines.append("  (bpmtool journey … --exceptions --format csv for the work list)")
    lines += ["", _h(f"Findings ({len(d['findings'])})", colour)]
    for f in d["findings"]:
        lines.append(f"  {f['severity']:<7} {f['code']}  {f['message']}")
    if d["unmapped_labels"]:
        lines += ["", f"activities not in the model: {', '.join(d['unmapped_labels'][:20])}"]
    return "\n".join(lines) + "\n"


def _exceptions_text(result: JourneyResult, *, colour: bool) -> str:
    frame = result.exceptions
    lines = [_h(f"{len(frame)} struggling customers", colour)]
    for row in frame.itertuples(index=False):
        days = "-" if row.days_in_stage != row.days_in_stage else f"{row.days_in_stage:.0f}d"
        lines.append(f"{row.case}  [{row.reasons}]  {row.stage_name or '-'} {days}")
        lines.append(f"    {row.detail}")
        if row.action:
            lines.append(f"    action: {row.action}")
        if row.quadrant:
            lines.append(f"    {row.quadrant}: {row.quadrant_action}")
    return "\n".join(lines) + "\n"
