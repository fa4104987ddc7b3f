"""Exact alignments on a reachability graph too large for an all-pairs table: one vector of
costs over the markings per event, each closed under model moves by a Dijkstra search.

A model the inductive miner discovers from SEPSIS has 51,250 reachable markings (Hospital
Billing's 8,406): far too many for :mod:`bpmtool.mining.align_graph`'s table of every pair of
markings, few enough to hold the graph itself — markings as numbers, the cheapest model move
between two markings as an edge of a sparse matrix, and per label the edges that carry it.
Aligning a trace is then a shortest path in the product of that graph and the trace, computed
one event at a time:

* after ``i`` events, a vector holds the cheapest cost of each marking (pm4py's standard
  costs: a synchronous move 0, a log move or a model move on a visible transition 10,000, a
  model move on a silent one 1); it is closed under model moves;
* event ``i + 1`` labelled ``a`` is either a log move — the vector + 10,000, still closed — or
  a synchronous move on an edge labelled ``a``, which seeds the edges' targets with their
  sources' costs; the seeds are closed under model moves by one Dijkstra search from a
  virtual source (``scipy.sparse.csgraph``), and the next vector is the minimum of the two;
* a seed no cheaper than the log move at its marking is dropped (the log move's vector is
  closed, so nothing it reaches could be cheaper), and a marking whose cost already exceeds
  an upper bound of every alignment still to finish from this prefix (the cheapest way to the
  final marking from this vector by model moves alone, plus a log move per event left) is
  dropped too: an optimal alignment never passes through it.

The search runs in rounds with a ceiling on the cost — no deviation (a log move or a visible
model move) and any silent moves, then at most 1, 3, 7, … deviations, then none but the upper
bound — and costs above the ceiling are dropped.  Below it every cost is exact (what is dropped
costs more, and costs only grow), so a variant whose final marking is reached within it is
aligned optimally; the others go to the next round.  On a model that fits most variants the
first round's vectors hold only the markings within reach of silent moves, and the variants
with fewer deviations are aligned first: a hard one spends only what the easier ones left.

The vector after a prefix depends on the prefix alone, so within a round the variants share
the vectors of their common prefixes: one Dijkstra search per node of their prefix tree
(6,636 for the 846 variants of SEPSIS), walked depth first, so that only the path's vectors
are held.  The cost at the final marking after the last event is the optimal alignment cost
with pm4py's costs, so the fitness is pm4py's to the last digit.  The moves are read back from
the vectors of the variant's path by the equalities that made them, trying a synchronous move
first, then a log move, then a model move, so where several alignments are optimal the moves
may be another optimal set than pm4py's search returns, at the same cost.

Memory: the graph is built within a byte budget (:mod:`bpmtool.mining.layer_graph`), and each
vector of the path takes 4 bytes per marking, so the caller leaves a variant longer than the
vectors that fit (:func:`bpmtool.mining.layer_graph.depth_limit`) to another search.  Time:
``stop`` is asked before each prefix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from bpmtool.mining.align_graph import MOVE, GraphAlignment
from bpmtool.mining.layer_graph import LayerGraph

__all__ = ["align_layers", "alignment_moves"]

#: a cost no alignment reaches: "unreachable" in the stored vectors
_NONE = 2**31 - 1


def _closure(graph: LayerGraph, seeds: Any, values: Any, limit: float) -> Any:
    """The cheapest cost of each marking reached from ``seeds`` (at ``values``) by model
    moves, up to ``limit`` (beyond: infinity)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    n, spare = graph.size, len(graph.indices) - graph.size
    graph.indptr[n + 1] = spare + len(seeds)
    graph.indices[spare : spare + len(seeds)] = seeds
    # + 1: the search would not see an edge of cost 0
    graph.weights[spare : spare + len(seeds)] = values + 1
    end = spare + len(seeds)
    matrix = csr_matrix(
        (graph.weights[:end], graph.indices[:end], graph.indptr), shape=(n + 1, n + 1)
    )
    reached = dijkstra(matrix, directed=True, indices=n, limit=limit + 1)
    return reached[:n] - 1


def _unpack(stored: Any) -> Any:
    import numpy as np

    out = stored.astype(np.float64)
    out[stored == _NONE] = np.inf
    return out


