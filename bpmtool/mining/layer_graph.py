"""A safe Petri net's reachability graph as sparse arrays, for exact alignments on nets
too large for an all-pairs table (:mod:`bpmtool.mining.align_layers`).

Markings are numbered in the order they are found (each marking a Python int with a bit per
place while the graph is built); the cheapest model move between two markings (a silent
transition costs 1, a visible one 10,000: pm4py's standard costs) is an edge of a sparse
matrix, kept forwards (for the Dijkstra searches) and backwards (for reading moves back), and
per label the edges that carry it, all of them, sorted by target (for synchronous moves).

The graph is not built beyond a byte budget: about :data:`MARKING_BYTES` per marking and
:data:`EDGE_BYTES` per edge while it is built; a net with more markings than fit (BPI
Challenge 2020's discovered model has more than 2 million) is left to pm4py's searches.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

from bpmtool.mining.align_graph import MOVE

__all__ = ["LayerGraph", "depth_limit", "layer_graph"]

#: bytes one marking takes while the graph is built: its number in a dict, the marking as a
#: Python int (``tracemalloc``: 94–116 on the nets discovered from SEPSIS, Hospital Billing
#: and BPI Challenge 2012)
MARKING_BYTES = 128
#: bytes one edge takes at the peak of the build, when the sparse arrays are made from the
#: edges found (``tracemalloc``: 44–56 on the same nets besides the markings' 128; once
#: built, about 33)
EDGE_BYTES = 64
#: bytes per marking of one vector of the path (int32), and of one search's temporaries
#: (``tracemalloc``: 35 per marking on SEPSIS's net)
VECTOR_BYTES = 4
STEP_BYTES = 48


@dataclass
class LayerGraph:
    """A net's reachability graph as sparse arrays."""

    size: int
    initial: int
    final: int
    #: the cheapest model move between two markings, forward (for the Dijkstra search; one
    #: spare row for the virtual source, whose edges are written per event)
    indptr: Any
    indices: Any
    weights: Any
    #: the same edges backwards (for reading moves back): sources, costs, transitions
    rindptr: Any
    rindices: Any
    rweights: Any
    rtransitions: Any
    #: the net's transitions: (name, label or None)
    transitions: list[tuple[str, str | None]]
    #: per label, its edges sorted by target: (targets, where each target's edges start,
    #: the edges' sources, their transitions)
    synchronous: dict[str, tuple[Any, Any, Any, Any]]
    #: the cheapest model moves from each marking to the final one
    to_final: Any
    #: bytes the graph holds, and the bytes it took at the peak of its build
    nbytes: int
    built_bytes: int


def _markings(
    net: Any, initial: Any, final: Any, budget: int
) -> tuple[int, int, array[int], array[int], array[int], list[tuple[str, str | None]]] | None:
    """The reachable markings of ``net`` (numbered in order of discovery, the initial one 0)
    and its edges as three arrays (source, target, transition), or ``None`` when they do not
    fit in ``budget`` bytes, the net is not safe, or the final marking is not reached."""
    places = sorted(net.places, key=lambda p: p.name)
    where = {p: i for i, p in enumerate(places)}
    transitions = sorted(net.transitions, key=lambda t: t.name)
    pre: list[int] = []
    post: list[int] = []
    for t in transitions:
        if any(a.weight != 1 for a in (*t.in_arcs, *t.out_arcs)):
            return None
        pre.append(sum(1 << where[a.source] for a in t.in_arcs))
        post.append(sum(1 << where[a.target] for a in t.out_arcs))
    feeds: list[list[int]] = [[] for _ in places]
    free = []
    for k, mask in enumerate(pre):
        for p in range(len(places)):
            if mask >> p & 1:
                feeds[p].append(k)
        if not mask:
            free.append(k)

    def encode(marking: Any) -> int | None:
        if any(n != 1 for n in marking.values()):
            return None
        return sum(1 << where[p] for p in marking)

    start, end = encode(initial), encode(final)
    if start is None or end is None:
        return None
    index = {start: 0}
    todo = [start]
    src, dst, via = array("i"), array("i"), array("i")
    while todo:
        m = todo.pop()
        u = index[m]
        tried = set(free)
        rest = m
        while rest:
            low = rest & -rest
            tried.update(feeds[low.bit_length() - 1])
            rest ^= low
        for k in sorted(tried):
            need = pre[k]
            if m & need != need:
                continue
            left = m & ~need
            if left & post[k]:
                return None  # a second token on a place: not a safe net
            n = left | post[k]
            v = index.get(n)
            if v is None:
                v = index[n] = len(index)
                todo.append(n)
                if MARKING_BYTES * len(index) + EDGE_BYTES * len(src) > budget:
                    return None
            src.append(u)
            dst.append(v)
            via.append(k)
    target = index.get(end)
    if target is None or MARKING_BYTES * len(index) + EDGE_BYTES * len(src) > budget:
        return None
    return len(index), target, src, dst, via, [(t.name, t.label) for t in transitions]


