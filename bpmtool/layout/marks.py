"""Where a diagram's finding markers and legend go: geometry, computed beside the layout.

:func:`finding_markers` puts each numbered finding on what it is about (a node's top-right
corner, the middle of a flow, a lane's header, a stage's first step, or the process header),
stacking markers that share a spot to the left — and moves a marker along its subject to
the first spot where it covers no written name (a node's or flow's label, a lane's or
pool's title), no other node and no other marker, inside the drawing; :func:`legend` wraps
the legend's lines and gives each its offset under the drawing.  ``render/svg.py`` only
draws them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from bpmtool.findings import Finding
from bpmtool.layout.geometry import Box, EdgeRoute, Label, Layout
from bpmtool.layout.text import LINE_HEIGHT, text_width
from bpmtool.model import Model

__all__ = [
    "LEGEND_LINE",
    "MARKER_RADIUS",
    "LegendLine",
    "Marker",
    "finding_markers",
    "legend",
    "legend_height",
    "legend_top",
    "subject_anchor",
    "written_boxes",
]

#: the height of one legend line
LEGEND_LINE = 18.0
_STACK = 18.0  # markers sharing a spot step this far to the left (1 px apart)
#: a finding marker's radius
MARKER_RADIUS = 8.5
_TRIES = 24  # spots tried along a subject before a marker settles where it collides


@dataclass(frozen=True)
class Marker:
    """A numbered finding's marker: its centre."""

    number: int
    finding: Finding
    x: float
    y: float

    @property
    def box(self) -> Box:
        r = MARKER_RADIUS
        return Box(self.x - r, self.y - r, 2 * r, 2 * r)


@dataclass(frozen=True)
class LegendLine:
    """One line of the legend: its text, the severity dot it starts with (``""``: none) and
    its offset under the top of the legend."""

    severity: str
    text: str
    y: float


