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

__all__ = ["FlowNumbers", "cases_per_code", "flow_numbers"]


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
    # variants: each case's node codes, counted once per distinct sequence (slices of one
    # bytes object: no per-case arrays)
    raw = node.tobytes()
    bounds = np.append(starts, n) * 4
    variants: Counter[bytes] = Counter(
        raw[a:b] for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
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
    known = node >= 0
    events = np.bincount(node[known], minlength=len(names))
    in_cases = cases_per_code(case[known], node[known], len(names))
    order = np.argsort(node, kind="stable")
    sorted_nodes = node[order]
    edges = np.searchsorted(sorted_nodes, np.arange(len(names) + 1))
    for code, name in enumerate(names):
        node_events[name] = int(events[code])
        node_cases[name] = int(in_cases[code])
        node_median[name] = _median(since_prev[order[edges[code] : edges[code + 1]]])
    # per step (a, b) of consecutive known events: the times between them
    pair_ok = ~first[1:] & (node[1:] >= 0) & (node[:-1] >= 0) if n else np.zeros(0, bool)
    at = np.flatnonzero(pair_ok) + 1
    keys = node[at - 1].astype(np.int64) * len(names) + node[at]
    deltas = t[at] - t[at - 1]
    order = np.argsort(keys, kind="stable")
    keys, deltas = keys[order], deltas[order]
    begin = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else keys
    uniq = keys[begin]
    end = np.append(begin[1:], len(keys)) if len(begin) else begin
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


def cases_per_code(case: Any, code: Any, n_codes: int) -> Any:
    """For each code 0..n_codes-1, the number of distinct cases among the events that carry it
    (``case`` and ``code`` non-negative integer arrays of the events)."""
    import numpy as np

    if not len(case):
        return np.zeros(n_codes, dtype=np.int64)
    n_cases = int(case.max()) + 1
    if n_cases * n_codes <= 50_000_000:  # a bitmap of (case, code) is cheaper than hashing
        seen = np.zeros(n_cases * n_codes, dtype=bool)
        seen[case.astype(np.int64) * n_codes + code] = True
        return seen.reshape(n_cases, n_codes).sum(axis=0)
    pairs = np.unique(case.astype(np.int64) * n_codes + code)
    return np.bincount(pairs % n_codes, minlength=n_codes)


def _median(values: Any) -> float | None:
    import numpy as np

    known = values[values >= 0]
    return float(np.median(known)) if len(known) else None
