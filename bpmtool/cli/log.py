"""`bpmtool log`: what an event log holds, and how it maps onto a model."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import typer

from bpmtool import api
from bpmtool.cli.app import app, input_errors_exit, write_output
from bpmtool.errors import Problem

__all__ = ["DATE_FORMAT_HELP", "column_options", "progress_bar", "show_notes"]

DATE_FORMAT_HELP = ("strftime format of the log's text times, e.g. '%d/%m/%Y %H:%M' "
                    "(default: ISO 8601, or the day/month order the data shows).")

LOG_ARG = typer.Argument(..., help="An event log: .xes, .xes.gz, .csv or .parquet",
                         show_default=False)


@contextmanager
def progress_bar(label: str, *, quiet: bool = False, unit: str = "B"
                 ) -> Iterator[Callable[[int, int | None], None] | None]:
    """A tqdm bar on stderr, only when stderr is a terminal: bytes read by default, or
    another ``unit`` (``"variant"`` while aligning)."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(desc=label, unit=unit, unit_scale=unit == "B", file=sys.stderr, leave=False)

    def update(done: int, total: int | None) -> None:
        if total and bar.total != total:
            bar.total = total
        bar.n = done
        bar.refresh()

    try:
        yield update
    finally:
        bar.close()


def column_options(case: str | None, activity: str | None, timestamp: str | None,
                   resource: str | None, lane: str | None) -> dict[str, str]:
    given = {"case": case, "activity": activity, "timestamp": timestamp,
             "resource": resource, "lane": lane}
    return {k: v for k, v in given.items() if v}


def show_notes(notes: list[Problem]) -> None:
    """What the reader found or assumed, on stderr (stdout stays the report)."""
    for note in notes:
        typer.echo(f"note: {note}", err=True)


@app.command("log")
def log_command(
    log: Path = LOG_ARG,
    model: Path | None = typer.Option(None, "--model", "-m",
                                      help="Also report how the log maps onto this model."),
    format: str = typer.Option("text", "--format", "-f", help="text or json"),
    case: str | None = typer.Option(None, "--case", help="Column holding the case id."),
    activity: str | None = typer.Option(None, "--activity", help="Column holding the activity."),
    timestamp: str | None = typer.Option(None, "--timestamp", help="Column holding the time."),
    resource: str | None = typer.Option(None, "--resource", help="Column holding the resource."),
    lane: str | None = typer.Option(None, "--lane", help="Column holding the team (lane)."),
    lanes_from: Path | None = typer.Option(None, "--lanes-from",
                                           help="CSV or YAML mapping resource → lane."),
    encoding: str | None = typer.Option(None, "--encoding", help="The CSV's encoding."),
    date_format: str | None = typer.Option(None, "--date-format", help=DATE_FORMAT_HELP),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Summarise an event log: cases, events, activities, variants, time span, lanes."""
    with input_errors_exit():
        with progress_bar("reading log", quiet=quiet) as progress:
            df = api.read_log(log, columns=column_options(case, activity, timestamp, resource,
                                                          lane), encoding=encoding,
                              date_format=date_format, progress=progress)
        notes = api.log_notes(df)
        show_notes(notes)
        summary = api.log_summary(df)
        mapped = None
        if model is not None:
            mapped = api.map_log(api.load(model), df, lanes_from=lanes_from, filename=str(log))
    if format == "json":
        doc: dict[str, object] = {"log": str(log), "summary": summary.to_dict(),
                                  "notes": [n.to_dict() for n in notes]}
        if mapped is not None:
            doc["mapping"] = mapped.to_dict()
        write_output(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", None)
        return
    lines = [f"{log}",
             f"  cases       {summary.cases:,}", f"  events      {summary.events:,}",
             f"  activities  {summary.activities}", f"  variants    {summary.variants:,}",
             f"  time span   {summary.start or '-'} … {summary.end or '-'}",
             f"  lanes seen  {', '.join(summary.lanes) or '(no org:group column)'}",
             f"  resources   {summary.resources}", "", "  most frequent activities:"]
    lines += [f"    {n:>8,}  {a}" for a, n in summary.top_activities]
    if mapped is not None:
        share = mapped.matched_events / max(len(mapped.df), 1)
        lines += ["", f"mapping onto {model}: {mapped.matched_events:,} of {len(mapped.df):,} "
                  f"events ({share:.0%}) match a model node; lanes from {mapped.lane_source}"]
        for u in mapped.unmatched[:15]:
            hint = f" — closest: {', '.join(u.closest)}" if u.closest else ""
            lines.append(f"    unmatched {u.events:>8,}  {u.label!r}{hint}")
        if mapped.unknown_groups:
            lines.append(f"    groups that are no lane of the model: "
                         f"{', '.join(mapped.unknown_groups[:10])}")
    write_output("\n".join(lines) + "\n", None)
