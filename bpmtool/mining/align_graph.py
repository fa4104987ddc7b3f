"""Exact alignments of all variants in one walk over their prefix tree, on the net's
reachability graph.

When the net's reachable markings are few (a model discovered by the inductive miner from
BPI Challenge 2012 has 821, for 58 places and 83 transitions, 60 of them silent), the
alignment problem of a trace is a shortest path in the product of that graph and the trace:

* the cheapest way from any marking to any other through model moves alone (a silent
  transition costs 1, a visible one 10,000: pm4py's standard costs) is computed once per
  net, for all pairs of markings (``scipy``'s Dijkstra on the graph);
* after ``i`` events, a vector holds the cheapest cost of reaching each marking; the next
  event ``a`` is either a log move (every entry + 10,000) or a synchronous move on an edge
  labelled ``a`` (cost 0) followed by any model moves — the minimum over the edges' target
  rows of the all-pairs table;
* the vector after a prefix depends on the prefix alone, so variants sharing a prefix share
  its vectors: one vector per node of the variants' prefix tree (37,749 for the 4,336
  variants of BPI Challenge 2012, instead of their 109,975 events).

The cost at the final marking after the last event is the optimal alignment cost with pm4py's
standard cost function, so fitness equals pm4py's exact alignments'.  The moves are read
back from the vectors of the path (synchronous moves first where two optimal alignments tie),
so where several alignments are optimal the model and log moves may be another optimal set
than pm4py's search happens to return; the cost is the same.

The graph is built only up to a number of markings derived from a byte budget
(:func:`graph_limit`): the all-pairs table takes 12 bytes per pair of markings.  Larger
graphs (concurrency: SEPSIS's discovered model has 51,250 markings) are left to pm4py's
searches (:mod:`bpmtool.mining.alignments`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

__all__ = ["MarkingGraph", "align_tree", "graph_limit", "marking_graph"]

#: pm4py's standard cost of a log move or a model move on a visible transition
MOVE = 10000
#: bytes per pair of markings: the distance (float64) and the predecessor (int32)
_PAIR_BYTES = 12


def graph_limit(memory_bytes: int) -> int:
    """How many markings the graph may have within ``memory_bytes``."""
    return math.isqrt(max(memory_bytes, 0) // _PAIR_BYTES)


@dataclass
class MarkingGraph:
    """A net's reachability graph, its all-pairs model-move costs and its labelled edges."""

    size: int
    initial: int
    final: int
    #: distance[u, v]: the cheapest model moves from marking u to v (inf: unreachable)
    distance: Any
    #: predecessor[u, v]: the marking before v on that cheapest path from u (-9999: none)
    predecessor: Any
    #: the cheapest edge between two markings: its cost and its label (None: silent)
    step: dict[tuple[int, int], tuple[int, str | None]]
    #: per label: the edges carrying it, as arrays (sources, targets)
    synchronous: dict[str, tuple[Any, Any]]


def marking_graph(net: Any, initial: Any, final: Any, limit: int) -> MarkingGraph | None:
    """The reachability graph of ``net`` from ``initial``, or ``None`` when it has more than
    ``limit`` markings (or does not reach ``final``)."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    places = sorted(net.places, key=lambda p: p.name)
    where = {p: i for i, p in enumerate(places)}
    moves: list[tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...], str | None]] = []
    for t in sorted(net.transitions, key=lambda t: t.name):
        take = tuple((where[a.source], a.weight) for a in t.in_arcs)
        give = tuple((where[a.target], a.weight) for a in t.out_arcs)
        moves.append((take, give, t.label))

    def encode(marking: Any) -> tuple[int, ...]:
        m = [0] * len(places)
        for p, n in marking.items():
            m[where[p]] = n
        return tuple(m)

    # the transitions each place feeds, so a marking only tries what its tokens may enable
    feeds: list[list[int]] = [[] for _ in places]
    free = []
    for k, (take, _, _) in enumerate(moves):
        for p, _w in take:
            feeds[p].append(k)
        if not take:
            free.append(k)

    def successors(m: tuple[int, ...]) -> Iterable[tuple[tuple[int, ...], str | None]]:
        tried = set(free)
        for p, tokens in enumerate(m):
            if tokens:
                tried.update(feeds[p])
        for k in sorted(tried):
            take, give, label = moves[k]
            if any(m[p] < w for p, w in take):
                continue
            n = list(m)
            for p, w in take:
                n[p] -= w
            for p, w in give:
                n[p] += w
            yield tuple(n), label

    start, end = encode(initial), encode(final)
    index = {start: 0}
    order = [start]
    step: dict[tuple[int, int], tuple[int, str | None]] = {}
    synchronous: dict[str, tuple[list[int], list[int]]] = {}
    todo = [start]
    while todo:
        m = todo.pop()
        u = index[m]
        for key, label in successors(m):
            v = index.get(key)
            if v is None:
                if len(order) >= limit:
                    return None
                v = index[key] = len(order)
                order.append(key)
                todo.append(key)
            cost = 1 if label is None else MOVE
            known = step.get((u, v))
            if known is None or cost < known[0]:
                step[(u, v)] = (cost, label)
            if label is not None:  # every labelled edge, not only the cheapest
                src, dst = synchronous.setdefault(label, ([], []))
                src.append(u)
                dst.append(v)
    target = index.get(end)
    if target is None:
        return None
    size = len(order)
    pairs = sorted(step)
    rows = np.array([u for u, _ in pairs], dtype=np.int32)
    cols = np.array([v for _, v in pairs], dtype=np.int32)
    weights = np.array([step[p][0] for p in pairs], dtype=np.float64)
    matrix = csr_matrix((weights, (rows, cols)), shape=(size, size))
    distance, predecessor = dijkstra(matrix, directed=True, return_predecessors=True)
    return MarkingGraph(
        size,
        0,
        target,
        distance,
        predecessor.astype(np.int32),
        step,
        {
            a: (np.array(s, dtype=np.int64), np.array(d, dtype=np.int64))
            for a, (s, d) in synchronous.items()
        },
    )


@dataclass(frozen=True, slots=True)
class GraphAlignment:
    """One variant's optimal alignment: its cost and the labels of its model and log moves."""

    cost: int
    skipped: tuple[str, ...]
    inserted: tuple[str, ...]


