"""The model as a graph: handoffs, reachability and the cycles that cross lanes.

:class:`ProcessGraph` wraps a :class:`~bpmtool.model.Model` and its
``networkx.DiGraph`` view and caches what several rules need.  All the
algorithms are linear or near-linear in the size of the model (strongly
connected components, BFS), never an enumeration of simple paths or cycles.

>>> from bpmtool.model import Model
>>> m = Model.model_validate({"id": "t", "lanes": [{"id": "a"}, {"id": "b"}],
...     "nodes": [{"id": "s", "type": "start", "lane": "a"}, {"id": "x", "lane": "b"}],
...     "flows": ["s -> x"]})
>>> [(h.source_lane, h.target_lane) for h in ProcessGraph(m).handoffs()]
[('a', 'b')]
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import networkx as nx

from bpmtool.model import Flow, Model

__all__ = ["Handoff", "LaneCycle", "ProcessGraph", "compensation_hosts", "to_graph"]


@dataclass(frozen=True)
class Handoff:
    """A flow whose two ends stand in different lanes: work changes hands there."""

    source: str
    target: str
    source_lane: str
    target_lane: str
    artifact: str | None
    flow: str  # the flow's key
    kind: str = "sequence"

    def to_dict(self) -> dict[str, str | None]:
        return {
            "flow": self.flow,
            "source": self.source,
            "target": self.target,
            "source_lane": self.source_lane,
            "target_lane": self.target_lane,
            "artifact": self.artifact,
            "kind": self.kind,
        }


@dataclass(frozen=True)
class LaneCycle:
    """A loop in the flow that passes through more than one lane (work bounces back)."""

    nodes: tuple[str, ...]
    lanes: tuple[str, ...]
    handoffs: tuple[Handoff, ...]


def to_graph(model: Model) -> nx.DiGraph:
    """The model as a ``networkx.DiGraph`` with node and edge attributes.

    Nodes carry ``type``, ``lane``, ``label``; edges carry ``key``, ``artifact``,
    ``condition``, ``kind`` and ``handoff`` (True across lanes).  A boundary event
    gets an edge of kind ``attachment`` from its host activity, a node BPMN starts without
    a flow (``triggered_by``) one of kind ``trigger``.  Where two flows
    join the same pair of nodes, the edge keeps the first and counts ``flows``.
    """
    graph = nx.DiGraph(id=model.id, name=model.label)
    for node in model.nodes:
        graph.add_node(node.id, type=node.type, lane=node.lane or "", label=node.label)
    for node in model.nodes:
        # a boundary event is reached through the activity it is attached to; an event
        # sub-process, a compensation handler is started by BPMN, not by a flow
        for via, kind in ((node.attached_to, "attachment"), (node.triggered_by, "trigger")):
            if via and via in graph:
                graph.add_edge(
                    via,
                    node.id,
                    key=f"{via}~{node.id}",
                    artifact="",
                    condition="",
                    kind=kind,
                    handoff=False,
                    flows=0,
                )
    for flow in model.flows:
        if graph.has_edge(flow.source, flow.target):
            graph.edges[flow.source, flow.target]["flows"] += 1
            continue
        graph.add_edge(
            flow.source,
            flow.target,
            key=flow.key,
            artifact=flow.artifact or "",
            condition=flow.condition or "",
            kind=flow.kind,
            handoff=_crosses(model, flow),
            flows=1,
        )
    return graph


def _crosses(model: Model, flow: Flow) -> bool:
    a, b = model.lane_of(flow.source), model.lane_of(flow.target)
    return a is not None and b is not None and a != b


class ProcessGraph:
    """A model together with its graph and the derived facts rules share."""

    def __init__(self, model: Model) -> None:
        self.model = model

    @cached_property
    def graph(self) -> nx.DiGraph:
        return to_graph(self.model)

    # -- handoffs -----------------------------------------------------------

    def handoffs(self) -> list[Handoff]:
        """Every flow that crosses lanes, in model order."""
        return self._handoffs

    @cached_property
    def _handoffs(self) -> list[Handoff]:
        out = []
        for flow in self.model.flows:
            a, b = self.model.lane_of(flow.source), self.model.lane_of(flow.target)
            if a is not None and b is not None and a != b:
                out.append(
                    Handoff(flow.source, flow.target, a, b, flow.artifact, flow.key, flow.kind)
                )
        return out

    def handoff_matrix(self) -> dict[str, dict[str, list[Handoff]]]:
        """``matrix[from_lane][to_lane]`` → the handoffs between them (every lane, both axes)."""
        lanes = [lane.id for lane in self.model.lanes]
        matrix: dict[str, dict[str, list[Handoff]]] = {a: {b: [] for b in lanes} for a in lanes}
        for h in self.handoffs():
            matrix.setdefault(h.source_lane, {}).setdefault(h.target_lane, []).append(h)
        return matrix

    # -- starts, ends, reachability -----------------------------------------

    @cached_property
    def starts(self) -> list[str]:
        """Start events, or where there are none, nodes without incoming flow."""
        declared = [n.id for n in self.model.nodes if n.type == "start"]
        return declared or [n for n in self.graph if self.graph.in_degree(n) == 0]

    @cached_property
    def ends(self) -> list[str]:
        """End events, or where there are none, nodes without outgoing flow; with either,
        compensation that has no flow onwards (BPMN returns from it to where it was
        thrown, so it is no dead end)."""
        declared = [n.id for n in self.model.nodes if n.type == "end"]
        ends = declared or [n for n in self.graph if self.graph.out_degree(n) == 0]
        return ends + [
            n for n in self._compensation if n not in ends and self.graph.out_degree(n) == 0
        ]

    @cached_property
    def _compensation(self) -> list[str]:
        return list(compensation_hosts(self.model))

    @cached_property
    def reachable(self) -> set[str]:
        """Nodes some start can reach (the starts included)."""
        return _bfs(self.graph.successors, self.starts)

    @cached_property
    def reaching_end(self) -> set[str]:
        """Nodes from which some end can be reached (the ends included)."""
        return _bfs(self.graph.predecessors, self.ends)

    @cached_property
    def flow_order(self) -> list[str]:
        """Every node once, in the order work reaches it (breadth-first from the starts,
        ties in model order); nodes no start reaches follow in model order."""
        index = {n.id: i for i, n in enumerate(self.model.nodes)}
        seen: dict[str, None] = dict.fromkeys(sorted(self.starts, key=index.__getitem__))
        frontier = list(seen)
        while frontier:
            nxt: list[str] = []
            for node in frontier:
                for succ in sorted(self.graph.successors(node), key=index.__getitem__):
                    if succ not in seen:
                        seen[succ] = None
                        nxt.append(succ)
            frontier = nxt
        seen.update(dict.fromkeys(n.id for n in self.model.nodes))
        return list(seen)

    # -- activities on each side of a flow ----------------------------------

    def sending_activities(self, node_id: str) -> set[str]:
        """The activities that hand over at ``node_id``: itself, or the nearest ones upstream
        through gateways and events."""
        return self._nearest_activities(node_id, self.graph.predecessors)

    def receiving_activities(self, node_id: str) -> set[str]:
        """The activities that receive at ``node_id``: itself, or the nearest downstream."""
        return self._nearest_activities(node_id, self.graph.successors)

    def _nearest_activities(self, node_id: str, step: object) -> set[str]:
        nodes = self.model.node_by_id
        if nodes[node_id].is_activity:
            return {node_id}
        found: set[str] = set()
        seen = {node_id}
        queue = deque([node_id])
        while queue:
            for nxt in step(queue.popleft()):  # type: ignore[operator]
                if nxt in seen:
                    continue
                seen.add(nxt)
                if nodes[nxt].is_activity:
                    found.add(nxt)
                else:
                    queue.append(nxt)
        return found

    # -- cycles --------------------------------------------------------------

    def lane_cycles(self) -> list[LaneCycle]:
        """Strongly connected parts of the flow that span two or more lanes.

        One entry per strongly connected component (not per simple cycle), so
        the cost stays linear in the size of the model.
        """
        return self._lane_cycles

    @cached_property
    def _lane_cycles(self) -> list[LaneCycle]:
        out = []
        for comp in nx.strongly_connected_components(self.graph):
            if len(comp) < 2:
                continue
            lanes = sorted({self.model.lane_of(n) or "" for n in comp} - {""})
            if len(lanes) < 2:
                continue
            inner = tuple(h for h in self.handoffs() if h.source in comp and h.target in comp)
            ordered = tuple(n.id for n in self.model.nodes if n.id in comp)
            out.append(LaneCycle(ordered, tuple(lanes), inner))
        return sorted(out, key=lambda c: c.nodes)

    def components(self) -> list[set[str]]:
        """Weakly connected components, largest first."""
        comps = list(nx.weakly_connected_components(self.graph))
        return sorted(comps, key=lambda c: (-len(c), min(c)))

    def pool_components(self) -> list[list[set[str]]]:
        """The weakly connected components of each pool's process (largest first), without
        the message flows between pools: separate pools are separate processes by design,
        so each is judged on its own.  A model without pools is one pool."""
        members: dict[str | None, list[str]] = defaultdict(list)
        for node in self.model.nodes:
            members[self.model.pool_of(node.id)].append(node.id)
        if len(members) < 2:
            return [self.components()] if self.model.nodes else []
        out = []
        for ids in members.values():
            inside = set(ids)
            sub = nx.Graph()
            sub.add_nodes_from(ids)
            sub.add_edges_from(
                (a, b)
                for a, b, kind in self.graph.edges(ids, data="kind")
                if b in inside and kind != "message"
            )
            out.append(sorted(nx.connected_components(sub), key=lambda c: (-len(c), min(c))))
        return out

    # -- lanes ---------------------------------------------------------------

    @cached_property
    def nodes_by_lane(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = defaultdict(list)
        for node in self.model.nodes:
            if node.lane:
                out[node.lane].append(node.id)
        return dict(out)


def compensation_hosts(model: Model) -> dict[str, str]:
    """Compensation boundary events and the handlers they trigger → the activity they
    compensate (BPMN returns to the flow after it, so they end no case)."""
    nodes = model.node_by_id

    def compensates(node_id: str | None) -> bool:
        node = nodes.get(node_id or "")
        return (
            node is not None
            and bool(node.attached_to)
            and "compensate" in (node.event_definition or "").split(",")
        )

    out: dict[str, str] = {}
    for n in model.nodes:
        if compensates(n.id) and n.attached_to:
            out[n.id] = n.attached_to
        elif n.triggered_by and compensates(n.triggered_by):
            out[n.id] = nodes[n.triggered_by].attached_to or ""
    return out


def _bfs(step: object, sources: Iterable[str]) -> set[str]:
    seen = set(sources)
    queue = deque(seen)
    while queue:
        for nxt in step(queue.popleft()):  # type: ignore[operator]
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
