"""As-is discovery piece by piece: facts gathered where the events are, merged exactly.

A discovery reads its log's pieces — the partitions of a partitioned log, each on a
cluster's worker or one after another here, or a whole log as one piece — twice, and only
facts travel (their size follows the variants, the cases and the handoffs, never the
events):

1. **counts** (:func:`counts_task`): the case filter applied (it keeps whole cases, so
   a piece filters its own cases), then events and cases per activity, events per activity
   and lane, where each lane first acts in its cases, and the variants over all activities
   (:class:`~bpmtool.discovery.log_facts.LogCounts`).  Merged, they decide which
   activities are kept, each one's lane, the lanes' order and the variants the inductive
   miner reads; the model is built from them.
2. **measures** (:func:`measure_task`): each piece, filtered again, cut to the kept
   activities and mapped onto the new model, gives the check's facts
   (:mod:`bpmtool.mining.check_facts`: per case its variant and lead time, per handoff
   its lanes, nodes, wait and case, per node and lane the cases) and the flow numbers'
   facts (:class:`~bpmtool.mining.flow_numbers.FlowFacts`: variants as node sequences,
   every time between consecutive events).  Merged, they give the handoff table with
   exact quantiles, the findings and every number on the map.

A filter by variant number needs the whole log's variants first: then a pass before the
others counts them (:func:`variants_task`), and each piece numbers its cases by them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from bpmtool.errors import InputError
from bpmtool.log_schema import ACTIVITY, CASE, GROUP, TIMESTAMP

if TYPE_CHECKING:
    import pandas as pd

    from bpmtool.discovery.discover import Discovery
    from bpmtool.discovery.log_facts import LogCounts
    from bpmtool.mining.check_facts import CheckFacts
    from bpmtool.mining.flow_numbers import FlowFacts
    from bpmtool.mining.log_filter import FilterOutcome, LogFilter
    from bpmtool.model import Model

__all__ = [
    "Measures",
    "Pieces",
    "Preparation",
    "WholeLog",
    "counts_task",
    "discover_pieces",
    "measure_task",
    "variants_task",
]


class Pieces(Protocol):
    """The pieces of a log (each case in one): ``map(task, *args)`` runs
    ``task(frame, *args)`` on the frame of every piece, where the piece is, and returns
    the results in the pieces' order."""

    def map(self, task: Callable[..., Any], *args: Any) -> list[Any]: ...


@dataclass(frozen=True)
class WholeLog:
    """A log held as one frame: one piece."""

    frame: pd.DataFrame

    def map(self, task: Callable[..., Any], *args: Any) -> list[Any]:
        return [task(self.frame, *args)]


@dataclass(frozen=True)
class Preparation:
    """What every piece does to its events before their facts are gathered: the case
    filter (variant numbers from ``numbers``, the whole log's) and where lanes come from."""

    filename: str
    lane_pairs: list[tuple[int, str, str]] | None = None
    log_filter: LogFilter | None = None
    #: the whole log's variant numbers of the sequences a variant filter asks for
    numbers: dict[tuple[str, ...], int] | None = None

    def name(self, df: pd.DataFrame) -> str:
        """The piece's file for problems (a partition's own), else the log's."""
        return str(df.attrs.get("source") or self.filename)

    def cut(self, df: pd.DataFrame) -> tuple[pd.DataFrame, tuple[int, int, int, int] | None]:
        """The events of the cases the filter keeps, and (cases, events) before and after."""
        import numpy as np

        from bpmtool.mining.filter_cases import apply_filter

        f = self.log_filter
        if f is None or f.empty:
            return df, None
        frame = df
        if self.lane_pairs is not None and f.lanes:
            from bpmtool.discovery.log_facts import event_lanes

            # the map's lanes stand in org:group for the filter; discovery reads them
            # from the map
            lanes, _ = event_lanes(df, self.lane_pairs, self.name(df))
            frame = df.assign(**{GROUP: lanes})
        kept, outcome = apply_filter(frame, f, numbers=self.numbers)
        codes = df[CASE].astype("category").cat.codes.to_numpy()
        before = int(np.count_nonzero(np.bincount(codes))) if len(codes) else 0
        return kept, (before, outcome.cases_after, outcome.events_before, outcome.events_after)


def variants_task(df: pd.DataFrame) -> Counter[tuple[str, ...]]:
    """A piece's activity sequences with their cases (for the variants' numbers)."""
    from bpmtool.mining.filter_cases import sequence_counts

    return sequence_counts(df)


