"""What the handoff findings need from some events, gathered where the events are.

:func:`gather_handoffs` reduces the events of some cases (a whole log, or one partition of
it) to what :mod:`bpmtool.mining.handoffs` and :mod:`bpmtool.mining.ping_pong` judge:

* every **handoff** (:func:`~bpmtool.mining.handoff_events.handoff_events`) as a row: the
  sending and receiving lane and node, the wait, the case — so the waits' quantiles are
  exact after any merge (the rows are a few per case, not per event);
* the events of each (node, lane) pair: how many, and in which cases;
* the events of activities the model does not have, by label: how many, in which cases;
* every **bounce** between lanes (A → B → A) with the nodes at its two lane changes;
* which nodes follow which, later in some case (``follows[a, b]``).

None of it depends on the model's lanes (only on its flow), so the lane checks against
lanes taken from the log use the same facts.  :func:`merge_handoffs` joins the facts of
several pieces exactly (cases never straddle two pieces): codes are put into joint name
tables and the rows in the order of their cases, as in one log.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bpmtool.findings import CASE_CODES
from bpmtool.graph import ProcessGraph
from bpmtool.log_schema import ACTIVITY
from bpmtool.mining.handoff_events import EXAMPLES, Events, handoff_events

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["CaseBook", "HandoffFacts", "distinct", "gather_handoffs", "merge_handoffs", "remap"]

#: cases per block when the ``follows`` matrix is built (bounds its memory: two int32
#: positions per case and node, about 2 MB for 25 nodes)
_BLOCK = 10_000


#: a wait whose times are not known (NaT), in int32 waits
_NO_WAIT = -(2**31)
#: the units tried for waits, largest first: a second, a millisecond
_WAIT_UNITS = (1_000_000_000, 1_000_000)


def compact_waits(wait: Any) -> tuple[Any, int]:
    """Waits (timedelta64[ns]) as int32 counts of the largest unit that divides them all
    and keeps them in range, and that unit; unchanged (and 0) when none does."""
    import numpy as np

    ns = wait.astype("timedelta64[ns]").view(np.int64)
    known = ns != np.iinfo(np.int64).min
    values = ns[known]
    for unit in _WAIT_UNITS:
        if not len(values) or (
            not (values % unit).any() and np.abs(values // unit).max() < 2**31 - 1
        ):
            out = np.full(len(ns), _NO_WAIT, dtype=np.int32)
            out[known] = values // unit
            return out, unit
    return wait, 0


def code_type(n: int) -> Any:
    """The smallest signed integer type for codes into a table of ``n`` names (and -1):
    a handoff's two lanes and two nodes take 4 bytes instead of 8 for the usual model."""
    import numpy as np

    return np.int8 if n < 127 else np.int16 if n < 32_767 else np.int32


def distinct(values: Any) -> Any:
    """The sorted distinct values of a 1-d array, by sorting: ``np.unique`` without
    ``return_*`` takes a hashing path that was 40 times slower on half a million int64
    (numpy 2.4: 2.2 s against 0.05 s)."""
    import numpy as np

    if not len(values):
        return np.sort(values)
    s = np.sort(values, kind="stable")
    return s[np.r_[True, s[1:] != s[:-1]]]


@dataclass
class HandoffFacts:
    """The handoff facts of some events; codes index ``lane_names`` and ``node_names``
    (-1: none), case codes the log's case id table."""

    lane_names: Any
    node_names: Any
    #: one row per handoff: sending and receiving lane and node, wait, case; the waits as
    #: whole ``wait_unit`` nanoseconds in int32 when that loses nothing (whole seconds
    #: within 68 years: 4 bytes instead of 8), else timedelta64 — read them by :meth:`waits`
    src_lane: Any
    dst_lane: Any
    src_node: Any
    dst_node: Any
    wait: Any
    case: Any
    #: distinct (node, lane) pairs of the events with both known, and their events
    pair_node: Any
    pair_lane: Any
    pair_events: Any
    #: distinct (pair, case) rows: the cases of each pair
    pc_pair: Any
    pc_case: Any
    #: activity label the model does not have → (events, sorted distinct case codes)
    unknown: dict[str, tuple[int, Any]]
    #: one row per bounce: the lane left and come back to, the other lane, the case, and
    #: the nodes of its two lane changes (last of A, first of B, last of B, first of A)
    b_home: Any
    b_away: Any
    b_case: Any
    b_nodes: Any
    #: follows[a, b]: node b happens after node a in some case
    follows: Any
    #: the nanoseconds one unit of ``wait`` counts (0: ``wait`` is timedelta64[ns])
    wait_unit: int = 0

    def waits(self, rows: Any = None) -> Any:
        """The waits (of ``rows``, a mask or positions: all without) as timedelta64[ns]."""
        import numpy as np

        w = self.wait if rows is None else self.wait[rows]
        if not self.wait_unit:
            return w
        out = w.astype(np.int64) * self.wait_unit
        out[w == _NO_WAIT] = np.iinfo(np.int64).min  # NaT
        return out.view("timedelta64[ns]")


