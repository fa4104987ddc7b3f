"""Handoffs as they really happen: observed lane changes, waits, and what the model does not say.

Works on a mapped log (:func:`bpmtool.mining.mapping.map_log`), vectorised over events:

* an **observed handoff** is a change of lane between two consecutive events of a case;
* a lane change is **possible in the model** when the two activities can follow one another
  in some run of the model: through gateways and events, or because they stand on two
  branches of one parallel split (so any interleaving is fine);
* a modelled handoff is **seen** in a case when one of its senders happens and one of its
  receivers happens later in the same case (parallel work may come in between).

The findings and their exact definitions are listed in ``docs/conformance.md``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bpmtool.findings import Finding, make_finding
from bpmtool.graph import ProcessGraph
from bpmtool.io.eventlog_columns import ACTIVITY, CASE, TIMESTAMP
from bpmtool.mining.mapping import LANE, NODE
from bpmtool.mining.model_order import concurrent_pairs, follows_pairs

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HandoffStats", "analyse_handoffs"]

UNEXPECTED = "UNEXPECTED-ACTIVITY"
UNMODELLED = "UNMODELLED-HANDOFF"
UNUSED = "UNUSED-HANDOFF"
WRONG_LANE = "WRONG-LANE"
SHARED = "SHARED-ACTIVITY"
PING_PONG = "PING-PONG-OBSERVED"
SLOW = "SLOW-HANDOFF"
SKIPPED = "SKIPPED-ACTIVITY"

_EXAMPLES = 5


@dataclass(frozen=True)
class HandoffStats:
    """Observed lane → lane transitions with their waits."""

    source_lane: str
    target_lane: str
    count: int
    cases: int
    modelled: bool
    median_wait: str | None
    p90_wait: str | None
    max_wait: str | None

    def to_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


def _days(ns: float | None) -> str | None:
    """A duration in nanoseconds as days, e.g. ``1.25d``."""
    return None if ns is None else f"{ns / 86_400e9:.2f}d"


def _limit_ns(limit: timedelta) -> float:
    return limit.total_seconds() * 1e9


@dataclass(frozen=True)
class _Waits:
    """Median, 90th percentile and maximum of some waits (NaT, where a time is missing,
    left out), in nanoseconds."""

    median: float | None
    p90: float | None
    max: float | None

    @classmethod
    def of(cls, waits: Any) -> _Waits:
        import numpy as np

        known = waits[~np.isnat(waits)].astype(np.int64).astype(np.float64)
        if not len(known):
            return cls(None, None, None)
        return cls(float(np.median(known)), float(np.quantile(known, 0.9)),
                   float(known.max()))


@dataclass(frozen=True)
class _Events:
    """The log as integer codes and naive nanosecond times: no per-event Python objects."""

    case: Any
    case_names: Any
    lane: Any
    lane_names: Any
    node: Any
    node_names: Any
    time: Any

    @classmethod
    def of(cls, df: pd.DataFrame) -> _Events:
        import numpy as np
        import pandas as pd

        def codes(column: str) -> tuple[Any, Any]:
            cat = df[column].astype("category")
            return cat.cat.codes.to_numpy(), np.asarray(cat.cat.categories.astype(str),
                                                         dtype=object)

        times = df[TIMESTAMP]
        if isinstance(times.dtype, pd.DatetimeTZDtype):
            times = times.dt.tz_convert(None)
        case, case_names = codes(CASE)
        lane, lane_names = codes(LANE)
        node, node_names = codes(NODE)
        return cls(case, case_names, lane, lane_names, node, node_names,
                   times.to_numpy(dtype="datetime64[ns]"))

    def at_node(self, code: int) -> Any:
        """Positions (int32) of the events of one node whose lane is known."""
        import numpy as np

        return np.flatnonzero((self.node == code) & (self.lane >= 0)).astype(np.int32)

    def case_count(self) -> int:
        """Cases in the log (whose events stand together, as in a log sorted by case)."""
        import numpy as np

        return int(np.count_nonzero(self.case[1:] != self.case[:-1])) + int(len(self.case) > 0)

    def cases(self, codes: Any, total: int, **extra: Any) -> dict[str, Any]:
        """Evidence: how many cases, their share, and the first few by name."""
        import numpy as np

        unique = np.unique(codes)
        names = sorted(self.case_names[unique].tolist())
        return {"cases": len(unique), "share_of_cases": round(len(unique) / max(total, 1), 4),
                "example_cases": names[:_EXAMPLES], **extra}


def analyse_handoffs(graph: ProcessGraph, df: pd.DataFrame, *, lanes_observed: bool,
                     slow_after: timedelta | None = None
                     ) -> tuple[list[HandoffStats], list[Finding]]:
    """Observed handoff matrix and the handoff findings of a mapped log sorted by case."""
    ev = _Events.of(df)
    cases_total = ev.case_count()
    stats, findings = _observed(graph, ev, cases_total)
    findings += _unexpected(graph.model, df, ev, cases_total)
    if lanes_observed:
        findings += _lanes(graph.model, ev, cases_total)
    findings += _ping_pong(graph, ev, cases_total)
    findings += _unused_and_slow(graph, ev, cases_total, slow_after)
    return stats, [f for f in findings if f is not None]


def _observed(graph: ProcessGraph, ev: _Events, cases_total: int
              ) -> tuple[list[HandoffStats], list[Finding | None]]:
    """Lane changes between consecutive events of a case, per lane pair."""
    import numpy as np

    model = graph.model
    lane, case = ev.lane, ev.case
    # in place, one event-sized temporary at a time
    change = case[1:] == case[:-1]
    change &= lane[1:] >= 0
    change &= lane[:-1] >= 0
    change &= lane[1:] != lane[:-1]
    to = np.flatnonzero(change).astype(np.int32)
    to += 1  # the event that received the work
    pair = lane[to - 1].astype(np.int32) * len(ev.lane_names) + lane[to]
    possible = _possible_lane_pairs(graph)
    stats: list[HandoffStats] = []
    findings: list[Finding | None] = []
    for key in np.unique(pair).tolist():
        at = to[pair == key]
        a, b = (str(ev.lane_names[i]) for i in divmod(key, len(ev.lane_names)))
        w = _Waits.of(ev.time[at] - ev.time[at - 1])
        count = len(at)
        in_cases = case[at]
        n_cases = len(np.unique(in_cases))
        modelled = (a, b) in possible
        stats.append(HandoffStats(a, b, count, n_cases, modelled, _days(w.median),
                                  _days(w.p90), _days(w.max)))
        if not modelled:
            findings.append(make_finding(
                model, UNMODELLED, (a, b),
                f"Work passed from {_lane(model, a)} to {_lane(model, b)} {count} time(s) in "
                f"{n_cases} case(s) ({n_cases / cases_total:.1%}), a handoff the model does "
                "not have: nobody agreed what is handed over or how fast.",
                f"Model the handoff from {_lane(model, a)} to {_lane(model, b)} with its "
                "artifact, or stop it happening.",
                ev.cases(in_cases, cases_total, count=count, p90_wait=_days(w.p90))))
    stats.sort(key=lambda h: (h.source_lane, h.target_lane))
    return stats, findings


def _lane(model: Any, lane_id: object) -> str:
    found = model.lane_by_id.get(str(lane_id))
    return found.label if found else str(lane_id)


def _possible_lane_pairs(graph: ProcessGraph) -> set[tuple[str, str]]:
    lane_of = graph.model.lane_of
    pairs = follows_pairs(graph) | concurrent_pairs(graph)
    return {(lane_of(x) or "", lane_of(y) or "") for x, y in pairs if lane_of(x) != lane_of(y)}


def _unexpected(model: Any, df: pd.DataFrame, ev: _Events, total: int
                ) -> list[Finding | None]:
    import numpy as np

    unknown = np.flatnonzero(ev.node < 0)
    if not len(unknown):
        return []
    labels = df[ACTIVITY].astype("category")
    label_codes = labels.cat.codes.to_numpy()[unknown]
    out = []
    for code in np.unique(label_codes):
        rows = unknown[label_codes == code]
        label = str(labels.cat.categories[code])
        n_cases = len(np.unique(ev.case[rows]))
        out.append(make_finding(
            model, UNEXPECTED, (label,),
            f"{label!r} happened {len(rows)} time(s) in {n_cases} case(s) "
            f"({n_cases / total:.1%}) but is not in the model: work nobody planned for.",
            "Add the activity to the model (or as an alias of the step it belongs to), or "
            "find out why it is done.",
            ev.cases(ev.case[rows], total, events=len(rows))))
    return sorted(out, key=lambda f: f.subject if f else ())


def _lanes(model: Any, ev: _Events, total: int) -> list[Finding | None]:
    import numpy as np

    owner = {n.id: n.lane for n in model.nodes}
    out = []
    lanes_by_node: dict[str, dict[str, int]] = defaultdict(dict)
    for ni, name in enumerate(ev.node_names):
        node_id = str(name)
        at = ev.at_node(ni)
        lanes = ev.lane[at]
        for li in np.unique(lanes).tolist():
            cases = ev.case[at[lanes == li]]
            lane_id = str(ev.lane_names[li])
            n_cases = len(np.unique(cases))
            lanes_by_node[node_id][lane_id] = n_cases
            if owner.get(node_id) == lane_id:
                continue
            n = model.node_by_id[node_id]
            out.append(make_finding(
                model, WRONG_LANE, (node_id, lane_id),
                f"{n.label!r} belongs to {_lane(model, n.lane)} but {_lane(model, lane_id)} did "
                f"it {len(cases)} time(s) in {n_cases} case(s) ({n_cases / total:.1%}).",
                f"Agree who owns {n.label!r}; if {_lane(model, lane_id)} really does it, move it "
                "to that lane in the model.",
                ev.cases(cases, total, events=len(cases), owner=n.lane)))
    for node_id, lanes_seen in sorted(lanes_by_node.items()):
        if len(lanes_seen) < 2:
            continue
        label = model.node_by_id[node_id].label
        names = ", ".join(f"{_lane(model, x)} ({c} cases)" for x, c in sorted(lanes_seen.items()))
        out.append(make_finding(
            model, SHARED, (node_id, *sorted(lanes_seen)),
            f"{label!r} is done by {len(lanes_seen)} teams: {names}.",
            "Give the activity one owner, or split it into the distinct pieces each team does.",
            {"lanes": lanes_seen}))
    return out


def _ping_pong(graph: ProcessGraph, ev: _Events, total: int) -> list[Finding | None]:
    """Work that comes back: in a case, lane A hands to lane B and B hands back to A
    (A → B → A at the lane level), whatever the activities, where the model does not.

    A case's events of a known lane are cut into *stints*: runs of events of one lane
    (events of no known lane are left out, so they neither cut nor make a stint).
    Stints s, s+1, s+2 with the lane of s+2 equal to the lane of s are a bounce.  The
    model allows the bounce when both lane changes are handoffs it has: the last
    activity of s can be followed by the first of s+1 in a run of the model (or the two
    stand on parallel branches), the two standing in different lanes of the model, and
    likewise from the last activity of s+1 to the first of s+2.  So rework inside one
    lane never bounces, and a modelled loop across lanes (tests, fixes, tests again)
    stays silent.  Per pair of lanes: bounces, cases, and to which lane work came back.
    """
    import numpy as np

    model = graph.model
    known = np.flatnonzero(ev.lane >= 0)
    if len(known) < 3:
        return []
    lane, case = ev.lane[known], ev.case[known]
    starts = np.flatnonzero(np.r_[True, (case[1:] != case[:-1]) | (lane[1:] != lane[:-1])])
    ends = np.r_[starts[1:], len(known)] - 1
    s_lane, s_case = lane[starts], case[starts]
    first, last = known[starts], known[ends]  # event positions of each stint's ends
    bounce = (s_case[:-2] == s_case[2:]) & (s_lane[:-2] == s_lane[2:])
    k = np.flatnonzero(bounce)
    if not len(k):
        return []
    cross = _cross_lane_pairs(graph, ev)
    n_nodes = len(ev.node_names) + 1

    def modelled(a: Any, b: Any) -> Any:
        na, nb = ev.node[a].astype(np.int64), ev.node[b].astype(np.int64)
        key = np.where((na >= 0) & (nb >= 0), na * n_nodes + nb, -1)
        return np.isin(key, cross)

    silent = modelled(last[k], first[k + 1]) & modelled(last[k + 1], first[k + 2])
    k = k[~silent]
    if not len(k):
        return []
    home, away = s_lane[k], s_lane[k + 1]
    order = {lane.id: i for i, lane in enumerate(model.lanes)}
    names = [str(x) for x in ev.lane_names]
    rank = [(order.get(x, len(order)), x) for x in names]
    low = np.where([rank[h] <= rank[a] for h, a in zip(home.tolist(), away.tolist(),
                                                       strict=True)], home, away)
    high = np.where(low == home, away, home)
    out: list[Finding | None] = []
    for lo, hi in sorted({(int(a), int(b)) for a, b in zip(low.tolist(), high.tolist(),
                                                            strict=True)},
                         key=lambda p: (rank[p[0]], rank[p[1]])):
        mine = (low == lo) & (high == hi)
        cases = s_case[k[mine]]
        n_cases = len(np.unique(cases))
        a, b = names[lo], names[hi]
        back_to = {a: int(np.count_nonzero(mine & (home == lo))),
                   b: int(np.count_nonzero(mine & (home == hi)))}
        returns = " and ".join(f"{n} back to {_lane(model, x)}" for x, n in back_to.items()
                               if n)
        out.append(make_finding(
            model, PING_PONG, (a, b),
            f"Work bounced between {_lane(model, a)} and {_lane(model, b)} "
            f"{int(mine.sum())} time(s) in {n_cases} case(s) ({n_cases / total:.1%}): it "
            f"went to the other team and came back ({returns}), a return the model has no "
            "path for.",
            "Find out why work is sent back (missing input, unclear acceptance criteria, "
            "wrong routing) and agree it before the handoff.",
            ev.cases(cases, total, bounces=int(mine.sum()), back_to=back_to)))
    return out


def _cross_lane_pairs(graph: ProcessGraph, ev: _Events) -> Any:
    """The handoffs the model has between activities, as ``node code * (n + 1) + node code``:
    the second can follow the first (or they run in parallel) and their lanes differ."""
    import numpy as np

    lane_of = graph.model.lane_of
    code = {str(name): i for i, name in enumerate(ev.node_names)}
    n = len(ev.node_names) + 1
    keys = [code[x] * n + code[y] for x, y in follows_pairs(graph) | concurrent_pairs(graph)
            if x in code and y in code and lane_of(x) != lane_of(y)]
    return np.asarray(sorted(keys), dtype=np.int64)


def _unused_and_slow(graph: ProcessGraph, ev: _Events, total: int,
                     slow_after: timedelta | None) -> list[Finding | None]:
    """Per modelled handoff: does it ever happen, and is it slower than its CTQ?

    In a case, the handoff happens at the first event of a receiver, coming from the
    latest sender event before it."""
    import numpy as np

    model = graph.model
    code_of = {str(name): i for i, name in enumerate(ev.node_names)}
    out = []
    ctq_for = {(c.from_, c.to): c for c in model.ctqs}
    for h in graph.handoffs():
        senders = graph.sending_activities(h.source) or {h.source}
        receivers = graph.receiving_activities(h.target)
        s_at = np.flatnonzero(np.isin(ev.node, [code_of[n] for n in senders if n in code_of]))
        r_at = np.flatnonzero(np.isin(ev.node, [code_of[n] for n in receivers if n in code_of]))
        first = np.ones(len(r_at), dtype=bool)
        first[1:] = ev.case[r_at[1:]] != ev.case[r_at[:-1]]
        r_at = r_at[first]
        j = np.searchsorted(s_at, r_at, side="right") - 1
        found = j >= 0
        found[found] = ev.case[s_at[j[found]]] == ev.case[r_at[found]]
        to, since = r_at[found], s_at[j[found]]
        if not len(to):
            out.append(make_finding(
                model, UNUSED, (h.flow, h.source, h.target),
                f"The modelled handoff {_lane(model, h.source_lane)} → "
                f"{_lane(model, h.target_lane)} ({model.node_by_id[h.source].label!r} → "
                f"{model.node_by_id[h.target].label!r}) never happens in the log.",
                "Check whether the handoff is still needed, or whether it happens outside the "
                "systems that wrote this log.", {"flow": h.flow}))
            continue
        ctq = next((c for (a, b), c in ctq_for.items() if a in senders and b in receivers),
                   None)
        limit = ctq.max if ctq is not None else slow_after
        if limit is None:
            continue
        waits = ev.time[to] - ev.time[since]
        w = _Waits.of(waits)
        if w.p90 is None or w.p90 <= _limit_ns(limit):
            continue
        over = to[waits > np.timedelta64(limit)]
        target = f"the CTQ {ctq.label!r}" if ctq is not None else "the threshold"
        out.append(make_finding(
            model, SLOW,
            (h.flow, h.source_lane, h.target_lane),
            f"The handoff {_lane(model, h.source_lane)} → {_lane(model, h.target_lane)} "
            f"({model.node_by_id[h.source].label!r} → {model.node_by_id[h.target].label!r}) "
            f"takes {_days(w.p90)} at the 90th percentile, over {target} of "
            f"{_days(_limit_ns(limit))}; {len(over)} case(s) waited longer.",
            "Find what the receiving team waits for; agree a service level for this handoff.",
            ev.cases(ev.case[over], total, p50=_days(w.median), p90=_days(w.p90),
                     max=_days(w.max), limit=_days(_limit_ns(limit)),
                     ctq=ctq.id if ctq is not None else None)))
    return out
