"""Data associations that cross lanes in bpmtool's own swimlane layout.

A data object is drawn once, in the strip of its first writer's row (see
:mod:`bpmtool.layout.swimlane_data`).  A node of another row that reads it (or writes it
too) is linked to it here, once every node, flow and flow name has its place: by an
orthogonal line that leaves the data object's icon from a side, its top or its bottom,
runs along its strip (or just beside it), turns across the lanes in a gap beside the node
or inside the node's own column, and enters the node (from its near side, or from the
side facing the data object).

Only a *clean* route is drawn: one that crosses no node, no name (of a node, a flow, a
data object or a note), no data object or note, and never runs along a flow or another
association.  Among the clean candidates the one with the fewest bends (at most four),
then the shortest, wins.  When no candidate is clean the association is not drawn (BPMN
keeps it, and the handoff carrying the data object names it); :func:`far_links` reports
which and why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from itertools import pairwise

from bpmtool.layout.geometry import Box, EdgeRoute, Frame, Link, NodePlace
from bpmtool.layout.pools import NO_LANE, pool_key
from bpmtool.layout.route_points import Obstacles, abstract, simplify
from bpmtool.layout.text import data_caption
from bpmtool.model import Model

__all__ = ["far_links"]

Point = tuple[float, float]
_STEP = 6.0  # between candidate lines in a gap or along a node
_MARGIN = 4.0  # what a candidate line keeps from the edge of a node it enters
_NEAR = 6.0  # closer than this, two parallel lines would read as one
_STUB = 12.0  # the shortest first and last run of a line
_ROOM = 6.0  # what a line keeps from a node it passes (on top of Obstacles' 2 px)


class _Lines:
    """Segments already drawn (flows, associations), bucketed by position, to tell whether a
    new segment would run along one of them (crossing one is fine)."""

    def __init__(self) -> None:
        # along-runs keyed by their across position, across-runs by their along position
        self._along: dict[int, list[tuple[float, float, float]]] = defaultdict(list)
        self._across: dict[int, list[tuple[float, float, float]]] = defaultdict(list)

    def add(self, pts: Sequence[Point]) -> None:
        for (a1, c1), (a2, c2) in pairwise(pts):
            if abs(c1 - c2) < 0.01:
                self._along[round(c1)].append((c1, min(a1, a2), max(a1, a2)))
            elif abs(a1 - a2) < 0.01:
                self._across[round(a1)].append((a1, min(c1, c2), max(c1, c2)))

    def runs_along(self, p: Point, q: Point) -> bool:
        if abs(p[1] - q[1]) < 0.01:
            table, at, low, high = self._along, p[1], min(p[0], q[0]), max(p[0], q[0])
        else:
            table, at, low, high = self._across, p[0], min(p[1], q[1]), max(p[1], q[1])
        for key in range(round(at) - 4, round(at) + 5):
            for pos, lo, hi in table.get(key, ()):
                if abs(pos - at) < _NEAR and lo < high - 0.5 and low < hi - 0.5:
                    return True
        return False


def far_links(
    model: Model,
    far: Iterable[tuple[str, str, str, str]],
    data: dict[str, Box],
    notes: dict[str, Frame],
    nodes: dict[str, NodePlace],
    edges: list[EdgeRoute],
    links: list[Link],
    gaps: dict[int, tuple[float, float]],
    node_gaps: dict[str, tuple[int, int]],
    borders: Iterable[float] = (),
    horizontal: bool = True,
) -> tuple[list[Link], list[tuple[str, str, str]]]:
    """The data associations of ``far`` ((node, data object, "in" | "out", the node whose
    row holds the data object), whose node sits in another row than the data object) that
    have a clean route, and the (node, data object, why) of those left undrawn: ``"pool"``
    for a node in another pool than the data object (a data association stays inside its
    process: the message flow carrying the data object names it), ``"route"`` when no
    clean route exists.  ``gaps`` are the (start, end) along the flow of each gap between
    columns, ``node_gaps`` the gaps before and after each node's column, ``borders`` the
    positions across of the bands' edges (no line runs along one)."""
    blocks = Obstacles()
    owner: dict[str, int] = {}
    for i, (nid, place) in enumerate(nodes.items()):
        owner[nid] = 100_000 + i
        a, c, sa, sc = abstract(place.box, horizontal)
        blocks.add((a - _ROOM, c - _ROOM, sa + 2 * _ROOM, sc + 2 * _ROOM), owner[nid])
        if place.label is not None:
            blocks.add(abstract(place.label.box, horizontal))
    for edge in edges:
        if edge.label is not None:
            blocks.add(abstract(edge.label.box, horizontal))
    for j, (ref, box) in enumerate(data.items()):
        owner[ref] = 200_000 + j
        blocks.add(abstract(box, horizontal), owner[ref])
        art = model.artifact_by_id.get(ref)
        if art is not None and art.name:
            blocks.add(abstract(data_caption(art.name, box).box, horizontal))
    for frame in notes.values():
        if frame.id in {g.id for g in model.groups}:
            continue  # a group's frame may be crossed; its name may not
        blocks.add(abstract(frame.box, horizontal))
    for frame in notes.values():
        if frame.label is not None and frame.id in {g.id for g in model.groups}:
            blocks.add(abstract(frame.label.box, horizontal))
    lines = _Lines()
    for border in borders:
        lines.add([(0.0, border), (1e9, border)])
    for edge in edges:
        lines.add([abstract_point(p, horizontal) for p in edge.points])
    for link in links:
        lines.add([abstract_point(p, horizontal) for p in link.points])

    drawn: list[Link] = []
    left_out: list[tuple[str, str, str]] = []
    for node, ref, kind, anchor in far:
        if node not in nodes or ref not in data:
            continue
        if _pool(model, node) != _pool(model, anchor):
            left_out.append((node, ref, "pool"))
            continue
        route = _best(
            abstract(data[ref], horizontal),
            abstract(nodes[node].box, horizontal),
            model.node_by_id[node].is_activity,
            [gaps[g] for g in node_gaps.get(node, ()) if g in gaps],
            blocks,
            lines,
            (owner[ref], owner[node]),
        )
        if route is None:
            left_out.append((node, ref, "route"))
            continue
        lines.add(route)
        points = tuple(
            (round(a, 2), round(c, 2)) if horizontal else (round(c, 2), round(a, 2))
            for a, c in route
        )
        if kind == "in":
            drawn.append(Link("data", ref, node, points))
        else:
            drawn.append(Link("data", node, ref, points[::-1]))
    return drawn, left_out


