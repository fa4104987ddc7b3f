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


def analyse_handoffs(graph: ProcessGraph, df: pd.DataFrame, *, lanes_observed: bool,
                     slow_after: timedelta | None = None
                     ) -> tuple[list[HandoffStats], list[Finding]]:
    """Observed handoff matrix and the handoff findings of a mapped, sorted log."""
    import numpy as np
    import pandas as pd

    model = graph.model
    cases_total = int(df[CASE].nunique())
    case = df[CASE].astype(str).to_numpy()
    lane = df[LANE].astype("object").to_numpy()
    times = df[TIMESTAMP]
    same_case = np.zeros(len(df), dtype=bool)
    same_case[1:] = case[1:] == case[:-1]
    lane_ok = pd.notna(lane)
    change = same_case & lane_ok & np.roll(lane_ok, 1) & (lane != np.roll(lane, 1))
    idx = np.flatnonzero(change)
    trans = pd.DataFrame({"case": case[idx], "a": lane[idx - 1], "b": lane[idx],
                          "wait": (times.iloc[idx].to_numpy() - times.iloc[idx - 1].to_numpy())
                          if len(idx) else pd.Series([], dtype="timedelta64[ns]")})
    possible = _possible_lane_pairs(graph)
    stats: list[HandoffStats] = []
    findings: list[Finding] = []
    for (a, b), grp in trans.groupby(["a", "b"], sort=True):
        waits = pd.to_timedelta(grp["wait"])
        modelled = (a, b) in possible
        stats.append(HandoffStats(str(a), str(b), len(grp), int(grp["case"].nunique()),
                                  modelled, _days(waits.median()), _days(waits.quantile(0.9)),
                                  _days(waits.max())))
        if not modelled:
            n_cases = int(grp["case"].nunique())
            findings.append(Finding(
                UNMODELLED, Kind.GAP, Severity.WARNING, (str(a), str(b)),
                f"Work passed from {_lane(model, a)} to {_lane(model, b)} {len(grp)} time(s) in "
                f"{n_cases} case(s) ({n_cases / cases_total:.1%}), a handoff the model does not "
                "have: nobody agreed what is handed over or how fast.",
                f"Model the handoff from {_lane(model, a)} to {_lane(model, b)} with its "
                "artifact, or stop it happening.",
                _evidence(grp["case"], cases_total, count=len(grp),
                          p90_wait=_days(waits.quantile(0.9)))))
    findings += _unexpected(df, cases_total)
    if lanes_observed:
        findings += _lanes(model, df, cases_total)
    findings += _ping_pong(graph, df, cases_total)
    findings += _unused_and_slow(graph, df, slow_after)
    return stats, findings


def _lane(model: Any, lane_id: object) -> str:
    found = model.lane_by_id.get(str(lane_id))
    return found.label if found else str(lane_id)


def _evidence(cases: pd.Series, total: int, **extra: Any) -> dict[str, Any]:
    unique = sorted(set(cases.astype(str)))
    return {"cases": len(unique), "share_of_cases": round(len(unique) / max(total, 1), 4),
            "example_cases": unique[:_EXAMPLES], **extra}


def _possible_lane_pairs(graph: ProcessGraph) -> set[tuple[str, str]]:
    lane_of = graph.model.lane_of
    pairs = follows_pairs(graph) | concurrent_pairs(graph)
    return {(lane_of(x) or "", lane_of(y) or "") for x, y in pairs if lane_of(x) != lane_of(y)}


def _unexpected(df: pd.DataFrame, total: int) -> list[Finding]:
    unknown = df[df[NODE].isna()]
    out = []
    for label, grp in unknown.groupby(ACTIVITY, observed=True, sort=True):
        n_cases = int(grp[CASE].nunique())
        out.append(Finding(
            UNEXPECTED, Kind.DEVIATION, Severity.WARNING, (str(label),),
            f"{str(label)!r} happened {len(grp)} time(s) in {n_cases} case(s) "
            f"({n_cases / total:.1%}) but is not in the model: work nobody planned for.",
            "Add the activity to the model (or as an alias of the step it belongs to), or "
            "find out why it is done.",
            _evidence(grp[CASE], total, events=len(grp))))
    return out


