"""Everything a check needs from a log's events, gathered piece by piece and merged exactly.

A check's numbers come from per-case and per-handoff facts (:mod:`bpmtool.mining.case_facts`,
:mod:`bpmtool.mining.handoff_facts`) and from counts (events per label, the lanes' source,
the log's first and last event).  :func:`gather` computes them from a mapped piece of a log
(the whole log in one process, one partition on a cluster's worker: a case never straddles
two), :func:`merge` joins the pieces' facts: counts are added, case ids put into one sorted
table (the order of the single-process log), handoff rows joined so that the waits'
quantiles are computed from all of them (exact, no sketch).  The check
(:func:`bpmtool.mining.check.run_check`) runs on the merged facts, whether they came from
one piece or many, so the results are equal by construction.

Their size follows the cases and the handoffs, not the events: per case a variant number,
two times and a lead time; per handoff two lanes, two nodes, a wait and a case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bpmtool.graph import ProcessGraph
from bpmtool.log_schema import TIMESTAMP
from bpmtool.mining.case_facts import CaseFacts, case_facts, merge_cases
from bpmtool.mining.handoff_facts import CaseBook, HandoffFacts, gather_handoffs, merge_handoffs

if TYPE_CHECKING:
    import pandas as pd

    from bpmtool.mining.log_filter import LogFilter
    from bpmtool.mining.mapping import LaneMap, MappedLog
    from bpmtool.model import Model

__all__ = ["CheckFacts", "gather", "gather_frame", "merge", "prepare_frame"]


@dataclass
class CheckFacts:
    """A check's facts of some events (a piece of a log, or the merged whole)."""

    cases: CaseFacts
    handoffs: HandoffFacts
    events: int
    #: each label present: (events, node id or None)
    labels: dict[str, tuple[int, str | None]]
    lane_source: str
    unknown_groups: list[str]
    #: the first and last event time (ISO 8601), or None without times
    span: tuple[str, str] | None
    #: the first and last event time as timestamps (for merging)
    bounds: tuple[Any, Any] | None = field(default=None, repr=False)
    #: with a filter: cases and events before and after it (see :class:`FilterOutcome`)
    filter_counts: tuple[int, int, int, int] | None = None
    #: with a lane filter: the lanes' source the filter judged the lanes by
    filter_source: str | None = None

    @property
    def matched_events(self) -> int:
        return sum(n for n, node in self.labels.values() if node is not None)

    def book(self) -> CaseBook:
        """The case ids and lead times the findings' evidence names."""
        import numpy as np

        lead = np.full(len(self.cases.names), np.nan)
        lead[self.cases.code] = self.cases.lead
        return CaseBook(self.cases.names, lead, len(self.cases.code))


def gather(
    graph: ProcessGraph,
    mapped: MappedLog,
    labels: dict[str, tuple[int, str | None]],
    *,
    model_lanes: bool = True,
) -> CheckFacts:
    """The facts of a mapped frame sorted by case and time (``model_lanes``: see
    :func:`~bpmtool.mining.handoff_facts.gather_handoffs`)."""
    df = mapped.df
    assert df is not None
    bounds = _bounds(df)
    return CheckFacts(
        case_facts(df, graph),
        gather_handoffs(graph, df, model_lanes=model_lanes),
        len(df),
        labels,
        mapped.lane_source,
        list(mapped.unknown_groups),
        _iso(bounds),
        bounds,
    )


def gather_frame(
    model: Model,
    df: pd.DataFrame,
    *,
    lane_map: LaneMap | None,
    filename: str,
    lane_source: str | None = None,
    model_lanes: bool = True,
    log_filter: LogFilter | None = None,
    numbers: Mapping[tuple[str, ...], int] | None = None,
    filter_source: str | None = None,
) -> CheckFacts:
    """Map a piece of a log and gather its facts (what a worker does with a partition).

    With a ``log_filter`` the piece is first cut to the cases it keeps, as the
    single-process check cuts the whole log (a lane filter judges the lanes as the check
    maps them, from ``filter_source`` like ``lane_source``); ``numbers`` are the whole
    log's variant numbers by sequence (:func:`~bpmtool.mining.filter_cases.
    numbered_sequences`) for a variant filter."""

    mapped, labels, counts, fsource = prepare_frame(
        model,
        df,
        lane_map=lane_map,
        filename=filename,
        lane_source=lane_source,
        log_filter=log_filter,
        numbers=numbers,
        filter_source=filter_source,
    )
    facts = gather(ProcessGraph(model), mapped, labels, model_lanes=model_lanes)
    facts.filter_counts, facts.filter_source = counts, fsource
    return facts


