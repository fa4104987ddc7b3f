"""`bpmtool cases` (the cases behind a finding, handoff, flow or variant) and `bpmtool case`
(one case's timeline and where it left the model)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from bpmtool import api
from bpmtool.cli import log_options as opt
from bpmtool.cli.app import app, input_errors_exit, write_output
from bpmtool.cli.checking import check_log
from bpmtool.cli.log_options import LogOptions, TextOrJson

if TYPE_CHECKING:
    from bpmtool.api import CaseIndex, CheckResult, Model

__all__: list[str] = []

_MODEL = typer.Argument(..., help="A model: .yaml, .json or .bpmn", show_default=False)
_LOG = typer.Argument(..., help="An event log: .xes, .xes.gz, .csv or .parquet", show_default=False)


class CaseFormat(StrEnum):
    text = "text"
    csv = "csv"
    xlsx = "xlsx"
    json = "json"


@contextmanager
def _checked(
    model: Path,
    log: Path,
    options: LogOptions,
    chosen: api.LogFilter | None,
    rule: api.OpenCaseRule,
    quiet: bool,
    journey: bool = False,
    where: tuple[str | None, int | None] = (None, None),
) -> Iterator[tuple[Model, CheckResult, CaseIndex]]:
    """The check and its case index, while the cluster (``where``: scheduler, workers)
    runs: a partitioned log is checked and indexed partition by partition, its events never
    joined here (a case's timeline reads its one partition)."""
    loaded = api.load(model)
    with api.cluster(*where) as cluster:
        source, result = check_log(
            loaded,
            log,
            options,
            quiet=quiet,
            cluster=cluster,
            log_filter=chosen,
            open_rule=rule,
            precision=False,
        )
        opt.show_filter(result.filtered)
        if journey and loaded.journey is None and not loaded.ctqs:
            typer.echo("error: --ctq and --reason need a model with a journey or CTQs", err=True)
            raise typer.Exit(2)
        found = api.journey(loaded, source, log_filter=chosen, cluster=cluster) if journey else None
        yield loaded, result, api.case_index(loaded, result, found, cluster=cluster)


@app.command()
def cases(
    model: Path = _MODEL,
    log: Path = _LOG,
    finding: str | None = typer.Option(
        None, "--finding", metavar="CODE", help="The cases of the findings with this code."
    ),
    subject: list[str] | None = typer.Option(
        None,
        "--subject",
        metavar="ID",
        help="Only the finding whose subject names this id (a node, lane or flow); repeatable.",
    ),
    handoff: str | None = typer.Option(
        None, "--handoff", metavar="A>B", help="The cases where work passed from lane A to B."
    ),
    flow: str | None = typer.Option(
        None, "--flow", metavar="KEY", help="The cases that walked this modelled flow (a->b)."
    ),
    of_variant: int | None = typer.Option(
        None, "--of-variant", metavar="N", help="The cases of variant N (1: the most frequent)."
    ),
    ctq: str | None = typer.Option(
        None, "--ctq", metavar="ID", help="The cases that breached this CTQ (late or overdue)."
    ),
    reason: str | None = typer.Option(
        None,
        "--reason",
        metavar="R",
        help="The struggling customers flagged for this reason (e.g. stuck, ctq-overdue).",
    ),
    fmt: CaseFormat = typer.Option(
        CaseFormat.text, "--format", "-f", help="text, csv, xlsx (needs --out) or json."
    ),
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="At most this many cases (the earliest first)."
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
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the list here."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    scheduler: str | None = opt.SCHEDULER,
    workers: int | None = opt.WORKERS,
) -> None:
    """List the cases behind a number of the check: a finding, handoff, flow or variant
    (id, start, end, duration, variant, lanes), sorted by start."""
    chosen_ways = [x for x in (finding, handoff, flow, of_variant) if x is not None]
    if len(chosen_ways) > 1:
        typer.echo("error: give one of --finding, --handoff, --flow or --of-variant", err=True)
        raise typer.Exit(2)
    if subject and finding is None:
        typer.echo("error: --subject narrows a --finding; give --finding CODE", err=True)
        raise typer.Exit(2)
    if fmt == CaseFormat.xlsx and out is None and sys.stdout.isatty():
        typer.echo("error: -f xlsx writes a workbook: give --out FILE.xlsx", err=True)
        raise typer.Exit(2)
    with input_errors_exit():
        options = LogOptions(
            case, activity, timestamp, resource, lane, lanes_from, encoding, date_format
        )
        chosen = opt.log_filter(since, until, window, where, variant, in_lane, case_ids)
        rule = opt.open_case_rule(open_after, open_cases)
        journey = ctq is not None or reason is not None
        place = (scheduler, workers)
        with _checked(model, log, options, chosen, rule, quiet, journey, place) as checked:
            loaded, result, index = checked
            rows, total, what = _selected(
                loaded,
                result,
                index,
                finding,
                subject,
                handoff,
                flow,
                of_variant,
                ctq,
                reason,
                limit,
            )
        if fmt == CaseFormat.text:
            write_output(_text(rows, total, what), out)
            return
        data = api.case_table_bytes(rows[list(_COLUMNS)], fmt.value)
    write_output(data if fmt == CaseFormat.xlsx else data.decode("utf-8"), out)


def _selected(
    loaded: Model,
    result: CheckResult,
    index: CaseIndex,
    finding: str | None,
    subject: list[str] | None,
    handoff: str | None,
    flow: str | None,
    of_variant: int | None,
    ctq: str | None,
    reason: str | None,
    limit: int | None,
) -> tuple[Any, int, str]:
    """The page of cases the options ask for, how many there are, and what they are."""
    what = "all cases"
    key: str | None = None
    if finding is not None:
        key, hits = api.finding_selection(result, finding, subject or ())
        what = "; ".join(
            f"{result.findings[i].code} {' '.join(result.findings[i].subject)}" for i in hits
        )
    elif handoff is not None:
        a, sep, b = handoff.partition(">")
        if not sep or not a.strip() or not b.strip():
            typer.echo(f"error: --handoff: {handoff!r}: expected LANE>LANE", err=True)
            raise typer.Exit(2)
        ids = {x.id.casefold(): x.id for x in loaded.lanes}
        ids.update({x.label.casefold(): x.id for x in loaded.lanes})
        a, b = (ids.get(x.strip().casefold(), x.strip()) for x in (a, b))
        key, what = f"handoff:{a}>{b}", f"handoff {handoff}"
    elif flow is not None:
        key, what = f"flow:{flow.replace(' ', '')}", f"flow {flow}"
    elif of_variant is not None:
        key, what = f"variant:{of_variant}", f"variant {of_variant}"
    elif ctq is not None:
        if ctq not in {c.id for c in loaded.ctqs}:
            typer.echo(
                f"error: --ctq: the model has no CTQ {ctq!r}; it has "
                + (", ".join(c.id for c in loaded.ctqs) or "none"),
                err=True,
            )
            raise typer.Exit(2)
        key, what = f"ctq:{ctq}", f"CTQ {ctq} breached"
    elif reason is not None:
        key, what = f"reason:{reason}", f"struggling customers: {reason}"
    rows, total = index.case_rows(key, limit=limit)
    return rows, total, what


_COLUMNS = ("case", "start", "end", "duration_days", "variant", "lanes", "events", "open")


def _text(rows: Any, total: int, what: str) -> str:
    first = f" (the first {len(rows):,})" if len(rows) < total else ""
    lines = [f"{total:,} case(s): {what}{first}"]
    if len(rows):
        lines.append(f"  {'case':<14} {'start':<16} {'end':<16} {'days':>7} {'var':>4}  lanes")
    for r in rows.itertuples(index=False):
        lines.append(
            f"  {r.case!s:<14} {_when(r.start):<16} {_when(r.end):<16} "
            f"{_days(r.duration_days):>7} {r.variant:>4}  {r.lanes}"
        )
    return "\n".join(lines) + "\n"


def _when(t: Any) -> str:
    return "-" if t is None or t != t else f"{t:%Y-%m-%d %H:%M}"


def _days(x: Any) -> str:
    return "-" if x is None or x != x else f"{x:.2f}"


@app.command("case")
def case_command(
    model: Path = _MODEL,
    log: Path = _LOG,
    case_id: str = typer.Argument(..., metavar="ID", help="The case's id.", show_default=False),
    fmt: TextOrJson = typer.Option(TextOrJson.text, "--format", "-f", help="text or json"),
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
    out: Path | None = typer.Option(None, "--out", "-o", help="Write the timeline here."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    scheduler: str | None = opt.SCHEDULER,
    workers: int | None = opt.WORKERS,
) -> None:
    """One case's timeline: its events (activity, lane, resource, time) and where it left
    the model, with the findings it is in."""
    with input_errors_exit():
        options = LogOptions(
            case, activity, timestamp, resource, lane, lanes_from, encoding, date_format
        )
        rule = opt.open_case_rule(open_after, open_cases)
        with _checked(model, log, options, None, rule, quiet, where=(scheduler, workers)) as (
            _,
            result,
            index,
        ):
            doc = api.case_timeline(result.findings, index, case_id)
    if fmt == TextOrJson.json:
        write_output(json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n", out)
        return
    write_output(_timeline_text(doc), out)


def _timeline_text(doc: dict[str, Any]) -> str:
    c = doc["case"]
    lines = [
        f"case {c['case']}: {c['events']} events, {_when_text(c['start'])} → "
        f"{_when_text(c['end'])} ({_days(c['duration_days'])} days), variant {c['variant']}"
        + (", open" if c["open"] else ""),
        f"  lanes: {c['lanes']}",
    ]
    d = doc["deviation"]
    if d is not None:
        fit = "-" if d["fitness"] is None else f"{d['fitness']:.1%}"
        lines.append(f"  fitness {fit}")
        if d["skipped"]:
            lines.append("  skipped (the model expects them): " + ", ".join(d["skipped"]))
    if doc["findings"]:
        lines.append(
            "  in findings: "
            + "; ".join(f"{f['code']} {' '.join(f['subject'])}" for f in doc["findings"])
        )
    lines.append("")
    for e in doc["events"]:
        mark = f"   ← {e['note']}" if e["note"] else ""
        lines.append(
            f"  {_when_text(e['time']):<16}  {e['activity']:<32} {e['lane'] or '-':<20} "
            f"{e['resource'] or '-'}{mark}"
        )
    return "\n".join(lines) + "\n"


def _when_text(t: str | None) -> str:
    return "-" if not t else t[:16].replace("T", " ")
