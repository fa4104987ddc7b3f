"""The swimlane layout of a model: bands, cells, sizes, routes and labels, as numbers.

Work happens in two axes, *along* the flow (x when horizontal) and *across* the lanes
(y when horizontal); the vertical orientation only swaps them when boxes are written out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from bpmtool.layout.geometry import Band, Box, EdgeRoute, Label, Layout, NodePlace, Orientation
from bpmtool.layout.pools import NO_LANE, pool_bands, pool_flow_links, pool_key, pool_title, whole
from bpmtool.layout.ranking import rank
from bpmtool.layout.route_points import abstract, edge_text, place_label, simplify
from bpmtool.layout.routing import Coord, Plan, plan_routes
from bpmtool.layout.text import block_size, wrap
from bpmtool.model import Model, Node

__all__ = ["NO_LANE", "layout_model", "node_size"]

#: the band of nodes that name no lane

POOL_HEADER, LANE_HEADER = 30.0, 34.0
GAP_FREE, TRACK, TRACK_START = 20.0, 10.0, 14.0
ROW_PAD, CHANNEL_PAD = 16.0, 10.0
POOL_GAP = 24.0
BAND_MIN = {"horizontal": 136.0, "vertical": 176.0}
LABEL_WIDTH, EDGE_LABEL_WIDTH, EDGE_FONT = 104.0, 80.0, 11.0
BOUNDARY = 30.0


def node_size(node: Node) -> tuple[float, float]:
    """Width and height of a node's shape."""
    if node.is_activity:
        return 124.0, 68.0
    if node.is_gateway:
        return 50.0, 50.0
    return 36.0, 36.0


@dataclass
class _Ax:
    """A node's shape and outside label in along/across units."""

    sa: float
    sc: float
    la: float = 0.0  # label extent along (centred on the node)
    lc: float = 0.0  # label extent across (after the shape)
    lines: tuple[str, ...] = ()


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
    along = _along(grid, room)
    across = _across(grid, room)
    nodes, centre = _place_nodes(model, grid, shapes, along, across)
    edges = _route_edges(model, grid, shapes, room, along, across, nodes, centre)
    bands, pools, pool_header, titles = _place_bands(model, grid, along, across)
    if pool_header is not None:  # the process's name along the pool's strip
        strip = pool_header.height if grid.horizontal else pool_header.width
        titles[""] = Label(tuple(wrap(model.label, strip - 16, 1, 13)), pool_header)
    data = _place_data(model, grid, along, across, centre)
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
        pool_titles=titles,
        links=pool_flow_links(model, nodes, pools, grid.horizontal),
    )


@dataclass(frozen=True)
class _Grid:
    """Phase 1: which nodes are placed (boundary events ride on their host), the bands,
    each placed node's column and row (in its band and overall), and the edge plan."""

    orientation: Orientation
    attached: dict[str, str]  # boundary event → host
    placed: list[Node]
    band_of: dict[str, str]
    bands: list[tuple[str, str, str]]  # (id, name, kind) in drawing order
    pool_of: dict[str, str]  # band → the key of its pool (bpmtool.layout.pools)
    column: dict[str, int]
    row: dict[str, int]  # row inside the band
    rows_in: dict[str, int]  # rows per band
    first_row: dict[str, int]  # the band's first overall row
    global_row: dict[str, int]
    rows: int
    columns: int
    plan: Plan

    @property
    def horizontal(self) -> bool:
        return self.orientation == "horizontal"

    def host(self, node_id: str) -> str:
        return self.attached.get(node_id, node_id)

    def box(self, a: float, c: float, sa: float, sc: float) -> Box:
        """A box given along/across, in screen coordinates (rounded to 0.01)."""
        return (
            Box(round(a, 2), round(c, 2), round(sa, 2), round(sc, 2))
            if self.horizontal
            else Box(round(c, 2), round(a, 2), round(sc, 2), round(sa, 2))
        )


