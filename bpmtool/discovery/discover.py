"""As-is discovery: a swimlane model of what really happens, from an event log alone.

1. :func:`~bpmtool.discovery.log_facts.facts_of_counts` gives each activity the lane that
   does most of its work (with that lane's share), orders the lanes, keeps the most
   frequent activities (the activities slider) and the variants over them.
2. pm4py's inductive miner turns those variants into a process tree (the paths slider is
   its noise threshold); :mod:`~bpmtool.discovery.tree_model` turns the tree into
   activities, gateways and flows (:func:`build_model`).
3. The log, mapped onto the new model, gives every flow and box its numbers
   (:mod:`bpmtool.mining.flow_numbers`) and the observed handoffs with their count and
   median/p90 wait (:func:`~bpmtool.mining.handoffs.judge_handoffs`), whose findings — an
   activity done by several lanes, for one — join the model's own lint (:func:`judge_model`).

Steps 1 and 3 start from facts gathered piece by piece and merged exactly
(:mod:`bpmtool.discovery.pieces`): a partitioned log's partitions, or a whole log as one
piece, so both give the same model and numbers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bpmtool.discovery.log_facts import ActivityFacts, LogFacts
from bpmtool.discovery.tree_model import TreeGraph, mine_tree, tree_graph
from bpmtool.findings import Finding
from bpmtool.graph import ProcessGraph
from bpmtool.mining.flow_numbers import FlowFacts, FlowNumbers, numbers_of_facts
from bpmtool.mining.handoff_events import days_text
from bpmtool.mining.handoffs import HandoffStats
from bpmtool.model import Model

if TYPE_CHECKING:
    import pandas as pd

    from bpmtool.errors import Problem
    from bpmtool.mining.check_facts import CheckFacts
    from bpmtool.mining.log_filter import FilterOutcome
    from bpmtool.sipoc import Sipoc

__all__ = ["Discovery", "build_model", "discover_model", "judge_model"]

_ELEMENT = {
    "start": "startEvent",
    "end": "endEvent",
    "exclusive": "exclusiveGateway",
    "parallel": "parallelGateway",
    "inclusive": "inclusiveGateway",
}


@dataclass
class Discovery:
    """A discovered as-is model and what the log says about each of its parts."""

    model: Model
    activities: list[ActivityFacts]
    numbers: FlowNumbers
    handoffs: list[HandoffStats]
    #: the log's findings about the discovered model (SHARED-ACTIVITY and the like);
    #: the API adds the model's lint
    findings: list[Finding]
    lane_source: str
    cases: int
    events: int
    variants: int
    activities_share: float
    paths_share: float
    #: suppliers and customers of each activity and lane, from the lanes before and after
    sipoc: Sipoc | None = None
    #: what the log reader found or assumed (the API fills it in)
    notes: list[Problem] = field(default_factory=list)
    #: what a filter kept, when the cases were filtered first (the API fills it in)
    filtered: FilterOutcome | None = None

    def flows(self) -> list[dict[str, Any]]:
        """Each flow with the cases that walked it, the times walked and the median time."""
        model, n = self.model, self.numbers
        return [
            {
                "source": f.source,
                "target": f.target,
                "cases": n.flow_cases[i],
                "times": n.flow_times[i],
                "median_time": days_text(n.flow_median_ns[i]),
            }
            for i, f in enumerate(model.flows)
        ]

    def shares(self) -> dict[str, float]:
        """Node id → the share of the activity's events done by the lane it stands in."""
        by_label = {a.label: a for a in self.activities}
        return {
            n.id: by_label[n.label].share
            for n in self.model.activities()
            if n.label in by_label and by_label[n.label].lanes
        }

    def to_dict(self) -> dict[str, Any]:
        kept = [a for a in self.activities if a.kept]
        return {
            "model_id": self.model.id,
            "cases": self.cases,
            "events": self.events,
            "variants": self.variants,
            "lane_source": self.lane_source,
            "filter": {
                "activities": self.activities_share,
                "paths": self.paths_share,
                "activities_kept": len(kept),
                "activities_total": len(self.activities),
            },
            "lanes": [{"id": lane.id, "name": lane.label} for lane in self.model.lanes],
            "model": self.model.model_dump(by_alias=True, exclude_defaults=True, mode="json"),
            "activities": [
                {
                    **a.to_dict(),
                    "median_time": days_text(
                        self.numbers.node_median_ns.get(_node_of(self.model, a.label) or "")
                    ),
                }
                for a in self.activities
            ],
            "flows": self.flows(),
            "handoffs": [h.to_dict() for h in self.handoffs],
            "findings": [f.to_dict() for f in self.findings],
            "sipoc": self.sipoc.to_dict() if self.sipoc is not None else None,
            "notes": [n.to_dict() for n in self.notes],
            "filtered": self.filtered.to_dict() if self.filtered is not None else None,
        }


def _node_of(model: Model, label: str) -> str | None:
    for node in model.nodes:
        if node.is_activity and node.label == label:
            return node.id
    return None


def discover_model(
    df: pd.DataFrame,
    *,
    activities: float = 1.0,
    paths: float = 1.0,
    lane_pairs: list[tuple[int, str, str]] | None = None,
    model_id: str = "as-is",
    name: str = "",
    filename: str = "the log",
) -> Discovery:
    """Discover the as-is swimlane model of a log sorted by case and time.

    ``activities`` keeps that share of the distinct activities, the ones in most cases
    first; ``paths`` keeps the paths at least ``1 - paths`` as frequent as the most frequent
    path out of the same activity (the inductive miner's noise threshold); both in (0, 1].
    ``lane_pairs`` are ``(line, resource, lane)`` rows of a resource → lane map.  The log
    is one piece of :func:`~bpmtool.discovery.pieces.discover_pieces`: a partitioned log
    goes the same way, piece by piece.
    """
    from bpmtool.discovery.pieces import WholeLog, discover_pieces

    return discover_pieces(
        WholeLog(df),
        activities=activities,
        paths=paths,
        lane_pairs=lane_pairs,
        model_id=model_id,
        name=name,
        filename=filename,
    )