def _pack(vector: Any) -> Any:
    import numpy as np

    out = np.full(len(vector), _NONE, dtype=np.int32)
    finite = np.isfinite(vector)
    out[finite] = vector[finite]
    return out


def _first(graph: LayerGraph, bound: float) -> Any:
    """The vector of the empty prefix: model moves from the initial marking."""
    import numpy as np

    return _closure(graph, np.array([graph.initial], dtype=np.int32), np.zeros(1), bound)


def _next(graph: LayerGraph, before: Any, label: str, bound: float) -> Any:
    """The vector after one more event ``label``, from the vector ``before`` (closed)."""
    import numpy as np

    vector = before + MOVE  # a log move
    sync = graph.synchronous.get(label)
    if sync is not None:
        targets, starts, sources, _ = sync
        seeded = np.minimum.reduceat(before[sources], starts)
        useful = seeded < np.minimum(vector[targets], bound + 1)
        if useful.any():
            reached = _closure(graph, targets[useful], seeded[useful], bound)
            np.minimum(vector, reached, out=vector)
    vector[vector > bound] = np.inf
    return vector


def align_layers(
    graph: LayerGraph,
    sequences: Iterable[tuple[str, ...]],
    *,
    stop: Callable[[], bool] | None = None,
    done: Callable[[tuple[str, ...], GraphAlignment], None] | None = None,
) -> dict[tuple[str, ...], GraphAlignment]:
    """Align every sequence, in rounds of growing cost ceilings (see the module's text);
    ``stop`` is asked before each prefix (the search ends when it says so, the rest
    unaligned), ``done`` is told each alignment as it is found."""
    pending = set(sequences)
    longest = max((len(s) for s in pending), default=0)
    out: dict[tuple[str, ...], GraphAlignment] = {}
    deviations: int | None = 0
    while pending:
        ceiling = None if deviations is None else MOVE * deviations + MOVE - 1
        found, finished = _walk(graph, pending, ceiling, stop, done)
        out.update(found)
        pending.difference_update(found)
        if not finished or deviations is None:
            break
        deviations = 2 * deviations + 1
        if MOVE * deviations >= graph.to_final[graph.initial] + MOVE * longest:
            deviations = None
    return out


def _walk(
    graph: LayerGraph,
    wanted: set[tuple[str, ...]],
    ceiling: float | None,
    stop: Callable[[], bool] | None,
    done: Callable[[tuple[str, ...], GraphAlignment], None] | None,
) -> tuple[dict[tuple[str, ...], GraphAlignment], bool]:
    """One walk over the prefix tree of ``wanted``, one vector per distinct prefix (depth
    first, so only the path's vectors are held), costs above ``ceiling`` dropped: the
    alignments found within it, and whether the walk finished (``stop`` did not end it)."""
    import numpy as np

    children: dict[tuple[str, ...], set[str]] = {}
    # the most events left after a prefix, over the wanted sequences that continue it
    left: dict[tuple[str, ...], int] = {}
    for seq in wanted:
        for i in range(len(seq) + 1):
            prefix = seq[:i]
            left[prefix] = max(left.get(prefix, 0), len(seq) - i)
            if i < len(seq):
                children.setdefault(prefix, set()).add(seq[i])
    out: dict[tuple[str, ...], GraphAlignment] = {}
    path: list[Any] = []  # the stored vectors along the current path: path[i] after i events
    stack: list[tuple[str, ...]] = [()]
    top = np.inf if ceiling is None else ceiling
    while stack:
        if stop is not None and stop():
            return out, False
        prefix = stack.pop()
        depth = len(prefix)
        del path[depth:]
        more = left[prefix]
        if depth == 0:
            # no alignment costs more than the empty trace's plus a log move per event
            bound = min(float(graph.to_final[graph.initial]) + MOVE * more, top)
            vector = _first(graph, bound)
        else:
            before = _unpack(path[depth - 1])
            # the cheapest way to finish from here: model moves to the end, log moves left
            bound = min(float(np.min(before + graph.to_final)) + MOVE * (more + 1), top)
            vector = _next(graph, before, prefix[-1], bound)
        if not np.isfinite(vector).any():
            continue  # nothing within the ceiling: no sequence below aligns in this round
        path.append(_pack(vector))
        if prefix in wanted:
            moves = _read_back(graph, prefix, path)
            if moves is not None:
                found = out[prefix] = _summary(graph, moves, int(path[depth][graph.final]))
                if done is not None:
                    done(prefix, found)
        stack.extend((*prefix, a) for a in sorted(children.get(prefix, ()), reverse=True))
    return out, True


