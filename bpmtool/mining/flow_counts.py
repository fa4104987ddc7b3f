"""How often each modelled flow was walked in the log: the widths of the conformance overlay.

Two consecutive events of a case, both mapped to model nodes, walked every flow on the
model's paths between those nodes that pass only through gateways and events (an
activity → gateway → activity step walks both flows).  Counts come from the variants and
their case counts, so the work follows the number of variants, not of events.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import pairwise

from bpmtool.model import Model

__all__ = ["flow_counts"]


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


def flow_counts(model: Model, walks: Iterable[tuple[tuple[str | None, ...], int]]) -> list[int]:
    """Times each flow of ``model.flows`` was walked, from ``walks``: (node ids of a case's
    events in order — ``None`` for events the model does not know —, number of cases).
    A case also walks the flows from a start event to its first node, and from its last
    node to an end event."""
    paths = _paths(model)
    starts = [n.id for n in model.nodes if n.type == "start"]
    ends = {n.id for n in model.nodes if n.type == "end"}
    steps: Counter[tuple[str, str]] = Counter()
    happened: Counter[str] = Counter()
    for nodes, count in walks:
        known = [node for node in nodes if node is not None]
        for node in known:
            happened[node] += count
        for a, b in pairwise(nodes):
            if a is not None and b is not None:
                steps[(a, b)] += count
        if known:
            for first in starts:
                steps[(first, known[0])] += count
            for e in ends:
                steps[(known[-1], e)] += count
    counts = [0] * len(model.flows)
    for (a, b), n in steps.items():
        if a in ends or b in starts:
            continue
        for i in paths.get(a, {}).get(b, ()):
            counts[i] += n
    # Consecutive events from two parallel branches walk no flow between them, so a flow
    # into an activity that has no other way in is walked as often as the activity
    # happened (and likewise out of one with no other way out).
    incoming: Counter[str] = Counter(f.target for f in model.flows)
    outgoing: Counter[str] = Counter(f.source for f in model.flows)
    by_id = model.node_by_id
    for i, f in enumerate(model.flows):
        into, out_of = by_id.get(f.target), by_id.get(f.source)
        if into is not None and into.is_activity and incoming[f.target] == 1:
            counts[i] = happened[f.target]
        elif out_of is not None and out_of.is_activity and outgoing[f.source] == 1:
            counts[i] = happened[f.source]
    return counts
