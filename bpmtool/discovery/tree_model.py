"""From variants to a process tree (pm4py's inductive miner) to our nodes and flows.

The tree's operators become gateways: a choice (``X``) an exclusive split and join, a
parallel block (``+``, and interleaving ``<>``) a parallel split and join, an ``O`` an
inclusive pair, and a loop (``*``) an exclusive join before its body and an exclusive split
after it with the way back.  A silent step (tau) becomes a flow that skips.  Gateways with
one way in and one way out are left out, so the drawing shows only real choices.
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from bpmtool.mining.conformance import quiet_pm4py

__all__ = ["TreeGraph", "mine_tree", "tree_graph"]

_GATEWAY = {"X": "exclusive", "+": "parallel", "<>": "parallel", "O": "inclusive"}


def mine_tree(variants: Counter[tuple[str, ...]], noise: float) -> Any:
    """pm4py's inductive miner on variants (activity labels, with their case counts);
    ``noise`` > 0 is the infrequent variant (IMf) with that noise threshold."""
    with quiet_pm4py():
        from pm4py.algo.discovery.inductive.dtypes.im_ds import IMDataStructureUVCL
        from pm4py.algo.discovery.inductive.variants.im import IMUVCL
        from pm4py.algo.discovery.inductive.variants.imf import IMFUVCL
        from pm4py.objects.process_tree.utils import generic as pt_util

        parameters = {"noise_threshold": noise}
        miner = IMFUVCL(parameters) if noise > 0 else IMUVCL(parameters)
        tree = miner.apply(IMDataStructureUVCL(variants), parameters)
        tree = pt_util.fold(tree)
        pt_util.tree_sort(tree)
    return tree


@dataclass
class TreeGraph:
    """Nodes (id → type, activity label for activities) and flows of a mined tree."""

    types: dict[str, str] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    flows: list[tuple[str, str]] = field(default_factory=list)

    def add(self, kind: str) -> str:
        prefix = {"exclusive": "xor", "parallel": "and", "inclusive": "or"}.get(kind, kind)
        number = sum(1 for t in self.types.values() if t == kind) + 1
        node_id = kind if kind in ("start", "end") else f"{prefix}{number}"
        while node_id in self.types:  # an activity took the name
            number += 1
            node_id = f"{prefix}{number}"
        self.types[node_id] = kind
        return node_id

    def link(self, a: str, b: str) -> None:
        if (a, b) not in self.flows:
            self.flows.append((a, b))


def tree_graph(tree: Any, activity_ids: dict[str, str]) -> TreeGraph:
    """The tree as a graph from a start event to an end event; ``activity_ids`` names the
    node id of each activity label."""
    graph = TreeGraph()
    for label, node_id in activity_ids.items():
        graph.types[node_id] = "activity"
        graph.labels[node_id] = label
    start = graph.add("start")
    ends = _fragment(tree, graph, activity_ids)
    end = graph.add("end")
    if ends is None:
        graph.link(start, end)
    else:
        graph.link(start, ends[0])
        graph.link(ends[1], end)
    _drop_pass_through(graph)
    used = {n for flow in graph.flows for n in flow}
    for node_id in [n for n in graph.types if n not in used]:
        del graph.types[node_id]
        graph.labels.pop(node_id, None)
    return graph


def _fragment(tree: Any, graph: TreeGraph, ids: dict[str, str]) -> tuple[str, str] | None:
    """(entry, exit) node of a subtree, or None for a silent one."""
    op = tree.operator.value if tree.operator is not None else None
    if op is None:
        if tree.label is None:
            return None
        node_id = ids[str(tree.label)]
        return node_id, node_id
    parts = [_fragment(child, graph, ids) for child in tree.children]
    if op == "->":
        known = [p for p in parts if p is not None]
        if not known:
            return None
        for (_, a), (b, _) in itertools.pairwise(known):
            graph.link(a, b)
        return known[0][0], known[-1][1]
    if op == "*":
        join, split = graph.add("exclusive"), graph.add("exclusive")
        body = parts[0]
        if body is None:
            graph.link(join, split)
        else:
            graph.link(join, body[0])
            graph.link(body[1], split)
        for redo in parts[1:]:
            if redo is None:
                graph.link(split, join)
            else:
                graph.link(split, redo[0])
                graph.link(redo[1], join)
        return join, split
    kind = _GATEWAY.get(op, "exclusive")
    split, join = graph.add(kind), graph.add(kind)
    for part in parts:
        if part is None:
            graph.link(split, join)
        else:
            graph.link(split, part[0])
            graph.link(part[1], join)
    return split, join


def _drop_pass_through(graph: TreeGraph) -> None:
    """Leave out gateways with one way in and one way out (joined straight through)."""
    changed = True
    while changed:
        changed = False
        ins: dict[str, list[str]] = defaultdict(list)
        outs: dict[str, list[str]] = defaultdict(list)
        for a, b in graph.flows:
            outs[a].append(b)
            ins[b].append(a)
        for node_id, kind in graph.types.items():
            if kind in ("activity", "start", "end"):
                continue
            if len(ins[node_id]) == 1 and len(outs[node_id]) == 1:
                a, b = ins[node_id][0], outs[node_id][0]
                graph.flows = [f for f in graph.flows if node_id not in f]
                if a != node_id and b != node_id:
                    graph.link(a, b)
                changed = True
                break
