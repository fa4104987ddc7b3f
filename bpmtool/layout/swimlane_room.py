"""The swimlane layout's sizes and positions: the size of every shape and outside label,
the room each column and row needs (for names, and flows' names beside their lines), then
where each column lies along the flow and each row across the lanes."""

from __future__ import annotations

from collections import defaultdict

from bpmtool.layout.route_points import edge_text
from bpmtool.layout.swimlane_cells import (
    BAND_MIN,
    BOUNDARY,
    CHANNEL_PAD,
    EDGE_FONT,
    EDGE_LABEL_WIDTH,
    GAP_FREE,
    LABEL_WIDTH,
    LANE_HEADER,
    POOL_GAP,
    POOL_HEADER,
    ROW_PAD,
    TRACK,
    TRACK_START,
    Across,
    Along,
    Ax,
    Grid,
    Room,
)
from bpmtool.layout.swimlane_data import GROUP_HEAD, group_members
from bpmtool.layout.text import block_size, wrap
from bpmtool.model import Model, Node

__all__ = ["measure_room", "node_size", "place_across", "place_along", "shape_sizes"]


def node_size(node: Node) -> tuple[float, float]:
    """Width and height of a node's shape."""
    if node.is_activity:
        return 100.0, 80.0
    if node.is_gateway:
        return 50.0, 50.0
    return 36.0, 36.0


def shape_sizes(model: Model, grid: Grid) -> dict[str, Ax]:
    """Phase 2: the size of every shape and outside label, in along/across units."""
    ax: dict[str, Ax] = {}
    for n in model.nodes:
        w, h = (BOUNDARY, BOUNDARY) if n.id in grid.attached else node_size(n)
        shape = Ax(w, h) if grid.horizontal else Ax(h, w)
        if not n.is_activity:
            shape.lines = tuple(wrap(n.caption, LABEL_WIDTH, 3))
            lw, lh = block_size(shape.lines)
            shape.la, shape.lc = (lw, lh + 4) if grid.horizontal else (lh, lw + 6)
        ax[n.id] = shape
    return ax


def measure_room(model: Model, grid: Grid, ax: dict[str, Ax]) -> Room:
    """Phase 3: the room of each column and of each row above and below its shapes."""
    col_size = [36.0] * grid.columns
    for n in grid.placed:
        c = grid.column[n.id]
        col_size[c] = max(col_size[c], ax[n.id].sa, ax[n.id].la)
    up, down = [24.0] * grid.rows, [24.0] * grid.rows
    for n in grid.placed:
        r, shape = grid.global_row[n.id], ax[n.id]
        up[r] = max(up[r], shape.sc / 2)
        down[r] = max(down[r], shape.sc / 2 + shape.lc)
    if model.groups and grid.horizontal:  # a named group's name above its nodes
        named = {g.id for g in model.groups if g.name}
        for group, members in group_members(model).items():
            for m in members if group in named else ():
                if m in grid.global_row:
                    r = grid.global_row[m]
                    up[r] = max(up[r], ax[m].sc / 2 + GROUP_HEAD)
    for ev, on in grid.attached.items():
        c = grid.column[on]
        col_size[c] = max(col_size[c], ax[ev].la)  # its name stays under the host's column
        r, shape = grid.global_row[on], ax[ev]
        down[r] = max(down[r], ax[on].sc / 2 + shape.sc / 2 + shape.lc)
    edge_lines: dict[int, tuple[str, ...]] = {}
    gap_room: dict[int, float] = defaultdict(float)
    for route in grid.plan.routes:
        text = edge_text(model, route.index)
        if not text:
            continue
        lines = tuple(wrap(text, EDGE_LABEL_WIDTH, 3, EDGE_FONT))
        edge_lines[route.index] = lines
        lw, lh = block_size(lines, EDGE_FONT)
        if len(route.points) == 2 and route.points[0][0][0] == "centre":
            # a handoff straight down (up) its column: its name fits beside the line in
            # the target's lane, above (below) the target, never across the lanes' border
            t, r = route.target, grid.global_row[route.target]
            need = ax[t].sc / 2 + lh + 10
            if route.points[1][1][0] == "top":
                up[r] = max(up[r], need)
            else:
                down[r] = max(down[r], need)
        if route.label_gap is not None:
            gap_room[route.label_gap] = max(
                gap_room[route.label_gap], (lw if grid.horizontal else lh) + 10
            )
    return Room(col_size, up, down, edge_lines, dict(gap_room))


def place_along(grid: Grid, room: Room) -> Along:
    """Phase 4: where each column and each gap between columns lies along the flow."""
    header = POOL_HEADER + LANE_HEADER
    gap_start: dict[int, float] = {}
    col_centre: list[float] = []
    cursor = header
    for c in range(-1, grid.columns):
        if c >= 0:
            col_centre.append(cursor + room.col_size[c] / 2)
            cursor += room.col_size[c]
        gap_start[c] = cursor
        cursor += (
            TRACK_START
            + grid.plan.gap_tracks.get(c, 0) * TRACK
            + max(GAP_FREE, room.gap_room.get(c, 0))
        )
    return Along(header, gap_start, col_centre, cursor + 10)


def place_across(grid: Grid, room: Room, strips: dict[int, float]) -> Across:
    """Phase 5: where each band and, in each row, the port line, the channel and the data
    strip lie across the lanes (``strips``: the room of each row's data strip)."""
    band_box: dict[str, tuple[float, float]] = {}
    port: list[float] = [0.0] * grid.rows
    channel: list[float] = [0.0] * grid.rows
    strip: list[float] = [0.0] * grid.rows
    c0 = 0.0
    previous_pool = None
    tracks = grid.plan.channel_tracks
    for b, _, _kind in grid.bands:
        if previous_pool is not None and grid.pool_of[b] != previous_pool:
            c0 += POOL_GAP
        previous_pool = grid.pool_of[b]
        rows = range(grid.first_row[b], grid.first_row[b] + grid.rows_in[b])
        size = 0.0
        for r in rows:
            size += ROW_PAD + room.up[r] + room.down[r] + CHANNEL_PAD
            size += tracks.get(r, 0) * TRACK + ROW_PAD / 2 + strips.get(r, 0.0)
        extra = max(BAND_MIN[grid.orientation] - size, 0) / 2
        cur = c0 + extra
        for r in rows:
            port[r] = cur + ROW_PAD + room.up[r]
            channel[r] = port[r] + room.down[r] + CHANNEL_PAD
            strip[r] = channel[r] + tracks.get(r, 0) * TRACK + ROW_PAD / 2
            cur = strip[r] + strips.get(r, 0.0)
        band_box[b] = (c0, size + 2 * extra)
        c0 += size + 2 * extra
    return Across(band_box, port, channel, c0, strip)
