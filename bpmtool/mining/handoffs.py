"""Handoffs as they really happen: observed lane changes, waits, and what the model does not say.

Judges the handoff facts of a mapped log (:mod:`bpmtool.mining.handoff_facts`, gathered
vectorised over the events of the whole log or of each partition and merged):

* an **observed handoff** is a change of lane between two consecutive events of a case,
  sent by the event the model says handed the work over
  (:func:`bpmtool.mining.handoff_events.handoff_events`: one definition of a handoff and
  its wait for the handoff table and ``SLOW-HANDOFF``);
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
from bpmtool.mining.handoff_events import Waits, days_text, lane_name, limit_ns
from bpmtool.mining.handoff_facts import CaseBook, HandoffFacts, distinct, gather_handoffs
from bpmtool.mining.model_order import concurrent_pairs, follows_pairs
from bpmtool.mining.ping_pong import ping_pong

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["HandoffStats", "analyse_handoffs", "judge_handoffs"]

UNEXPECTED = "UNEXPECTED-ACTIVITY"
UNMODELLED = "UNMODELLED-HANDOFF"
UNUSED = "UNUSED-HANDOFF"
WRONG_LANE = "WRONG-LANE"
SHARED = "SHARED-ACTIVITY"
SLOW = "SLOW-HANDOFF"
SKIPPED = "SKIPPED-ACTIVITY"


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
    #: the activity pairs behind the row, most frequent first (at most five):
    #: ``{"from", "to", "count", "median_wait", "p90_wait"}`` with activity labels
    by_activity: tuple[dict[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = self.__dict__.copy()
        out["by_activity"] = [dict(a) for a in self.by_activity]
        return out


def analyse_handoffs(
    graph: ProcessGraph,
    df: pd.DataFrame,
    *,
    lanes_observed: bool,
    slow_after: timedelta | None = None,
    lanes_modelled: bool = True,
) -> tuple[list[HandoffStats], list[Finding]]:
    """Observed handoff matrix and the handoff findings of a mapped log sorted by case
    (:func:`judge_handoffs` of the log's :func:`~bpmtool.mining.handoff_facts.
    gather_handoffs`)."""
    import numpy as np

    from bpmtool.mining.case_facts import case_facts

    cases = case_facts(df, None)
    lead = np.full(len(cases.names), np.nan)
    lead[cases.code] = cases.lead
    book = CaseBook(cases.names, lead, len(cases.code))
    return judge_handoffs(
        graph,
        gather_handoffs(graph, df),
        book,
        lanes_observed=lanes_observed,
        slow_after=slow_after,
        lanes_modelled=lanes_modelled,
    )


def judge_handoffs(
    graph: ProcessGraph,
    facts: HandoffFacts,
    book: CaseBook,
    *,
    lanes_observed: bool,
    slow_after: timedelta | None = None,
    lanes_modelled: bool = True,
) -> tuple[list[HandoffStats], list[Finding]]:
    """Observed handoff matrix and the handoff findings from the facts of a whole log.

    Without modelled lanes (``lanes_modelled`` false) the observed handoffs are counted but
    not judged: no UNMODELLED-HANDOFF, WRONG-LANE or SHARED-ACTIVITY (the check says once
    that it needs lanes).
    """
    stats, findings = _observed(graph, facts, book)
    if not lanes_modelled:
        findings = []
    findings += _unexpected(graph.model, facts, book)
    if lanes_observed and lanes_modelled:
        findings += _lanes(graph.model, facts, book)
    findings += ping_pong(graph, facts, book)
    findings += _unused(graph, facts)
    findings += _slow(graph, facts, book, slow_after)
    return stats, [f for f in findings if f is not None]


def _observed(
    graph: ProcessGraph, f: HandoffFacts, book: CaseBook
) -> tuple[list[HandoffStats], list[Finding | None]]:
    """The handoffs of the log per lane pair, with their waits (see :func:`handoff_events`)."""
    import numpy as np

    model = graph.model
    n_lanes = len(f.lane_names)
    n_nodes = len(f.node_names) + 1
    pair = f.src_lane.astype(np.int32) * n_lanes + f.dst_lane
    possible = _possible_lane_pairs(graph)
    stats: list[HandoffStats] = []
    findings: list[Finding | None] = []
    for key in distinct(pair).tolist():
        mine = pair == key
        a, b = (str(f.lane_names[i]) for i in divmod(key, n_lanes))
        waits = f.waits(mine)
        w = Waits.of(waits)
        count = int(mine.sum())
        in_cases = f.case[mine]
        n_cases = len(distinct(in_cases))
        modelled = (a, b) in possible
        acts = (f.src_node[mine].astype(np.int64) + 1) * n_nodes + f.dst_node[mine] + 1
        kinds, counts = np.unique(acts, return_counts=True)
        by_activity = []
        for k in kinds[np.argsort(-counts, kind="stable")][:5].tolist():
            sel = acts == k
            x, y = divmod(k, n_nodes)
            aw = Waits.of(waits[sel])
            by_activity.append(
                {
                    "from": _label(model, f, x - 1),
                    "to": _label(model, f, y - 1),
                    "count": int(sel.sum()),
                    "median_wait": days_text(aw.median),
                    "p90_wait": days_text(aw.p90),
                }
            )
        stats.append(
            HandoffStats(
                a,
                b,
                count,
                n_cases,
                modelled,
                days_text(w.median),
                days_text(w.p90),
                days_text(w.max),
                tuple(by_activity),
            )
        )
        if not modelled:
            findings.append(
                make_finding(
                    model,
                    UNMODELLED,
                    (a, b),
                    f"Work passed from {lane_name(model, a)} to {lane_name(model, b)} {count} "
                    f"time(s) in {n_cases} case(s) ({n_cases / book.total:.1%}), a handoff the "
                    "model does not have: nobody agreed what is handed over or how fast.",
                    f"Model the handoff from {lane_name(model, a)} to {lane_name(model, b)} with "
                    "its artifact, or stop it happening.",
                    book.cases(in_cases, count=count, p90_wait=days_text(w.p90)),
                )
            )
    stats.sort(key=lambda h: (h.source_lane, h.target_lane))
    return stats, findings


def _label(model: Any, f: HandoffFacts, node_code: int) -> str:
    """The activity label of a node code (``?`` for an activity the model does not have)."""
    if node_code < 0:
        return "?"
    return str(model.node_by_id[str(f.node_names[node_code])].label)


def _possible_lane_pairs(graph: ProcessGraph) -> set[tuple[str, str]]:
    lane_of = graph.model.lane_of
    pairs = follows_pairs(graph) | concurrent_pairs(graph)
    return {(lane_of(x) or "", lane_of(y) or "") for x, y in pairs if lane_of(x) != lane_of(y)}


def _unexpected(model: Any, f: HandoffFacts, book: CaseBook) -> list[Finding | None]:
    out = []
    for label, (events, cases) in f.unknown.items():
        n_cases = len(cases)
        out.append(
            make_finding(
                model,
                UNEXPECTED,
                (label,),
                f"{label!r} happened {events} time(s) in {n_cases} case(s) "
                f"({n_cases / book.total:.1%}) but is not in the model: work nobody planned for.",
                "Add the activity to the model (or as an alias of the step it belongs to), or "
                "find out why it is done.",
                book.cases(cases, events=events),
            )
        )
    return sorted(out, key=lambda f: f.subject if f else ())


def _lanes(model: Any, f: HandoffFacts, book: CaseBook) -> list[Finding | None]:
    import numpy as np

    owner = {n.id: n.lane for n in model.nodes}
    out = []
    lanes_by_node: dict[str, dict[str, int]] = defaultdict(dict)
    cases_of_node: dict[str, Any] = {}
    order = np.argsort(f.pc_pair, kind="stable")
    bounds = np.searchsorted(f.pc_pair[order], np.arange(len(f.pair_node) + 1))
    cases_of_pair = [f.pc_case[order[bounds[i] : bounds[i + 1]]] for i in range(len(f.pair_node))]
    pairs = sorted(range(len(f.pair_node)), key=lambda i: (f.pair_node[i], f.pair_lane[i]))
    for ni in sorted(set(f.pair_node.tolist())):
        node_id = str(f.node_names[ni])
        mine = [i for i in pairs if f.pair_node[i] == ni]
        cases_of_node[node_id] = distinct(np.concatenate([cases_of_pair[i] for i in mine]))
        for i in mine:
            cases = cases_of_pair[i]
            events = int(f.pair_events[i])
            lane_id = str(f.lane_names[f.pair_lane[i]])
            n_cases = len(cases)
            lanes_by_node[node_id][lane_id] = n_cases
            if owner.get(node_id) == lane_id:
                continue
            n = model.node_by_id[node_id]
            out.append(
                make_finding(
                    model,
                    WRONG_LANE,
                    (node_id, lane_id),
                    f"{n.label!r} belongs to {lane_name(model, n.lane)} but "
                    f"{lane_name(model, lane_id)} did it {events} time(s) in {n_cases} "
                    f"case(s) ({n_cases / book.total:.1%}).",
                    f"Agree who owns {n.label!r}; if {lane_name(model, lane_id)} really does it, "
                    "move it to that lane in the model.",
                    book.cases(cases, events=events, owner=n.lane),
                )
            )
    for node_id, lanes_seen in sorted(lanes_by_node.items()):
        if len(lanes_seen) < 2:
            continue
        label = model.node_by_id[node_id].label
        names = ", ".join(
            f"{lane_name(model, x)} ({c} cases)" for x, c in sorted(lanes_seen.items())
        )
        out.append(
            make_finding(
                model,
                SHARED,
                (node_id, *sorted(lanes_seen)),
                f"{label!r} is done by {len(lanes_seen)} teams: {names}.",
                "Give the activity one owner, or split it into the distinct pieces each team does.",
                {"lanes": lanes_seen},
                case_codes=cases_of_node[node_id].astype(np.int32),
            )
        )
    return out


def _unused(graph: ProcessGraph, f: HandoffFacts) -> list[Finding | None]:
    """Modelled handoffs no case does: no sender followed, later in the case, by a receiver
    (parallel work may come in between; without times the log's order decides)."""
    import numpy as np

    model = graph.model
    code_of = {str(name): i for i, name in enumerate(f.node_names)}
    out: list[Finding | None] = []
    for h in graph.handoffs():
        senders = graph.sending_activities(h.source) or {h.source}
        receivers = graph.receiving_activities(h.target)
        s = [code_of[n] for n in senders if n in code_of]
        r = [code_of[n] for n in receivers if n in code_of]
        if set(s) & set(r) or f.follows[np.ix_(s, r)].any():
            continue
        out.append(
            make_finding(
                model,
                UNUSED,
                (h.flow, h.source, h.target),
                f"The modelled handoff {lane_name(model, h.source_lane)} → "
                f"{lane_name(model, h.target_lane)} ({_names(model, senders)} → "
                f"{_names(model, receivers)}) never happens in the log.",
                "Check whether the handoff is still needed, or whether it happens outside the "
                "systems that wrote this log.",
                {"flow": h.flow},
            )
        )
    return out


def _slow(
    graph: ProcessGraph, f: HandoffFacts, book: CaseBook, slow_after: timedelta | None
) -> list[Finding | None]:
    """Modelled handoffs whose 90th-percentile wait exceeds their CTQ (or ``slow_after``):
    the waits of the handoffs (:func:`handoff_events`) from one of its sending activities
    to one of its receiving ones, as the handoff table measures them."""
    import numpy as np

    model = graph.model
    code_of = {str(name): i for i, name in enumerate(f.node_names)}
    out: list[Finding | None] = []
    for h in graph.handoffs():
        senders = graph.sending_activities(h.source) or {h.source}
        receivers = graph.receiving_activities(h.target)
        ctq = next((c for c in model.ctqs if c.from_ in senders and c.to in receivers), None)
        limit = ctq.max if ctq is not None else slow_after
        if limit is None:
            continue
        mine = np.isin(f.src_node, [code_of[n] for n in senders if n in code_of])
        mine &= np.isin(f.dst_node, [code_of[n] for n in receivers if n in code_of])
        waits = f.waits(mine)
        w = Waits.of(waits)
        if w.p90 is None or w.p90 <= limit_ns(limit):
            continue
        slow = waits > np.timedelta64(limit)
        over = f.case[mine][slow]
        past = float((waits[slow] - np.timedelta64(limit)).sum() / np.timedelta64(1, "ns"))
        n_over = len(distinct(over))
        seen_from = sorted({int(x) for x in f.src_node[mine].tolist()})
        seen_to = sorted({int(y) for y in f.dst_node[mine].tolist()})
        sender = " or ".join(repr(_label(model, f, x)) for x in seen_from)
        receiver = " or ".join(repr(_label(model, f, y)) for y in seen_to)
        target = f"the CTQ {ctq.label!r}" if ctq is not None else "the threshold"
        out.append(
            make_finding(
                model,
                SLOW,
                (h.flow, h.source_lane, h.target_lane),
                f"The handoff {lane_name(model, h.source_lane)} → "
                f"{lane_name(model, h.target_lane)} from {sender} to {receiver} waits "
                f"{days_text(w.p90)} at the 90th percentile (median {days_text(w.median)}, "
                f"{len(waits)} handoff(s)), over {target} of {days_text(limit_ns(limit))}; "
                f"{n_over} case(s) waited longer, {days_text(past)} past it in all.",
                "Find what the receiving team waits for; agree a service level for this handoff.",
                book.cases(
                    over,
                    p50=days_text(w.median),
                    p90=days_text(w.p90),
                    max=days_text(w.max),
                    limit=days_text(limit_ns(limit)),
                    ctq=ctq.id if ctq is not None else None,
                    handoffs=len(waits),
                    days_over_limit=round(past / 86_400e9, 3),
                    sender=[_label(model, f, x) for x in seen_from],
                    receiver=[_label(model, f, y) for y in seen_to],
                ),
            )
        )
    return out


def _names(model: Any, nodes: set[str]) -> str:
    return " or ".join(repr(model.node_by_id[n].label) for n in sorted(nodes))