def build_model(facts: LogFacts, paths: float, model_id: str, name: str) -> Model:
    """The as-is model of a log's facts: the inductive miner's tree over the variants of
    the kept activities (``paths``: see :func:`discover_model`), each activity in the lane
    that does most of its events."""
    tree = mine_tree(facts.variants, max(0.0, 1.0 - paths))
    lane_ids = _ids(facts.lanes, set())
    activity_ids = _ids([a.label for a in facts.kept], {"start", "end"})
    graph = tree_graph(tree, activity_ids)
    return _model(facts, graph, lane_ids, model_id, name)


def judge_model(
    model: Model,
    facts: LogFacts,
    measured: CheckFacts,
    flows: FlowFacts,
    *,
    activities: float,
    paths: float,
) -> Discovery:
    """The discovery of ``model`` from the merged facts of the whole log: the numbers of
    every flow and box, the observed handoffs with their waits, the log's findings and the
    as-is SIPOC."""
    from bpmtool.discovery.as_is_sipoc import as_is_sipoc
    from bpmtool.mining.handoffs import judge_handoffs

    graph = ProcessGraph(model)
    handoffs, findings = judge_handoffs(
        graph, measured.handoffs, measured.book(), lanes_observed=True
    )
    return Discovery(
        model,
        facts.activities,
        numbers_of_facts(model, flows),
        handoffs,
        findings,
        facts.lane_source,
        facts.cases,
        facts.events,
        len(facts.variants),
        activities,
        paths,
        as_is_sipoc(model),
    )


def _ids(labels: list[str], taken: set[str]) -> dict[str, str]:
    """A readable, unique model id for each label (``Close deal`` → ``close_deal``)."""
    out: dict[str, str] = {}
    used = set(taken)
    for label in labels:
        base = re.sub(r"[^0-9a-z]+", "_", label.lower()).strip("_")[:60] or "activity"
        candidate, n = base, 1
        while candidate in used:
            n += 1
            candidate = f"{base}_{n}"
        used.add(candidate)
        out[label] = candidate
    return out


def _model(
    facts: LogFacts, graph: TreeGraph, lane_ids: dict[str, str], model_id: str, name: str
) -> Model:
    by_label = {a.label: a for a in facts.kept}
    lane_of: dict[str, str | None] = {}
    for node_id, label in graph.labels.items():
        owner = by_label[label].lane
        lane_of[node_id] = lane_ids[owner] if owner is not None else None
    _place_gateways(graph, lane_of, next(iter(lane_ids.values()), None))
    used_lanes = {lane for lane in lane_of.values() if lane}
    nodes: list[dict[str, Any]] = []
    for node_id, kind in graph.types.items():
        node: dict[str, Any] = {"id": node_id, "type": kind, "lane": lane_of.get(node_id)}
        if kind != "activity":  # drawn without a made-up name, exported as this element
            node["task_type"] = _ELEMENT[kind]
        else:
            a = by_label[graph.labels[node_id]]
            node["name"] = a.label
            node["description"] = _ownership(a)
        nodes.append(node)
    data = {
        "id": model_id,
        "name": name or "As-is process",
        "lanes": [
            {"id": lane_ids[lane], "name": lane}
            for lane in facts.lanes
            if lane_ids[lane] in used_lanes
        ],
        "nodes": nodes,
        "flows": [f"{a} -> {b}" for a, b in graph.flows],
        # a log never says what a handoff carries: the rule would flag every handoff of
        # the as-is model; the analyst turns it back on once the artifacts are written in
        "rules": {"HANDOFF-NO-ARTIFACT": "off"},
    }
    return Model.model_validate(data)


def _ownership(a: ActivityFacts) -> str:
    """Who does the activity, as the model's description says it."""
    if not a.lanes:
        return f"{a.events:,} events in {a.cases:,} cases; no lane known."
    known = sum(n for _, n in a.lanes)
    text = f"{a.lanes[0][0]} does {a.share:.0%} of its {known:,} events ({a.cases:,} cases)"
    others = [f"{lane} {n / known:.0%}" for lane, n in a.lanes[1:4]]
    return text + (f"; also {', '.join(others)}." if others else ".")


def _place_gateways(graph: TreeGraph, lane_of: dict[str, str | None], fallback: str | None) -> None:
    """A split stands in the lane of the activity before it, a join in the lane of the one
    after it; start and end events beside the first and the last activity."""
    preds: dict[str, list[str]] = defaultdict(list)
    succs: dict[str, list[str]] = defaultdict(list)
    for a, b in graph.flows:
        succs[a].append(b)
        preds[b].append(a)

    def nearest(start: str, step: dict[str, list[str]]) -> str | None:
        seen, queue = {start}, list(step[start])
        while queue:
            current = queue.pop(0)
            if current in seen:
                continue
            seen.add(current)
            if graph.types.get(current) == "activity" and lane_of.get(current):
                return lane_of[current]
            queue.extend(step[current])
        return None

    for node_id, kind in graph.types.items():
        if kind == "activity":
            continue
        joins = len(preds[node_id]) > 1 and len(succs[node_id]) <= 1
        order = (succs, preds) if kind == "start" or joins else (preds, succs)
        lane_of[node_id] = nearest(node_id, order[0]) or nearest(node_id, order[1]) or fallback
