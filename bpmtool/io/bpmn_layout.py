"""A simple swimlane grid for BPMNDI, used until the shared layout (``bpmtool/layout.py``) lands.

Columns are the breadth-first depth of a node from the start nodes, rows are
lanes (a lane grows a sub-row for every node that shares a column in it), and
edges are routed orthogonally.  Pools are stacked: the internal pool first,
then one pool per external lane.  Data objects sit in a row under the pools.
"""

from __future__ import annotations

from collections import defaultdict, deque
from dataclasses import dataclass, field

from bpmtool.model import Model, Node

__all__ = ["Box", "GridLayout", "grid_layout", "node_size"]

X0, Y0 = 100.0, 60.0
POOL_HEADER, LANE_HEADER = 30.0, 30.0
COL_W, ROW_H = 160.0, 120.0
DATA_W, DATA_H = 36.0, 50.0

#: the pool key of the internal pool; external pools use their lane id
MAIN = ""
#: the band key of nodes without a lane in the internal pool
NO_LANE = "\x00"


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def cx(self) -> float:
        return self.x + self.width / 2

    @property
    def cy(self) -> float:
        return self.y + self.height / 2

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


@dataclass
class GridLayout:
    pools: dict[str, Box] = field(default_factory=dict)
    lanes: dict[str, Box] = field(default_factory=dict)
    nodes: dict[str, Box] = field(default_factory=dict)
    data: dict[str, Box] = field(default_factory=dict)

    def route(self, source: str, target: str) -> list[tuple[float, float]]:
        """Orthogonal waypoints from one node to another."""
        s, t = self.nodes[source], self.nodes[target]
        if abs(s.cy - t.cy) < 1 and t.x > s.right:
            return [(s.right, s.cy), (t.x, t.cy)]
        if t.x > s.right:  # forward, other row: right, down or up, right
            mid = (s.right + t.x) / 2
            return [(s.right, s.cy), (mid, s.cy), (mid, t.cy), (t.x, t.cy)]
        if abs(s.cx - t.cx) < 1:  # same column: straight up or down
            if t.cy > s.cy:
                return [(s.cx, s.bottom), (t.cx, t.y)]
            return [(s.cx, s.y), (t.cx, t.bottom)]
        # backwards: under both nodes
        low = max(s.bottom, t.bottom) + 20
        return [(s.cx, s.bottom), (s.cx, low), (t.cx, low), (t.cx, t.bottom)]


def node_size(node: Node) -> tuple[float, float]:
    if node.is_activity:
        return 100.0, 80.0
    if node.is_gateway:
        return 50.0, 50.0
    return 36.0, 36.0


def _columns(model: Model, placed: list[Node]) -> dict[str, int]:
    ids = {n.id for n in placed}
    succ: dict[str, list[str]] = defaultdict(list)
    has_in: set[str] = set()
    for f in model.flows:
        s = model.node_by_id[f.source].attached_to or f.source
        if s in ids and f.target in ids and s != f.target:
            succ[s].append(f.target)
            has_in.add(f.target)
    starts = [n.id for n in placed if n.type == "start"] + [
        n.id for n in placed if n.id not in has_in and n.type != "start"]
    column: dict[str, int] = {}
    queue: deque[str] = deque()
    for s in starts:
        if s not in column:
            column[s] = 0
            queue.append(s)
    while True:
        while queue:
            current = queue.popleft()
            for nxt in succ[current]:
                if nxt not in column:
                    column[nxt] = column[current] + 1
                    queue.append(nxt)
        rest = [n.id for n in placed if n.id not in column]
        if not rest:
            return column
        column[rest[0]] = max(column.values(), default=-1) + 1
        queue.append(rest[0])


def grid_layout(model: Model) -> GridLayout:
    """Place pools, lanes, nodes and data objects on a grid."""
    out = GridLayout()
    placed = [n for n in model.nodes if not n.attached_to]
    column = _columns(model, placed)
    lane_by_id = model.lane_by_id
    internal = [lane.id for lane in model.lanes if not lane.external]
    external = [lane.id for lane in model.lanes if lane.external]

    def band_of(node: Node) -> str:
        if node.lane is None or node.lane not in lane_by_id:
            return NO_LANE
        return node.lane

    slots: dict[tuple[str, int], int] = defaultdict(int)
    slot_of: dict[str, int] = {}
    for node in placed:
        key = (band_of(node), column[node.id])
        slot_of[node.id] = slots[key]
        slots[key] += 1
    rows: dict[str, int] = defaultdict(lambda: 1)
    for (band, _), count in slots.items():
        rows[band] = max(rows[band], count)

    width_cols = max(column.values(), default=0) + 1
    content_x = X0 + POOL_HEADER + LANE_HEADER
    pool_width = POOL_HEADER + LANE_HEADER + width_cols * COL_W
    band_y: dict[str, float] = {}
    y = Y0
    main_bands = internal + ([NO_LANE] if any(band_of(n) == NO_LANE for n in placed) else [])
    if main_bands:
        top = y
        for band in main_bands:
            height = rows[band] * ROW_H
            band_y[band] = y
            if band != NO_LANE:
                out.lanes[band] = Box(X0 + POOL_HEADER, y, pool_width - POOL_HEADER, height)
            y += height
        out.pools[MAIN] = Box(X0, top, pool_width, y - top)
        y += 40
    for lane_id in external:
        height = rows[lane_id] * ROW_H
        band_y[lane_id] = y
        out.pools[lane_id] = Box(X0, y, pool_width, height)
        y += height + 40
    for node in placed:
        w, h = node_size(node)
        cx = content_x + column[node.id] * COL_W + COL_W / 2 - LANE_HEADER / 2
        cy = band_y[band_of(node)] + slot_of[node.id] * ROW_H + ROW_H / 2
        out.nodes[node.id] = Box(cx - w / 2, cy - h / 2, w, h)
    hosts: dict[str, int] = defaultdict(int)
    for node in model.nodes:
        if not node.attached_to:
            continue
        host = out.nodes.get(node.attached_to)
        if host is None:
            continue
        k = hosts[node.attached_to]
        hosts[node.attached_to] += 1
        out.nodes[node.id] = Box(host.right - 28 - 40 * k, host.bottom - 18, 36, 36)
    # data objects under the pools, at the column of the first node that uses them
    used_at: dict[str, float] = {}
    for node in model.nodes:
        for art_id in [*node.inputs, *node.outputs]:
            if art_id not in used_at and node.id in out.nodes:
                used_at[art_id] = out.nodes[node.id].cx
    taken: dict[float, int] = defaultdict(int)
    fallback = content_x
    for art in model.artifacts:
        at = used_at.get(art.id)
        if at is None:
            at = fallback
            fallback += 60
        cx = at
        k = taken[cx]
        taken[cx] += 1
        out.data[art.id] = Box(cx - DATA_W / 2 + 45 * k, y + 10, DATA_W, DATA_H)
    return out
