"""`bpmtool discover` (the as-is model of a log) and `bpmtool compare` (two models side by side)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bpmtool import api
from bpmtool.cli import log_options as opt
from bpmtool.cli.app import app, input_errors_exit, write_output
from bpmtool.cli.log_options import LogOptions, TextOrJson, progress_bar, show_notes

if TYPE_CHECKING:
    from bpmtool.api import Comparison, Discovery

__all__: list[str] = []

_OUT_SUFFIXES = (".yaml", ".yml", ".json", ".bpmn")


@app.command()
def discover(
    log: str = typer.Argument(
        ...,
        metavar="LOG",
        help="An event log: .xes, .xes.gz, .csv or .parquet, or a folder, glob or fsspec "
        "address of partitioned Parquet",
        show_default=False,
    ),
    output: Path | None = typer.Option(
        None,
        "--output",
        "-o",
        metavar="FILE",
        help="Write the discovered model here: .yaml, .json or .bpmn (by the extension).",
    ),
    svg: Path | None = typer.Option(
        None, "--svg", metavar="FILE", help="Also draw the process map with its numbers here."
    ),
    activities: str = typer.Option(
        "100%",
        "--activities",
        metavar="SHARE",
        help="Keep this share of the activities, the ones in most cases first (e.g. 80%).",
    ),
    paths: str = typer.Option(
        "80%",
        "--paths",
        metavar="SHARE",
        help="Keep this share of the paths: a path rarer than 1 - SHARE of the most frequent "
        "one out of the same activity is left out (the inductive miner's noise threshold).",
    ),
    name: str = typer.Option("", "--name", help="The discovered model's name."),
    format: TextOrJson = typer.Option(TextOrJson.text, "--format", "-f", help="text or json"),
    case: str | None = opt.CASE,
    activity: str | None = opt.ACTIVITY,
    timestamp: str | None = opt.TIMESTAMP,
    resource: str | None = opt.RESOURCE,
    lane: str | None = opt.LANE,
    lanes_from: Path | None = opt.LANES_FROM,
    encoding: str | None = opt.ENCODING,
    date_format: str | None = opt.DATE_FORMAT,
    since: str | None = opt.SINCE,
    until: str | None = opt.UNTIL,
    window: str = opt.WINDOW,
    where: list[str] | None = opt.WHERE,
    variant: list[int] | None = opt.VARIANT,
    in_lane: list[str] | None = opt.IN_LANE,
    case_ids: Path | None = opt.CASE_IDS,
    scheduler: str | None = opt.SCHEDULER,
    workers: int | None = opt.WORKERS,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Discover the as-is swimlane model of an event log: lanes, who does each activity,
    flows with case counts, gateways, handoffs with their waits, and its findings."""
    if output is not None and output.suffix.lower() not in _OUT_SUFFIXES:
        typer.echo(
            f"error: --output: {output.name!r} has an unknown extension; use "
            + ", ".join(_OUT_SUFFIXES),
            err=True,
        )
        raise typer.Exit(2)
    with input_errors_exit():
        shares = (
            api.parse_share(activities, key="--activities"),
            api.parse_share(paths, key="--paths"),
        )
        chosen = opt.log_filter(since, until, window, where, variant, in_lane, case_ids)
        options = LogOptions(
            case, activity, timestamp, resource, lane, lanes_from, encoding, date_format
        )
        # a partitioned log is discovered partition by partition, never joined here
        pieces = api.is_partitioned_log(log)
        with api.cluster(scheduler, workers) as cluster:
            source: object = log
            if not pieces:
                source = options.read(log, quiet=quiet, cluster=cluster, log_filter=chosen)
            with progress_bar("reading partitions", quiet=quiet or not pieces, unit="part") as bar:
                found = api.discover(
                    source,  # type: ignore[arg-type]
                    activities=shares[0],
                    paths=shares[1],
                    columns=options.columns() or None if pieces else None,
                    date_format=date_format if pieces else None,
                    lanes_from=lanes_from,
                    name=name,
                    log_filter=chosen,
                    cluster=cluster,
                    progress=bar,
                )
            if pieces:
                show_notes(found.notes)
        if output is not None:
            suffix = output.suffix.lower()
            if suffix == ".bpmn":
                api.write_file(output, api.export_bpmn(found.model))
            elif suffix == ".json":
                api.write_file(
                    output,
                    json.dumps(
                        found.model.model_dump(by_alias=True, exclude_defaults=True, mode="json"),
                        indent=2,
                        ensure_ascii=False,
                    )
                    + "\n",
                )
            else:
                api.write_file(output, api.dump_model(found.model))
        if svg is not None:
            api.write_file(svg, api.render_svg(found.model, discovery=found))
    if format == TextOrJson.json:
        write_output(json.dumps(found.to_dict(), indent=2, ensure_ascii=False) + "\n", None)
        return
    write_output(_text(found, log, output), None)


