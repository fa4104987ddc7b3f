"""The numbers of a process map: case counts and median times on every flow and box.

One function, :func:`flow_numbers`, for the as-is discovery and for the overlay of a model
checked against a log, so a flow's "412 cases, median 1.5d" is the same everywhere.

* A flow's **cases** and **times walked** are :func:`~bpmtool.mining.flow_counts.walk_counts`'
  over the log's variants.
* A flow's **median time** is the median, over the consecutive event pairs of a case that
  walk it, of the time between the two events (a flow into an activity that has no other
  way in: the time from the case's previous event to that activity).
* A box's **cases** are the cases with at least one of its events; its **median time** is
  the median time from the case's previous event to its events (waiting plus working).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bpmtool.log_schema import CASE, TIMESTAMP
from bpmtool.mining.flow_counts import paths_between, walk_counts
from bpmtool.mining.mapping import NODE
from bpmtool.model import Model

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FlowNumbers", "flow_numbers"]


@dataclass(frozen=True)
class FlowNumbers:
    """Per flow (in ``model.flows`` order) and per node id: counts and median nanoseconds."""

    flow_times: list[int]
    flow_cases: list[int]
    flow_median_ns: list[float | None]
    node_events: dict[str, int] = field(default_factory=dict)
    node_cases: dict[str, int] = field(default_factory=dict)
    node_median_ns: dict[str, float | None] = field(default_factory=dict)
    cases: int = 0


def flow_numbers(model: Model, df: pd.DataFrame) -> FlowNumbers:
    """The numbers of every flow and node of ``model`` in a mapped log (a ``NODE`` column of
    node ids, sorted by case and time, as :func:`bpmtool.mining.mapping.map_log` makes)."""
    import numpy as np

    cat = df[NODE].astype("category")
    node = cat.cat.codes.to_numpy().astype(np.int32)
    names = [str(c) for c in cat.cat.categories]
    case = df[CASE].astype("category").cat.codes.to_numpy()
    times = df[TIMESTAMP]
    if hasattr(times.dt, "tz") and times.dt.tz is not None:
        times = times.dt.tz_convert(None)
    t = times.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    n = len(node)
    first = np.ones(n, dtype=bool)
    if n:
        first[1:] = case[1:] != case[:-1]
    starts = np.flatnonzero(first)
    # variants: each case's node codes, counted once per distinct sequence
    variants: Counter[bytes] = Counter(
        chunk.tobytes() for chunk in np.split(node, starts[1:]) if len(chunk)
    )
    walks = [
        (
            tuple(names[c] if c >= 0 else None for c in np.frombuffer(key, dtype=np.int32)),
            count,
        )
        for key, count in variants.items()
    ]
    times_walked, cases = walk_counts(model, walks)
    since_prev = np.full(n, -1, dtype=np.int64)
    if n:
        since_prev[1:] = t[1:] - t[:-1]
    since_prev[first] = -1
    # per node: events, cases and the median time since the case's previous event
    node_events: dict[str, int] = {}
    node_cases: dict[str, int] = {}
    node_median: dict[str, float | None] = {}
    case_node = case.astype(np.int64) * (len(names) + 1) + node
    for code, name in enumerate(names):
        at = node == code
        node_events[name] = int(at.sum())
        node_cases[name] = len(np.unique(case_node[at]))
        node_median[name] = _median(since_prev[at])
    # per step (a, b) of consecutive known events: the times between them
    pair_ok = ~first[1:] & (node[1:] >= 0) & (node[:-1] >= 0) if n else np.zeros(0, bool)
    at = np.flatnonzero(pair_ok) + 1
    keys = node[at - 1].astype(np.int64) * len(names) + node[at]
    deltas = t[at] - t[at - 1]
    order = np.argsort(keys, kind="stable")
    keys, deltas = keys[order], deltas[order]
    uniq, begin = np.unique(keys, return_index=True)
    end = np.append(begin[1:], len(keys))
    step_deltas = {
        (names[k // len(names)], names[k % len(names)]): deltas[b:e]
        for k, b, e in zip(uniq.tolist(), begin.tolist(), end.tolist(), strict=True)
    }
    paths = paths_between(model)
    per_flow: list[list[Any]] = [[] for _ in model.flows]
    for (a, b), values in step_deltas.items():
        for i in paths.get(a, {}).get(b, ()):
            per_flow[i].append(values)
    incoming = Counter(f.target for f in model.flows)
    medians: list[float | None] = []
    for i, f in enumerate(model.flows):
        target = model.node_by_id.get(f.target)
        if target is not None and target.is_activity and incoming[f.target] == 1:
            medians.append(node_median.get(f.target))
        elif per_flow[i]:
            medians.append(_median(np.concatenate(per_flow[i])))
        else:
            medians.append(None)
    return FlowNumbers(
        times_walked,
        cases,
        medians,
        node_events,
        node_cases,
        node_median,
        len(starts),
    )


def _median(values: Any) -> float | None:
    import numpy as np

    known = values[values >= 0]
    return float(np.median(known)) if len(known) else None
