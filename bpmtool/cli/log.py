"""`bpmtool log`: what an event log holds, and how it maps onto a model."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from bpmtool import api
from bpmtool.cli import log_options as opt
from bpmtool.cli.app import app, input_errors_exit, write_output
from bpmtool.cli.log_options import (
    DATE_FORMAT_HELP,
    LogOptions,
    TextOrJson,
    column_options,
    progress_bar,
    show_notes,
)

__all__ = ["DATE_FORMAT_HELP", "column_options", "progress_bar", "show_notes"]

LOG_ARG = typer.Argument(
    ...,
    help="An event log: .xes, .xes.gz, .csv or .parquet, or a "
    "folder or glob of partitioned Parquet",
    show_default=False,
)


@app.command("log")
def log_command(
    log: Path = LOG_ARG,
    model: Path | None = typer.Option(
        None, "--model", "-m", help="Also report how the log maps onto this model."
    ),
    format: TextOrJson = typer.Option(TextOrJson.text, "--format", "-f", help="text or json"),
    case: str | None = opt.CASE,
    activity: str | None = opt.ACTIVITY,
    timestamp: str | None = opt.TIMESTAMP,
    resource: str | None = opt.RESOURCE,
    lane: str | None = opt.LANE,
    lanes_from: Path | None = opt.LANES_FROM,
    encoding: str | None = opt.ENCODING,
    date_format: str | None = opt.DATE_FORMAT,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
    to_parquet: Path | None = typer.Option(
        None,
        "--to-parquet",
        metavar="DIR",
        help="Instead of a summary, write the log as partitioned Parquet to this folder "
        "(each case in one file, by a hash of its id), for check and journey with "
        "--workers or --scheduler.",
    ),
    partitions: int | None = typer.Option(
        None,
        "--partitions",
        metavar="N",
        min=1,
        help="With --to-parquet: this many files (default: one per million events).",
    ),
) -> None:
    """Summarise an event log: cases, events, activities, variants, time span, lanes."""
    if lanes_from is not None and model is None:
        typer.echo(
            "error: --lanes-from needs --model: the lanes it names are the model's", err=True
        )
        raise typer.Exit(2)
    options = LogOptions(
        case, activity, timestamp, resource, lane, lanes_from, encoding, date_format
    )
    if to_parquet is not None and api.streams_to_parquet(log):
        with input_errors_exit(), progress_bar("writing partitions", quiet=quiet) as writing:
            written = api.stream_log_to_parquet(
                log,
                to_parquet,
                columns=options.columns() or None,
                encoding=encoding,
                date_format=date_format,
                partitions=partitions,
                progress=writing,
            )
        show_notes(written.notes)
        typer.echo(
            f"{written.events:,} events of {written.cases:,} cases written to "
            f"{len(written.files)} Parquet file(s) in {to_parquet}",
            err=True,
        )
        return
    with input_errors_exit():
        df = options.read(log, quiet=quiet)
        if to_parquet is not None:
            files = api.write_partitioned_log(df, to_parquet, partitions=partitions)
            cases = df[api.ROLE_COLUMNS["case"]].nunique()
            typer.echo(
                f"{len(df):,} events of {cases:,} cases written to "
                f"{len(files)} Parquet file(s) in {to_parquet}",
                err=True,
            )
            return
        notes = api.log_notes(df)
        summary = api.log_summary(df)
        mapped = None
        if model is not None:
            mapped = api.map_log(api.load(model), df, lanes_from=lanes_from, filename=str(log))
    if format == TextOrJson.json:
        doc: dict[str, object] = {
            "log": str(log),
            "summary": summary.to_dict(),
            "notes": [n.to_dict() for n in notes],
        }
        if mapped is not None:
            doc["mapping"] = mapped.to_dict()
        write_output(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", None)
        return
    lines = [
        f"{log}",
        f"  cases       {summary.cases:,}",
        f"  events      {summary.events:,}",
        f"  activities  {summary.activities}",
        f"  variants    {summary.variants:,}",
        f"  time span   {summary.start or '-'} … {summary.end or '-'}",
        f"  lanes seen  {', '.join(summary.lanes) or '(no org:group column)'}",
        f"  resources   {summary.resources}",
        "",
        "  most frequent activities:",
    ]
    lines += [f"    {n:>8,}  {a}" for a, n in summary.top_activities]
    if mapped is not None:
        share = mapped.matched_events / max(mapped.events, 1)
        lines += [
            "",
            f"mapping onto {model}: {mapped.matched_events:,} of {mapped.events:,} "
            f"events ({share:.0%}) match a model node; lanes from {mapped.lane_source}",
        ]
        for u in mapped.unmatched[:15]:
            hint = f" — closest: {', '.join(u.closest)}" if u.closest else ""
            lines.append(f"    unmatched {u.events:>8,}  {u.label!r}{hint}")
        if mapped.unknown_groups:
            what = (
                "resources the lane map does not name"
                if lanes_from is not None
                else "groups that are no lane of the model"
            )
            lines.append(f"    {what}: {', '.join(mapped.unknown_groups[:10])}")
    write_output("\n".join(lines) + "\n", None)