def counts_task(
    df: pd.DataFrame, prep: Preparation
) -> tuple[LogCounts, tuple[int, int, int, int] | None]:
    """A piece's counts (the first pass), after the filter, and what the filter kept."""
    from bpmtool.discovery.log_facts import gather_counts

    kept, outcome = prep.cut(df)
    return gather_counts(kept, prep.lane_pairs, prep.name(df)), outcome


@dataclass
class Measures:
    """A piece's facts about the discovered model (the second pass)."""

    check: CheckFacts
    flows: FlowFacts


def measure_task(
    df: pd.DataFrame, prep: Preparation, model: Model, kept: list[str], lane_source: str
) -> Measures | None:
    """A piece's events of the kept activities mapped onto ``model`` and reduced to the
    check's facts and the flow numbers' (None when the piece has none)."""
    from bpmtool.discovery.log_facts import event_lanes
    from bpmtool.graph import ProcessGraph
    from bpmtool.mining.check_facts import gather
    from bpmtool.mining.flow_numbers import flow_facts
    from bpmtool.mining.mapping import MappedLog, map_events

    filename = prep.name(df)
    df, _ = prep.cut(df)
    lanes, _ = event_lanes(
        df, prep.lane_pairs, filename, source=None if prep.lane_pairs else lane_source
    )
    mask = df[ACTIVITY].isin(kept).to_numpy()
    if not mask.any():
        return None
    frame = df.loc[mask, [CASE, ACTIVITY, TIMESTAMP]].copy()
    frame[GROUP] = lanes[mask]
    # every event's lane is the one of the log's facts: org:group here, whatever it holds
    out, labels, source, unknown = map_events(model, frame, filename=filename, lane_source=GROUP)
    mapped = MappedLog(out, {}, [], source, unknown)
    return Measures(gather(ProcessGraph(model), mapped, labels), flow_facts(out))


def discover_pieces(
    pieces: Pieces,
    *,
    activities: float = 1.0,
    paths: float = 1.0,
    lane_pairs: list[tuple[int, str, str]] | None = None,
    log_filter: LogFilter | None = None,
    model_id: str = "as-is",
    name: str = "",
    filename: str = "the log",
) -> Discovery:
    """The as-is model of a log given as pieces (see :func:`~bpmtool.discovery.discover.
    discover_model` for the options); ``log_filter`` keeps the cases it selects first, and
    the result's ``filtered`` says what it kept.  A filter that keeps no case is refused."""
    from bpmtool.discovery.discover import build_model, judge_model
    from bpmtool.discovery.log_facts import facts_of_counts, merge_counts
    from bpmtool.memory import give_back_freed_memory
    from bpmtool.mining.check_facts import merge
    from bpmtool.mining.filter_cases import numbered_sequences
    from bpmtool.mining.flow_numbers import merge_flow_facts

    if log_filter is not None and log_filter.empty:
        log_filter = None
    numbers = None
    if log_filter is not None and log_filter.variants:
        wanted = set(log_filter.variants)
        numbered = numbered_sequences(pieces.map(variants_task))
        numbers = {s: n for s, n in numbered.items() if n in wanted}
    prep = Preparation(filename, lane_pairs, log_filter, numbers)
    first = pieces.map(counts_task, prep)
    counts = merge_counts([c for c, _ in first])
    outcome = _outcome(log_filter, [o for _, o in first], filename)
    del first
    facts = facts_of_counts(counts, activities=activities, filename=filename)
    give_back_freed_memory()  # what reading freed, before the miner imports pm4py
    model = build_model(facts, paths, model_id, name)
    kept = [a.label for a in facts.kept]
    measured = [m for m in pieces.map(measure_task, prep, model, kept, facts.lane_source) if m]
    check = merge([m.check for m in measured])
    flows = merge_flow_facts([m.flows for m in measured])
    del measured
    give_back_freed_memory()
    found = judge_model(model, facts, check, flows, activities=activities, paths=paths)
    found.filtered = outcome
    return found


def _outcome(
    log_filter: LogFilter | None, kept: list[tuple[int, int, int, int] | None], filename: str
) -> FilterOutcome | None:
    """What the filter kept of the whole log; refused when it keeps no case."""
    from bpmtool.mining.log_filter import FilterOutcome

    if log_filter is None:
        return None
    cases, cases_after, events, events_after = (
        sum(k[i] for k in kept if k is not None) for i in range(4)
    )
    outcome = FilterOutcome(
        log_filter, cases, cases_after, events, events_after, log_filter.describe()
    )
    if not outcome.cases_after:
        raise InputError.single(
            f"the filter ({outcome.description}) keeps none of the log's "
            f"{outcome.cases_before:,} cases",
            file=filename,
            expected="a filter that keeps some cases",
        )
    return outcome