def _grid(model: Model, orientation: Orientation) -> _Grid:
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
    plan = plan_routes(flows, ranked.column, global_row, attached)
    return _Grid(
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


def _shapes(model: Model, grid: _Grid) -> dict[str, _Ax]:
    """Phase 2: the size of every shape and outside label, in along/across units."""
    ax: dict[str, _Ax] = {}
    for n in model.nodes:
        w, h = (BOUNDARY, BOUNDARY) if n.id in grid.attached else node_size(n)
        shape = _Ax(w, h) if grid.horizontal else _Ax(h, w)
        if not n.is_activity:
            shape.lines = tuple(wrap(n.caption, LABEL_WIDTH, 3))
            lw, lh = block_size(shape.lines)
            shape.la, shape.lc = (lw, lh + 4) if grid.horizontal else (lh, lw + 6)
        ax[n.id] = shape
    return ax


@dataclass(frozen=True)
class _Room:
    """Phase 3: how much room each column, row and gap needs, and the edge labels' text."""

    col_size: list[float]
    up: list[float]  # above each row's port
    down: list[float]  # below it (shape and outside label)
    edge_lines: dict[int, tuple[str, ...]]
    gap_room: dict[int, float]  # room claimed by edge labels in the gap before a column


def _room(model: Model, grid: _Grid, ax: dict[str, _Ax]) -> _Room:
    col_size = [36.0] * grid.columns
    for n in grid.placed:
        c = grid.column[n.id]
        col_size[c] = max(col_size[c], ax[n.id].sa, ax[n.id].la)
    up, down = [24.0] * grid.rows, [24.0] * grid.rows
    for n in grid.placed:
        r, shape = grid.global_row[n.id], ax[n.id]
        up[r] = max(up[r], shape.sc / 2)
        down[r] = max(down[r], shape.sc / 2 + shape.lc)
    for ev, on in grid.attached.items():
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
        if route.label_gap is not None:
            lw, lh = block_size(lines, EDGE_FONT)
            gap_room[route.label_gap] = max(
                gap_room[route.label_gap], (lw if grid.horizontal else lh) + 10
            )
    return _Room(col_size, up, down, edge_lines, dict(gap_room))


@dataclass(frozen=True)
class _Along:
    """Phase 4: positions along the flow: the headers, then gap -1, column 0, gap 0, …"""

    header: float
    gap_start: dict[int, float]
    col_centre: list[float]
    total: float


def _along(grid: _Grid, room: _Room) -> _Along:
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
    return _Along(header, gap_start, col_centre, cursor + 10)


@dataclass(frozen=True)
class _Across:
    """Phase 5: positions across the lanes: bands, the rows in them, each row's port (where
    its shapes' centres sit) and the channel underneath it."""

    band_box: dict[str, tuple[float, float]]  # band → (start, size)
    port: list[float]
    channel: list[float]
    total: float


def _across(grid: _Grid, room: _Room) -> _Across:
    band_box: dict[str, tuple[float, float]] = {}
    port: list[float] = [0.0] * grid.rows
    channel: list[float] = [0.0] * grid.rows
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
            size += tracks.get(r, 0) * TRACK + ROW_PAD / 2
        extra = max(BAND_MIN[grid.orientation] - size, 0) / 2
        cur = c0 + extra
        for r in rows:
            port[r] = cur + ROW_PAD + room.up[r]
            channel[r] = port[r] + room.down[r] + CHANNEL_PAD
            cur = channel[r] + tracks.get(r, 0) * TRACK + ROW_PAD / 2
        band_box[b] = (c0, size + 2 * extra)
        c0 += size + 2 * extra
    return _Across(band_box, port, channel, c0)


def _place_nodes(
    model: Model, grid: _Grid, ax: dict[str, _Ax], along: _Along, across: _Across
) -> tuple[dict[str, NodePlace], dict[str, tuple[float, float]]]:
    """Phase 6: every node's box and outside label; boundary events on their host's edge.
    Also returns the centres (along, across) the edges are routed from."""
    centre: dict[str, tuple[float, float]] = {}
    for n in grid.placed:
        centre[n.id] = (along.col_centre[grid.column[n.id]], across.port[grid.global_row[n.id]])
    slot: dict[str, int] = defaultdict(int)
    for ev, on in grid.attached.items():
        ha, hc = centre[on]
        k = slot[on]
        slot[on] += 1
        centre[ev] = (ha + ax[on].sa / 2 - 24 - (BOUNDARY + 8) * k, hc + ax[on].sc / 2)
    nodes: dict[str, NodePlace] = {}
    for n in model.nodes:
        if n.id not in centre:
            continue
        (na, nc), s = centre[n.id], ax[n.id]
        label = None
        if s.lines:
            lw, lh = block_size(s.lines)
            lbox = (
                Box(round(na - lw / 2, 2), round(nc + s.sc / 2 + 4, 2), round(lw, 2), round(lh, 2))
                if grid.horizontal
                else Box(
                    round(nc + s.sc / 2 + 6, 2), round(na - lh / 2, 2), round(lw, 2), round(lh, 2)
                )
            )
            label = Label(s.lines, lbox)
        host = grid.host(n.id)
        nodes[n.id] = NodePlace(
            n.id,
            grid.box(na - s.sa / 2, nc - s.sc / 2, s.sa, s.sc),
            label,
            grid.band_of.get(host, NO_LANE),
            grid.column[host],
            grid.row[host],
        )
    return nodes, centre


def _route_edges(
    model: Model,
    grid: _Grid,
    ax: dict[str, _Ax],
    room: _Room,
    along: _Along,
    across: _Across,
    nodes: dict[str, NodePlace],
    centre: dict[str, tuple[float, float]],
) -> list[EdgeRoute]:
    """Phase 7: every planned route as points, and its label in a free spot beside it."""
    horizontal = grid.horizontal

    def resolve(pa: Coord, pc: Coord) -> tuple[float, float]:
        kind = pa[0]
        if kind == "gap":
            va = along.gap_start[int(pa[1])] + TRACK_START + int(pa[2] or 0) * TRACK  # type: ignore[call-overload]
        else:
            node = str(pa[1])
            na = centre[node][0]
            va = {"end": na + ax[node].sa / 2, "start": na - ax[node].sa / 2}.get(str(kind), na)
            if kind == "offcentre":  # one of several spots on the node's bottom
                step = min(16.0, (ax[node].sa / 2 - 8) / float(pa[3]))  # type: ignore[arg-type]
                va = na + float(pa[2]) * step  # type: ignore[arg-type]
        kind = pc[0]
        if kind == "channel":
            vc = across.channel[int(pc[1])] + int(pc[2] or 0) * TRACK  # type: ignore[call-overload]
        elif kind == "attach":
            vc = centre[str(pc[1])][1]
        elif kind == "inport":  # one of several ports on the node's start side
            node = str(pc[1])
            step = min(12.0, (ax[node].sc / 2 - 6) / float(pc[3]))  # type: ignore[arg-type]
            vc = centre[node][1] + float(pc[2]) * step  # type: ignore[arg-type]
        else:
            node = str(pc[1])
            nc = centre[node][1]
            vc = {"bottom": nc + ax[node].sc / 2, "top": nc - ax[node].sc / 2}.get(str(kind), nc)
        return va, vc

    obstacles = [abstract(p.box, horizontal) for p in nodes.values()]
    obstacles += [abstract(p.label.box, horizontal) for p in nodes.values() if p.label]
    obstacles.append((0.0, -1e9, along.header, 1e9))
    edges: list[EdgeRoute] = []
    for route in grid.plan.routes:
        pts = simplify([resolve(pa, pc) for pa, pc in route.points])
        pts[-1] = _on_border(model, route.target, pts[-1], centre, ax)
        label = None
        text_lines = room.edge_lines.get(route.index)
        if text_lines:
            lw, lh = block_size(text_lines, EDGE_FONT)
            la, lc = (lw, lh) if horizontal else (lh, lw)
            spot = place_label(
                pts, la, lc, obstacles, (along.header, 0.0, along.total, across.total)
            )
            obstacles.append(spot)
            label = Label(text_lines, grid.box(spot[0], spot[1], la, lc))
        screen = tuple(
            (round(p[0], 2), round(p[1], 2)) if horizontal else (round(p[1], 2), round(p[0], 2))
            for p in pts
        )
        edges.append(EdgeRoute(route.index, route.source, route.target, screen, label))
    return edges


def _on_border(
    model: Model,
    node_id: str,
    point: tuple[float, float],
    centre: dict[str, tuple[float, float]],
    ax: dict[str, _Ax],
) -> tuple[float, float]:
    """A flow's end moved onto the border of a round or diamond node when it arrives off
    the node's middle line (at a port of its own)."""
    na, nc = centre[node_id]
    half = ax[node_id].sa / 2
    off = abs(point[1] - nc)
    if off < 0.01 or abs(point[0] - (na - half)) > 0.01:
        return point
    node = model.node_by_id[node_id]
    if node.is_gateway:
        return round(na - half + off, 2), point[1]
    if node.is_event:
        return round(na - (max(half * half - off * off, 0.0)) ** 0.5, 2), point[1]
    return point


def _place_bands(
    model: Model, grid: _Grid, along: _Along, across: _Across
) -> tuple[list[Band], dict[str, Box], Box | None, dict[str, Label]]:
    """Phase 8: the bands with their headers and the pools around them: a band that is a
    pool on its own (an external lane, a pool without lanes, a black box) has its header
    at the edge; lanes of a pool have theirs after the pool's title strip.  A model without
    pools has one titled pool (key ``""``, its header returned) around the team lanes."""
    bands: list[Band] = []
    pools: dict[str, Box] = {}
    titles: dict[str, Label] = {}
    members: dict[str, list[str]] = {}
    for b, name, kind in grid.bands:
        start_c, size = across.band_box[b]
        alone = whole(model, b, kind)
        start = 0.0 if alone else POOL_HEADER
        if alone:
            head = grid.box(0, start_c, along.header, size)
            if kind != "none":
                pools[grid.pool_of[b]] = grid.box(0, start_c, along.total, size)
        else:
            head = grid.box(POOL_HEADER, start_c, LANE_HEADER, size)
            members.setdefault(grid.pool_of[b], []).append(b)
        band_label = Label(tuple(wrap(name, size - 24, 2, 14)), head)
        bands.append(
            Band(
                b,
                name,
                kind,  # type: ignore[arg-type]
                grid.box(start, start_c, along.total - start, size),
                head,
                band_label,
            )
        )
    pool_header = None
    for key, inside in members.items():
        c_first = across.band_box[inside[0]][0]
        c_last = sum(across.band_box[inside[-1]])
        pools[key] = grid.box(0, c_first, along.total, c_last - c_first)
        header = grid.box(0, c_first, POOL_HEADER, c_last - c_first)
        if not model.pools:
            pool_header = header
            continue
        title = pool_title(model, key, header, grid.horizontal)
        if title is not None:
            titles[key] = title
    return bands, pools, pool_header, titles


def _place_data(
    model: Model,
    grid: _Grid,
    along: _Along,
    across: _Across,
    centre: dict[str, tuple[float, float]],
) -> dict[str, Box]:
    """Phase 9: data objects (for BPMNDI) in a strip after the last band, each under the
    first node that uses it."""
    used_at: dict[str, float] = {}
    for n in model.nodes:
        for art in [*n.inputs, *n.outputs]:
            if art not in used_at and n.id in centre:
                used_at[art] = centre[n.id][0]
    taken: dict[float, int] = defaultdict(int)
    fallback = along.header + 20
    data_sa, data_sc = (36.0, 50.0) if grid.horizontal else (50.0, 36.0)
    data: dict[str, Box] = {}
    for artifact in model.artifacts:
        at = used_at.get(artifact.id)
        if at is None:
            at, fallback = fallback, fallback + 60
        k = taken[at]
        taken[at] += 1
        data[artifact.id] = grid.box(at - data_sa / 2 + 46 * k, across.total + 30, data_sa, data_sc)
    return data
