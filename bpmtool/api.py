"""The one public Python API: what the CLI, the web app and notebooks call.

Every face goes through these functions, so the CLI and the web app always agree.

>>> model = load("models/saas-handoffs.yaml")
>>> [f.code for f in lint(model)]
[]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpmtool.errors import InputError, Problem
from bpmtool.findings import Finding
from bpmtool.io.eventlog import LOG_SUFFIXES
from bpmtool.io.limits import InflatedTooLarge, LimitedReader
from bpmtool.io.log_preview import LogColumns
from bpmtool.log_schema import COLUMN_ROLES, ROLE_COLUMNS, ROLE_OF
from bpmtool.mining.alignments import AlignmentBudget
from bpmtool.mining.open_cases import OpenCaseRule, read_case_list
from bpmtool.model import Model
from bpmtool.sipoc import Sipoc

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    import pandas as pd

    from bpmtool.distributed import Cluster
    from bpmtool.io.eventlog import Progress
    from bpmtool.layout import Layout
    from bpmtool.mining.check import CheckResult
    from bpmtool.mining.journey_result import JourneyResult
    from bpmtool.mining.log_summary import LogSummary
    from bpmtool.mining.mapping import MappedLog

__all__ = [
    "COLUMN_ROLES",
    "GRAPH_FORMATS",
    "LINT_JSON_SCHEMA",
    "LOG_SUFFIXES",
    "MODEL_SUFFIXES",
    "ROLE_COLUMNS",
    "SIPOC_FORMATS",
    "AlignmentBudget",
    "InflatedTooLarge",
    "LimitedReader",
    "Loaded",
    "LogColumns",
    "OpenCaseRule",
    "Sipoc",
    "check",
    "cluster",
    "convert",
    "diagram_findings",
    "dump_model",
    "export_bpmn",
    "graph_text",
    "inflated_size",
    "journey",
    "journey_charts",
    "json_schema",
    "layout",
    "lint",
    "lint_document",
    "lint_summary",
    "load",
    "load_with_warnings",
    "loads_model",
    "log_columns",
    "log_notes",
    "log_summary",
    "map_log",
    "parse_duration",
    "read_case_list",
    "read_log",
    "read_surveys",
    "render_svg",
    "report",
    "rule_catalogue",
    "sipoc",
    "sipoc_table",
    "warm_up",
    "write_file",
    "write_partitioned_log",
]

MODEL_SUFFIXES = (".yaml", ".yml", ".json", ".bpmn", ".bpmn2", ".xml")


@dataclass(frozen=True)
class Loaded:
    """A model and the warnings its import raised (unsupported BPMN elements, …)."""

    model: Model
    warnings: list[Problem] = field(default_factory=list)


def load_with_warnings(path: str | Path, *, strict: bool = False) -> Loaded:
    """Load a model from YAML, JSON or BPMN 2.0, chosen by the file's extension.

    With ``strict`` a BPMN import that would warn raises instead.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".bpmn", ".bpmn2", ".xml"):
        from bpmtool.io.bpmn import read_bpmn

        model, warnings = read_bpmn(path, strict=strict)
        return Loaded(model, list(warnings))
    if suffix in (".yaml", ".yml", ".json"):
        from bpmtool.io.yaml_model import load_model

        return Loaded(load_model(path))
    raise InputError.single(
        f"cannot tell the format of {path.name!r} from its extension",
        file=str(path),
        expected="a model ending in " + ", ".join(MODEL_SUFFIXES),
    )


def load(path: str | Path, *, strict: bool = False) -> Model:
    """Load a model (YAML, JSON or BPMN) and return it."""
    return load_with_warnings(path, strict=strict).model


def lint(model: Model) -> list[Finding]:
    """Run the static rules on a model: its gaps, overlaps and structural problems."""
    from bpmtool.rules import run_rules

    return run_rules(model)


#: the ``schema`` of the stable lint JSON (docs/lint-json.md); the number goes up only when a
#: key changes meaning or goes away, never for a new key
LINT_JSON_SCHEMA = "bpmtool.lint/1"


def lint_summary(findings: list[Finding]) -> dict[str, int]:
    """How many findings, and how many of each severity."""
    from collections import Counter

    counts = Counter(f.severity.value for f in findings)
    return {
        "findings": len(findings),
        "error": counts["error"],
        "warning": counts["warning"],
        "info": counts["info"],
    }


