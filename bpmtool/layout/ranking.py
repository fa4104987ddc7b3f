"""Columns and rows: the Sugiyama steps of the swimlane layout.

1. **Cycle breaking** — a depth-first search from the start events (then from every other
   node, in model order) marks the flows that close a loop; they are reversed for ranking.
2. **Layering** — each node's column is its longest path from a source of the acyclic graph,
   where a handoff that can run straight up or down to another lane counts zero (its target
   stands in its source's column, which keeps a process that moves between lanes narrow),
   and a source is then pulled right next to its first successor (a message start event
   sits beside the work it starts, not in column 0).
3. **Ordering** — lanes keep the analyst's order; inside a lane each column's nodes get rows.
   A node goes to the row of its highest same-lane predecessor (so a chain stays on one line),
   then barycentre sweeps, down and up the columns, reorder each cell to cut crossings; the
   order with the fewest crossings found is kept.

Everything iterates in model order, so the same model always gives the same grid.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

__all__ = ["Grid", "rank"]


@dataclass
class Grid:
    column: dict[str, int] = field(default_factory=dict)
    #: row inside the node's band
    row: dict[str, int] = field(default_factory=dict)
    band: dict[str, str] = field(default_factory=dict)
    #: the position of each band across the picture
    band_rank: dict[str, int] = field(default_factory=dict)


def _back_edges(
    nodes: list[str], succ: dict[str, list[str]], starts: list[str]
) -> set[tuple[str, str]]:
    """Edges into a node still on the depth-first stack (iterative: models can be deep)."""
    state: dict[str, int] = {}  # 1 on the stack, 2 done
    back: set[tuple[str, str]] = set()
    for root in [*starts, *nodes]:
        if root in state:
            continue
        state[root] = 1
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            node, i = stack[-1]
            children = succ[node]
            if i < len(children):
                stack[-1] = (node, i + 1)
                child = children[i]
                seen = state.get(child)
                if seen == 1:
                    back.add((node, child))
                elif seen is None:
                    state[child] = 1
                    stack.append((child, 0))
            else:
                state[node] = 2
                stack.pop()
    return back


def _layers(
    nodes: list[str], edges: list[tuple[str, str]], stacked: frozenset[tuple[str, str]]
) -> dict[str, int]:
    succ: dict[str, list[str]] = defaultdict(list)
    pred: dict[str, list[str]] = defaultdict(list)
    indegree = dict.fromkeys(nodes, 0)
    for s, t in edges:
        succ[s].append(t)
        pred[t].append(s)
        indegree[t] += 1
    order: list[str] = []
    ready = [n for n in nodes if indegree[n] == 0]
    while ready:
        nxt: list[str] = []
        for n in ready:
            order.append(n)
            for t in succ[n]:
                indegree[t] -= 1
                if indegree[t] == 0:
                    nxt.append(t)
        ready = nxt
    column = dict.fromkeys(nodes, 0)
    for n in order:
        for t in succ[n]:
            column[t] = max(column[t], column[n] + (0 if (n, t) in stacked else 1))
    for n in reversed(order):  # pull sources towards what they start
        if not pred[n] and succ[n]:
            column[n] = max(column[n], min(column[t] for t in succ[n]) - 1)
    return column


def rank(
    nodes: list[str],
    edges: list[tuple[str, str]],
    band: dict[str, str],
    band_order: list[str],
    starts: list[str],
    sweeps: int = 4,
    stacked: frozenset[tuple[str, str]] = frozenset(),
) -> Grid:
    """Columns and rows for ``nodes`` (in model order) joined by ``edges`` (flows, in order).

    A flow in ``stacked`` (a handoff to another lane) may keep its target in its source's
    column, straight above or below it, instead of the next column."""
    succ: dict[str, list[str]] = defaultdict(list)
    for s, t in edges:
        if s != t:
            succ[s].append(t)
    back = _back_edges(nodes, succ, starts)
    forward = [(t, s) if (s, t) in back else (s, t) for s, t in edges if s != t]
    forward = list(dict.fromkeys(forward))
    column = _layers(nodes, forward, stacked)
    grid = Grid(column=column, band=band, band_rank={b: i for i, b in enumerate(band_order)})
    _rows(grid, nodes, forward, sweeps)
    return grid


def _rows(grid: Grid, nodes: list[str], forward: list[tuple[str, str]], sweeps: int) -> None:
    pred: dict[str, list[str]] = defaultdict(list)
    succ: dict[str, list[str]] = defaultdict(list)
    for s, t in forward:
        pred[t].append(s)
        succ[s].append(t)
    by_column: dict[int, list[str]] = defaultdict(list)
    for n in nodes:
        by_column[grid.column[n]].append(n)
    columns = sorted(by_column)
    row = grid.row
    for c in columns:  # first pass: follow the highest same-lane predecessor
        taken: dict[str, set[int]] = defaultdict(set)
        wanted = []
        for i, n in enumerate(by_column[c]):
            same = [row[p] for p in pred[n] if p in row and grid.band[p] == grid.band[n]]
            wanted.append((min(same) if same else 0, i, n))
        for want, _, n in sorted(wanted):
            r = want
            while r in taken[grid.band[n]]:
                r += 1
            taken[grid.band[n]].add(r)
            row[n] = r
    best = dict(row)
    best_crossings = _crossings(grid, forward)
    for sweep in range(sweeps):
        down = sweep % 2 == 0
        for c in columns if down else list(reversed(columns)):
            neighbours = pred if down else succ
            cells: dict[str, list[str]] = defaultdict(list)
            for n in by_column[c]:
                cells[grid.band[n]].append(n)
            for members in cells.values():
                if len(members) < 2:
                    continue
                slots = sorted(row[n] for n in members)

                def centre(n: str, neighbours: dict[str, list[str]] = neighbours) -> float:
                    near = [_position(grid, m) for m in neighbours[n]]
                    return sum(near) / len(near) if near else _position(grid, n)

                ordered = sorted(members, key=lambda n: (centre(n), row[n]))
                for n, r in zip(ordered, slots, strict=True):
                    row[n] = r
        crossings = _crossings(grid, forward)
        if crossings < best_crossings:
            best, best_crossings = dict(row), crossings
    grid.row = best


def _position(grid: Grid, n: str) -> float:
    """A comparable across-position: bands in their order, rows inside them."""
    return grid.row.get(n, 0) + 1_000_000.0 * grid.band_rank[grid.band[n]]


def _crossings(grid: Grid, forward: list[tuple[str, str]]) -> int:
    """Crossings between flows that join neighbouring columns (the Sugiyama count)."""
    by_gap: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for s, t in forward:
        if grid.column[t] == grid.column[s] + 1:
            by_gap[grid.column[s]].append((_position(grid, s), _position(grid, t)))
    total = 0
    for pairs in by_gap.values():
        pairs.sort()
        for i in range(len(pairs)):
            for j in range(i + 1, len(pairs)):
                if pairs[i][0] != pairs[j][0] and pairs[i][1] > pairs[j][1]:
                    total += 1
    return total