def _pool(model: Model, node: str) -> str:
    at = model.node_by_id[node]
    host = model.node_by_id.get(at.attached_to or "")
    return pool_key(model, (host or at).lane or NO_LANE)


def abstract_point(p: Point, horizontal: bool) -> Point:
    return p if horizontal else (p[1], p[0])


def _best(
    icon: tuple[float, float, float, float],
    target: tuple[float, float, float, float],
    activity: bool,
    gaps: list[tuple[float, float]],
    blocks: Obstacles,
    lines: _Lines,
    ends: tuple[int, int],
) -> list[Point] | None:
    """The clean candidate with the fewest bends, then the shortest (None if none is)."""
    da, dc, dsa, dsc = icon
    na, nc, nsa, nsc = target
    mid_c = dc + dsc / 2
    above = nc + nsc < dc  # the node is before the data object across the lanes
    edge_c = nc + nsc if above else nc  # its side facing the data object
    face = dc if above else dc + dsc  # the icon's side facing the node's row
    toward = -1.0 if above else 1.0
    entries = (
        [nc + nsc * f for f in ((0.75, 0.85, 0.65) if not above else (0.25, 0.15, 0.35))]
        if activity
        else [nc + nsc / 2]
    )
    lines_in_gaps = [v for start, end in gaps for v in _frange(start + 4, end - 4)]
    outs = (da + dsa / 2 - 10, da + dsa / 2 + 10, da + dsa / 2)

    def leave(v: float) -> Point:  # the side of the icon facing the line v
        return (da, mid_c) if v < da + dsa / 2 else (da + dsa, mid_c)

    def side(v: float) -> float:  # the node's side nearest the line v
        return na if v < na else na + nsa

    def two_bends() -> list[list[Point]]:
        # straight across into the node's facing side, from inside its own column
        spots = _frange(na + _MARGIN + 8, na + nsa - _MARGIN - 8) if activity else [na + nsa / 2]
        out = [[leave(v), (v, mid_c), (v, edge_c)] for v in spots]
        # out of the icon's side facing the node's row, across to that row, into its side
        out += [
            [(a, face), (a, cm), (side(a), cm)]
            for a in outs
            for cm in entries
            if not na <= a <= na + nsa
        ]
        return out

    def three_bends() -> list[list[Point]]:
        # along the strip, across in a gap beside the node, then into its near side
        return [
            [leave(v), (v, mid_c), (v, cm), (side(v), cm)] for v in lines_in_gaps for cm in entries
        ]

    def four_bends() -> list[list[Point]]:
        # out of the icon's top or bottom a short way, along to a gap beside the node,
        # across to its row and into its near side
        return [
            [(a, f), (a, f + t * k * _STEP), (v, f + t * k * _STEP), (v, cm), (side(v), cm)]
            for f, t in ((face, toward), (dc + dsc - face + dc, -toward))
            for a in outs
            for k in range(1, 7)
            for v in lines_in_gaps
            for cm in entries
        ]

    for make in (two_bends, three_bends, four_bends):  # fewest bends first, then shortest
        for route in sorted(make(), key=_length):
            route = simplify(route)
            if len(route) < 2 or min(_length(route[:2]), _length(route[-2:])) < _STUB:
                continue  # an arrow needs a run into the node, a line out of the icon too
            if _clean(route, blocks, lines, ends):
                return route
    return None


def _length(route: list[Point]) -> float:
    return sum(abs(p[0] - q[0]) + abs(p[1] - q[1]) for p, q in pairwise(route))


def _frange(low: float, high: float) -> list[float]:
    out, at = [], low
    while at <= high + 0.01:
        out.append(round(at, 2))
        at += _STEP
    return out


def _clean(route: list[Point], blocks: Obstacles, lines: _Lines, ends: tuple[int, int]) -> bool:
    """Crosses no obstacle (its two ends' own shapes aside) and runs along no line."""
    for p, q in pairwise(route):
        box = (min(p[0], q[0]), min(p[1], q[1]), abs(p[0] - q[0]), abs(p[1] - q[1]))
        if not blocks.clear_except(box, ends) or lines.runs_along(p, q):
            return False
    return True
