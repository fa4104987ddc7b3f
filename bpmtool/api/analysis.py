"""Analyses of a log against a model: the conformance check and the customer journey."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpmtool.api.filters import filter_log
from bpmtool.api.logs import (
    _frame_of,
    _partitioned,
    _source,
    lane_map,
    log_notes,
    map_log,
    read_log,
)
from bpmtool.errors import InputError
from bpmtool.log_schema import ROLE_OF
from bpmtool.mining.alignments import AlignmentBudget
from bpmtool.mining.log_filter import FilterOutcome, LogFilter
from bpmtool.mining.open_cases import OpenCaseRule
from bpmtool.model import Model

if TYPE_CHECKING:
    import pandas as pd

    from bpmtool.distributed import Cluster
    from bpmtool.io.eventlog import Progress
    from bpmtool.mining.check import CheckResult
    from bpmtool.mining.journey_facts import JourneyFacts
    from bpmtool.mining.journey_result import JourneyResult


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
    log_filter: LogFilter | None = None,
    read_progress: Progress | None = None,
) -> JourneyResult:
    """The customer journey in an event log: funnel, milestones, happy paths, struggling
    customers, behaviour × emotion, CTQs and triggers (see ``docs/journey.md``).

    ``log`` is a pm4py-style DataFrame or a path read with the event-log reader;
    ``surveys`` a table or file with case ids and NPS/CSAT answers; ``now`` the moment
    open cases are measured against (default: the log's last timestamp); ``columns``
    renames the log's columns to pm4py's standard names (e.g. ``{"ticket": "case:concept:name"}``);
    ``date_format`` reads the text times of a CSV or Parquet log (see :func:`read_log`);
    ``log_filter`` keeps the cases it selects before anything is measured (the result's
    ``filtered`` says what it kept).  A partitioned log (:func:`is_partitioned_log`) is
    analysed partition by partition — on the ``cluster``'s workers, or one after another
    here without one (``read_progress(done, total)`` follows them) — and never joined: each
    partition's journey facts (of the cases ``log_filter`` keeps) are merged here and judged
    as the whole log's are.  The result is the same.
    """
    from bpmtool.mining.journey_facts import gather

    # a rename to a standard name tells the reader which column plays that role
    roles = {ROLE_OF[std]: src for src, std in (columns or {}).items() if std in ROLE_OF}
    renames = {src: std for src, std in (columns or {}).items() if std not in ROLE_OF}
    if isinstance(log, (str, Path)) and _partitioned(log):
        from bpmtool.distributed.journeys import gather_journeys

        (facts,), notes = gather_journeys(
            str(log),
            model,
            cluster,
            roles=roles or None,
            renames=renames or None,
            date_format=date_format,
            filters=[log_filter],
            progress=read_progress,
        )
        if facts.filtered is not None:
            _refuse_empty(facts.filtered, str(log))
    else:
        if isinstance(log, (str, Path)):
            log = _frame_of(
                log, log_filter, columns=roles or None, date_format=date_format, cluster=cluster
            )
            columns = renames
        if columns:
            log = log.rename(columns=columns)
        log, outcome = _filtered(model, log, log_filter)
        facts, notes = gather(model, log, outcome), log_notes(log)
    return replace(_judged(model, facts, surveys, now), notes=notes)


def _judged(
    model: Model,
    facts: JourneyFacts,
    surveys: pd.DataFrame | str | Path | None,
    now: object,
) -> JourneyResult:
    """The journey judged from its merged facts, with the survey answers (a file is read
    here; its bad answers are named by that file)."""
    from bpmtool.mining.journey_result import judge_journey

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
        return judge_journey(model, facts, surveys=surveys, now=now)
    except InputError as err:
        if survey_file is None or not any(p.key == "surveys" for p in err.problems):
            raise
        problems = [
            replace(p, file=survey_file, key=None) if p.key == "surveys" else p
            for p in err.problems
        ]
        raise InputError(problems=problems, summary=str(problems[0])) from None


def _filtered(
    model: Model,
    frame: pd.DataFrame,
    log_filter: LogFilter | None,
    lanes_from: str | Path | None = None,
) -> tuple[pd.DataFrame, FilterOutcome | None]:
    """The frame cut to the cases of ``log_filter`` (lanes as the check maps them), once,
    before any analysis; refused when it keeps no case."""
    if log_filter is None or log_filter.empty:
        return frame, None
    if log_filter.lanes:
        from bpmtool.mining.mapping import LANE, NODE

        mapped = map_log(model, frame, lanes_from=lanes_from)
        kept, outcome = filter_log(mapped.df, log_filter, model=model)
        kept = kept.drop(columns=[NODE, LANE])
    else:
        kept, outcome = filter_log(frame, log_filter, model=model)
    _refuse_empty(outcome, _source(frame))
    return kept, outcome


def _refuse_empty(outcome: FilterOutcome, source: str | None) -> None:
    """A filter that keeps no case is an input error naming the log."""
    if outcome.cases_after == 0:
        raise InputError.single(
            f"the filter ({outcome.description}) keeps none of the log's "
            f"{outcome.cases_before:,} cases",
            file=source,
            key="filter",
            expected="a filter that some cases pass",
        )


def _read_journey_log(path: Path) -> pd.DataFrame:
    return read_log(path)


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
    log_filter: LogFilter | None = None,
    lanes_from_log: bool = False,
) -> CheckResult:
    """Check an event log against a model: fitness, precision and every handoff finding.

    ``log`` is a path (read with :func:`read_log`) or a frame with the standard columns.
    ``progress(done, total)`` follows the alignments, ``read_progress`` the reading.
    ``open_rule`` says which cases are still running (default: judged from the log's times,
    see ``docs/conformance.md``); ``budget`` bounds the alignments' time (and so memory).
    The result's ``notes`` are the log's :func:`log_notes`.  With a ``cluster``
    (:func:`cluster`) a partitioned log is read on its workers and the distinct variants
    are aligned there; the result is the same as without.  ``log_filter`` keeps the cases
    it selects before the check (the result's ``filtered`` says what it kept).
    ``lanes_from_log``: a model without lanes is checked against the lane that does most
    of each activity's events in the log (``LANES-FROM-LOG`` says so).
    """
    from bpmtool.mining.check import METHODS, run_check

    if method not in METHODS:
        raise InputError.single(
            f"unknown check method {method!r}",
            key="method",
            expected="one of " + ", ".join(METHODS),
        )
    filename = str(log) if isinstance(log, (str, Path)) else _source(log)
    align = None
    if cluster is not None:
        from bpmtool.distributed.alignments import cluster_aligner

        align = cluster_aligner(cluster, model, progress)
    options: dict[str, Any] = {
        "method": method,
        "progress": progress,
        "slow_after": slow_after,
        "precision": precision,
        "align": align,
        "open_rule": open_rule,
        "budget": budget,
        "lanes_from_log": lanes_from_log,
    }
    if isinstance(log, (str, Path)) and _partitioned(log):
        return _check_partitioned(
            model,
            str(log),
            cluster,
            columns,
            date_format,
            lanes_from,
            read_progress,
            options,
            log_filter if _filtering(log_filter) else None,
        )
    frame = _frame_of(
        log,
        log_filter,
        columns=columns,
        date_format=date_format,
        progress=read_progress,
        cluster=cluster,
    )
    frame, outcome = _filtered(model, frame, log_filter, lanes_from)
    mapped = map_log(model, frame, lanes_from=lanes_from, filename=filename)
    result = run_check(model, mapped, **options)
    result.notes = log_notes(frame)
    result.filtered = outcome
    return result


def _filtering(log_filter: LogFilter | None) -> bool:
    return log_filter is not None and not log_filter.empty


def _check_partitioned(
    model: Model,
    path: str,
    cluster: Cluster | None,
    columns: dict[str, str] | None,
    date_format: str | None,
    lanes_from: str | Path | None,
    read_progress: Progress | None,
    options: dict[str, Any],
    log_filter: LogFilter | None = None,
) -> CheckResult:
    """A partitioned log checked partition by partition: each one cut to the cases of
    ``log_filter`` and reduced to its check facts where it is read (a worker), the facts
    merged here; the log's events are never joined (:mod:`bpmtool.distributed.facts`)."""
    from bpmtool.distributed.alignments import warm_workers
    from bpmtool.distributed.facts import gather_partitioned
    from bpmtool.mining.check import lanes_modelled, run_check
    from bpmtool.mining.mapping import MappedLog, judge_labels

    facts, notes, read = gather_partitioned(
        path,
        model,
        cluster,
        columns=columns,
        date_format=date_format,
        lane_map=lane_map(lanes_from),
        progress=read_progress,
        model_lanes=not (options["lanes_from_log"] and not lanes_modelled(model)),
        log_filter=log_filter,
    )
    # the workers import pm4py for the alignments while this process merges and judges
    aligning = cluster is not None and options["method"] in ("both", "alignments")
    warming = warm_workers(cluster) if cluster is not None and aligning else []
    outcome = None
    if log_filter is not None and facts.filter_counts is not None:
        outcome = FilterOutcome(log_filter, *facts.filter_counts, log_filter.describe())
        _refuse_empty(outcome, path)
    matched, unmatched = judge_labels(model, facts.labels, path)
    mapped = MappedLog(
        None,
        matched,
        unmatched,
        facts.lane_source,
        facts.unknown_groups,
        counts=(facts.events, facts.matched_events),
    )
    result = run_check(model, mapped, facts=facts, **options)
    del warming
    result.notes = notes
    result.source = path
    result.filtered = outcome
    result.pieces = read
    return result
