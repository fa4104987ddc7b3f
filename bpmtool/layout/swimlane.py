"""The swimlane layout of a model: bands, cells, sizes, routes and labels, as numbers.

Work happens in two axes, *along* the flow (x when horizontal) and *across* the lanes
(y when horizontal); the vertical orientation only swaps them when boxes are written out.
"""

from __future__ import annotations

from collections import defaultdict

from bpmtool.layout.geometry import Box, Frame, Label, Layout, Link, Orientation
from bpmtool.layout.pools import NO_LANE, pool_bands, pool_flow_links, pool_key
from bpmtool.layout.ranking import rank
from bpmtool.layout.route_points import edge_text
from bpmtool.layout.routing import plan_routes
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
from bpmtool.layout.swimlane_data import (
    GROUP_HEAD,
    DataPlan,
    group_frames,
    group_members,
    place_strips,
    plan_data,
)
from bpmtool.layout.swimlane_place import place_bands, place_data, place_nodes, route_edges
from bpmtool.layout.swimlane_reach import far_links
from bpmtool.layout.text import block_size, wrap
from bpmtool.model import Model, Node

__all__ = ["NO_LANE", "layout_model", "node_size"]

#: the band of nodes that name no lane


def node_size(node: Node) -> tuple[float, float]:
    """Width and height of a node's shape."""
    if node.is_activity:
        return 100.0, 80.0
    if node.is_gateway:
        return 50.0, 50.0
    return 36.0, 36.0


def _bands(model: Model, has_unlaned: bool) -> list[tuple[str, str, str]]:
    """Lanes in the model's order, except that external parties keep to the edges so the
    team lanes stay one pool: those listed before the first team lane on top, the rest
    below; nodes without a lane in a band of their own under the team lanes."""
    if model.pools:  # one block of bands per pool (bpmtool.layout.pools)
        return pool_bands(model, has_unlaned)
    first_internal = next((i for i, lane in enumerate(model.lanes) if not lane.external), None)
    top, middle, bottom = [], [], []
    for i, lane in enumerate(model.lanes):
        entry = (lane.id, lane.name or lane.id, "external" if lane.external else "lane")
        if not lane.external:
            middle.append(entry)
        elif first_internal is None or i < first_internal:
            top.append(entry)
        else:
            bottom.append(entry)
    if has_unlaned or not model.lanes:  # an empty model still gets a (empty) band
        middle.append((NO_LANE, "No lane", "none"))
    return [*top, *middle, *bottom]


def layout_model(model: Model, orientation: Orientation = "horizontal") -> Layout:
    """Lay out ``model`` as swimlanes (see :mod:`bpmtool.layout`), in named phases:
    the grid (:func:`_grid`), the shapes' sizes (:func:`_shapes`), the room of each column
    and row (:func:`_room`), the positions along the flow (:func:`_along`) and across the
    lanes (:func:`_across`), then the nodes, edges, bands and data objects placed."""
    if orientation not in ("horizontal", "vertical"):
        raise ValueError(f"orientation must be horizontal or vertical, not {orientation!r}")
    grid = _grid(model, orientation)
    shapes = _shapes(model, grid)
    room = _room(model, grid, shapes)
    plan = _data_plan(model, grid, room)
    along = _along(grid, room)
    across = _across(grid, room, plan.strip)
    nodes, centre = place_nodes(model, grid, shapes, along, across)
    data, notes, links = place_strips(
        model, plan, across.strip, along.col_centre, nodes, grid.horizontal
    )
    edges = route_edges(
        model, grid, shapes, room, along, across, nodes, centre, _in_the_way(data, notes, links)
    )
    reach: list[Link] = []
    undrawn: list[tuple[str, str, str]] = []
    if plan.far:
        reach, undrawn = far_links(
            model,
            plan.far,
            data,
            notes,
            nodes,
            edges,
            links,
            *_gaps(grid, room, along),
            [edge for start, size in across.band_box.values() for edge in (start, start + size)],
            grid.horizontal,
        )
    bands, pools, pool_header, titles = place_bands(model, grid, along, across)
    if pool_header is not None:  # the process's name along the pool's strip
        strip = pool_header.height if grid.horizontal else pool_header.width
        titles[""] = Label(tuple(wrap(model.label, strip - 16, 1, 13)), pool_header)
    data.update(place_data(model, grid, along, across, centre, set(data)))
    notes.update(group_frames(model, nodes, {**data, **{k: f.box for k, f in notes.items()}}))
    width, height = (along.total, across.total) if grid.horizontal else (across.total, along.total)
    return Layout(
        orientation=orientation,
        width=round(width, 2),
        height=round(height, 2),
        bands=bands,
        pools=pools,
        pool_header=pool_header,
        nodes=nodes,
        edges=edges,
        data=data,
        notes=notes,
        pool_titles=titles,
        links=[*pool_flow_links(model, nodes, pools, grid.horizontal), *links, *reach],
        undrawn=undrawn,
    )


def _data_plan(model: Model, grid: Grid, room: Room) -> DataPlan:
    """Where data objects and notes go: the strips under (beside) the rows,
    keeping free the columns a line crosses there (a handoff straight down its column, a
    message flow to a pool's border)."""
    if not (model.artifacts or model.annotations):
        return DataPlan()
    blocked: set[tuple[int, int]] = set()
    for route in grid.plan.routes:
        if len(route.points) == 2 and route.points[0][0][0] == "centre":
            rows = (grid.global_row[route.source], grid.global_row[route.target])
            column = grid.column[route.source]
            blocked.update((r, column) for r in range(min(rows), max(rows)))
    for flow in model.pool_flows:
        for end in (flow.source, flow.target):
            if end in grid.column:
                blocked.update((r, grid.column[end]) for r in range(grid.rows))
    busy: set[tuple[int, int]] = set()
    for route in grid.plan.routes:
        for (pa, pc), (qa, qc) in zip(route.points, route.points[1:], strict=False):
            if pa[0] == "gap" and pa == qa:
                ends = sorted((_row_at(grid, pc), _row_at(grid, qc)))
                gap = int(pa[1])  # type: ignore[call-overload]
                busy.update((r, gap) for r in range(grid.rows) if ends[0] < r + 0.95 < ends[1])
    return plan_data(
        model,
        grid.column,
        grid.global_row,
        grid.attached,
        room.col_size,
        blocked,
        busy,
        grid.horizontal,
    )