def subject_anchor(
    lay: Layout,
    model: Model,
    ids: tuple[str, ...],
    routes: tuple[dict[str, int], dict[int, EdgeRoute]] | None = None,
) -> tuple[float, float] | None:
    """The spot a finding about ``ids`` is marked at, or ``None`` when nothing drawn fits.
    ``routes`` (flow key → index, index → the flow's route) saves building them per call."""
    for sid in ids:
        if sid in lay.nodes:
            b = lay.nodes[sid].box
            return b.right - 2, b.y + 2
    keys, edges = routes if routes is not None else _routes(lay, model)
    for sid in ids:
        if sid in keys and keys[sid] in edges:
            pts = edges[keys[sid]].points
            (x1, y1), (x2, y2) = pts[len(pts) // 2 - 1], pts[len(pts) // 2]
            return (x1 + x2) / 2, (y1 + y2) / 2
    bands = lay.band_by_id
    for sid in ids:
        if sid in bands:
            h = bands[sid].header
            return h.cx, h.y + 12
    # a stage or a milestone: at the first drawn step of the stage
    for stage in model.stages:
        if stage.id in ids or any(ms.id in ids for ms in stage.milestones):
            drawn = [lay.nodes[n].box for n in stage.nodes if n in lay.nodes]
            if drawn:
                first = min(drawn, key=lambda b: (b.x, b.y))
                return first.right - 2, first.y + 2
    # about what this drawing does not show — content of a sub-process drawn closed, what
    # another diagram of the file draws: on the closed sub-process holding it, else nowhere
    for sid in ids:
        node = model.node_by_id.get(sid)
        parent = node.parent if node is not None else None
        while parent is not None:
            frame = lay.frames.get(parent)
            if frame is not None:
                return frame.box.right - 2, frame.box.y + 2
            sub = model.subprocess_by_id.get(parent)
            parent = sub.parent if sub is not None else None
    if any(sid in model.node_by_id or sid in keys or sid in model.lane_by_id for sid in ids):
        return None
    # the model as a whole (no start, no end, …): on the process's header
    head = lay.pool_header or (lay.bands[0].header if lay.bands else None)
    return (head.cx, head.y + 12) if head is not None else None


def _routes(lay: Layout, model: Model) -> tuple[dict[str, int], dict[int, EdgeRoute]]:
    return {f.key: i for i, f in enumerate(model.flows)}, {e.index: e for e in lay.edges}


def finding_markers(lay: Layout, model: Model, findings: Sequence[Finding]) -> list[Marker]:
    """A marker per finding that has a spot on the drawing, numbered 1, 2, … in order."""
    # only what lies near a marker's spots can be in the way: boxes are looked up by grid
    # cell (a 5,000-node drawing has ~1,700 markers and ~10,000 boxes)
    obstacles = _BoxGrid([(b, None) for b in written_boxes(lay)])
    for ident, place in lay.nodes.items():
        obstacles.add(place.box, ident)
    placed = _BoxGrid()
    routes = _routes(lay, model)
    stacked: dict[tuple[float, float], int] = defaultdict(int)
    out: list[Marker] = []
    for number, f in enumerate(findings, start=1):
        at = subject_anchor(lay, model, f.subject, routes)
        if at is None:
            continue
        k = stacked[at]
        stacked[at] += 1
        own = {s for s in f.subject if s in lay.nodes}
        spots = [(at[0] - _STACK * (k + i), at[1]) for i in range(_TRIES)]
        spots += [(at[0] + _STACK * i, at[1] + _STACK) for i in range(_TRIES)]
        xs, ys = [x for x, _ in spots], [y for _, y in spots]
        reach = Box(min(xs) - 9, min(ys) - 9, max(xs) - min(xs) + 18, max(ys) - min(ys) + 18)
        near = obstacles.overlapping(reach, skip=own)
        taken = placed.overlapping(reach)
        chosen = next(
            (s for s in spots if _free(s, lay, [*near, *taken])),
            next((s for s in spots if _free(s, lay, taken)), spots[0]),
        )
        marker = Marker(number, f, round(chosen[0], 2), round(chosen[1], 2))
        placed.add(marker.box, None)
        out.append(marker)
    return out


class _BoxGrid:
    """Boxes bucketed by grid cell, each with an owner (a node's id, or None)."""

    CELL = 200.0

    def __init__(self, boxes: Sequence[tuple[Box, str | None]] = ()) -> None:
        self._items: list[tuple[Box, str | None]] = []
        self._cells: dict[tuple[int, int], list[int]] = defaultdict(list)
        for box, owner in boxes:
            self.add(box, owner)

    def _keys(self, b: Box) -> list[tuple[int, int]]:
        k = self.CELL
        return [
            (i, j)
            for i in range(int(b.x // k), int(b.right // k) + 1)
            for j in range(int(b.y // k), int(b.bottom // k) + 1)
        ]

    def add(self, box: Box, owner: str | None) -> None:
        self._items.append((box, owner))
        for key in self._keys(box):
            self._cells[key].append(len(self._items) - 1)

    def overlapping(self, reach: Box, skip: set[str] | frozenset[str] = frozenset()) -> list[Box]:
        """The boxes overlapping ``reach``, but those owned by ``skip``, in the order added."""
        found = {i for key in self._keys(reach) for i in self._cells.get(key, ())}
        return [
            box
            for box, owner in (self._items[i] for i in sorted(found))
            if (owner is None or owner not in skip) and box.overlaps(reach)
        ]


def _free(spot: tuple[float, float], lay: Layout, boxes: list[Box]) -> bool:
    r = MARKER_RADIUS
    mark = Box(spot[0] - r, spot[1] - r, 2 * r, 2 * r)
    inside = mark.x >= 0 and mark.y >= 0 and mark.right <= lay.width
    return inside and not any(mark.overlaps(b) for b in boxes)


def written_boxes(lay: Layout) -> list[Box]:
    """Where the drawing writes names: node and flow labels, lane and pool titles, frame
    and note texts (each as the box its text takes, not the strip it sits in), and data
    objects with their names."""
    out = [p.label.box for p in lay.nodes.values() if p.label is not None]
    out += [e.label.box for e in lay.edges if e.label is not None]
    out += [k.label.box for k in lay.links if k.label is not None]
    out += [f.label.box for f in [*lay.frames.values(), *lay.notes.values()] if f.label]
    # data objects with the room their names take under them (up to three lines)
    for b in [*lay.data.values(), *(b for _, b in lay.data_copies)]:
        out.append(Box(b.cx - 48, b.y, 96, b.height + 42))
    rotated = lay.orientation == "horizontal"
    titles = [b.label for b in lay.bands] + list(lay.pool_titles.values())
    out += [_title_box(t, rotated, 13) for t in titles if t.lines]
    return out


def _title_box(label: Label, rotated: bool, size: float) -> Box:
    """The box a centred title takes in its strip (turned a quarter when ``rotated``)."""
    h = label.box
    # titles are bold and letter-spaced: wider than the plain text the estimate is for
    along = max(text_width(line, size) for line in label.lines) * 1.2 + 8
    across = len(label.lines) * LINE_HEIGHT * size / 12
    if rotated:
        return Box(h.cx - across / 2, h.cy - along / 2, across, along)
    return Box(h.cx - along / 2, h.cy - across / 2, along, across)


def legend(
    findings: Sequence[Finding],
    width: float,
    *,
    caption: str = "",
    overlay_line: str = "",
    notes: Sequence[str] = (),
) -> list[LegendLine]:
    """The legend's lines for a drawing ``width`` wide: the caption, then each numbered
    finding ("3. CODE — message", with its severity's dot), then the overlay's one-line
    explanation and ``notes``, wrapped to the width (the overlay line as it is)."""
    chars = max(int(width / 6.4), 60)
    rows: list[tuple[str, str]] = [("", part) for part in _chunks(caption, chars)]
    for number, f in enumerate(findings, start=1):
        text = f"{number}. {f.code} — {f.message}"
        for i, part in enumerate(_chunks(text, chars)):
            rows.append((f.severity.value if i == 0 else "", part))
    if overlay_line:
        rows.append(("", overlay_line))
    for note in notes:
        rows += [("", part) for part in _chunks(note, chars)]
    return [LegendLine(sev, text, i * LEGEND_LINE) for i, (sev, text) in enumerate(rows)]


def legend_top(lay: Layout) -> float:
    """Where the legend starts: under the drawing."""
    return lay.height + 24


def legend_height(lines: Sequence[LegendLine]) -> float:
    """The room the legend takes under the drawing (none without lines)."""
    return (len(lines) * LEGEND_LINE + 40) if lines else 0


def _chunks(text: str, chars: int) -> list[str]:
    words, out, cur = text.split(), [], ""
    for w in words:
        if cur and len(cur) + 1 + len(w) > chars:
            out.append(cur)
            cur = w
        else:
            cur = f"{cur} {w}" if cur else w
    if cur:
        out.append(cur)
    return out
