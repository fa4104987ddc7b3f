"""How often each modelled flow was walked in the log: the widths of the conformance overlay.

Two consecutive events of a case, both mapped to model nodes, walked every flow on the
model's paths between those nodes that pass only through gateways and events (an
activity → gateway → activity step walks both flows).  Counts come from the variants and
their case counts, so the work follows the number of variants, not of events.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from itertools import pairwise

from bpmtool.model import Model

__all__ = ["flow_counts", "paths_between", "walk_counts", "walked_flows"]


def _paths(model: Model) -> dict[str, dict[str, set[int]]]:
    """For every node: the nodes reachable through gateways/events only, and the flows used."""
    out_flows: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(model.flows):
        out_flows[f.source].append(i)
    by_id = model.node_by_id
    result: dict[str, dict[str, set[int]]] = {}
    for start in by_id:
        reach: dict[str, set[int]] = defaultdict(set)
        # flows on the way to each silent node, found breadth-first
        seen: dict[str, set[int]] = {start: set()}
        queue = [start]
        while queue:
            node = queue.pop(0)
            for i in out_flows[node]:
                target = model.flows[i].target
                used = seen[node] | {i}
                reach[target] |= used
                t = by_id.get(target)
                if t is not None and not t.is_activity and target not in seen:
                    seen[target] = used
                    queue.append(target)
        result[start] = dict(reach)
    return result


def paths_between(model: Model) -> dict[str, dict[str, set[int]]]:
    """node → next node reached through gateways and events only → the flows on the way."""
    return _paths(model)


def flow_counts(model: Model, walks: Iterable[tuple[tuple[str | None, ...], int]]) -> list[int]:
    """Times each flow of ``model.flows`` was walked, from ``walks``: (node ids of a case's
    events in order — ``None`` for events the model does not know —, number of cases).
    A case also walks the flows from a start event to its first node, and from its last
    node to an end event."""
    return walk_counts(model, walks)[0]


def walk_counts(
    model: Model, walks: Iterable[tuple[tuple[str | None, ...], int]]
) -> tuple[list[int], list[int]]:
    """(times walked, cases that walked it) for each flow of ``model.flows``; the times are
    :func:`flow_counts`'s, the cases count each of ``walks``' cases once per flow it used."""
    walk = _walker(model)
    times = [0] * len(model.flows)
    cases = [0] * len(model.flows)
    for nodes, count in walks:
        for i, n in enumerate(walk(nodes)):
            if n:
                times[i] += n * count
                cases[i] += count
    return times, cases


def walked_flows(model: Model, walks: Iterable[tuple[str | None, ...]]) -> list[list[int]]:
    """For each walk (node ids of a variant's events), the flows of ``model.flows`` it
    walked, as :func:`walk_counts` counts them: a flow's cases are the cases of the walks
    that list it."""
    walk = _walker(model)
    return [[i for i, n in enumerate(walk(nodes)) if n] for nodes in walks]


def _walker(model: Model) -> Callable[[tuple[str | None, ...]], list[int]]:
    """How often one case (its node ids) walked each flow of ``model.flows``."""
    paths = _paths(model)
    starts = [n.id for n in model.nodes if n.type == "start"]
    ends = {n.id for n in model.nodes if n.type == "end"}
    incoming: Counter[str] = Counter(f.target for f in model.flows)
    outgoing: Counter[str] = Counter(f.source for f in model.flows)
    by_id = model.node_by_id
    # Consecutive events from two parallel branches walk no flow between them, so a flow
    # into an activity that has no other way in is walked as often as the activity
    # happened (and likewise out of one with no other way out).
    sole: list[tuple[int, str]] = []
    for i, f in enumerate(model.flows):
        into, out_of = by_id.get(f.target), by_id.get(f.source)
        if into is not None and into.is_activity and incoming[f.target] == 1:
            sole.append((i, f.target))
        elif out_of is not None and out_of.is_activity and outgoing[f.source] == 1:
            sole.append((i, f.source))

    def walk(nodes: tuple[str | None, ...]) -> list[int]:
        walked = _walk(nodes, paths, starts, ends, len(model.flows))
        happened = Counter(node for node in nodes if node is not None)
        for i, node in sole:
            walked[i] = happened[node]
        return walked

    return walk


def _walk(
    nodes: tuple[str | None, ...],
    paths: dict[str, dict[str, set[int]]],
    starts: list[str],
    ends: set[str],
    n_flows: int,
) -> list[int]:
    """How often one case walked each flow through its consecutive pairs of known nodes."""
    steps: Counter[tuple[str, str]] = Counter()
    known = [node for node in nodes if node is not None]
    for a, b in pairwise(nodes):
        if a is not None and b is not None:
            steps[(a, b)] += 1
    if known:
        for first in starts:
            steps[(first, known[0])] += 1
        for e in ends:
            steps[(known[-1], e)] += 1
    counts = [0] * n_flows
    for (a, b), n in steps.items():
        if a in ends or b in starts:
            continue
        for i in paths.get(a, {}).get(b, ()):
            counts[i] += n
    return counts
