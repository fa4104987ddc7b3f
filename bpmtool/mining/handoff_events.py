"""A mapped log as integer codes, and the one definition of a handoff and its wait.

Shared by the handoff findings (:mod:`bpmtool.mining.handoffs`) and the ping-pong check
(:mod:`bpmtool.mining.ping_pong`), so every table and finding measures a handoff the same
way (:func:`handoff_events`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bpmtool.durations import days_label
from bpmtool.graph import ProcessGraph
from bpmtool.log_schema import CASE, TIMESTAMP
from bpmtool.mining.mapping import LANE, NODE
from bpmtool.mining.model_order import follows_pairs

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["EXAMPLES", "Events", "Waits", "days_text", "handoff_events", "lane_name", "limit_ns"]

EXAMPLES = 5  # case ids named in a finding's evidence


def days_text(ns: float | None) -> str | None:
    """A duration in nanoseconds as days, e.g. ``1.25d`` (:func:`bpmtool.durations.days_label`)."""
    return None if ns is None else days_label(ns / 86_400e9)


def limit_ns(limit: timedelta) -> float:
    return limit.total_seconds() * 1e9


@dataclass(frozen=True)
class Waits:
    """Median, 90th percentile and maximum of some waits (NaT, where a time is missing,
    left out), in nanoseconds."""

    median: float | None
    p90: float | None
    max: float | None

    @classmethod
    def of(cls, waits: Any) -> Waits:
        import numpy as np

        known = waits[~np.isnat(waits)].astype(np.int64).astype(np.float64)
        if not len(known):
            return cls(None, None, None)
        return cls(float(np.median(known)), float(np.quantile(known, 0.9)), float(known.max()))


@dataclass(frozen=True)
class Events:
    """The log as integer codes and naive nanosecond times: no per-event Python objects."""

    case: Any
    case_names: Any
    lane: Any
    lane_names: Any
    node: Any
    node_names: Any
    time: Any

    @classmethod
    def of(cls, df: pd.DataFrame) -> Events:
        import numpy as np
        import pandas as pd

        def codes(column: str) -> tuple[Any, Any]:
            cat = df[column].astype("category")
            return cat.cat.codes.to_numpy(), np.asarray(
                cat.cat.categories.astype(str), dtype=object
            )

        times = df[TIMESTAMP]
        if isinstance(times.dtype, pd.DatetimeTZDtype):
            times = times.dt.tz_convert(None)
        case, case_names = codes(CASE)
        lane, lane_names = codes(LANE)
        node, node_names = codes(NODE)
        return cls(
            case,
            case_names,
            lane,
            lane_names,
            node,
            node_names,
            times.to_numpy(dtype="datetime64[ns]"),
        )

    def at_node(self, code: int) -> Any:
        """Positions (int32) of the events of one node whose lane is known."""
        import numpy as np

        return np.flatnonzero((self.node == code) & (self.lane >= 0)).astype(np.int32)


def lane_name(model: Any, lane_id: object) -> str:
    found = model.lane_by_id.get(str(lane_id))
    return found.label if found else str(lane_id)


def handoff_events(graph: ProcessGraph, ev: Events) -> tuple[Any, Any]:
    """Every handoff in the log as (receiving event, sending event) positions.

    A handoff is received at an event whose previous event in the case stands in
    another known lane (a lane change).  Its *sender* is the event that handed the work
    over: the previous event when the model lets its activity be followed by the
    receiving one (through gateways and events); otherwise the latest earlier event of
    the case whose activity the model lets be followed by the receiving one, when it
    stands in a known lane other than the receiver's (so work handed over in front of a
    parallel branch of another team is measured from its real sender); otherwise the
    previous event.  The handoff's *wait* is the receiver's time minus the sender's —
    the one definition of the handoff table and of ``SLOW-HANDOFF``.
    """
    import numpy as np

    lane, case, node = ev.lane, ev.case, ev.node
    change = case[1:] == case[:-1]
    change &= lane[1:] >= 0
    change &= lane[:-1] >= 0
    change &= lane[1:] != lane[:-1]
    to = np.flatnonzero(change).astype(np.int32) + 1
    del change
    since = to - 1
    code = {str(name): i for i, name in enumerate(ev.node_names)}
    preds: dict[int, list[int]] = {}
    for x, y in follows_pairs(graph):
        if x in code and y in code:
            preds.setdefault(code[y], []).append(code[x])
    for receiver, xs in preds.items():
        at = np.flatnonzero(node[to] == receiver)
        if not len(at):
            continue
        direct = np.isin(node[since[at]], xs)
        at = at[~direct]
        if not len(at):
            continue
        s_at = np.flatnonzero(np.isin(node, xs) & (lane >= 0)).astype(np.int32)
        j = np.searchsorted(s_at, to[at], side="right") - 1
        ok = j >= 0
        cand = np.where(ok, s_at[np.maximum(j, 0)], 0)
        ok &= case[cand] == case[to[at]]
        ok &= lane[cand] != lane[to[at]]
        since[at[ok]] = cand[ok]
    return to, since