def prepare_frame(
    model: Model,
    df: pd.DataFrame,
    *,
    lane_map: LaneMap | None,
    filename: str,
    lane_source: str | None = None,
    log_filter: LogFilter | None = None,
    numbers: Mapping[tuple[str, ...], int] | None = None,
    filter_source: str | None = None,
) -> tuple[MappedLog, dict[str, tuple[int, str | None]], tuple[int, int, int, int] | None, Any]:
    """A piece of a log as the check sees it: cut to the filter's cases and mapped (see
    :func:`gather_frame`); with each label's events and node, and the filter's counts and
    lanes' source."""
    from bpmtool.mining.mapping import MappedLog, map_events

    counts = fsource = None
    if log_filter is not None and not log_filter.empty:
        df, counts, fsource = _filtered(
            model, df, log_filter, numbers, lane_map, filename, filter_source
        )
    out, labels, source, unknown = map_events(
        model, df, lane_map=lane_map, filename=filename, lane_source=lane_source
    )
    return MappedLog(out, {}, [], source, unknown), labels, counts, fsource


def _filtered(
    model: Model,
    df: pd.DataFrame,
    log_filter: LogFilter,
    numbers: Mapping[tuple[str, ...], int] | None,
    lane_map: LaneMap | None,
    filename: str,
    lane_source: str | None,
) -> tuple[pd.DataFrame, tuple[int, int, int, int], str | None]:
    """The piece cut to the filter's cases, the cases and events before and after, and
    the lanes' source a lane filter used (:func:`~bpmtool.mining.filter_cases.cut_piece`)."""
    from bpmtool.mining.filter_cases import cut_piece

    kept, outcome, source = cut_piece(
        model,
        df,
        log_filter,
        numbers=numbers,
        lane_map=lane_map,
        filename=filename,
        lane_source=lane_source,
    )
    counts = (
        outcome.cases_before,
        outcome.cases_after,
        outcome.events_before,
        outcome.events_after,
    )
    return kept, counts, source


def merge(parts: list[CheckFacts]) -> CheckFacts:
    """The facts of a log's pieces (each case in one piece) as the facts of the whole."""
    import numpy as np

    if len(parts) == 1:
        return parts[0]
    names = np.concatenate([p.cases.names for p in parts])
    names = np.unique(names) if len(names) else names
    tables = [
        np.searchsorted(names, p.cases.names).astype(np.int32)
        if len(p.cases.names)
        else np.zeros(0, dtype=np.int32)
        for p in parts
    ]
    labels: dict[str, tuple[int, str | None]] = {}
    for p in parts:
        for label, (n, node) in p.labels.items():
            labels[label] = (labels.get(label, (0, node))[0] + n, node)
    known = [p.bounds for p in parts if p.bounds is not None]
    bounds = (min(b[0] for b in known), max(b[1] for b in known)) if known else None
    counted = [p.filter_counts for p in parts if p.filter_counts is not None]
    filter_counts = (
        (
            sum(c[0] for c in counted),
            sum(c[1] for c in counted),
            sum(c[2] for c in counted),
            sum(c[3] for c in counted),
        )
        if counted
        else None
    )
    return CheckFacts(
        merge_cases([p.cases for p in parts], names, tables),
        merge_handoffs([p.handoffs for p in parts], tables),
        sum(p.events for p in parts),
        dict(sorted(labels.items())),
        parts[0].lane_source,
        sorted({g for p in parts for g in p.unknown_groups}),
        _iso(bounds),
        bounds,
        filter_counts,
        parts[0].filter_source,
    )


def _bounds(df: pd.DataFrame) -> tuple[Any, Any] | None:
    times = df.get(TIMESTAMP)
    if times is None or not len(times) or times.isna().all():
        return None
    return times.min(), times.max()


def _iso(bounds: tuple[Any, Any] | None) -> tuple[str, str] | None:
    return None if bounds is None else (bounds[0].isoformat(), bounds[1].isoformat())