def _gaps(
    grid: Grid, room: Room, along: Along
) -> tuple[dict[int, tuple[float, float]], dict[str, tuple[int, int]]]:
    """Each gap between columns as (start, end) along the flow, and the gaps before and
    after each node's column."""
    cols = len(along.col_centre)
    gaps = {
        g: (
            start,
            along.col_centre[g + 1] - room.col_size[g + 1] / 2 if g + 1 < cols else along.total,
        )
        for g, start in along.gap_start.items()
    }
    near = {n: (c - 1, c) for n, c in grid.column.items()}
    near.update({n: near[h] for n, h in grid.attached.items() if h in near})
    return gaps, near


def _row_at(grid: Grid, c: tuple[object, ...]) -> float:
    """Where a symbolic across coordinate of a route lies, in rows (a row's strip at .95)."""
    if c[0] == "channel":
        return int(c[1]) + 0.9  # type: ignore[call-overload]
    row = grid.global_row[grid.host(str(c[1]))]
    return row + {"bottom": 0.6, "top": 0.4}.get(str(c[0]), 0.5)


def _in_the_way(
    data: dict[str, Box], notes: dict[str, Frame], links: list[Link]
) -> tuple[list[Box], list[tuple[tuple[float, float], ...]]]:
    """What a flow's name keeps clear of besides nodes and flows: data objects with their
    names, notes, and the associations' lines."""
    boxes = [Box(b.cx - 48, b.y, 96, b.height + 42) for b in data.values()]
    boxes += [f.box for f in notes.values()]
    return boxes, [k.points for k in links]


def _grid(model: Model, orientation: Orientation) -> Grid:
    by_id = model.node_by_id
    lanes = model.lane_by_id
    attached = {
        n.id: n.attached_to
        for n in model.nodes
        if n.attached_to and n.attached_to in by_id and not by_id[n.attached_to].attached_to
    }
    placed = [n for n in model.nodes if n.id not in attached]
    band_of = {n.id: (n.lane if n.lane in lanes else NO_LANE) for n in placed}
    bands = _bands(model, NO_LANE in band_of.values())
    order = [b[0] for b in bands]
    flows = [
        (i, f.source, attached.get(f.target, f.target))
        for i, f in enumerate(model.flows)
        if f.source in by_id and f.target in by_id
    ]
    ranked = rank(
        [n.id for n in placed],
        [(attached.get(s, s), t) for _, s, t in flows],
        band_of,
        order,
        [n.id for n in placed if n.type == "start"],
        stacked=_stackable(model, flows, band_of, order, attached)
        if orientation == "horizontal"
        else frozenset(),
    )
    rows_in = dict.fromkeys(order, 1)
    for n in placed:
        rows_in[band_of[n.id]] = max(rows_in[band_of[n.id]], ranked.row[n.id] + 1)
    first_row, g = {}, 0
    for b in order:
        first_row[b] = g
        g += rows_in[b]
    global_row = {n.id: first_row[band_of[n.id]] + ranked.row[n.id] for n in placed}
    labelled = frozenset(n.id for n in placed if not n.is_activity and n.caption)
    plan = plan_routes(flows, ranked.column, global_row, attached, labelled)
    return Grid(
        orientation,
        attached,
        placed,
        band_of,
        bands,
        {b: pool_key(model, b) for b, _, _ in bands},
        ranked.column,
        ranked.row,
        rows_in,
        first_row,
        global_row,
        g,
        max(ranked.column.values(), default=0) + 1,
        plan,
    )


def _stackable(
    model: Model,
    flows: list[tuple[int, str, str]],
    band_of: dict[str, str],
    order: list[str],
    attached: dict[str, str],
) -> frozenset[tuple[str, str]]:
    """The handoffs that may run straight down (or up) a column to another lane: between
    lanes of the process, leaving a node that carries no boundary event, and never through
    a name written under a shape (the node at the line's upper end is an activity, whose
    name is inside it).  Only in the horizontal layout, where the line's label fits in
    the room between the two rows."""
    by_id = model.node_by_id
    rank_of = {b: i for i, b in enumerate(order)}
    incoming: dict[str, int] = defaultdict(int)
    for _, _, t in flows:
        incoming[t] += 1
    hosts = set(attached.values())
    out = set()
    for _, s, t in flows:
        if s in attached or s in hosts or s == t:
            continue
        bs, bt = band_of.get(s), band_of.get(t)
        if bs is None or bt is None or bs == bt or NO_LANE in (bs, bt):
            continue
        upper = s if rank_of[bt] > rank_of[bs] else t  # the line leaves its bottom
        if by_id[upper].is_activity:
            out.add((s, t))
    return frozenset(out)


def _shapes(model: Model, grid: Grid) -> dict[str, Ax]:
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


def _room(model: Model, grid: Grid, ax: dict[str, Ax]) -> Room:
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


def _along(grid: Grid, room: Room) -> Along:
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


def _across(grid: Grid, room: Room, strips: dict[int, float]) -> Across:
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