def align_tree(
    graph: MarkingGraph,
    sequences: Iterable[tuple[str, ...]],
    *,
    stop: Callable[[], bool] | None = None,
    done: Callable[[tuple[str, ...], GraphAlignment], None] | None = None,
) -> dict[tuple[str, ...], GraphAlignment]:
    """Align every sequence, one vector per distinct prefix; ``stop`` is asked before each
    prefix (the walk ends when it says so, the rest unaligned), ``done`` is told each
    alignment as it is found."""
    import numpy as np

    wanted = set(sequences)
    children: dict[tuple[str, ...], set[str]] = {}
    for seq in wanted:
        for i in range(len(seq)):
            children.setdefault(seq[:i], set()).add(seq[i])
    empty = (np.array([], dtype=np.int64), np.array([], dtype=np.int64))
    out: dict[tuple[str, ...], GraphAlignment] = {}
    # the vectors along the current path: path[i] after i events
    path: list[Any] = []
    stack: list[tuple[str, ...]] = [()]
    while stack:
        if stop is not None and stop():
            break
        prefix = stack.pop()
        depth = len(prefix)
        del path[depth:]
        if depth == 0:
            vector = graph.distance[graph.initial].copy()
        else:
            before = path[depth - 1]
            vector = before + MOVE
            src, dst = graph.synchronous.get(prefix[-1], empty)
            if len(src):
                reach = before[src]
                live = np.isfinite(reach)
                if live.any():
                    closure = (graph.distance[dst[live]] + reach[live][:, None]).min(axis=0)
                    np.minimum(vector, closure, out=vector)
        path.append(vector)
        if prefix in wanted:
            found = _read_back(graph, prefix, path)
            if found is not None:
                out[prefix] = found
                if done is not None:
                    done(prefix, found)
        stack.extend((*prefix, a) for a in sorted(children.get(prefix, ()), reverse=True))
    return out


def _read_back(
    graph: MarkingGraph, labels: tuple[str, ...], path: list[Any]
) -> GraphAlignment | None:
    """The moves of an optimal alignment of ``labels``, read back from its vectors."""
    import numpy as np

    cost = path[len(labels)][graph.final]
    if not np.isfinite(cost):
        return None
    skipped: list[str] = []
    inserted: list[str] = []
    at, value = graph.final, cost
    for i in range(len(labels), 0, -1):
        before = path[i - 1]
        src, dst = graph.synchronous.get(labels[i - 1], (None, None))
        came = None
        if src is not None and len(src):
            through = before[src] + graph.distance[dst, at]
            hits = np.flatnonzero(through == value)
            if len(hits):
                came = int(hits[0])
        if came is None:  # a log move: same marking, one event back
            inserted.append(labels[i - 1])
            value -= MOVE
            continue
        _model_moves(graph, int(dst[came]), at, skipped)
        at = int(src[came])
        value = before[at]
    _model_moves(graph, graph.initial, at, skipped)
    skipped.reverse()
    inserted.reverse()
    return GraphAlignment(int(cost), tuple(skipped), tuple(inserted))


def _model_moves(graph: MarkingGraph, source: int, target: int, into: list[str]) -> None:
    """Append (in reverse) the visible labels on the cheapest path from ``source`` to
    ``target``."""
    at = target
    while at != source:
        before = int(graph.predecessor[source, at])
        label = graph.step[(before, at)][1]
        if label is not None:
            into.append(label)
        at = before
