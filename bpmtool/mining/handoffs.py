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

from bpmtool.findings import Finding, Kind, Severity, register_code
from bpmtool.graph import ProcessGraph
from bpmtool.io.eventlog_columns import ACTIVITY, CASE, TIMESTAMP
from bpmtool.mining.mapping import LANE, NODE
from bpmtool.mining.model_order import concurrent_pairs, follows_pairs

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HandoffStats", "analyse_handoffs"]

UNEXPECTED = register_code("UNEXPECTED-ACTIVITY", Kind.DEVIATION, Severity.WARNING,
                           "Work the model does not know of is invisible to everyone who "
                           "plans the handoffs around it.").code
UNMODELLED = register_code("UNMODELLED-HANDOFF", Kind.GAP, Severity.WARNING,
                           "A handoff that happens but is not in the model has no agreed "
                           "artifact, owner or timing.").code
UNUSED = register_code("UNUSED-HANDOFF", Kind.GAP, Severity.INFO,
                       "A modelled handoff nobody does is either obsolete or done outside "
                       "the systems.").code
WRONG_LANE = register_code("WRONG-LANE", Kind.OVERLAP, Severity.WARNING,
                           "Work done by a team that does not own it means the owner did not, "
                           "or both did.").code
SHARED = register_code("SHARED-ACTIVITY", Kind.OVERLAP, Severity.WARNING,
                       "One activity done by several teams has no single owner in "
                       "practice.").code
PING_PONG = register_code("PING-PONG-OBSERVED", Kind.OVERLAP, Severity.WARNING,
                          "Work that goes back to a team it already left costs a wait "
                          "at every bounce.").code
SLOW = register_code("SLOW-HANDOFF", Kind.PERFORMANCE, Severity.WARNING,
                     "A handoff whose 90th-percentile wait exceeds its target leaves one "
                     "customer in ten waiting.").code
SKIPPED = register_code("SKIPPED-ACTIVITY", Kind.DEVIATION, Severity.WARNING,
                        "A modelled step that cases skip is a promise not kept, or a step "
                        "nobody needs.").code

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


def _days(td: Any) -> str | None:
    import pandas as pd

    if td is None or pd.isna(td):
        return None
    return f"{pd.Timedelta(td).total_seconds() / 86400:.2f}d"


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
    """Observed handoff matrix and the handoff findings of a mapped, sorted log."""
    import numpy as np
    import pandas as pd

    model = graph.model
    ev = _Events.of(df)
    cases_total = len(np.unique(ev.case))
    same_case = np.zeros(len(df), dtype=bool)
    same_case[1:] = ev.case[1:] == ev.case[:-1]
    lane_ok = ev.lane >= 0
    prev_lane = np.roll(ev.lane, 1)
    change = same_case & lane_ok & np.roll(lane_ok, 1) & (ev.lane != prev_lane)
    idx = np.flatnonzero(change)
    trans = pd.DataFrame({"case": ev.case[idx], "a": ev.lane[idx - 1], "b": ev.lane[idx],
                          "wait": ev.time[idx] - ev.time[idx - 1]})
    possible = _possible_lane_pairs(graph)
    stats: list[HandoffStats] = []
    findings: list[Finding] = []
    for (ai, bi), grp in trans.groupby(["a", "b"], sort=False):
        a, b = str(ev.lane_names[ai]), str(ev.lane_names[bi])
        waits = pd.to_timedelta(grp["wait"])
        modelled = (a, b) in possible
        n_cases = int(grp["case"].nunique())
        stats.append(HandoffStats(a, b, len(grp), n_cases, modelled, _days(waits.median()),
                                  _days(waits.quantile(0.9)), _days(waits.max())))
        if not modelled:
            findings.append(Finding(
                UNMODELLED, Kind.GAP, Severity.WARNING, (a, b),
                f"Work passed from {_lane(model, a)} to {_lane(model, b)} {len(grp)} time(s) in "
                f"{n_cases} case(s) ({n_cases / cases_total:.1%}), a handoff the model does not "
                "have: nobody agreed what is handed over or how fast.",
                f"Model the handoff from {_lane(model, a)} to {_lane(model, b)} with its "
                "artifact, or stop it happening.",
                ev.cases(grp["case"].to_numpy(), cases_total, count=len(grp),
                         p90_wait=_days(waits.quantile(0.9)))))
    stats.sort(key=lambda h: (h.source_lane, h.target_lane))
    findings += _unexpected(df, ev, cases_total)
    if lanes_observed:
        findings += _lanes(model, ev, cases_total)
    findings += _ping_pong(graph, ev, cases_total)
    findings += _unused_and_slow(graph, ev, cases_total, slow_after)
    return stats, findings


