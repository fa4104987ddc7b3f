"""The one set of options every command that reads an event log takes.

``check``, ``journey``, ``log``, ``render --log`` and ``report --log`` declare the same
``--case/--activity/--timestamp/--resource/--lane/--lanes-from/--encoding/--date-format``
from the constants here, and read the log through :meth:`LogOptions.read`, so a column
named for one command is named the same way for all of them.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bpmtool import api
from bpmtool.errors import InputError, Problem

if TYPE_CHECKING:
    import pandas as pd

    from bpmtool.api import Cluster

__all__ = [
    "ACTIVITY",
    "CASE",
    "CASES",
    "DATE_FORMAT",
    "DATE_FORMAT_HELP",
    "ENCODING",
    "FILTER_OPTIONS",
    "LANE",
    "LANES_FROM",
    "RESOURCE",
    "SCHEDULER",
    "TIMESTAMP",
    "WORKERS",
    "LogOptions",
    "TextOrJson",
    "column_options",
    "log_filter",
    "open_case_rule",
    "progress_bar",
    "show_filter",
    "show_notes",
]

DATE_FORMAT_HELP = (
    "strftime format of the log's text times, e.g. '%d/%m/%Y %H:%M' "
    "(default: ISO 8601, or the day/month order the data shows)."
)
_FOUND = " (default: found by its usual names)"
CASE = typer.Option(
    None, "--case", metavar="COLUMN", help="Log column holding the case id" + _FOUND + "."
)
ACTIVITY = typer.Option(
    None, "--activity", metavar="COLUMN", help="Log column holding the activity" + _FOUND + "."
)
TIMESTAMP = typer.Option(
    None,
    "--timestamp",
    metavar="COLUMN",
    help="Log column holding the time (default: found by its usual names "
    "or, failing that, by its values).",
)
RESOURCE = typer.Option(
    None,
    "--resource",
    metavar="COLUMN",
    help="Log column holding the resource, the person or system that did the work" + _FOUND + ".",
)
LANE = typer.Option(
    None,
    "--lane",
    metavar="COLUMN",
    help="Log column holding the team, i.e. the lane" + _FOUND + ".",
)
LANES_FROM = typer.Option(
    None,
    "--lanes-from",
    metavar="FILE",
    help="CSV (resource,lane) or YAML (resource: lane) giving each "
    "resource its lane, instead of the log's team column.",
)
ENCODING = typer.Option(
    None,
    "--encoding",
    metavar="ENC",
    help="The CSV's text encoding, e.g. cp1252 (default: sniffed).",
)
DATE_FORMAT = typer.Option(None, "--date-format", metavar="FORMAT", help=DATE_FORMAT_HELP)
#: ``--cases`` means the same everywhere: also write one row per case to a CSV file
CASES = typer.Option(
    None, "--cases", metavar="FILE.csv", help="Also write one row per case to this CSV file."
)

#: where the work runs (check, journey): a Dask scheduler, or local worker processes
SCHEDULER = typer.Option(
    None,
    "--scheduler",
    metavar="ADDRESS",
    envvar="BPMTOOL_SCHEDULER",
    help="Run on the Dask cluster of this scheduler, e.g. "
    "tcp://HOST:8786 (default: $BPMTOOL_SCHEDULER; without it or "
    "--workers everything runs in this process).",
)
WORKERS = typer.Option(
    None,
    "--workers",
    metavar="N",
    min=1,
    help="Run on N local worker processes (a Dask LocalCluster); a "
    "partitioned Parquet log is read on them.",
)
#: which cases are still running (``check``, and ``render``/``report`` when they check a log)
OPEN_AFTER = typer.Option(
    None,
    "--open-after",
    metavar="DURATION",
    help="A case that stops before an end of the process is open (left "
    "out of fitness) when its last event is less than this (e.g. "
    "30d) before the log's end (default: the 95th percentile of "
    "finished cases' durations).",
)
OPEN_CASES = typer.Option(
    None,
    "--open-cases",
    metavar="FILE",
    help="The cases that are still open, one id per line; every other case counts as finished.",
)


def open_case_rule(open_after: str | None, open_cases: Path | None) -> api.OpenCaseRule:
    """``--open-after``/``--open-cases`` as a rule; a bad value exits 2 naming the option."""
    if open_after is not None and open_cases is not None:
        typer.echo(
            "error: --open-after and --open-cases exclude each other: name the open "
            "cases, or give the window that decides them",
            err=True,
        )
        raise typer.Exit(2)
    after = None
    if open_after is not None:
        try:
            after = api.parse_duration(open_after)
        except ValueError as exc:
            typer.echo(f"error: --open-after: {exc}", err=True)
            raise typer.Exit(2) from None
    return api.OpenCaseRule(
        after, api.read_case_list(open_cases) if open_cases is not None else None
    )


# --- the filter: which cases an analysis looks at (api.LogFilter) ---
SINCE = typer.Option(
    None,
    "--from",
    metavar="DATE",
    help="Keep the cases in the time window from this date or period on (e.g. 2026-07-01, "
    "2026-Q3); how a case must stand in it: --window.",
)
UNTIL = typer.Option(
    None,
    "--to",
    metavar="DATE",
    help="End of the time window, inclusive (2026-09-30 keeps that whole day; 2026-Q3 "
    "keeps the quarter).",
)
WINDOW = typer.Option(
    "started",
    "--window",
    metavar="HOW",
    help="How a case must stand in the --from/--to window: started (its first event in it), "
    "completed, contained (all events), intersecting (any event), or trim (cut to its "
    "events in the window).",
)
WHERE = typer.Option(
    None,
    "--where",
    metavar="ATTR=VALUE",
    help="Keep the cases where an event (or the case) has this attribute value, e.g. "
    "Region=EMEA or Region=EMEA,APAC; ATTR!=VALUE keeps the others. Repeat to AND.",
)
VARIANT = typer.Option(
    None,
    "--variant",
    metavar="N",
    help="Keep the cases of variant N (1 = the most frequent activity sequence). Repeatable.",
)
IN_LANE = typer.Option(
    None,
    "--in-lane",
    metavar="LANE",
    help="Keep the cases with work in this lane (its id or name). Repeatable: any of them.",
)
CASE_IDS = typer.Option(
    None,
    "--case-ids",
    metavar="FILE",
    help="Keep only the cases listed in this file, one id per line.",
)
COMPARE = typer.Option(
    None,
    "--compare",
    metavar="PERIOD",
    help="Two windows side by side: give two periods (--compare 2026-Q2 --compare "
    "2026-Q3, or FROM..TO) or one of week, month, quarter, year (the log's latest one "
    "against the one before); KPIs and finding counts, per --window.",
)
#: the names of the filter's options, for messages
FILTER_OPTIONS = ("--from", "--to", "--window", "--where", "--variant", "--in-lane", "--case-ids")


def log_filter(
    since: str | None,
    until: str | None,
    window: str,
    where: list[str] | None,
    variant: list[int] | None,
    in_lane: list[str] | None,
    case_ids: Path | None,
) -> api.LogFilter | None:
    """The filter options as one :class:`bpmtool.api.LogFilter` (``None``: no filter); a
    bad value exits 2 naming the option."""

    def bad(option: str, message: object) -> typer.Exit:
        typer.echo(f"error: {option}: {message}", err=True)
        return typer.Exit(2)

    try:
        start = api.parse_moment(since) if since else None
    except ValueError as exc:
        raise bad("--from", exc) from None
    try:
        end = api.parse_moment(until, end=True) if until else None
    except ValueError as exc:
        raise bad("--to", exc) from None
    tests = []
    for text in where or []:
        try:
            tests.append(api.parse_where(text))
        except ValueError as exc:
            raise bad("--where", exc) from None
    ids = api.case_id_list(case_ids) if case_ids is not None else None
    try:
        found = api.LogFilter(
            start,
            end,
            window,
            tuple(tests),
            tuple(variant or ()),
            tuple(in_lane or ()),
            ids,
            case_ids.name if case_ids is not None else None,
        )
    except InputError as exc:
        raise bad("--" + str(exc.problems[0].key or "filter"), exc.problems[0].message) from None
    return None if found.empty else found


def show_filter(outcome: api.FilterOutcome | None) -> None:
    """What the filter kept, on stderr (stdout stays the report)."""
    if outcome is not None:
        typer.echo(outcome.text(), err=True)


class TextOrJson(StrEnum):
    text = "text"
    json = "json"


@contextmanager
def progress_bar(
    label: str, *, quiet: bool = False, unit: str = "B"
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


def column_options(
    case: str | None,
    activity: str | None,
    timestamp: str | None,
    resource: str | None,
    lane: str | None,
) -> dict[str, str]:
    given = {
        "case": case,
        "activity": activity,
        "timestamp": timestamp,
        "resource": resource,
        "lane": lane,
    }
    return {k: v for k, v in given.items() if v}


def show_notes(notes: list[Problem]) -> None:
    """What the reader found or assumed, on stderr (stdout stays the report)."""
    for note in notes:
        typer.echo(f"note: {note}", err=True)


@dataclass(frozen=True)
class LogOptions:
    """What a command was told about its log's columns, lanes, encoding and times."""

    case: str | None = None
    activity: str | None = None
    timestamp: str | None = None
    resource: str | None = None
    lane: str | None = None
    lanes_from: Path | None = None
    encoding: str | None = None
    date_format: str | None = None

    def columns(self) -> dict[str, str]:
        """The source columns named by role, for :func:`bpmtool.api.read_log`."""
        return column_options(self.case, self.activity, self.timestamp, self.resource, self.lane)

    def renames(self) -> dict[str, str] | None:
        """The source columns named by role as renames to the standard names (what
        :func:`bpmtool.api.journey` takes)."""
        return {src: api.ROLE_COLUMNS[role] for role, src in self.columns().items()} or None

    def read(
        self,
        path: str | Path,
        *,
        quiet: bool = False,
        cluster: Cluster | None = None,
        log_filter: api.LogFilter | None = None,
    ) -> pd.DataFrame:
        """Read the log with a progress bar, and say on stderr what the reader assumed; a
        partitioned log is read on the ``cluster``'s workers when there is one.  The
        columns ``log_filter`` tests are kept (the filter itself runs in the analysis)."""
        if self.encoding is not None:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                typer.echo(
                    f"error: --encoding: unknown text encoding {self.encoding!r}; use a "
                    "codec name such as utf-8, cp1252 or latin-1",
                    err=True,
                )
                raise typer.Exit(2) from None
        with progress_bar("reading log", quiet=quiet) as reading:
            frame = api.read_log(
                path,
                columns=self.columns() or None,
                encoding=self.encoding,
                date_format=self.date_format,
                progress=reading,
                cluster=cluster,
                keep=log_filter.columns() if log_filter else (),
            )
        show_notes(api.log_notes(frame))
        return frame