def layer_graph(net: Any, initial: Any, final: Any, budget: int) -> LayerGraph | None:
    """The reachability graph of ``net`` as sparse arrays, or ``None`` when it does not fit
    in ``budget`` bytes (or the net is not a safe net whose final marking is reachable)."""
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    found = _markings(net, initial, final, budget)
    if found is None:
        return None
    size, target, src_a, dst_a, via_a, transitions = found
    src = np.frombuffer(src_a, dtype=np.int32)
    dst = np.frombuffer(dst_a, dtype=np.int32)
    via = np.frombuffer(via_a, dtype=np.int32)
    labels = sorted({x for _, x in transitions if x is not None})
    label_no = {x: i for i, x in enumerate(labels)}
    tlabel = np.array([-1 if x is None else label_no[x] for _, x in transitions], dtype=np.int32)
    tcost = np.where(tlabel < 0, 1, MOVE).astype(np.float64)
    # the cheapest edge per pair of markings (a silent and a visible transition may join
    # the same two markings; the matrix would add them up): one key per edge, its pair of
    # markings and whether it is visible, sorted; the arrays made one at a time, each
    # temporary let go once used, so the build's peak stays near the edges it found
    key = src.astype(np.int64)
    key *= size
    key += dst
    key <<= 1
    key |= tlabel[via] >= 0
    order = np.argsort(key, kind="stable")
    key = key[order]
    key >>= 1
    first = np.empty(len(key), dtype=bool)
    first[:1] = True
    np.not_equal(key[1:], key[:-1], out=first[1:])
    del key
    keep = order[first]
    del order, first
    ks, kd, kt = src[keep], dst[keep], via[keep]
    del keep
    kc = tcost[kt]
    nodes = size + 1  # the virtual source of the search is the last row
    indptr = np.zeros(nodes + 1, dtype=np.int32)
    np.cumsum(np.bincount(ks, minlength=nodes), out=indptr[1:])
    spare = len(ks)
    indices = np.empty(spare + size, dtype=np.int32)
    weights = np.empty(spare + size, dtype=np.float64)
    indices[:spare] = kd  # the rows are in order: sorted by source
    weights[:spare] = kc
    back = np.argsort(kd, kind="stable")  # by target, sources in order within
    rindptr = np.zeros(size + 1, dtype=np.int32)
    np.cumsum(np.bincount(kd, minlength=size), out=rindptr[1:])
    rindices, rweights, rtransitions = ks[back], kc[back], kt[back]
    del back, ks, kd, kt, kc
    # per label, its edges by target
    elabel = tlabel[via]
    by_label = np.argsort(elabel.astype(np.int64) * size + dst, kind="stable")
    by_label = by_label[elabel[by_label] >= 0]
    bounds = np.searchsorted(elabel[by_label], np.arange(len(labels) + 1))
    del elabel
    synchronous: dict[str, tuple[Any, Any, Any, Any]] = {}
    for i, a in enumerate(labels):
        edges = by_label[bounds[i] : bounds[i + 1]]
        if not len(edges):
            continue
        targets, starts = np.unique(dst[edges], return_index=True)
        synchronous[a] = (targets, starts.astype(np.int32), src[edges], via[edges])
    del by_label
    backwards = csr_matrix((rweights, rindices, rindptr), shape=(size, size))
    to_final = dijkstra(backwards, directed=True, indices=target)
    nbytes = sum(
        x.nbytes for x in (indptr, indices, weights, rindptr, rindices, rweights, rtransitions)
    ) + sum(sum(x.nbytes for x in arrays) for arrays in synchronous.values())
    return LayerGraph(
        size,
        0,
        target,
        indptr,
        indices,
        weights,
        rindptr,
        rindices,
        rweights,
        rtransitions,
        transitions,
        synchronous,
        to_final,
        nbytes + to_final.nbytes,
        MARKING_BYTES * size + EDGE_BYTES * len(src),
    )


def depth_limit(graph: LayerGraph, budget: int) -> int:
    """How many events a variant may have for its vectors (one per event and one for the
    empty prefix) and one search's temporaries to fit in ``budget`` bytes besides the
    graph, and for its costs (at most a log move per event and the empty trace's cost) to
    fit in the vectors' 32-bit integers."""
    left = budget - graph.nbytes - STEP_BYTES * graph.size
    fits = (2**31 - 2 - int(graph.to_final[graph.initial])) // MOVE
    return max(min(left // (VECTOR_BYTES * graph.size) - 1, fits), 0)