def _lane(model: Any, lane_id: object) -> str:
    found = model.lane_by_id.get(str(lane_id))
    return found.label if found else str(lane_id)


def _possible_lane_pairs(graph: ProcessGraph) -> set[tuple[str, str]]:
    lane_of = graph.model.lane_of
    pairs = follows_pairs(graph) | concurrent_pairs(graph)
    return {(lane_of(x) or "", lane_of(y) or "") for x, y in pairs if lane_of(x) != lane_of(y)}


def _unexpected(df: pd.DataFrame, ev: _Events, total: int) -> list[Finding]:
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
        out.append(Finding(
            UNEXPECTED, Kind.DEVIATION, Severity.WARNING, (label,),
            f"{label!r} happened {len(rows)} time(s) in {n_cases} case(s) "
            f"({n_cases / total:.1%}) but is not in the model: work nobody planned for.",
            "Add the activity to the model (or as an alias of the step it belongs to), or "
            "find out why it is done.",
            ev.cases(ev.case[rows], total, events=len(rows))))
    return sorted(out, key=lambda f: f.subject)


def _lanes(model: Any, ev: _Events, total: int) -> list[Finding]:
    import pandas as pd

    known = (ev.node >= 0) & (ev.lane >= 0)
    frame = pd.DataFrame({"node": ev.node[known], "lane": ev.lane[known],
                          "case": ev.case[known]})
    owner = {n.id: n.lane for n in model.nodes}
    out = []
    lanes_by_node: dict[str, dict[str, int]] = defaultdict(dict)
    for (ni, li), grp in frame.groupby(["node", "lane"], sort=True):
        node_id, lane_id = str(ev.node_names[ni]), str(ev.lane_names[li])
        n_cases = int(grp["case"].nunique())
        lanes_by_node[node_id][lane_id] = n_cases
        if owner.get(node_id) == lane_id:
            continue
        n = model.node_by_id[node_id]
        out.append(Finding(
            WRONG_LANE, Kind.OVERLAP, Severity.WARNING, (node_id, lane_id),
            f"{n.label!r} belongs to {_lane(model, n.lane)} but {_lane(model, lane_id)} did it "
            f"{len(grp)} time(s) in {n_cases} case(s) ({n_cases / total:.1%}).",
            f"Agree who owns {n.label!r}; if {_lane(model, lane_id)} really does it, move it to "
            "that lane in the model.",
            ev.cases(grp["case"].to_numpy(), total, events=len(grp), owner=n.lane)))
    for node_id, lanes in sorted(lanes_by_node.items()):
        if len(lanes) < 2:
            continue
        label = model.node_by_id[node_id].label
        names = ", ".join(f"{_lane(model, x)} ({c} cases)" for x, c in sorted(lanes.items()))
        out.append(Finding(
            SHARED, Kind.OVERLAP, Severity.WARNING, (node_id, *sorted(lanes)),
            f"{label!r} is done by {len(lanes)} teams: {names}.",
            "Give the activity one owner, or split it into the distinct pieces each team does.",
            {"lanes": lanes}))
    return out