@dataclass(frozen=True)
class CaseBook:
    """The log's case ids and each case's lead time: the evidence a finding gives."""

    names: Any
    #: first to last event in days by case code (NaN: not known, or no such case)
    lead: Any
    total: int

    def cases(self, codes: Any, total: int | None = None, **extra: Any) -> dict[str, Any]:
        """Evidence: how many cases, their share, the first few by name, and how many days
        longer (median, first to last event) these cases took than the others (and all the
        cases' codes, which :func:`~bpmtool.findings.make_finding` keeps on the finding)."""
        import numpy as np

        total = self.total if total is None else total
        unique = distinct(np.asarray(codes)).astype(np.int32)
        names = heapq.nsmallest(EXAMPLES, self.names[unique].tolist())
        return {
            CASE_CODES: unique,
            "cases": len(unique),
            "share_of_cases": round(len(unique) / max(total, 1), 4),
            "example_cases": names[:EXAMPLES],
            "extra_days": self.extra_days(unique),
            **extra,
        }

    def extra_days(self, codes: Any) -> float | None:
        """Median lead time of the cases ``codes`` minus that of the other cases, in days
        (2 decimals); None when either group is empty."""
        import numpy as np

        mine = np.zeros(len(self.lead), dtype=bool)
        mine[codes] = True
        known = ~np.isnan(self.lead)
        a, b = self.lead[mine & known], self.lead[~mine & known]
        if not len(a) or not len(b):
            return None
        return round(float(np.median(a) - np.median(b)), 2)


