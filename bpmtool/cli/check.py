"""`bpmtool check`: where practice leaves the model, handoff by handoff."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path

import typer

from bpmtool import api
from bpmtool.cli import log_options as opt
from bpmtool.cli.app import app, input_errors_exit, style, use_colour, write_output
from bpmtool.cli.checking import check_log
from bpmtool.cli.comparison import format_comparison
from bpmtool.cli.log_options import LogOptions, TextOrJson, progress_bar
from bpmtool.cli.model_commands import FailOn, _exit_code, format_findings_text

__all__: list[str] = []


class Method(StrEnum):
    replay = "replay"
    alignments = "alignments"
    both = "both"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


@app.command()
def check(
    model: Path = typer.Argument(..., help="A model: .yaml, .json or .bpmn", show_default=False),
    log: str = typer.Argument(
        ...,
        metavar="LOG",
        help="An event log: .xes, .xes.gz, .csv or .parquet, "
        "or a folder or glob of partitioned Parquet (also an fsspec address, "
        "e.g. s3://bucket/log.parts)",
        show_default=False,
    ),
    format: TextOrJson = typer.Option(TextOrJson.text, "--format", "-f", help="text or json"),
    method: Method = typer.Option(
        Method.both, "--method", help="replay (fast), alignments (exact) or both."
    ),
    fail_on: FailOn = typer.Option(
        FailOn.never,
        "--fail-on",
        help="Exit 1 when a finding reaches this severity. The "
        "default is never (unlike lint's error): a check "
        "reports what happened in the log, and real logs "
        "always deviate somewhere; ask for error or warning "
        "to gate a pipeline on it.",
    ),
    slow_after: str | None = typer.Option(
        None,
        "--slow-after",
        help="Flag handoffs whose p90 wait exceeds this (e.g. 3d) where no CTQ sets a target.",
    ),
    case: str | None = opt.CASE,
    activity: str | None = opt.ACTIVITY,
    timestamp: str | None = opt.TIMESTAMP,
    resource: str | None = opt.RESOURCE,
    lane: str | None = opt.LANE,
    lanes_from: Path | None = opt.LANES_FROM,
    encoding: str | None = opt.ENCODING,
    date_format: str | None = opt.DATE_FORMAT,
    cases_csv: Path | None = opt.CASES,
    scheduler: str | None = opt.SCHEDULER,
    workers: int | None = opt.WORKERS,
    open_after: str | None = opt.OPEN_AFTER,
    open_cases: Path | None = opt.OPEN_CASES,
    since: str | None = opt.SINCE,
    until: str | None = opt.UNTIL,
    window: str = opt.WINDOW,
    where: list[str] | None = opt.WHERE,
    variant: list[int] | None = opt.VARIANT,
    in_lane: list[str] | None = opt.IN_LANE,
    case_ids: Path | None = opt.CASE_IDS,
    compare: list[str] | None = opt.COMPARE,
    lanes_from_log: bool = typer.Option(
        False,
        "--lanes-from-log",
        help="For a model without lanes: put each activity into the log's lane that does "
        "most of its events and check the lanes against that (reported as LANES-FROM-LOG).",
    ),
    align_budget: str | None = typer.Option(
        None,
        "--align-budget",
        metavar="DURATION",
        help="CPU time for all alignments (default 60s plus 20ms per variant; e.g. 10m for a "
        "hard model). Variants left when it runs out are approximated from token replay, "
        "flagged and listed.",
    ),
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the report here."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
) -> None:
    """Check an event log against a model: fitness, precision and handoff findings."""
    with input_errors_exit():
        try:
            limit = api.parse_duration(slow_after) if slow_after else None
        except ValueError as exc:
            typer.echo(f"error: --slow-after: {exc}", err=True)
            raise typer.Exit(2) from None
        rule = opt.open_case_rule(open_after, open_cases)
        chosen = opt.log_filter(since, until, window, where, variant, in_lane, case_ids)
        budget = None
        if align_budget is not None:
            try:
                budget = api.AlignmentBudget(
                    total_s=api.parse_duration(align_budget).total_seconds()
                )
            except ValueError as exc:
                typer.echo(f"error: --align-budget: {exc}", err=True)
                raise typer.Exit(2) from None
        loaded = api.load(model)
        options = LogOptions(
            case, activity, timestamp, resource, lane, lanes_from, encoding, date_format
        )
        # a partitioned log is checked partition by partition, never joined here
        pieces = api.is_partitioned_log(log)
        if compare:
            with (
                api.cluster(scheduler, workers) as cluster,
                progress_bar(
                    "checking partitions", quiet=quiet or not pieces, unit="part"
                ) as reading,
            ):
                comparison = api.compare_windows(
                    loaded,
                    log if pieces else options.read(log, quiet=quiet, log_filter=chosen),
                    compare,
                    window=window,
                    log_filter=chosen,
                    method=method.value,
                    columns=options.columns() or None if pieces else None,
                    date_format=date_format if pieces else None,
                    lanes_from=lanes_from,
                    open_rule=rule,
                    budget=budget,
                    slow_after=limit,
                    lanes_from_log=lanes_from_log,
                    cluster=cluster,
                    read_progress=reading,
                )
            text = (
                json.dumps(comparison.to_dict(), indent=2, ensure_ascii=False) + "\n"
                if format == TextOrJson.json
                else format_comparison(comparison, window)
            )
            write_output(text, out)
            return
        with api.cluster(scheduler, workers) as cluster:
            _, result = check_log(
                loaded,
                log,
                options,
                quiet=quiet,
                cluster=cluster,
                log_filter=chosen,
                method=method.value,
                slow_after=limit,
                open_rule=rule,
                budget=budget,
                lanes_from_log=lanes_from_log,
            )
        if cases_csv is not None:
            api.write_file(cases_csv, result.case_frame().to_csv(index=False))
    if format == TextOrJson.json:
        write_output(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n", out)
        raise typer.Exit(_exit_code(result.findings, fail_on))
    colour = out is None and use_colour()
    s = result.summary()
    lines = [
        style(f"{log} against {model}", bold=True, enabled=colour),
        *([f"  {result.filtered.text()}"] if result.filtered is not None else []),
        f"  cases {s['cases']:,} ({s['open_cases']:,} judged open), events "
        f"{s['events']:,}, variants {s['variants']:,}",
        *([f"  open cases   {s['open_rule']['reason']}"] if s["open_rule"] else []),
        *(
            [
                f"  approximated {s['approximated_variants']:,} variant(s), "
                f"{s['approximated_cases']:,} case(s): alignment budget ran out, fitness from "
                f"token replay; aligned exactly: {_pct(s['aligned_exactly_share'])} of the "
                "finished cases"
            ]
            if s["approximated_variants"]
            else []
        ),
        f"  fitness      replay {_pct(s['fitness_replay'])}   alignments "
        f"{_pct(s['fitness_alignments'])}",
        f"  precision    {_pct(s['precision'])}"
        + (
            " (not computed: replaying the log's prefixes ran out of time)"
            if s["precision_cut_short"]
            else ""
        ),
        f"  fitting cases {_pct(s['fitting_cases_alignments'] or s['fitting_cases_replay'])}"
        f" of the finished ones",
        f"  unknown activities {s['unknown_events']:,} events ({_pct(s['unknown_share'])})"
        f"; lanes from {s['lane_source']}",
        "",
    ]
    if result.handoffs:
        lines.append(
            style(
                "Observed handoffs (lane → lane: count, median / p90 wait)",
                bold=True,
                enabled=colour,
            )
        )
        for h in result.handoffs:
            mark = "" if h.modelled else "   ← not in the model"
            lines.append(
                f"  {h.source_lane:>10} → {h.target_lane:<10} {h.count:>7,}   "
                f"{h.median_wait or '-':>7} / {h.p90_wait or '-':<7}{mark}"
            )
        lines.append("")
    lines.append(
        format_findings_text(result.findings, colour=colour)
        if result.findings
        else "No findings: practice follows the model at every handoff."
    )
    write_output("\n".join(lines) + "\n", out)
    raise typer.Exit(_exit_code(result.findings, fail_on))