def _lanes(model: Any, df: pd.DataFrame, total: int) -> list[Finding]:
    known = df[df[NODE].notna() & df[LANE].notna()]
    owner = {n.id: n.lane for n in model.nodes}
    out = []
    lanes_by_node: dict[str, dict[str, int]] = defaultdict(dict)
    for (node_id, lane_id), grp in known.groupby([NODE, LANE], observed=True, sort=True):
        lanes_by_node[str(node_id)][str(lane_id)] = int(grp[CASE].nunique())
        if owner.get(str(node_id)) == str(lane_id):
            continue
        n = model.node_by_id[str(node_id)]
        n_cases = int(grp[CASE].nunique())
        out.append(Finding(
            WRONG_LANE, Kind.OVERLAP, Severity.WARNING, (str(node_id), str(lane_id)),
            f"{n.label!r} belongs to {_lane(model, n.lane)} but {_lane(model, lane_id)} did it "
            f"{len(grp)} time(s) in {n_cases} case(s) ({n_cases / total:.1%}).",
            f"Agree who owns {n.label!r}; if {_lane(model, lane_id)} really does it, move it to "
            "that lane in the model.",
            _evidence(grp[CASE], total, events=len(grp), owner=n.lane)))
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


def _ping_pong(graph: ProcessGraph, df: pd.DataFrame, total: int) -> list[Finding]:
    """Repeats of an activity with another lane's work in between, outside any model loop
    that crosses lanes."""
    import numpy as np
    import pandas as pd

    model = graph.model
    allowed = {n for cycle in graph.lane_cycles() for n in cycle.nodes}
    frame = pd.DataFrame({"case": df[CASE].astype(str).to_numpy(),
                          "node": df[NODE].astype("object").to_numpy(),
                          "lane": df[LANE].astype("object").to_numpy(),
                          "pos": np.arange(len(df))})
    frame = frame[frame["node"].notna() & frame["lane"].notna()]
    frame["lane_n"] = frame.groupby(["case", "lane"], sort=False).cumcount()
    prev = frame.groupby(["case", "node"], sort=False)[["pos", "lane_n"]].shift(1)
    rep = frame[prev["pos"].notna()].copy()
    rep["prev_pos"] = prev.loc[rep.index, "pos"].astype(int)
    rep["prev_lane_n"] = prev.loc[rep.index, "lane_n"].astype(int)
    between = rep["pos"] - rep["prev_pos"] - 1
    same_lane_between = rep["lane_n"] - rep["prev_lane_n"] - 1
    rep = rep[(between - same_lane_between > 0) & ~rep["node"].isin(allowed)]
    if rep.empty:
        return []
    lanes = df[LANE].astype("object").to_numpy()
    # the team the work went to in between: the first other lane after the earlier occurrence
    rep["other"] = [next(x for x in lanes[p + 1:q] if x != own and x == x)
                    for p, q, own in zip(rep["prev_pos"], rep["pos"], rep["lane"], strict=True)]
    order = {lane.id: i for i, lane in enumerate(model.lanes)}
    rep["pair"] = [tuple(sorted((str(a), str(b)), key=lambda x: order.get(x, 99)))
                   for a, b in zip(rep["lane"], rep["other"], strict=True)]
    out = []
    for pair, grp in rep.groupby("pair", sort=True):
        n_cases = int(grp["case"].nunique())
        steps = sorted({model.node_by_id[str(n)].label for n in grp["node"]})
        out.append(Finding(
            PING_PONG, Kind.OVERLAP, Severity.WARNING, tuple(pair),
            f"Work bounced between {_lane(model, pair[0])} and {_lane(model, pair[1])} in "
            f"{n_cases} case(s) ({n_cases / total:.1%}): {', '.join(repr(s) for s in steps)} "
            "had to be done again after the other team had it.",
            "Agree the acceptance criteria before the handoff, so work is not sent back.",
            _evidence(grp["case"], total, repeated_steps=steps)))
    return out


def _unused_and_slow(graph: ProcessGraph, df: pd.DataFrame, slow_after: timedelta | None
                     ) -> list[Finding]:
    import pandas as pd

    model = graph.model
    known = df[df[NODE].notna()]
    frame = pd.DataFrame({"case": known[CASE].astype(str).to_numpy(),
                          "node": known[NODE].astype(str).to_numpy(),
                          "time": known[TIMESTAMP].to_numpy(),
                          "pos": known.index.to_numpy()})
    out = []
    ctq_for = {(c.from_, c.to): c for c in model.ctqs}
    for h in graph.handoffs():
        senders = graph.sending_activities(h.source) or {h.source}
        receivers = graph.receiving_activities(h.target)
        s = frame[frame["node"].isin(senders)][["case", "pos", "time"]]
        r = frame[frame["node"].isin(receivers)].groupby("case", sort=False)[["pos", "time"]].min()
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
            _evidence(over["case"], int(df[CASE].nunique()), p50=_days(waits.median()),
                      p90=_days(p90), max=_days(waits.max()), limit=_days(pd.Timedelta(limit)),
                      ctq=ctq.id if ctq is not None else None)))
    return out
