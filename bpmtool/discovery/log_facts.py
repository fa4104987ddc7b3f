"""What a log says before any model: each event's lane, each activity's owner and share,
the most frequent activities, and the variants over them.

Lanes come from a resource → lane map when one is given, else from the ``org:group``
column (which ``--lane`` fills from any column), else the whole log is one lane.

Gathered as counts keyed by name (:func:`gather_counts`, for a whole log or a piece of it
holding whole cases), added up (:func:`merge_counts`) and judged once for the whole log
(:func:`facts_of_counts`), so a partitioned log's facts are the whole log's.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bpmtool.errors import EventLogError
from bpmtool.log_schema import ACTIVITY, CASE, GROUP, RESOURCE, TIMESTAMP
from bpmtool.mining.flow_numbers import cases_per_code

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ONE_LANE",
    "ActivityFacts",
    "LogCounts",
    "LogFacts",
    "event_lanes",
    "facts_of_counts",
    "gather_counts",
    "log_facts",
    "merge_counts",
]

#: the lane of a log that says nothing about lanes
ONE_LANE = "Process"


@dataclass(frozen=True)
class ActivityFacts:
    """One activity of the log: how often, in how many cases, and which lanes did it."""

    label: str
    events: int
    cases: int
    #: (lane name, events) for every lane that did it, most events first
    lanes: tuple[tuple[str, int], ...]
    kept: bool

    @property
    def lane(self) -> str | None:
        """The lane that did most of its events (None when no event had a lane)."""
        return self.lanes[0][0] if self.lanes else None

    @property
    def share(self) -> float:
        """The owning lane's share of the events whose lane is known."""
        known = sum(n for _, n in self.lanes)
        return self.lanes[0][1] / known if known else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "activity": self.label,
            "events": self.events,
            "cases": self.cases,
            "lane": self.lane,
            "share": round(self.share, 4),
            "lanes": [{"lane": lane, "events": n} for lane, n in self.lanes],
            "kept": self.kept,
        }


@dataclass(frozen=True)
class LogFacts:
    """The log's activities and lanes, with the variants over the kept activities."""

    activities: list[ActivityFacts]  # most frequent first
    lanes: list[str]  # in the order they first act in a typical case
    lane_source: str  # "resource map", "org:group" or "none"
    cases: int
    events: int
    variants: Counter[tuple[str, ...]]  # over the kept activities, with their case counts

    @property
    def kept(self) -> list[ActivityFacts]:
        return [a for a in self.activities if a.kept]


@dataclass
class LogCounts:
    """What some events of a log say before any model, as counts keyed by name: a piece's
    (a partition's) counts and the whole log's differ only by addition."""

    events: int
    cases: int
    activity_events: Counter[str]
    activity_cases: Counter[str]
    #: (activity, lane) → events of that activity in that lane
    by_lane: Counter[tuple[str, str]]
    #: lane → [sum over its cases of the position of its first event there, cases]
    lane_first: dict[str, list[int]]
    #: the lanes came from a resource → lane map (else from ``org:group``)
    mapped: bool
    #: some event had an ``org:group`` value
    grouped: bool
    #: each distinct activity sequence (all activities) with its cases
    variants: Counter[tuple[str, ...]]


def log_facts(
    df: pd.DataFrame,
    *,
    activities: float = 1.0,
    lane_pairs: list[tuple[int, str, str]] | None = None,
    filename: str = "the log",
) -> LogFacts:
    """The facts of a log sorted by case and time; ``activities`` (0..1] keeps that share of
    its distinct activities, the ones in most cases first (at least one)."""
    counts = gather_counts(df, lane_pairs, filename)
    return facts_of_counts(merge_counts([counts]), activities=activities, filename=filename)


def gather_counts(
    df: pd.DataFrame, lane_pairs: list[tuple[int, str, str]] | None, filename: str
) -> LogCounts:
    """The :class:`LogCounts` of a frame sorted by case and time (a whole log, or a piece
    of it that holds whole cases)."""
    import numpy as np

    from bpmtool.mining.filter_cases import sequence_counts

    for column in (CASE, ACTIVITY, TIMESTAMP):
        if column not in df.columns:
            raise EventLogError.single(
                f"the log has no {column} column", file=filename, expected="an event log"
            )
    grouped = GROUP in df.columns and bool(df[GROUP].notna().any())
    # without a map the lanes are org:group's, missing where an event has none; a log
    # without any is one lane, which the whole log's counts decide (facts_of_counts)
    lanes, _ = event_lanes(df, lane_pairs, filename, source=None if lane_pairs else GROUP)
    case = df[CASE].astype("category").cat.codes.to_numpy().astype(np.int64)
    acts = df[ACTIVITY].astype("category")
    act = acts.cat.codes.to_numpy().astype(np.int64)
    labels = [str(c) for c in acts.cat.categories]
    lane = np.asarray(lanes.codes, dtype=np.int64)
    lane_names = [str(c) for c in lanes.categories]
    n_act, n_lane = len(labels), max(len(lane_names), 1)
    events = np.bincount(act, minlength=n_act)
    cases = cases_per_code(case, act, n_act)
    known = lane >= 0
    by_lane = np.bincount(act[known] * n_lane + lane[known], minlength=n_act * n_lane).reshape(
        n_act, n_lane
    )
    first = np.ones(len(case), dtype=bool)
    first[1:] = case[1:] != case[:-1]
    return LogCounts(
        len(df),
        int(first.sum()) if len(df) else 0,
        Counter({labels[i]: int(events[i]) for i in range(n_act) if events[i]}),
        Counter({labels[i]: int(cases[i]) for i in range(n_act) if events[i]}),
        Counter(
            {
                (labels[i], lane_names[j]): int(by_lane[i, j])
                for i, j in zip(*np.nonzero(by_lane), strict=True)
            }
        ),
        _lane_first(case, lane, first, lane_names),
        lane_pairs is not None,
        grouped,
        sequence_counts(df),
    )


