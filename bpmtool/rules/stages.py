"""Which journey stage each node belongs to, for the rules that compare stages."""

from __future__ import annotations

from collections import deque

from bpmtool.graph import ProcessGraph

__all__ = ["stage_of_nodes"]


def stage_of_nodes(g: ProcessGraph) -> dict[str, str]:
    """Map every node to a stage: its own, or the stage of the nearest staged node before it.

    Gateways and events are rarely listed in a stage; they belong to the stage
    whose work leads into them.  Nodes in two stages keep the first.
    """
    stage_of: dict[str, str] = {}
    for stage in g.model.stages:
        for node in stage.nodes:
            stage_of.setdefault(node, stage.id)
    queue = deque(stage_of)
    while queue:
        current = queue.popleft()
        for nxt in g.graph.successors(current):
            if nxt not in stage_of:
                stage_of[nxt] = stage_of[current]
                queue.append(nxt)
    return stage_of
