"""Edge routes made drawable: points simplified, and a free spot for each edge's label.

Helpers of :func:`bpmtool.layout.swimlane.layout_model`, in along/across units.
"""

from __future__ import annotations

from itertools import pairwise

from bpmtool.layout.geometry import Box
from bpmtool.model import Model

__all__ = ["abstract", "edge_text", "place_label", "simplify"]


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


def place_label(
    pts: list[tuple[float, float]],
    la: float,
    lc: float,
    obstacles: list[tuple[float, float, float, float]],
    bounds: tuple[float, float, float, float],
) -> tuple[float, float, float, float]:
    """A free spot for a label beside the route, inside ``bounds`` (a0, c0, a1, c1): above,
    then below, the segments from the target backwards (just before the arrow first); the
    first candidate inside the bounds if none is free."""
    candidates: list[tuple[float, float, float, float]] = []
    for (a1, c1), (a2, c2) in reversed(list(pairwise(pts))):
        if abs(c1 - c2) < 0.01:  # along the flow
            length = abs(a2 - a1)
            forward = a2 >= a1
            near = a2 - 6 - la if forward else a2 + 6
            middle = min(a1, a2) + (length - la) / 2
            for at in (near, middle):
                candidates.append((at, c1 - lc - 3, la, lc))
                candidates.append((at, c1 + 3, la, lc))
        else:  # across the lanes
            mid = (c1 + c2) / 2 - lc / 2
            candidates.append((a1 + 5, mid, la, lc))
            candidates.append((a1 - 5 - la, mid, la, lc))
    if not candidates:
        return (pts[0][0], pts[0][1], la, lc)

    def inside(spot: tuple[float, float, float, float]) -> bool:
        a, c, w, h = spot
        return a >= bounds[0] and c >= bounds[1] and a + w <= bounds[2] and c + h <= bounds[3]

    def clear(spot: tuple[float, float, float, float]) -> bool:
        a, c, w, h = spot
        return inside(spot) and all(
            not (a < oa + ow + 2 and oa < a + w + 2 and c < oc + oh + 2 and oc < c + h + 2)
            for oa, oc, ow, oh in obstacles
        )

    return next(
        (s for s in candidates if clear(s)),
        next((s for s in candidates if inside(s)), candidates[0]),
    )