def lint_document(
    model: Model, findings: list[Finding] | None = None, *, file: str | None = None
) -> dict[str, Any]:
    """The stable lint JSON (``docs/lint-json.md``): what ``bpmtool lint --format json``
    prints and ``bpmtool demo`` writes to ``lint.json``.  ``findings`` default to
    :func:`lint`'s; ``file`` is the model's path as the user named it."""
    findings = lint(model) if findings is None else findings
    return {
        "schema": LINT_JSON_SCHEMA,
        "model": {"id": model.id, "name": model.label, "file": file},
        "summary": lint_summary(findings),
        "findings": [f.to_dict() for f in findings],
    }


def sipoc(model: Model) -> Sipoc:
    """The SIPOC table of a model: per activity, and rolled up per stage and per lane."""
    from bpmtool.sipoc import sipoc as derive

    return derive(model)


#: the formats :func:`sipoc_table` writes (``xlsx`` as bytes)
SIPOC_FORMATS = ("text", "md", "csv", "html", "json", "xlsx")
#: the formats :func:`graph_text` writes
GRAPH_FORMATS = ("graphml", "json", "dot")


def sipoc_table(model: Model, fmt: str = "text") -> str | bytes:
    """The SIPOC table of a model in one of :data:`SIPOC_FORMATS`."""
    from bpmtool.render import sipoc_table as tables

    writers: dict[str, Callable[[Sipoc], str | bytes]] = {
        "text": tables.to_text,
        "md": tables.to_markdown,
        "csv": tables.to_csv,
        "html": tables.to_html,
        "json": tables.to_json,
        "xlsx": tables.to_xlsx,
    }
    if fmt not in writers:
        raise InputError.single(
            f"unknown SIPOC format {fmt!r}", expected="one of " + ", ".join(SIPOC_FORMATS)
        )
    return writers[fmt](sipoc(model))


