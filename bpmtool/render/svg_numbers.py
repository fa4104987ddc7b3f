"""The numbers of a process map on the swimlane: counts and median times on flows and under
boxes, and the handoffs the model lacks as dashed curves between the lanes.

Drawing only: the texts come from :mod:`bpmtool.render.overlay`, the numbers from
:func:`bpmtool.mining.flow_numbers.flow_numbers` and the handoff table.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bpmtool.layout.geometry import Box

if TYPE_CHECKING:
    import svgwrite
    from svgwrite.container import Group

    from bpmtool.layout import Layout

__all__ = ["Unmodelled", "draw_numbers"]

_SIZE = 10.0
_CHAR = 5.6  # average width of a character at _SIZE, for the text's backing box


@dataclass(frozen=True)
class Unmodelled:
    """A handoff seen in the log that the model has no flow for: from a node (or, when the
    activity is not in the model, from its lane) to a node or lane, with its text."""

    source_lane: str
    target_lane: str
    source: str | None
    target: str | None
    text: str


def draw_numbers(
    dwg: svgwrite.Drawing,
    root: Group,
    lay: Layout,
    flow_notes: dict[int, str],
    node_notes: dict[str, str],
    unmodelled: list[Unmodelled],
) -> None:
    """Write the notes on the drawing (on top of flows and boxes)."""
    g = root.add(dwg.g(class_="numbers"))
    names = [e.label.box for e in lay.edges if e.label is not None]
    names += [p.label.box for p in lay.nodes.values() if p.label is not None]
    for edge in lay.edges:
        text = flow_notes.get(edge.index)
        if not text or len(edge.points) < 2:
            continue
        x, y = _spot(edge.points, len(text) * _CHAR + 4, names)
        names.append(
            Box(x - (len(text) * _CHAR + 4) / 2, y - 3 - _SIZE, len(text) * _CHAR + 4, _SIZE + 3)
        )
        _note(dwg, g, text, x, y - 3, {"data-flow-note": str(edge.index)})
    for node_id, text in node_notes.items():
        place = lay.nodes.get(node_id)
        if place is None:
            continue
        b = place.box
        width = len(text) * _CHAR + 4
        under = b.y + b.height + _SIZE + 2
        # under the box; when a name is there, beside it to the right or left, else above
        spots = [(b.cx, under), (b.x + width / 2, under), (b.right - width / 2, under)]
        spots.append((b.cx, b.y - 4))

        def covered(spot: tuple[float, float], width: float = width) -> int:
            box = Box(spot[0] - width / 2, spot[1] - _SIZE, width, _SIZE + 3)
            return sum(1 for name in names if box.overlaps(name))

        x, y = min(spots, key=covered)
        names.append(Box(x - width / 2, y - _SIZE, width, _SIZE + 3))
        _note(dwg, g, text, x, y, {"data-node-note": node_id})
    for u in unmodelled:
        _unmodelled(dwg, g, lay, u)


def _note(
    dwg: svgwrite.Drawing, parent: Group, text: str, x: float, y: float, data: dict[str, str]
) -> None:
    width = len(text) * _CHAR + 4
    grp = parent.add(dwg.g(class_="count", **data))
    grp.add(
        dwg.rect(
            (round(x - width / 2, 2), round(y - _SIZE, 2)),
            (round(width, 2), _SIZE + 3),
            rx=2,
            class_="count-bg",
        )
    )
    grp.add(
        dwg.text(
            text,
            insert=(round(x, 2), round(y, 2)),
            class_="count-note",
            **{"text-anchor": "middle", "font-size": f"{_SIZE:g}"},
        )
    )


def _spot(
    points: tuple[tuple[float, float], ...], width: float, names: list[Box]
) -> tuple[float, float]:
    """Where a flow's numbers go: the middle of its longest segment, else a quarter or
    three quarters along it, else the middle of another segment, else the same spots under
    the line — the first whose text covers no name (the flow's own, another flow's, a
    node's), or the one covering fewest."""
    segments = sorted(
        itertools.pairwise(points),
        key=lambda seg: -(abs(seg[1][0] - seg[0][0]) + abs(seg[1][1] - seg[0][1])),
    )
    spots = []
    for i, ((x1, y1), (x2, y2)) in enumerate(segments):
        for t in (0.5, 0.25, 0.75) if i == 0 else (0.5,):
            spots.append((x1 + (x2 - x1) * t, y1 + (y2 - y1) * t))
    spots += [(x, y + _SIZE + 6) for x, y in spots]  # under the line

    def covered(spot: tuple[float, float]) -> int:
        box = Box(spot[0] - width / 2, spot[1] - 3 - _SIZE, width, _SIZE + 3)
        return sum(1 for name in names if box.overlaps(name))

    return min(spots, key=covered) if spots else _middle_of_longest(points)


def _middle_of_longest(points: tuple[tuple[float, float], ...]) -> tuple[float, float]:
    best = max(
        itertools.pairwise(points),
        key=lambda seg: abs(seg[1][0] - seg[0][0]) + abs(seg[1][1] - seg[0][1]),
    )
    (x1, y1), (x2, y2) = best
    return (x1 + x2) / 2, (y1 + y2) / 2


def _anchor(lay: Layout, node: str | None, lane: str, leaving: bool) -> tuple[float, float]:
    """Where a dashed handoff starts (right edge of its box) or ends (left edge), or the
    middle of its lane's header when the activity is not in the model."""
    place = lay.nodes.get(node) if node else None
    if place is not None:
        b = place.box
        if lay.orientation == "horizontal":
            return (b.x + b.width if leaving else b.x), b.cy
        return b.cx, (b.y + b.height if leaving else b.y)
    for band in lay.bands:
        if band.id == lane:
            h = band.header
            return h.cx, h.cy
    return 0.0, 0.0


def _unmodelled(dwg: svgwrite.Drawing, parent: Group, lay: Layout, u: Unmodelled) -> None:
    x1, y1 = _anchor(lay, u.source, u.source_lane, True)
    x2, y2 = _anchor(lay, u.target, u.target_lane, False)
    # a curve bowed to one side, so it stays apart from a straight modelled flow
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    dx, dy = x2 - x1, y2 - y1
    length = max((dx * dx + dy * dy) ** 0.5, 1.0)
    bow = min(60.0, 0.25 * length)
    cx, cy = mx - dy / length * bow, my + dx / length * bow
    grp = parent.add(
        dwg.g(
            class_="unmodelled",
            **{"data-handoff": f"{u.source_lane}->{u.target_lane}"},
        )
    )
    grp.add(
        dwg.path(
            f"M{x1:.2f},{y1:.2f} Q{cx:.2f},{cy:.2f} {x2:.2f},{y2:.2f}",
            class_="flow-line",
            **{"marker-end": "url(#arrow-handoff)"},
        )
    )
    grp.set_desc(title=f"Not in the model: {u.text}")
    # the curve's middle point
    tx, ty = 0.25 * x1 + 0.5 * cx + 0.25 * x2, 0.25 * y1 + 0.5 * cy + 0.25 * y2
    grp.add(
        dwg.text(
            u.text,
            insert=(round(tx, 2), round(ty - 4, 2)),
            class_="unmodelled-text",
            **{"text-anchor": "middle", "font-size": f"{_SIZE:g}"},
        )
    )
