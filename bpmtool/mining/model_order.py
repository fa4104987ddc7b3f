"""Which activities of a model can follow one another, for reading a log against it.

``follows_pairs``: y can come right after x through gateways and events only.
``concurrent_pairs``: x and y stand on different branches of one parallel split, so
either can come right after the other when the branches interleave.
"""

from __future__ import annotations

from collections import deque

from bpmtool.graph import ProcessGraph

__all__ = ["concurrent_pairs", "final_activities", "follows_pairs"]


def follows_pairs(graph: ProcessGraph) -> set[tuple[str, str]]:
    """(x, y) where activity y can directly follow activity x in a run of the model."""
    pairs: set[tuple[str, str]] = set()
    for node in graph.model.activities():
        for nxt in _next_activities(graph, node.id):
            pairs.add((node.id, nxt))
    return pairs


def _next_activities(graph: ProcessGraph, start: str) -> set[str]:
    nodes = graph.model.node_by_id
    found: set[str] = set()
    seen = {start}
    queue = deque(graph.graph.successors(start))
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        if nodes[current].is_activity:
            found.add(current)
        else:
            queue.extend(graph.graph.successors(current))
    return found


def concurrent_pairs(graph: ProcessGraph) -> set[tuple[str, str]]:
    """(x, y) of activities on different branches of the same parallel or inclusive split."""
    g = graph.graph
    nodes = graph.model.node_by_id
    pairs: set[tuple[str, str]] = set()
    for split in graph.model.nodes:
        if split.type not in ("parallel", "inclusive") or g.out_degree(split.id) < 2:
            continue
        reach = [_reachable(graph, s) for s in sorted(g.successors(split.id))]
        common = set.intersection(*reach) if reach else set()
        branches = [{n for n in r - common if nodes[n].is_activity} for r in reach]
        for i, a in enumerate(branches):
            for b in branches[i + 1 :]:
                for x in a:
                    for y in b:
                        pairs.add((x, y))
                        pairs.add((y, x))
    return pairs


def _reachable(graph: ProcessGraph, start: str) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in graph.graph.successors(queue.popleft()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def final_activities(graph: ProcessGraph) -> set[str]:
    """Activities after which a run can end through gateways and events only."""
    nodes = graph.model.node_by_id
    ends = set(graph.ends)
    out = set()
    for node in graph.model.activities():
        seen = {node.id}
        queue = deque(graph.graph.successors(node.id))
        if node.id in ends or graph.graph.out_degree(node.id) == 0:
            out.add(node.id)
            continue
        while queue:
            current = queue.popleft()
            if current in seen or nodes[current].is_activity:
                continue
            seen.add(current)
            if current in ends:
                out.add(node.id)
                break
            queue.extend(graph.graph.successors(current))
    return out