#: one move of an alignment: the event's label (or ">>": a model move) and the transition's
#: index in :attr:`LayerGraph.transitions` (or -1: a log move)
Move = tuple[str, int]


def _summary(graph: LayerGraph, moves: list[Move], cost: int) -> GraphAlignment:
    skipped = []
    for event, t in moves:
        label = graph.transitions[t][1] if event == ">>" else None
        if label is not None:
            skipped.append(label)
    inserted = tuple(event for event, t in moves if t < 0)
    return GraphAlignment(cost, tuple(skipped), inserted)


def alignment_moves(graph: LayerGraph, labels: tuple[str, ...]) -> list[tuple[str, str]] | None:
    """The moves of an optimal alignment of one sequence, as pm4py names them: (the event's
    label or ">>", the transition's name or ">>"); ``None`` when the final marking cannot be
    reached."""
    import numpy as np

    path = []
    vector = _first(graph, np.inf)
    path.append(_pack(vector))
    for label in labels:
        vector = _next(graph, _unpack(path[-1]), label, np.inf)
        path.append(_pack(vector))
    moves = _read_back(graph, labels, path)
    if moves is None:
        return None
    return [(event, ">>" if t < 0 else graph.transitions[t][0]) for event, t in moves]


def _read_back(graph: LayerGraph, labels: tuple[str, ...], path: list[Any]) -> list[Move] | None:
    """The moves of an optimal alignment of ``labels``, read back from its vectors."""
    at = graph.final
    value = int(path[len(labels)][at])
    if value == _NONE:
        return None
    moves: list[Move] = []
    for i in range(len(labels), -1, -1):
        here = path[i]
        while True:
            if i > 0:
                before = path[i - 1]
                came = _synchronous_source(graph, labels[i - 1], at, before, value)
                if came is not None:
                    at, t = came
                    moves.append((labels[i - 1], t))
                    break
                if int(before[at]) + MOVE == value:
                    moves.append((labels[i - 1], -1))
                    value -= MOVE
                    break
            elif at == graph.initial and value == 0:
                break
            at, value, t = _model_move(graph, here, at, value)
            moves.append((">>", t))
    moves.reverse()
    return moves


def _synchronous_source(
    graph: LayerGraph, label: str, at: int, before: Any, value: int
) -> tuple[int, int] | None:
    """A marking of ``before`` at ``value`` from which a transition labelled ``label`` leads
    to ``at``, and that transition, if any."""
    import numpy as np

    sync = graph.synchronous.get(label)
    if sync is None:
        return None
    targets, starts, sources, via = sync
    k = int(np.searchsorted(targets, at))
    if k == len(targets) or targets[k] != at:
        return None
    end = starts[k + 1] if k + 1 < len(starts) else len(sources)
    hits = np.flatnonzero(before[sources[starts[k] : end]] == value)
    if not len(hits):
        return None
    j = starts[k] + int(hits[0])
    return int(sources[j]), int(via[j])


def _model_move(graph: LayerGraph, here: Any, at: int, value: int) -> tuple[int, int, int]:
    """One model move back from ``at`` at ``value`` within a vector: the marking before, its
    cost and the transition."""
    import numpy as np

    lo, hi = graph.rindptr[at], graph.rindptr[at + 1]
    sources = graph.rindices[lo:hi]
    costs = graph.rweights[lo:hi]
    hits = np.flatnonzero(here[sources].astype(np.int64) + costs.astype(np.int64) == value)
    if not len(hits):  # cannot happen: each finite value is made by one of the moves
        raise AssertionError(f"no move leads to marking {at} at cost {value}")
    k = int(hits[0])
    return int(sources[k]), value - int(costs[k]), int(graph.rtransitions[lo + k])