def graph_text(model: Model, fmt: str = "json") -> str:
    """The model's flow graph as GraphML, node-link JSON or Graphviz DOT."""
    from bpmtool.io.graph_formats import graph_text as text

    if fmt not in GRAPH_FORMATS:
        raise InputError.single(
            f"unknown graph format {fmt!r}", expected="one of " + ", ".join(GRAPH_FORMATS)
        )
    return text(model, fmt)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the model format (for editor autocompletion)."""
    from bpmtool.model import json_schema as schema

    return schema()


def parse_duration(text: str) -> timedelta:
    """A duration such as ``3d``, ``36h`` or ``2w``; raises ``ValueError`` saying why not."""
    from bpmtool.durations import parse_duration as parse

    return parse(text)


def write_file(path: str | Path, data: str | bytes) -> None:
    """Write a file atomically (a temporary file renamed into place)."""
    from bpmtool.io.files import write_atomic

    write_atomic(Path(path), data)


def loads_model(source: str | bytes, filename: str = "<input>") -> Model:
    """Validate a model given as YAML or JSON text; problems name ``filename``."""
    from bpmtool.io.yaml_model import loads_model as loads

    return loads(source, filename)


def dump_model(model: Model) -> str:
    """A model as readable YAML in the native format (flows in ``a -> b`` form)."""
    from bpmtool.io.yaml_model import dump_model as dump

    return dump(model)


def journey_charts(result: JourneyResult) -> dict[str, str]:
    """The stage funnel and the behaviour × emotion grid of a journey, as inline SVG."""
    from bpmtool.render.journey_charts import journey_charts as charts

    return charts(result)


def warm_up() -> None:
    """Import the conformance stack (pm4py and friends) ahead of the first check, e.g. in a
    fresh worker process."""
    import bpmtool.mining.check  # noqa: F401


def rule_catalogue() -> list[dict[str, Any]]:
    """Every declared finding code (static rules, log checks, the runner's own), with its
    default severity, whether it is optional, and what each preset does with it."""
    from bpmtool.findings import PRESETS, RULES

    order = {"model": 0, "log": 1, "lint": 2}
    out = []
    for r in sorted(RULES.values(), key=lambda r: (order[r.scope], r.kind.value, r.code)):
        presets = {
            name: (sev.value if sev is not None else "off")
            for name, table in PRESETS.items()
            for sev in [table[r.code]]
        }
        out.append(
            {
                "code": r.code,
                "kind": r.kind.value,
                "severity": r.severity.value,
                "scope": r.scope,
                "optional": r.optional,
                "presets": presets,
                "why": r.why,
            }
        )
    return out


# --- journey (mining/journey) ---


def read_surveys(
    path: str | Path, *, case_column: str = "case_id", scores: dict[str, str] | None = None
) -> pd.DataFrame:
    """Read a survey table (CSV or Parquet) with a case id column and NPS/CSAT answers;
    ``scores`` maps answer columns to their scale (default: columns ``nps`` and ``csat``),
    whose answers are checked against it (a bad one is named by file, row and line)."""
    from bpmtool.io.surveys import read_surveys as read

    return read(path, case_column=case_column, scores=scores)


def journey(
    model: Model,
    log: pd.DataFrame | str | Path,
    *,
    surveys: pd.DataFrame | str | Path | None = None,
    now: object = None,
    columns: dict[str, str] | None = None,
    date_format: str | None = None,
    cluster: Cluster | None = None,
) -> JourneyResult:
    """The customer journey in an event log: funnel, milestones, happy paths, struggling
    customers, behaviour × emotion, CTQs and triggers (see ``docs/journey.md``).

    ``log`` is a pm4py-style DataFrame or a path read with the event-log reader;
    ``surveys`` a table or file with case ids and NPS/CSAT answers; ``now`` the moment
    open cases are measured against (default: the log's last timestamp); ``columns``
    renames the log's columns to pm4py's standard names (e.g. ``{"ticket": "case:concept:name"}``);
    ``date_format`` reads the text times of a CSV or Parquet log (see :func:`read_log`);
    with a ``cluster`` a partitioned log is read on its workers.
    """
    from bpmtool.mining.journey_result import analyse_journey

    if isinstance(log, (str, Path)):
        # a rename to a standard name tells the reader which column plays that role
        roles = {ROLE_OF[std]: src for src, std in (columns or {}).items() if std in ROLE_OF}
        log = read_log(log, columns=roles or None, date_format=date_format, cluster=cluster)
        columns = {src: std for src, std in (columns or {}).items() if std not in ROLE_OF}
    if columns:
        log = log.rename(columns=columns)
    survey_file = str(surveys) if isinstance(surveys, (str, Path)) else None
    if isinstance(surveys, (str, Path)):
        emotion = model.journey.emotion if model.journey is not None else None
        scores: dict[str, str] | None = (
            {emotion.column: emotion.scale} if emotion and emotion.column else None
        )
        surveys = read_surveys(
            surveys, case_column=emotion.case_column if emotion else "case_id", scores=scores
        )
    try:
        result = analyse_journey(model, log, surveys=surveys, now=now)
    except InputError as err:
        if survey_file is None or not any(p.key == "surveys" for p in err.problems):
            raise
        problems = [
            replace(p, file=survey_file, key=None) if p.key == "surveys" else p
            for p in err.problems
        ]
        raise InputError(problems=problems, summary=str(problems[0])) from None
    return replace(result, notes=log_notes(log))


def _read_journey_log(path: Path) -> pd.DataFrame:
    return read_log(path)


# --- event logs (io/eventlog, mining/mapping) ---


def log_columns(
    path: str | Path, saved: dict[str, str] | None = None, date_format: str | None = None
) -> LogColumns:
    """A log file's columns for a column-mapping form: its header, its first rows, the
    column the reader takes for each of :data:`COLUMN_ROLES` (``saved`` choices first, where
    the file has them) and the reader's notes on the time column (read with
    ``date_format`` when given)."""
    from bpmtool.io.log_preview import log_columns as preview

    return preview(Path(path), saved or {}, date_format)


def read_log(
    path: str | Path,
    *,
    columns: dict[str, str] | None = None,
    encoding: str | None = None,
    date_format: str | None = None,
    progress: Progress | None = None,
    cluster: Cluster | None = None,
) -> pd.DataFrame:
    """Read an event log (XES, XES.gz, CSV, Parquet) into pm4py's standard columns.

    A folder or glob of Parquet files is a partitioned log (:func:`write_partitioned_log`):
    its files are read on the ``cluster``'s workers (see :func:`cluster`), or one after
    another here without one; the frame is the same either way.

    ``columns`` names the source columns by role (``case``, ``activity``, ``timestamp``,
    ``resource``, ``lane``, ``start_timestamp``, ``lifecycle``); roles not given are found
    by their usual names, and the time column, failing that, by its values.
    ``date_format`` (strftime, e.g. ``%d/%m/%Y %H:%M``) reads text times; without it the
    day/month order of dates like ``07/01/2025`` is read from the data, and a file whose
    dates fit both orders is refused.  What was found or assumed: :func:`log_notes`.
    ``progress(done, total)`` is called during long reads.
    """
    from bpmtool.io.eventlog import read_log as read

    if _partitioned(path):
        from bpmtool.distributed.frames import read_partitioned

        return read_partitioned(
            str(path), cluster, columns=columns, date_format=date_format, progress=progress
        )
    try:
        frame = read(
            path, columns=columns, encoding=encoding, date_format=date_format, progress=progress
        )
    except LookupError:  # an encoding Python does not know
        raise InputError.single(
            f"unknown text encoding {encoding!r}",
            file=str(path),
            key="encoding",
            expected="a Python codec name such as utf-8, cp1252 or latin-1",
        ) from None
    frame.attrs["source"] = str(path)  # so later problems can name the file
    return frame


def _partitioned(path: str | Path) -> bool:
    from bpmtool.distributed.partitions import is_partitioned

    return is_partitioned(path)


def cluster(
    scheduler: str | None = None, workers: int | None = None, *, memory_limit: str | None = None
) -> AbstractContextManager[Cluster | None]:
    """The Dask cluster to run on, as a context manager: a scheduler's address (default:
    the ``BPMTOOL_SCHEDULER`` environment variable), or ``workers`` local worker
    processes; ``None`` inside when neither is given (everything runs in this process).
    A scheduler that cannot be reached within a few seconds raises an ``InputError``.
    Give the cluster to :func:`read_log`, :func:`check` and :func:`journey`."""
    from bpmtool.distributed import connect

    return connect(scheduler, workers, memory_limit=memory_limit)


def write_partitioned_log(
    df: pd.DataFrame, out_dir: str | Path, *, partitions: int | None = None
) -> list[Path]:
    """Write a read log as partitioned Parquet (each case in one file, by a hash of its
    id) for a cluster to read; returns the files written."""
    from bpmtool.distributed.partitions import write_partitioned

    return write_partitioned(df, out_dir, partitions=partitions, notes=log_notes(df))


def log_notes(df: pd.DataFrame) -> list[Problem]:
    """What reading a log found or assumed, for the user to see: the time column chosen by
    its values, the day/month order of its dates, or that it has no times (and so no
    waits).  Empty for a frame that was not read by :func:`read_log`."""
    from bpmtool.io.eventlog import log_notes as notes

    return notes(df)


def inflated_size(path: str | Path, *, limit: int | None = -1) -> int:
    """The size a log will have once decompressed (``.gz``: measured as it streams, in
    bounded memory; else the file's size), or :class:`~bpmtool.io.limits.InflatedTooLarge`
    (an ``InputError``) as soon as it passes ``limit`` bytes.  ``-1`` takes the limit the
    readers use (``BPMTOOL_MAX_INFLATED``, default 2 GiB); ``None``: no limit.  For an
    upload, pass the upload limit so that it also holds for what a compressed log inflates to.
    """
    from bpmtool.io.limits import check_inflated_size

    return check_inflated_size(path, limit)


def log_summary(df: pd.DataFrame) -> LogSummary:
    """Cases, events, activities, variants, time span, lanes and resources of a log."""
    from bpmtool.mining.log_summary import log_summary as summarise

    return summarise(df)


def map_log(
    model: Model,
    df: pd.DataFrame,
    *,
    lanes_from: str | Path | None = None,
    filename: str | None = None,
) -> MappedLog:
    """Match a log's activity labels to the model's nodes and give every event a lane.
    Problems name ``filename``, by default the file :func:`read_log` read the frame from."""
    from bpmtool.mining.mapping import LaneMap
    from bpmtool.mining.mapping import map_log as mapping

    lane_map = None
    if lanes_from is not None:
        from bpmtool.io.lane_map import read_lane_pairs

        lane_map = LaneMap(read_lane_pairs(Path(lanes_from)), str(lanes_from))
    return mapping(model, df, lane_map=lane_map, filename=filename or _source(df))


def _source(df: pd.DataFrame) -> str:
    return str(df.attrs.get("source") or "the log")


# --- conformance (mining) ---


def check(
    model: Model,
    log: pd.DataFrame | str | Path,
    *,
    method: str = "both",
    columns: dict[str, str] | None = None,
    lanes_from: str | Path | None = None,
    slow_after: timedelta | None = None,
    precision: bool = True,
    progress: Progress | None = None,
    read_progress: Progress | None = None,
    date_format: str | None = None,
    cluster: Cluster | None = None,
    open_rule: OpenCaseRule | None = None,
    budget: AlignmentBudget | None = None,
) -> CheckResult:
    """Check an event log against a model: fitness, precision and every handoff finding.

    ``log`` is a path (read with :func:`read_log`) or a frame with the standard columns.
    ``progress(done, total)`` follows the alignments, ``read_progress`` the reading.
    ``open_rule`` says which cases are still running (default: judged from the log's times,
    see ``docs/conformance.md``); ``budget`` bounds the alignments' time (and so memory).
    The result's ``notes`` are the log's :func:`log_notes`.  With a ``cluster``
    (:func:`cluster`) a partitioned log is read on its workers and the distinct variants
    are aligned there; the result is the same as without.
    """
    from bpmtool.mining.check import METHODS, run_check

    if method not in METHODS:
        raise InputError.single(
            f"unknown check method {method!r}",
            key="method",
            expected="one of " + ", ".join(METHODS),
        )
    filename = str(log) if isinstance(log, (str, Path)) else _source(log)
    frame = (
        read_log(
            log, columns=columns, progress=read_progress, date_format=date_format, cluster=cluster
        )
        if isinstance(log, (str, Path))
        else log
    )
    mapped = map_log(model, frame, lanes_from=lanes_from, filename=filename)
    align = None
    if cluster is not None:
        from bpmtool.distributed.alignments import cluster_aligner

        align = cluster_aligner(cluster, model, progress)
    result = run_check(
        model,
        mapped,
        method=method,
        progress=progress,
        slow_after=slow_after,
        precision=precision,
        align=align,
        open_rule=open_rule,
        budget=budget,
    )
    result.notes = log_notes(frame)
    return result


# --- drawing and reports (layout, render) ---

ORIENTATIONS = ("horizontal", "vertical")


def _orientation(orientation: str) -> Any:
    if orientation not in ORIENTATIONS:
        raise InputError.single(
            f"unknown orientation {orientation!r}", expected="horizontal or vertical"
        )
    return orientation


def layout(model: Model, *, orientation: str = "horizontal") -> Layout:
    """The swimlane geometry: bands, node boxes, edge routes and labels, in pixels."""
    from bpmtool.layout import layout_model

    return layout_model(model, _orientation(orientation))


def diagram_findings(model: Model, check: CheckResult | None = None) -> list[Finding]:
    """The findings a swimlane diagram numbers: the model's lint findings and, when a log was
    checked, the check's — the one set the CLI, the web app, the demo and the report draw."""
    from bpmtool.findings import sort_findings

    return sort_findings([*lint(model), *(check.findings if check is not None else [])])


def _findings_caption(findings: list[Finding], check: CheckResult | None) -> str:
    """The legend's statement of which findings a diagram numbers."""
    if not findings:
        return ""
    lint_codes = sum(1 for f in findings if f.code not in _log_codes())
    if check is None:
        return f"Numbered: the model's {lint_codes} lint finding(s) (bpmtool lint)."
    return (
        f"Numbered: lint + check — the model's {lint_codes} lint finding(s) and the "
        f"log's {len(findings) - lint_codes} check finding(s)."
    )


def _log_codes() -> set[str]:
    from bpmtool.findings import RULES

    return {code for code, rule in RULES.items() if rule.scope == "log"}


def render_svg(
    model: Model,
    *,
    findings: bool | list[Finding] | None = True,
    overlay: CheckResult | None = None,
    orientation: str = "horizontal",
    legend: bool = True,
    happy: JourneyResult | None = None,
) -> str:
    """The swimlane SVG.

    ``findings=True`` (the default) numbers :func:`diagram_findings` — lint, plus the check's
    findings when ``overlay`` (a check result) is given — and the legend says which; a list
    numbers exactly those findings; ``False`` or ``None`` none.  ``overlay`` draws how often
    each flow was walked and what was skipped or slow; a journey result (``happy``) draws
    its happy paths instead."""
    from bpmtool.render.overlay import happy_overlay, overlay_of
    from bpmtool.render.svg import Overlay
    from bpmtool.render.svg import render_svg as draw

    drawn: Overlay | None = overlay_of(overlay) if overlay is not None else None
    if happy is not None:
        from bpmtool.mining.flow_counts import flow_counts

        paths = happy.to_dict(limit=0)["happy_paths"]
        walks = [(tuple(p["nodes"]), int(p["cases"])) for p in paths["paths"]]
        drawn = happy_overlay(flow_counts(model, walks), int(paths["successful_cases"]), len(walks))
    marked: list[Finding] = []
    caption = ""
    if findings is True:
        marked = diagram_findings(model, overlay)
        caption = _findings_caption(marked, overlay)
    elif isinstance(findings, list):
        marked = findings
    return draw(
        model,
        findings=marked,
        overlay=drawn,
        orientation=_orientation(orientation),
        legend=legend,
        findings_caption=caption,
    )


def report(
    model: Model,
    *,
    check: CheckResult | None = None,
    journey: JourneyResult | None = None,
    fmt: str = "html",
    orientation: str = "horizontal",
    source: str = "",
) -> str:
    """The self-contained report (``fmt`` ``html`` or ``md``): summary, swimlanes, findings
    with fixes, handoff matrix, SIPOC, and the check's and journey's figures when given."""
    from bpmtool.graph import ProcessGraph
    from bpmtool.render.journey_charts import journey_charts
    from bpmtool.render.report import ReportData, render_report

    if fmt not in ("html", "md"):
        raise InputError.single(f"unknown report format {fmt!r}", expected="html or md")
    findings = diagram_findings(model, check)
    if journey is not None:
        findings += journey.findings
    svg = (
        render_svg(model, findings=findings, overlay=check, orientation=orientation, legend=False)
        if fmt == "html"
        else ""
    )
    charts = journey_charts(journey) if journey is not None else {}
    if journey is not None and fmt == "html":
        charts["happy"] = render_svg(model, happy=journey, orientation=orientation)
    graph = ProcessGraph(model)
    data = ReportData(
        model,
        findings,
        sipoc(model),
        graph.handoffs(),
        graph.handoff_matrix(),
        svg,
        source=source,
        check=check,
        journey=journey,
        journey_charts=charts,
    )
    return render_report(data, fmt)


# --- BPMN (io/bpmn) ---


def export_bpmn(model: Model, *, orientation: str = "horizontal") -> bytes:
    """The model as BPMN 2.0 XML with diagram interchange (valid against the OMG XSD), laid
    out as the swimlane SVG is (lanes as rows, or as columns with ``vertical``)."""
    from bpmtool.io.bpmn_export import write_bpmn

    return write_bpmn(model, layout(model, orientation=orientation))


def convert(in_path: str | Path, out_path: str | Path) -> list[Problem]:
    """Convert a model between YAML, JSON and BPMN by the extensions; returns the warnings:
    the source's import warnings, and anything the target would not give back."""
    import json

    from bpmtool.io.files import write_atomic

    out_path = Path(out_path)
    suffix = out_path.suffix.lower()
    if suffix not in MODEL_SUFFIXES:
        raise InputError.single(
            f"cannot tell the format to write from {out_path.name!r}",
            file=str(out_path),
            expected="an output ending in " + ", ".join(MODEL_SUFFIXES),
        )
    loaded = load_with_warnings(in_path)
    data: str | bytes
    warnings = list(loaded.warnings)
    if suffix in (".bpmn", ".bpmn2", ".xml"):
        data = export_bpmn(loaded.model)
        warnings += _lost_in_bpmn(loaded.model, data, str(out_path))
    elif suffix == ".json":
        data = (
            json.dumps(
                loaded.model.model_dump(by_alias=True, exclude_defaults=True, mode="json"),
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    else:
        from bpmtool.io.yaml_model import dump_model

        data = dump_model(loaded.model)
    write_atomic(out_path, data)
    return warnings


def _lost_in_bpmn(model: Model, data: bytes, filename: str) -> list[Problem]:
    """What the written BPMN would not give back when read, one warning per field: bpmtool's
    extension elements keep everything a model holds, so this stays empty unless that
    promise breaks — and then the user hears of it instead of losing data silently."""
    from bpmtool.io.bpmn import read_bpmn_bytes
    from bpmtool.io.bpmn_extensions import differences

    again, _ = read_bpmn_bytes(data, filename)
    return [
        Problem(f"the BPMN does not keep {path}", file=filename, key=path)
        for path in differences(model, again)
    ]
