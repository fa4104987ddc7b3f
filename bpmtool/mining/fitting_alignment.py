"""The optimal alignment of a variant that token replay found fitting, without A*.

When pm4py's token replay fires every event of a variant (through silent transitions where
needed) and ends in the final marking with no token missing or left, that firing sequence is
an alignment made of synchronous and silent moves only.  Every log or model move costs
10,000 and a silent move 1, so the optimal alignment has no log or model move either: its
cost is the least number of silent moves with which the net can fire exactly the variant's
events.  That is a shortest path in a much smaller space than A*'s — markings paired with a
position in the trace, moved on by a silent transition (cost 1) or by a transition labelled
with the next event (cost 0) — found here by a plain Dijkstra search over integer markings.

So a fitting variant gets the cost (and fitness, 1.0) of pm4py's A* to the last digit, with
no linear program per state; on models discovered by a miner, where nearly every variant
fits and A* needs seconds each, this is what makes aligning a real log feasible.  The search
gives up (``None``, and the variant goes to A*) after ``max_states`` states or at
``deadline``.
"""

from __future__ import annotations

import heapq
import time
from typing import Any

__all__ = ["FittingSearch"]


class FittingSearch:
    """A net prepared once for the searches of many variants."""

    def __init__(self, net: Any, initial: Any, final: Any) -> None:
        places = sorted(net.places, key=lambda p: p.name)
        index = {p: i for i, p in enumerate(places)}
        self._size = len(places)
        self._initial = self._vector(initial, index)
        self._final = self._vector(final, index)
        #: per transition: label (None: silent), consumed [(place, weight)], net change
        self._moves: list[tuple[str | None, tuple[tuple[int, int], ...], tuple[int, ...]]] = []
        self._consumers: list[list[int]] = [[] for _ in places]
        for t in sorted(net.transitions, key=lambda t: t.name):
            pre = tuple(sorted((index[a.source], a.weight) for a in t.in_arcs))
            delta = [0] * self._size
            for p, w in pre:
                delta[p] -= w
            for a in t.out_arcs:
                delta[index[a.target]] += a.weight
            k = len(self._moves)
            self._moves.append((t.label, pre, tuple(delta)))
            for p, _ in pre:
                self._consumers[p].append(k)

    def _vector(self, marking: Any, index: dict[Any, int]) -> tuple[int, ...]:
        vec = [0] * self._size
        for p, n in marking.items():
            vec[index[p]] = n
        return tuple(vec)

    def cost(
        self, labels: tuple[str, ...], *, max_states: int = 200_000, deadline: float | None = None
    ) -> int | None:
        """The least number of silent moves that fire exactly ``labels`` from the initial to
        the final marking; ``None`` when there is no such run or a limit was hit."""
        n = len(labels)
        start = (0, self._initial)
        best = {start: 0}
        queue: list[tuple[int, int, int, tuple[int, ...]]] = [(0, 0, 0, self._initial)]
        tie = 0
        seen = 0
        while queue:
            cost, _, pos, marking = heapq.heappop(queue)
            if best.get((pos, marking), cost) < cost:
                continue
            if pos == n and marking == self._final:
                return cost
            seen += 1
            if seen > max_states or (
                deadline is not None and seen % 256 == 0 and time.perf_counter() > deadline
            ):
                return None
            wanted = labels[pos] if pos < n else None
            tried: set[int] = set()
            for p, tokens in enumerate(marking):
                if not tokens:
                    continue
                for k in self._consumers[p]:
                    if k in tried:
                        continue
                    tried.add(k)
                    label, pre, delta = self._moves[k]
                    if label is not None and label != wanted:
                        continue
                    if any(marking[q] < w for q, w in pre):
                        continue
                    nxt = tuple(a + d for a, d in zip(marking, delta, strict=True))
                    step = (cost + 1, pos) if label is None else (cost, pos + 1)
                    key = (step[1], nxt)
                    if best.get(key, step[0] + 1) <= step[0]:
                        continue
                    best[key] = step[0]
                    tie += 1
                    heapq.heappush(queue, (step[0], tie, step[1], nxt))
        return None