def gather_handoffs(
    graph: ProcessGraph, df: pd.DataFrame, *, model_lanes: bool = True
) -> HandoffFacts:
    """The handoff facts of a mapped frame sorted by case and time.  ``model_lanes``: the
    findings will judge the model's own lanes, so bounces the model allows are left out
    here already (lanes taken from the log judge them by other lanes: all are kept)."""
    import numpy as np

    ev = Events.of(df)
    to, since = handoff_events(graph, ev)
    n_lanes = max(len(ev.lane_names), 1)
    both = (ev.node >= 0) & (ev.lane >= 0)
    pair = ev.node[both].astype(np.int64) * n_lanes + ev.lane[both]
    keys, pair_events = np.unique(pair, return_counts=True)
    pc = distinct(pair * (len(ev.case_names) + 1) + ev.case[both])
    del pair, both
    pc_pair = np.searchsorted(keys, pc // (len(ev.case_names) + 1)).astype(code_type(len(keys)))
    pc_case = (pc % (len(ev.case_names) + 1)).astype(np.int32)
    unknown = {}
    at = np.flatnonzero(ev.node < 0)
    if len(at):
        labels = df[ACTIVITY].astype("category")
        label_codes = labels.cat.codes.to_numpy()[at]
        for code in distinct(label_codes).tolist():
            rows = at[label_codes == code]
            unknown[str(labels.cat.categories[code])] = (len(rows), distinct(ev.case[rows]))
    wait, unit = compact_waits(ev.time[to] - ev.time[since])
    home, away, b_case, b_nodes = _bounces(ev)
    if model_lanes and len(b_case):
        from bpmtool.mining.ping_pong import silent_bounces

        loud = ~silent_bounces(graph, ev.node_names, b_nodes)
        home, away, b_case, b_nodes = home[loud], away[loud], b_case[loud], b_nodes[loud]
    return HandoffFacts(
        ev.lane_names,
        ev.node_names,
        ev.lane[since].astype(code_type(len(ev.lane_names))),
        ev.lane[to].astype(code_type(len(ev.lane_names))),
        ev.node[since].astype(code_type(len(ev.node_names))),
        ev.node[to].astype(code_type(len(ev.node_names))),
        wait,
        ev.case[to].astype(np.int32),
        (keys // n_lanes).astype(np.int32),
        (keys % n_lanes).astype(np.int32),
        pair_events.astype(np.int64),
        pc_pair,
        pc_case,
        unknown,
        home,
        away,
        b_case,
        b_nodes,
        _follows(ev),
        unit,
    )


def _bounces(ev: Events) -> tuple[Any, Any, Any, Any]:
    """The bounces A → B → A of the cases' lanes (see :func:`~bpmtool.mining.ping_pong.
    ping_pong`): runs of one known lane ("stints"), s and s+2 in the same lane."""
    import numpy as np

    none = np.zeros(0, dtype=np.int32)
    has_lane = ev.lane >= 0
    known: Any = None  # positions of the events of a known lane; None: every event
    if has_lane.all():  # the usual case: no copies of the event columns
        lane, case = ev.lane, ev.case
    else:
        known = np.flatnonzero(has_lane).astype(np.int32)
        lane, case = ev.lane[known], ev.case[known]
    del has_lane
    if len(lane) < 3:
        return none.astype(np.int16), none.astype(np.int16), none, np.zeros((0, 4), np.int16)
    cut = case[1:] != case[:-1]
    cut |= lane[1:] != lane[:-1]
    starts = np.flatnonzero(cut).astype(np.int32) + 1
    del cut
    starts = np.r_[np.int32(0), starts]
    ends = np.r_[starts[1:], np.int32(len(lane))] - 1
    s_lane, s_case = lane[starts], case[starts]
    first, last = (starts, ends) if known is None else (known[starts], known[ends])
    k = np.flatnonzero((s_case[:-2] == s_case[2:]) & (s_lane[:-2] == s_lane[2:]))
    nodes = np.stack(
        [ev.node[last[k]], ev.node[first[k + 1]], ev.node[last[k + 1]], ev.node[first[k + 2]]],
        axis=1,
    ).astype(np.int16)
    return (
        s_lane[k].astype(np.int16),
        s_lane[k + 1].astype(np.int16),
        s_case[k].astype(np.int32),
        nodes,
    )


def _follows(ev: Events) -> Any:
    """follows[a, b]: in some case an event of node a comes before one of node b.

    Per block of cases, each node's first and last position in each case: a comes before b
    in a case when a's first position is before b's last.  The blocks are slices of the
    events (a case's events stand together), and positions are int32 where they fit, so
    the memory follows the block, not the log: 1.2M events took a check's peak 100 MB
    higher with one block of all cases and int64 copies of the event columns."""
    import numpy as np

    n = len(ev.node_names)
    out = np.zeros((n, n), dtype=bool)
    small = len(ev.node) < np.iinfo(np.int32).max
    kind = np.int32 if small else np.int64
    at = np.flatnonzero(ev.node >= 0).astype(kind)
    if not len(at) or not n:
        return out
    case = ev.case[at]
    if (case[1:] < case[:-1]).any():  # not sorted by case: group each case's events
        order = np.argsort(case, kind="stable")
        at, case = at[order], case[order]
        del order
    node = ev.node[at]
    bounds = np.r_[0, np.flatnonzero(case[1:] != case[:-1]) + 1, len(case)]
    del case
    for lo in range(0, len(bounds) - 1, _BLOCK):
        hi = min(lo + _BLOCK, len(bounds) - 1)
        a, z = bounds[lo], bounds[hi]
        r: Any = np.repeat(np.arange(hi - lo, dtype=kind), np.diff(bounds[lo : hi + 1]))
        nd, pos = node[a:z], at[a:z]
        first = np.full((hi - lo, n), np.iinfo(kind).max, dtype=kind)
        last = np.full(first.shape, -1, dtype=kind)
        np.minimum.at(first, (r, nd), pos)
        np.maximum.at(last, (r, nd), pos)
        for b in range(n):
            out[:, b] |= (first < last[:, [b]]).any(axis=0)
    return out


def remap(codes: Any, local: Any, joint: Any, kind: Any = None) -> Any:
    """Codes into the name table ``local`` as codes into the sorted table ``joint``
    (-1 stays -1), of type ``kind`` (default: that of ``codes``)."""
    import numpy as np

    table = np.r_[np.searchsorted(joint, local).astype(np.int32), np.int32(-1)]
    return table[codes].astype(codes.dtype if kind is None else kind)


def merge_handoffs(parts: list[HandoffFacts], case_tables: list[Any]) -> HandoffFacts:
    """The facts of several pieces as one: joint (sorted) lane and node tables, case codes
    by ``case_tables[i]`` (piece i's codes into the log's case table), rows by case.

    The pieces are consumed: each of their arrays is released as soon as it is merged, so
    the merge needs little more memory than the pieces themselves."""
    import numpy as np

    if len(parts) == 1 and case_tables[0] is None:
        return parts[0]
    lanes = np.asarray(sorted({str(x) for p in parts for x in p.lane_names}), dtype=object)
    nodes = np.asarray(sorted({str(x) for p in parts for x in p.node_names}), dtype=object)

    def lane(p: HandoffFacts, t: Any, c: Any) -> Any:
        return remap(c, p.lane_names, lanes, max(c.dtype, np.dtype(code_type(len(lanes)))))

    def node(p: HandoffFacts, t: Any, c: Any) -> Any:
        return remap(c, p.node_names, nodes, max(c.dtype, np.dtype(code_type(len(nodes)))))

    def case(p: HandoffFacts, t: Any, c: Any) -> Any:
        return t[c]

    def joined(name: str, convert: Any = None, order: Any = None) -> Any:
        """One field of all pieces, converted, in ``order``; released in the pieces."""
        out = np.concatenate(
            [
                getattr(p, name) if convert is None else convert(p, t, getattr(p, name))
                for p, t in zip(parts, case_tables, strict=True)
            ]
        )
        for p in parts:
            setattr(p, name, None)
        return out if order is None else out[order]

    n_lanes = max(len(lanes), 1)
    pair = np.concatenate(
        [
            node(p, None, p.pair_node).astype(np.int64) * n_lanes + lane(p, None, p.pair_lane)
            for p in parts
        ]
    )
    keys, back = np.unique(pair, return_inverse=True)
    events = np.bincount(back, weights=joined("pair_events")).astype(np.int64)
    offsets = np.cumsum([0] + [len(p.pair_node) for p in parts]).tolist()
    # each piece's pairs as joint pairs, piece by piece (no copy of the whole at int64)
    back = back.astype(code_type(len(keys)))
    to_joint = {id(p): back[a:b] for p, a, b in zip(parts, offsets[:-1], offsets[1:], strict=True)}
    pc_pair = joined("pc_pair", lambda p, t, c: to_joint[id(p)][c])
    pc_case = joined("pc_case", case)
    unknown: dict[str, tuple[int, Any]] = {}
    for p, t in zip(parts, case_tables, strict=True):
        for label, (n, cases) in p.unknown.items():
            had = unknown.get(label, (0, np.zeros(0, dtype=np.int32)))
            unknown[label] = (had[0] + n, np.sort(np.r_[had[1], t[cases]]))
    follows = np.zeros((len(nodes), len(nodes)), dtype=bool)
    for p in parts:
        at = np.searchsorted(nodes, p.node_names)
        follows[np.ix_(at, at)] |= p.follows
    b_case = joined("b_case", case)
    b_order = np.argsort(b_case, kind="stable")
    b_home = joined("b_home", lane, b_order)
    b_away = joined("b_away", lane, b_order)
    b_nodes = joined("b_nodes", node, b_order)
    cases = joined("case", case)
    order = np.argsort(cases, kind="stable")
    units = {p.wait_unit for p in parts}
    unit = units.pop() if len(units) == 1 else 0
    if not unit:  # pieces in other units: all as timedelta64
        for p in parts:
            p.wait, p.wait_unit = p.waits(), 0
    return HandoffFacts(
        lanes,
        nodes,
        joined("src_lane", lane, order),
        joined("dst_lane", lane, order),
        joined("src_node", node, order),
        joined("dst_node", node, order),
        joined("wait", None, order),
        cases[order],
        (keys // n_lanes).astype(np.int32),
        (keys % n_lanes).astype(np.int32),
        events,
        pc_pair,
        pc_case,
        unknown,
        b_home,
        b_away,
        b_case[b_order],
        b_nodes,
        follows,
        unit,
    )