def _ping_pong(graph: ProcessGraph, ev: _Events, total: int) -> list[Finding]:
    """Repeats of an activity with another lane's work in between, outside any model loop
    that crosses lanes."""
    import numpy as np
    import pandas as pd

    model = graph.model
    allowed = {n for cycle in graph.lane_cycles() for n in cycle.nodes}
    allowed_codes = [i for i, name in enumerate(ev.node_names) if name in allowed]
    pos = np.flatnonzero((ev.node >= 0) & (ev.lane >= 0))
    frame = pd.DataFrame({"case": ev.case[pos], "node": ev.node[pos], "lane": ev.lane[pos],
                          "pos": pos})
    frame["lane_n"] = frame.groupby(["case", "lane"], sort=False).cumcount()
    prev = frame.groupby(["case", "node"], sort=False)[["pos", "lane_n"]].shift(1)
    again = prev["pos"].notna().to_numpy()
    rep = frame[again].copy()
    rep["prev_pos"] = prev.loc[again, "pos"].astype(np.int64).to_numpy()
    rep["prev_lane_n"] = prev.loc[again, "lane_n"].astype(np.int64).to_numpy()
    between = rep["pos"] - rep["prev_pos"] - 1
    same_lane_between = rep["lane_n"] - rep["prev_lane_n"] - 1
    rep = rep[(between - same_lane_between > 0) & ~rep["node"].isin(allowed_codes)]
    if rep.empty:
        return []
    lanes = ev.lane
    # the team the work went to in between: the first other lane after the earlier occurrence
    rep["other"] = [next(int(x) for x in lanes[p + 1:q] if x != own and x >= 0)
                    for p, q, own in zip(rep["prev_pos"], rep["pos"], rep["lane"], strict=True)]
    order = {lane.id: i for i, lane in enumerate(model.lanes)}
    rep["pair"] = [tuple(sorted((str(ev.lane_names[a]), str(ev.lane_names[b])),
                                key=lambda x: (order.get(x, 99), x)))
                   for a, b in zip(rep["lane"], rep["other"], strict=True)]
    out = []
    for pair, grp in rep.groupby("pair", sort=True):
        n_cases = int(grp["case"].nunique())
        steps = sorted({model.node_by_id[str(ev.node_names[n])].label for n in grp["node"]})
        out.append(Finding(
            PING_PONG, Kind.OVERLAP, Severity.WARNING, tuple(pair),
            f"Work bounced between {_lane(model, pair[0])} and {_lane(model, pair[1])} in "
            f"{n_cases} case(s) ({n_cases / total:.1%}): {', '.join(repr(s) for s in steps)} "
            "had to be done again after the other team had it.",
            "Agree the acceptance criteria before the handoff, so work is not sent back.",
            ev.cases(grp["case"].to_numpy(), total, repeated_steps=steps)))
    return out


def _unused_and_slow(graph: ProcessGraph, ev: _Events, total: int,
                     slow_after: timedelta | None) -> list[Finding]:
    import numpy as np
    import pandas as pd

    model = graph.model
    known = np.flatnonzero(ev.node >= 0)
    frame = pd.DataFrame({"case": ev.case[known], "node": ev.node[known],
                          "time": ev.time[known], "pos": known})
    code_of = {str(name): i for i, name in enumerate(ev.node_names)}
    out = []
    ctq_for = {(c.from_, c.to): c for c in model.ctqs}
    for h in graph.handoffs():
        senders = graph.sending_activities(h.source) or {h.source}
        receivers = graph.receiving_activities(h.target)
        s_codes = [code_of[n] for n in senders if n in code_of]
        r_codes = [code_of[n] for n in receivers if n in code_of]
        s = frame[frame["node"].isin(s_codes)][["case", "pos", "time"]]
        r = frame[frame["node"].isin(r_codes)].groupby("case", sort=False)[["pos", "time"]].min()
        r = r.reset_index()
        pairs = pd.merge_asof(r.sort_values("pos"), s.sort_values("pos"), on="pos",
                              by="case", direction="backward", suffixes=("", "_s"))
        pairs = pairs[pairs["time_s"].notna()] if "time_s" in pairs else pairs.iloc[0:0]
        if pairs.empty:
            out.append(Finding(
                UNUSED, Kind.GAP, Severity.INFO, (h.flow, h.source, h.target),
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
        waits = pd.to_timedelta(pairs["time"] - pairs["time_s"])
        p90 = waits.quantile(0.9)
        if pd.isna(p90) or p90 <= pd.Timedelta(limit):
            continue
        over = pairs[waits > pd.Timedelta(limit)]
        target = f"the CTQ {ctq.label!r}" if ctq is not None else "the threshold"
        out.append(Finding(
            SLOW, Kind.PERFORMANCE, Severity.WARNING,
            (h.flow, h.source_lane, h.target_lane),
            f"The handoff {_lane(model, h.source_lane)} → {_lane(model, h.target_lane)} "
            f"({model.node_by_id[h.source].label!r} → {model.node_by_id[h.target].label!r}) "
            f"takes {_days(p90)} at the 90th percentile, over {target} of "
            f"{_days(pd.Timedelta(limit))}; {len(over)} case(s) waited longer.",
            "Find what the receiving team waits for; agree a service level for this handoff.",
            ev.cases(over["case"].to_numpy(), total, p50=_days(waits.median()),
                     p90=_days(p90), max=_days(waits.max()), limit=_days(pd.Timedelta(limit)),
                     ctq=ctq.id if ctq is not None else None)))
    return out
