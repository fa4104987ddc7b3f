"""Map a log onto a model: activity labels → nodes, and each event → a lane.

Labels match a node's name, id or one of its ``aliases``, ignoring case and
spacing (:mod:`bpmtool.mining.labels`, shared with the journey); a label naming two
nodes is refused.  An event's lane comes from ``org:group`` (matched to lane ids or
names), else from a resource → lane file, else from the model's owner of the activity.
Everything works on categories, so the cost follows distinct labels, not events.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bpmtool.categories import recode
from bpmtool.errors import EventLogError
from bpmtool.log_schema import ACTIVITY, GROUP, RESOURCE
from bpmtool.mining.labels import LabelMatcher, label_key
from bpmtool.model import Model

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "LANE",
    "NODE",
    "LaneMap",
    "MappedLog",
    "Unmatched",
    "judge_labels",
    "map_events",
    "map_log",
]

NODE = "bpmtool:node"
LANE = "bpmtool:lane"


@dataclass(frozen=True)
class LaneMap:
    """A resource → lane map as its file gave it: ``(line, resource, lane)`` rows (line 0
    where the format has none) and the file's name, for errors."""

    rows: list[tuple[int, str, str]]
    file: str


@dataclass(frozen=True)
class Unmatched:
    """A log label that matches no model node, with how often it occurs."""

    label: str
    events: int
    closest: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "events": self.events, "closest": list(self.closest)}


@dataclass(frozen=True)
class MappedLog:
    """The log with ``bpmtool:node`` and ``bpmtool:lane`` columns, and how the mapping went."""

    #: the mapped events; ``None`` for a log checked piece by piece (never joined)
    df: pd.DataFrame | None
    matched: dict[str, str]  # log label → node id
    unmatched: list[Unmatched]
    lane_source: str  # "org:group", "resource map" or "model"
    unknown_groups: list[str] = field(default_factory=list)
    #: (events, events with a node) when there is no ``df``
    counts: tuple[int, int] | None = None

    @property
    def events(self) -> int:
        return len(self.df) if self.df is not None else (self.counts or (0, 0))[0]

    @property
    def matched_events(self) -> int:
        if self.df is None:
            return (self.counts or (0, 0))[1]
        return int(self.df[NODE].notna().sum())

    def to_dict(self) -> dict[str, Any]:
        return {
            "matched": dict(sorted(self.matched.items())),
            "unmatched": [u.to_dict() for u in self.unmatched],
            "matched_events": self.matched_events,
            "events": self.events,
            "lane_source": self.lane_source,
            "unknown_groups": self.unknown_groups,
        }


_key = label_key


def map_log(
    model: Model, df: pd.DataFrame, *, lane_map: LaneMap | None = None, filename: str = "<log>"
) -> MappedLog:
    """Add the node and lane of every event; refuse a log none of whose labels match."""
    out, labels, source, unknown = map_events(model, df, lane_map=lane_map, filename=filename)
    matched, unmatched = judge_labels(model, labels, filename)
    return MappedLog(out, matched, unmatched, source, unknown)


def map_events(
    model: Model,
    df: pd.DataFrame,
    *,
    lane_map: LaneMap | None = None,
    filename: str = "<log>",
    lane_source: str | None = None,
) -> tuple[pd.DataFrame, dict[str, tuple[int, str | None]], str, list[str]]:
    """The frame with the node and lane of every event, each label present with its events
    and node, the lanes' source and the groups or resources no lane has.  ``lane_source``
    ``"org:group"`` takes the lanes from that column even where this frame has none (a
    piece of a log whose other pieces have them)."""
    labels = df[ACTIVITY].astype("category")
    categories = [str(c) for c in labels.cat.categories]
    counts = labels.value_counts()
    present = [c for c in categories if counts.get(c, 0) > 0]
    node_of = LabelMatcher.of(model).match(present, filename=filename)
    node_of.update({c: None for c in categories if c not in node_of})
    out = df.copy(deep=False)  # new columns only; the log's own columns are shared
    out[NODE] = recode(labels, node_of)
    lane, source, unknown = _lanes(model, out, lane_map, filename, lane_source)
    out[LANE] = lane
    found = {c: (int(counts.get(c, 0)), node_of.get(c)) for c in present}
    return out, found, source, unknown


def judge_labels(
    model: Model, labels: dict[str, tuple[int, str | None]], filename: str
) -> tuple[dict[str, str], list[Unmatched]]:
    """The labels matched to nodes, and the others by frequency with their closest node
    names; refused when none matches."""
    matched = {c: n for c, (_, n) in labels.items() if n is not None}
    names = sorted({n.label for n in model.activities()})
    unmatched = sorted(
        (
            Unmatched(c, k, tuple(difflib.get_close_matches(c, names, n=3, cutoff=0.5)))
            for c, (k, n) in labels.items()
            if n is None and k > 0
        ),
        key=lambda u: (-u.events, u.label),
    )
    if not matched:
        top = ", ".join(repr(u.label) for u in unmatched[:5])
        raise EventLogError.single(
            f"none of the log's {len(labels)} activities matches the model; the most "
            f"frequent are {top}",
            file=filename,
            expected="activity labels equal to node names or aliases, e.g. "
            + ", ".join(repr(n) for n in names[:5]),
        )
    return matched, unmatched


def _lanes(
    model: Model,
    df: pd.DataFrame,
    lane_map: LaneMap | None,
    filename: str,
    source: str | None = None,
) -> tuple[pd.Series, str, list[str]]:
    import pandas as pd

    lane_keys: dict[str, str] = {}
    for lane in model.lanes:
        lane_keys.setdefault(_key(lane.id), lane.id)
        lane_keys.setdefault(_key(lane.label), lane.id)
    if lane_map is not None:
        mapping = _resource_lanes(lane_map, lane_keys)
        if RESOURCE not in df.columns:
            raise EventLogError.single(
                "a resource → lane map needs an org:resource column",
                file=filename,
                expected="a resource column in the log",
            )
        resources = df[RESOURCE].astype("category")
        lane = recode(resources, {c: mapping.get(str(c)) for c in resources.cat.categories})
        unknown = sorted(str(c) for c in resources.cat.categories if str(c) not in mapping)
        return pd.Series(lane, index=df.index), "resource map", unknown
    if source == "org:group" and GROUP not in df.columns:
        return pd.Series(pd.Categorical([None] * len(df)), index=df.index), source, []
    if source == "org:group" or (GROUP in df.columns and df[GROUP].notna().any()):
        groups = df[GROUP].astype("category")
        lane_of = {c: lane_keys.get(_key(c), str(c)) for c in groups.cat.categories}
        unknown = sorted(str(c) for c in groups.cat.categories if _key(c) not in lane_keys)
        return pd.Series(recode(groups, lane_of), index=df.index), "org:group", unknown
    owner = {n.id: n.lane for n in model.nodes}
    return pd.Series(recode(df[NODE], owner), index=df.index), "model", []


def _resource_lanes(lane_map: LaneMap, lane_keys: dict[str, str]) -> dict[str, str]:
    """resource → lane id; a lane the model does not have is an error at its line."""
    mapping = {}
    for line, resource, lane in lane_map.rows:
        lane_id = lane_keys.get(_key(lane))
        if lane_id is None:
            raise EventLogError.single(
                f"unknown lane {lane[:80]!r} for resource {resource[:80]!r}",
                file=lane_map.file,
                line=line or None,
                expected="a lane id or name of the model",
            )
        mapping[resource] = lane_id
    return mapping