def _text(found: Discovery, log: str, output: Path | None) -> str:
    doc = found.to_dict()
    kept = doc["filter"]
    lines = [
        *([found.filtered.text()] if found.filtered is not None else []),
        f"{log}: {found.cases:,} cases, {found.events:,} events, {found.variants:,} variants "
        f"over the kept activities; lanes from {found.lane_source}",
        f"  activities kept: {kept['activities_kept']} of {kept['activities_total']} "
        f"({found.activities_share:.0%}), paths: {found.paths_share:.0%}",
        "",
        "  activity                                 lane (share)                cases  median",
    ]
    for a in doc["activities"]:
        if not a["kept"]:
            continue
        owner = f"{a['lane'] or '-'} ({a['share']:.0%})"
        lines.append(
            f"  {a['activity'][:40]:<40} {owner[:26]:<26} {a['cases']:>7,}  "
            f"{a['median_time'] or '-'}"
        )
    if found.handoffs:
        lines += ["", "  handoffs (observed)            count   cases  median    p90"]
        for h in found.handoffs:
            pair = f"{h.source_lane} → {h.target_lane}"
            lines.append(
                f"  {pair[:28]:<28} {h.count:>7,} {h.cases:>7,}  {h.median_wait or '-':>6} "
                f"{h.p90_wait or '-':>6}" + ("" if h.modelled else "  (not in the model)")
            )
    counts: dict[str, int] = {}
    for f in found.findings:
        counts[f.code] = counts.get(f.code, 0) + 1
    if counts:
        lines += ["", "  findings: " + ", ".join(f"{c} ×{n}" for c, n in sorted(counts.items()))]
        for f in found.findings:
            if f.code != "HANDOFF-NO-ARTIFACT":
                lines.append(f"    {f.severity.value:<7} {f.code}: {f.message}")
    if output is not None:
        lines += ["", f"  model written to {output}"]
    return "\n".join(lines) + "\n"


@app.command()
def compare(
    asis: Path = typer.Argument(..., help="A model, e.g. the discovered as-is (.yaml, .bpmn)"),
    tobe: Path = typer.Argument(..., help="The model to compare it with, e.g. the to-be"),
    format: TextOrJson = typer.Option(TextOrJson.text, "--format", "-f", help="text or json"),
) -> None:
    """List what differs between two models: activities, lanes and handoffs present in one
    only, and activities the two put in different lanes."""
    with input_errors_exit():
        result = api.compare(api.load(asis), api.load(tobe))
    if format == TextOrJson.json:
        write_output(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n", None)
        return
    write_output(_compare_text(result, asis, tobe), None)


def _compare_text(result: Comparison, asis: Path, tobe: Path) -> str:
    if result.same:
        return f"{asis} and {tobe}: the same activities, lanes, handoffs and owners\n"
    lines = [f"A = {asis} ({result.a})", f"B = {tobe} ({result.b})"]

    def section(title: str, items: list[str]) -> None:
        if items:
            lines.extend(["", f"{title} ({len(items)}):", *(f"  {i}" for i in items)])

    section("activities only in A", result.activities_only_a)
    section("activities only in B", result.activities_only_b)
    section("lanes only in A", result.lanes_only_a)
    section("lanes only in B", result.lanes_only_b)
    for title, handoffs in (
        ("handoffs only in A", result.handoffs_only_a),
        ("handoffs only in B", result.handoffs_only_b),
    ):
        section(
            title,
            [
                f"{h['from']} → {h['to']}  (e.g. "
                + "; ".join(f"{a['from']} → {a['to']}" for a in h["activities"])
                + ")"
                for h in handoffs
            ],
        )
    section(
        "activities in another lane",
        [f"{m['activity']}: {m['lane_a']} in A, {m['lane_b']} in B" for m in result.moved],
    )
    return "\n".join(lines) + "\n"