def merge_counts(parts: list[LogCounts]) -> LogCounts:
    """The counts of a log's pieces (each case in one piece) as the whole log's."""
    whole = LogCounts(0, 0, Counter(), Counter(), Counter(), {}, False, False, Counter())
    for p in parts:
        whole.events += p.events
        whole.cases += p.cases
        whole.activity_events.update(p.activity_events)
        whole.activity_cases.update(p.activity_cases)
        whole.by_lane.update(p.by_lane)
        for lane, (total, n) in p.lane_first.items():
            had = whole.lane_first.setdefault(lane, [0, 0])
            had[0] += total
            had[1] += n
        whole.mapped |= p.mapped
        whole.grouped |= p.grouped
        whole.variants.update(p.variants)
    return whole


def facts_of_counts(
    counts: LogCounts, *, activities: float = 1.0, filename: str = "the log"
) -> LogFacts:
    """The :class:`LogFacts` of a whole log's counts; ``activities`` (0..1] keeps that share
    of its distinct activities, the ones in most cases first (at least one)."""
    if not counts.events:
        raise EventLogError.single(
            "the log has no events", file=filename, expected="at least one event"
        )
    source = "resource map" if counts.mapped else GROUP if counts.grouped else "none"
    by_lane, lane_first = counts.by_lane, counts.lane_first
    if source == "none":  # one lane does everything, and comes first in every case
        by_lane = Counter({(a, ONE_LANE): n for a, n in counts.activity_events.items()})
        lane_first = {ONE_LANE: [0, counts.cases]}
    lanes_of: dict[str, list[tuple[str, int]]] = {}
    for (label, lane), n in sorted(by_lane.items(), key=lambda x: (-x[1], x[0][1])):
        lanes_of.setdefault(label, []).append((lane, n))
    order = sorted(
        counts.activity_events,
        key=lambda a: (-counts.activity_cases[a], -counts.activity_events[a], a),
    )
    keep = set(order[: max(1, math.ceil(activities * len(order) - 1e-9))])
    facts = [
        ActivityFacts(
            label,
            counts.activity_events[label],
            counts.activity_cases[label],
            tuple(lanes_of.get(label, ())),
            label in keep,
        )
        for label in order
    ]
    variants: Counter[tuple[str, ...]] = Counter()
    for sequence, n in counts.variants.items():
        variants[tuple(a for a in sequence if a in keep)] += n
    # one order whichever way the log was read (pieces merge in any order)
    ordered = Counter(dict(sorted(variants.items(), key=lambda x: (-x[1], x[0]))))
    mean = {lane: total / max(n, 1) for lane, (total, n) in lane_first.items() if n}
    return LogFacts(
        facts,
        sorted(mean, key=lambda lane: (mean[lane], lane)),
        source,
        counts.cases,
        counts.events,
        ordered,
    )


def event_lanes(
    df: pd.DataFrame,
    lane_pairs: list[tuple[int, str, str]] | None,
    filename: str,
    *,
    source: str | None = None,
) -> tuple[pd.Categorical, str]:
    """Each event's lane name (missing where unknown) and where the lanes came from.
    ``source`` ``"org:group"`` takes them from that column even when this frame has no
    value there (a piece of a log whose other pieces have some), ``"none"`` puts every
    event in one lane."""
    import numpy as np
    import pandas as pd

    if lane_pairs is not None:
        if RESOURCE not in df.columns:
            raise EventLogError.single(
                "a resource → lane map needs an org:resource column",
                file=filename,
                expected="a resource column in the log",
            )
        mapping = {resource: lane for _, resource, lane in lane_pairs}
        resources = df[RESOURCE].astype("category")
        lanes = sorted(set(mapping.values()))
        index = {lane: i for i, lane in enumerate(lanes)}
        of_resource = np.array(
            [index.get(mapping.get(str(c), ""), -1) for c in resources.cat.categories] + [-1],
            dtype=np.int64,
        )
        codes = of_resource[resources.cat.codes.to_numpy()]
        return pd.Categorical.from_codes(codes, categories=lanes), "resource map"
    grouped = GROUP in df.columns and df[GROUP].notna().any()
    if source == GROUP and GROUP not in df.columns:
        return pd.Categorical.from_codes(np.full(len(df), -1), categories=[]), GROUP
    if source == GROUP or (source is None and grouped):
        groups = df[GROUP].astype("category").cat.rename_categories(str)
        return pd.Categorical(groups), GROUP
    codes = np.zeros(len(df), dtype=np.int64)
    return pd.Categorical.from_codes(codes, categories=[ONE_LANE]), "none"


def _lane_first(case: Any, lane: Any, first: Any, lane_names: list[str]) -> dict[str, list[int]]:
    """Lane → [sum over its cases of the position of its first event in the case, cases]:
    the lanes are ordered by the mean (who acts first stands on top), then by name."""
    import numpy as np

    if not lane_names or not len(case):
        return {}
    position = np.arange(len(case)) - np.maximum.accumulate(
        np.where(first, np.arange(len(case)), 0)
    )
    known = lane >= 0
    key = case[known] * len(lane_names) + lane[known]
    _, at = np.unique(key, return_index=True)
    lanes_first = lane[known][at]
    pos_first = position[known][at]
    sums = np.bincount(lanes_first, weights=pos_first, minlength=len(lane_names))
    counts = np.bincount(lanes_first, minlength=len(lane_names))
    return {
        lane_names[j]: [int(sums[j]), int(counts[j])] for j in range(len(lane_names)) if counts[j]
    }
