"""Edge routes made drawable: points simplified, and a free spot for each edge's label.

Helpers of :func:`bpmtool.layout.swimlane.layout_model`, in along/across units.
"""

from __future__ import annotations

from itertools import pairwise

from bpmtool.layout.geometry import Box
from bpmtool.model import Model

__all__ = ["Obstacles", "abstract", "edge_text", "place_label", "simplify"]


def edge_text(model: Model, index: int) -> str:
    """What a flow's line says: its name, else the artifact it carries, else — in a model
    written by hand, where it is the analyst's words ("accepted") — its condition; a
    condition read from BPMN is an expression for an engine, so it is not written."""
    flow = model.flows[index]
    if flow.name:
        return flow.name
    if flow.artifact:
        return model.artifact_label(flow.artifact)
    source = model.node_by_id.get(flow.source)
    if flow.condition and source is not None and source.task_type is None:
        return flow.condition
    return ""


def abstract(b: Box, horizontal: bool) -> tuple[float, float, float, float]:
    return (b.x, b.y, b.width, b.height) if horizontal else (b.y, b.x, b.height, b.width)


def simplify(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop repeated points and points in the middle of a straight run."""
    out: list[tuple[float, float]] = []
    for p in points:
        if out and abs(out[-1][0] - p[0]) < 0.01 and abs(out[-1][1] - p[1]) < 0.01:
            continue
        if len(out) >= 2:
            (a1, c1), (a2, c2) = out[-2], out[-1]
            if (abs(a1 - a2) < 0.01 and abs(a2 - p[0]) < 0.01) or (
                abs(c1 - c2) < 0.01 and abs(c2 - p[1]) < 0.01
            ):
                out[-1] = p
                continue
        out.append(p)
    return out


class Obstacles:
    """Rectangles (a, c, size along, size across) a label must keep clear of, bucketed in a
    grid so that a large model does not compare every spot with every box.  Each carries
    an owner: a flow's own line (owner = its index) does not keep its label away."""

    CELL = 160.0

    def __init__(self) -> None:
        self._cells: dict[tuple[int, int], list[tuple[float, float, float, float, int]]] = {}

    def _keys(self, a: float, c: float, w: float, h: float) -> list[tuple[int, int]]:
        k = self.CELL
        return [
            (i, j)
            for i in range(int(a // k), int((a + w) // k) + 1)
            for j in range(int(c // k), int((c + h) // k) + 1)
        ]

    def add(self, box: tuple[float, float, float, float], owner: int = -1) -> None:
        for key in self._keys(*box):
            self._cells.setdefault(key, []).append((*box, owner))

    def add_line(self, pts: list[tuple[float, float]], owner: int) -> None:
        """A flow's segments, as boxes without width."""
        for (a1, c1), (a2, c2) in pairwise(pts):
            self.add((min(a1, a2), min(c1, c2), abs(a2 - a1), abs(c2 - c1)), owner)

    def conflicts(self, spot: tuple[float, float, float, float], owner: int) -> int:
        """How many of the obstacles ``spot`` touches (``owner``'s own line aside)."""
        a, c, w, h = spot
        hit = set()
        for key in self._keys(a - 2, c - 2, w + 4, h + 4):
            for item in self._cells.get(key, ()):
                oa, oc, ow, oh, who = item
                mine = who == owner and who >= 0
                near = a < oa + ow + 2 and oa < a + w + 2
                if not mine and near and c < oc + oh + 2 and oc < c + h + 2:
                    hit.add(item)
        return len(hit)

    def clear(self, spot: tuple[float, float, float, float], owner: int) -> bool:
        return self.clear_except(spot, (owner,))

    def clear_except(
        self, spot: tuple[float, float, float, float], owners: tuple[int, ...]
    ) -> bool:
        """Whether ``spot`` keeps clear of every obstacle but those of ``owners``."""
        a, c, w, h = spot
        for key in self._keys(a - 2, c - 2, w + 4, h + 4):
            for oa, oc, ow, oh, who in self._cells.get(key, ()):
                mine = who >= 0 and who in owners
                near = a < oa + ow + 2 and oa < a + w + 2
                if not mine and near and c < oc + oh + 2 and oc < c + h + 2:
                    return False
        return True


def place_label(
    pts: list[tuple[float, float]],
    la: float,
    lc: float,
    obstacles: Obstacles,
    bounds: tuple[float, float, float, float],
    owner: int = -1,
) -> tuple[float, float, float, float]:
    """A free spot for a label beside the route, inside ``bounds`` (a0, c0, a1, c1), clear
    of ``obstacles`` (shapes, names, other flows' lines and labels; ``owner``'s own line
    aside): above, then below, the segments from the target backwards (just before the
    arrow first, then the middle), beside the segments across the lanes, then the start
    of each segment and the ends of those across; the first candidate inside the bounds
    if none is free."""
    candidates: list[tuple[float, float, float, float]] = []
    later: list[tuple[float, float, float, float]] = []
    for (a1, c1), (a2, c2) in reversed(list(pairwise(pts))):
        if abs(c1 - c2) < 0.01:  # along the flow
            length = abs(a2 - a1)
            forward = a2 >= a1
            near = a2 - 6 - la if forward else a2 + 6
            middle = min(a1, a2) + (length - la) / 2
            for at in (near, middle):
                candidates.append((at, c1 - lc - 3, la, lc))
                candidates.append((at, c1 + 3, la, lc))
            far = a1 + 6 if forward else a1 - 6 - la
            later += [(far, c1 - lc - 3, la, lc), (far, c1 + 3, la, lc)]
        else:  # across the lanes
            low, high = min(c1, c2), max(c1, c2)
            mid = (c1 + c2) / 2 - lc / 2
            candidates += [(a1 + 5, mid, la, lc), (a1 - 5 - la, mid, la, lc)]
            step = max((high - low - 8 - lc) / 11, lc + 6)
            at = low + 4
            while at <= high - 4 - lc + 0.01:  # further spots along it, ends first
                later += [(a1 + 5, at, la, lc), (a1 - 5 - la, at, la, lc)]
                at += step
            later += [(a1 + 5, high - 4 - lc, la, lc), (a1 - 5 - la, high - 4 - lc, la, lc)]
    candidates += later
    if not candidates:
        return (pts[0][0], pts[0][1], la, lc)

    def inside(spot: tuple[float, float, float, float]) -> bool:
        a, c, w, h = spot
        return a >= bounds[0] and c >= bounds[1] and a + w <= bounds[2] and c + h <= bounds[3]

    free = next((s for s in candidates if inside(s) and obstacles.clear(s, owner)), None)
    if free is not None:
        return free
    # nowhere free: the spot in the bounds with the fewest things in the way
    on_drawing = [s for s in candidates if inside(s)]
    if not on_drawing:
        return candidates[0]
    return min(on_drawing, key=lambda s: obstacles.conflicts(s, owner))
