"""The exact searches on the net's reachability graph, for
:func:`bpmtool.mining.alignments.align_variants`: the all-pairs table when the graph is small
(:mod:`bpmtool.mining.align_graph`), the layered search when it is larger
(:mod:`bpmtool.mining.align_layers`).  Both walk the variants' prefix tree until the total
budget is spent; the variants they did not reach are approximated, as any variant no search
finishes."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from bpmtool.mining.align_graph import MOVE
from bpmtool.mining.alignments import Aligned, AlignmentBudget, Progress, _unknown

if TYPE_CHECKING:
    from bpmtool.mining.conformance import Variant
    from bpmtool.mining.petri import WorkflowNet

__all__ = ["align_on_graph", "align_on_layers"]


def align_on_graph(
    graph: Any,
    wf: WorkflowNet,
    todo: list[Variant],
    closed: list[Variant],
    progress: Progress | None,
    budget: AlignmentBudget,
    started_cpu: float,
) -> None:
    """All variants in one walk over their prefix tree on the net's reachability graph; the
    walk stops when the total budget is spent (the variants left are approximated)."""
    from bpmtool.mining.align_graph import align_tree

    empty_cost = int(graph.distance[graph.initial, graph.final])
    _align_exactly(
        align_tree, graph, "graph", empty_cost, wf, todo, closed, progress, budget, started_cpu
    )


def align_on_layers(
    wf: WorkflowNet,
    todo: list[Variant],
    closed: list[Variant],
    progress: Progress | None,
    budget: AlignmentBudget,
    started_cpu: float,
) -> list[Variant]:
    """The variants by the layered search (:mod:`bpmtool.mining.align_layers`) when the net's
    graph fits in :attr:`AlignmentBudget.layers_mb`; the variants it leaves to pm4py's
    searches are returned: all of them when the graph does not fit, else those longer than
    the vectors that fit."""
    from bpmtool.mining.align_layers import align_layers
    from bpmtool.mining.layer_graph import depth_limit, layer_graph

    memory = int(budget.layers_mb * (1 << 20))
    graph = layer_graph(wf.net, wf.initial, wf.final, memory) if memory > 0 else None
    if graph is None:
        return todo
    deepest = depth_limit(graph, memory)
    fit = [v for v in todo if len(v.labels) <= deepest]
    empty_cost = int(graph.to_final[graph.initial])
    rest = [v for v in todo if len(v.labels) > deepest]
    _align_exactly(
        align_layers,
        graph,
        "layers",
        empty_cost,
        wf,
        fit,
        closed,
        progress,
        budget,
        started_cpu,
        later=len(rest),
    )
    return rest


def _align_exactly(
    search: Callable[..., Mapping[tuple[str, ...], Any]],
    graph: Any,
    name: str,
    empty_cost: int,
    wf: WorkflowNet,
    todo: list[Variant],
    closed: list[Variant],
    progress: Progress | None,
    budget: AlignmentBudget,
    started_cpu: float,
    later: int = 0,
) -> None:
    """``todo`` aligned by ``search`` on ``graph`` (walks over the variants' prefix tree that
    stop when the total budget is spent: the variants left are approximated); ``later``
    variants are aligned afterwards by another search (for the progress count)."""
    total = budget.total_for(len(closed))
    done = len(closed) - len(todo) - later

    def stop() -> bool:
        return time.process_time() - started_cpu > total

    def tell(_labels: tuple[str, ...], _found: object) -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, len(closed))

    found = search(graph, [v.labels for v in todo], stop=stop, done=tell)
    for v in todo:
        bwc = MOVE * len(v.labels) + empty_cost
        a = found.get(v.labels)
        v.alignment = (
            Aligned(a.cost, bwc, a.skipped, a.inserted, name)
            if a is not None
            else Aligned(0, bwc, (), _unknown(wf, v), "approximate")
        )
