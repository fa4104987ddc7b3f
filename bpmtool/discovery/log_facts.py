"""What a log says before any model: each event's lane, each activity's owner and share,
the most frequent activities, and the variants over them.

Lanes come from a resource → lane map when one is given, else from the ``org:group``
column (which ``--lane`` fills from any column), else the whole log is one lane.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bpmtool.errors import EventLogError
from bpmtool.log_schema import ACTIVITY, CASE, GROUP, RESOURCE, TIMESTAMP
from bpmtool.mining.flow_numbers import cases_per_code

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ONE_LANE", "ActivityFacts", "LogFacts", "event_lanes", "log_facts"]

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
    lane_of_event: Any  # per event: its lane (a pandas Categorical; missing where unknown)

    @property
    def kept(self) -> list[ActivityFacts]:
        return [a for a in self.activities if a.kept]


def log_facts(
    df: pd.DataFrame,
    *,
    activities: float = 1.0,
    lane_pairs: list[tuple[int, str, str]] | None = None,
    filename: str = "the log",
) -> LogFacts:
    """The facts of a log sorted by case and time; ``activities`` (0..1] keeps that share of
    its distinct activities, the ones in most cases first (at least one)."""
    import numpy as np

    for column in (CASE, ACTIVITY, TIMESTAMP):
        if column not in df.columns:
            raise EventLogError.single(
                f"the log has no {column} column", file=filename, expected="an event log"
            )
    if not len(df):
        raise EventLogError.single(
            "the log has no events", file=filename, expected="at least one event"
        )
    lanes, source = event_lanes(df, lane_pairs, filename)
    case = df[CASE].astype("category").cat.codes.to_numpy().astype(np.int64)
    acts = df[ACTIVITY].astype("category")
    act = acts.cat.codes.to_numpy().astype(np.int64)
    labels = [str(c) for c in acts.cat.categories]
    lane_cat = lanes
    lane = np.asarray(lane_cat.codes, dtype=np.int64)
    lane_names = [str(c) for c in lane_cat.categories]
    n_act, n_lane = len(labels), max(len(lane_names), 1)
    events = np.bincount(act, minlength=n_act)
    cases = cases_per_code(case, act, n_act)
    known = lane >= 0
    by_lane = np.bincount(act[known] * n_lane + lane[known], minlength=n_act * n_lane).reshape(
        n_act, n_lane
    )
    order = sorted(range(n_act), key=lambda i: (-int(cases[i]), -int(events[i]), labels[i]))
    present = [i for i in order if events[i] > 0]
    keep = set(present[: max(1, math.ceil(activities * len(present) - 1e-9))])
    facts = [
        ActivityFacts(
            labels[i],
            int(events[i]),
            int(cases[i]),
            tuple(
                (lane_names[j], int(by_lane[i, j]))
                for j in sorted(range(len(lane_names)), key=lambda j: (-by_lane[i, j], j))
                if by_lane[i, j] > 0
            ),
            i in keep,
        )
        for i in present
    ]
    first = np.ones(len(case), dtype=bool)
    first[1:] = case[1:] != case[:-1]
    n_cases = int(first.sum())
    kept_mask = np.isin(act, np.fromiter(keep, dtype=np.int64))
    variants = _variants(case[kept_mask], act[kept_mask].astype(np.int32), labels)
    empty = n_cases - sum(variants.values())
    if empty:
        variants[()] += empty
    return LogFacts(
        facts,
        _lane_order(case, lane, first, lane_names),
        source,
        n_cases,
        len(df),
        variants,
        lanes,
    )


def event_lanes(
    df: pd.DataFrame, lane_pairs: list[tuple[int, str, str]] | None, filename: str
) -> tuple[pd.Categorical, str]:
    """Each event's lane name (missing where unknown) and where the lanes came from."""
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
    if GROUP in df.columns and df[GROUP].notna().any():
        groups = df[GROUP].astype("category").cat.rename_categories(str)
        return pd.Categorical(groups), "org:group"
    codes = np.zeros(len(df), dtype=np.int64)
    return pd.Categorical.from_codes(codes, categories=[ONE_LANE]), "none"


def _variants(case: Any, act: Any, labels: list[str]) -> Counter[tuple[str, ...]]:
    import numpy as np

    if not len(case):
        return Counter()
    starts = np.flatnonzero(np.r_[True, case[1:] != case[:-1]])
    data = act.tobytes()  # slices of one bytes object: no per-case arrays
    bounds = (np.append(starts, len(act)) * 4).tolist()
    raw = Counter(data[a:b] for a, b in itertools.pairwise(bounds))
    return Counter(
        {tuple(labels[c] for c in np.frombuffer(key, dtype=np.int32)): n for key, n in raw.items()}
    )


def _lane_order(case: Any, lane: Any, first: Any, lane_names: list[str]) -> list[str]:
    """Lanes by the mean position in its case of each lane's first event (who acts first
    stands on top), then by name."""
    import numpy as np

    if not lane_names:
        return []
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
    mean = sums / np.maximum(counts, 1)
    return [
        lane_names[j]
        for j in sorted(range(len(lane_names)), key=lambda j: (mean[j], lane_names[j]))
    ]
