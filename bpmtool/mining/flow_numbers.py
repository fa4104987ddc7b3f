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

The numbers are computed in two steps, :func:`flow_facts` (what the events say: the
variants as node sequences, per node its events and cases, and every time between a case's
consecutive events) and :func:`numbers_of_facts`; the facts of the pieces of a partitioned
log are merged exactly in between (:func:`merge_flow_facts`), so the numbers are the same
whichever way the log was read.  A time is known when both events have one.
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

__all__ = [
    "FlowFacts",
    "FlowNumbers",
    "cases_per_code",
    "flow_facts",
    "flow_numbers",
    "merge_flow_facts",
    "numbers_of_facts",
]

_NAT = -(2**63)  # numpy's NaT as int64


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


@dataclass
class FlowFacts:
    """What the numbers of a map need from some events (a whole log, or one partition of
    it: a case never straddles two), merged exactly by :func:`merge_flow_facts`."""

    #: the node ids of each distinct case (``None`` for an event the model does not
    #: know), with its number of cases
    walks: Counter[tuple[str | None, ...]]
    node_events: dict[str, int]
    node_cases: dict[str, int]
    #: (node of the case's previous event or None, node) → the times (ns) from the case's
    #: previous event to the events of that node, where known: every time is kept, so
    #: the medians are exact after any merge
    steps: dict[tuple[str | None, str], Any]
    cases: int


def flow_numbers(model: Model, df: pd.DataFrame) -> FlowNumbers:
    """The numbers of every flow and node of ``model`` in a mapped log (a ``NODE`` column of
    node ids, sorted by case and time, as :func:`bpmtool.mining.mapping.map_log` makes)."""
    return numbers_of_facts(model, flow_facts(df))


def flow_facts(df: pd.DataFrame) -> FlowFacts:
    """The :class:`FlowFacts` of a mapped frame sorted by case and time."""
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
    walks: Counter[tuple[str | None, ...]] = Counter(
        {
            tuple(names[c] if c >= 0 else None for c in np.frombuffer(key, dtype=np.int32)): count
            for key, count in variants.items()
        }
    )
    known = node >= 0
    events = np.bincount(node[known], minlength=len(names))
    in_cases = cases_per_code(case[known], node[known], len(names))
    # per event of a known node after the case's first: the time since the previous event,
    # grouped by (previous node, node); unknown times (NaT) and negative ones are left out
    at = np.flatnonzero(~first & known)
    delta = t[at] - t[at - 1]
    ok = (delta >= 0) & (t[at] != _NAT) & (t[at - 1] != _NAT)
    at, delta = at[ok], delta[ok]
    keys = (node[at - 1].astype(np.int64) + 1) * (len(names) + 1) + node[at]
    order = np.argsort(keys, kind="stable")
    keys, delta = keys[order], delta[order]
    begin = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else keys
    end = np.append(begin[1:], len(keys)) if len(begin) else begin
    steps: dict[tuple[str | None, str], Any] = {}
    for k, b, e in zip(keys[begin].tolist(), begin.tolist(), end.tolist(), strict=True):
        prev, this = divmod(k, len(names) + 1)
        steps[(names[prev - 1] if prev else None, names[this])] = delta[b:e]
    return FlowFacts(
        walks,
        {name: int(events[code]) for code, name in enumerate(names)},
        {name: int(in_cases[code]) for code, name in enumerate(names)},
        steps,
        len(starts),
    )


def merge_flow_facts(parts: list[FlowFacts]) -> FlowFacts:
    """The facts of several pieces of a log (each case in one piece) as the whole's: counts
    added, the times of each step joined.  The pieces' times are released as they are
    joined, so the merge needs little more memory than the pieces."""
    import numpy as np

    if len(parts) == 1:
        return parts[0]
    walks: Counter[tuple[str | None, ...]] = Counter()
    events: Counter[str] = Counter()
    cases: Counter[str] = Counter()
    steps: dict[tuple[str | None, str], list[Any]] = {}
    for p in parts:
        walks.update(p.walks)
        events.update(p.node_events)
        cases.update(p.node_cases)
        for key, values in p.steps.items():
            steps.setdefault(key, []).append(values)
        p.steps = {}
    joined = {}
    for key in list(steps):
        joined[key] = np.concatenate(steps.pop(key))
    return FlowFacts(walks, dict(events), dict(cases), joined, sum(p.cases for p in parts))


def numbers_of_facts(model: Model, facts: FlowFacts) -> FlowNumbers:
    """The numbers of every flow and node of ``model`` from the facts of a whole log."""
    import numpy as np

    times_walked, cases = walk_counts(model, facts.walks.items())
    into: dict[str, list[Any]] = {}
    step_deltas: dict[tuple[str, str], Any] = {}
    for (prev, this), values in facts.steps.items():
        into.setdefault(this, []).append(values)
        if prev is not None:
            step_deltas[(prev, this)] = values
    names = sorted(facts.node_events)
    node_median = {
        name: _median(np.concatenate(into[name])) if name in into else None for name in names
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
        {name: facts.node_events[name] for name in names},
        {name: facts.node_cases[name] for name in names},
        node_median,
        facts.cases,
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
