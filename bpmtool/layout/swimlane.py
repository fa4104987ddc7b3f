"""The swimlane layout of a model: bands, cells, sizes, routes and labels, as numbers.

Work happens in two axes, *along* the flow (x when horizontal) and *across* the lanes
(y when horizontal); the vertical orientation only swaps them when boxes are written out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

from bpmtool.layout.geometry import Band, Box, EdgeRoute, Label, Layout, NodePlace, Orientation
from bpmtool.layout.ranking import rank
from bpmtool.layout.routing import Coord, plan_routes
from bpmtool.layout.text import block_size, wrap
from bpmtool.model import Model, Node

__all__ = ["NO_LANE", "layout_model", "node_size"]

#: the band of nodes that name no lane
NO_LANE = "\x00"

POOL_HEADER, LANE_HEADER = 30.0, 34.0
GAP_FREE, TRACK, TRACK_START = 30.0, 10.0, 14.0
ROW_PAD, CHANNEL_PAD = 16.0, 10.0
POOL_GAP = 24.0
BAND_MIN = {"horizontal": 136.0, "vertical": 176.0}
LABEL_WIDTH, EDGE_LABEL_WIDTH, EDGE_FONT = 104.0, 120.0, 11.0
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
    """Lay out ``model`` as swimlanes (see :mod:`bpmtool.layout`)."""
    if orientation not in ("horizontal", "vertical"):
        raise ValueError(f"orientation must be horizontal or vertical, not {orientation!r}")
    horizontal = orientation == "horizontal"
    by_id = model.node_by_id
    lanes = model.lane_by_id
    attached = {n.id: n.attached_to for n in model.nodes if n.attached_to
                and n.attached_to in by_id and not by_id[n.attached_to].attached_to}
    placed = [n for n in model.nodes if n.id not in attached]
    band_of = {n.id: (n.lane if n.lane in lanes else NO_LANE) for n in placed}
    bands = _bands(model, NO_LANE in band_of.values())
    order = [b[0] for b in bands]

    def host(node_id: str) -> str:
        return attached.get(node_id, node_id)

    flows = [(i, f.source, host(f.target)) for i, f in enumerate(model.flows)
             if f.source in by_id and f.target in by_id]
    grid = rank([n.id for n in placed], [(host(s), t) for _, s, t in flows], band_of, order,
                [n.id for n in placed if n.type == "start"])
    rows_in = dict.fromkeys(order, 1)
    for n in placed:
        rows_in[band_of[n.id]] = max(rows_in[band_of[n.id]], grid.row[n.id] + 1)
    first_row, g = {}, 0
    for b in order:
        first_row[b] = g
        g += rows_in[b]
    global_row = {n.id: first_row[band_of[n.id]] + grid.row[n.id] for n in placed}
    plan = plan_routes(flows, grid.column, global_row, attached)

    # sizes of shapes and outside labels, in along/across units
    ax: dict[str, _Ax] = {}
    for n in model.nodes:
        w, h = (BOUNDARY, BOUNDARY) if n.id in attached else node_size(n)
        shape = _Ax(w, h) if horizontal else _Ax(h, w)
        if not n.is_activity:
            shape.lines = tuple(wrap(n.label, LABEL_WIDTH, 3))
            lw, lh = block_size(shape.lines)
            shape.la, shape.lc = (lw, lh + 4) if horizontal else (lh, lw + 6)
        ax[n.id] = shape
    columns = max(grid.column.values(), default=0) + 1
    col_size = [36.0] * columns
    for n in placed:
        c = grid.column[n.id]
        col_size[c] = max(col_size[c], ax[n.id].sa, ax[n.id].la)
    rows = g
    up, down = [24.0] * rows, [24.0] * rows
    for n in placed:
        r, shape = global_row[n.id], ax[n.id]
        up[r] = max(up[r], shape.sc / 2)
        down[r] = max(down[r], shape.sc / 2 + shape.lc)
    for ev, on in attached.items():
        r, shape = global_row[on], ax[ev]
        down[r] = max(down[r], ax[on].sc / 2 + shape.sc / 2 + shape.lc)

    # edge labels and the room they claim in the gap before their target
    edge_lines: dict[int, tuple[str, ...]] = {}
    room: dict[int, float] = defaultdict(float)
    for route in plan.routes:
        text = _edge_text(model, route.index)
        if not text:
            continue
        lines = tuple(wrap(text, EDGE_LABEL_WIDTH, 3, EDGE_FONT))
        edge_lines[route.index] = lines
        if route.label_gap is not None:
            lw, lh = block_size(lines, EDGE_FONT)
            room[route.label_gap] = max(room[route.label_gap], (lw if horizontal else lh) + 10)

    # along: headers, then gap -1, column 0, gap 0, column 1, …
    header = POOL_HEADER + LANE_HEADER
    gap_start: dict[int, float] = {}
    col_centre: list[float] = []
    cursor = header
    for c in range(-1, columns):
        if c >= 0:
            col_centre.append(cursor + col_size[c] / 2)
            cursor += col_size[c]
        gap_start[c] = cursor
        cursor += TRACK_START + plan.gap_tracks.get(c, 0) * TRACK + max(GAP_FREE, room.get(c, 0))
    total_a = cursor + 10

    # across: bands, rows in them, each row with its channel underneath
    band_box: dict[str, tuple[float, float]] = {}
    port: list[float] = [0.0] * rows
    channel: list[float] = [0.0] * rows
    c0 = 0.0
    previous_kind = None
    for b, _, kind in bands:
        if previous_kind is not None and (kind == "external" or previous_kind == "external"):
            c0 += POOL_GAP
        previous_kind = kind
        size = 0.0
        for r in range(first_row[b], first_row[b] + rows_in[b]):
            size += ROW_PAD + up[r] + down[r] + CHANNEL_PAD
            size += plan.channel_tracks.get(r, 0) * TRACK + ROW_PAD / 2
        extra = max(BAND_MIN[orientation] - size, 0) / 2
        cur = c0 + extra
        for r in range(first_row[b], first_row[b] + rows_in[b]):
            port[r] = cur + ROW_PAD + up[r]
            channel[r] = port[r] + down[r] + CHANNEL_PAD
            cur = channel[r] + plan.channel_tracks.get(r, 0) * TRACK + ROW_PAD / 2
        band_box[b] = (c0, size + 2 * extra)
        c0 += size + 2 * extra
    total_c = c0

    def box(a: float, c: float, sa: float, sc: float) -> Box:
        return Box(round(a, 2), round(c, 2), round(sa, 2), round(sc, 2)) if horizontal \
            else Box(round(c, 2), round(a, 2), round(sc, 2), round(sa, 2))

    # nodes (centre a, centre c)
    centre: dict[str, tuple[float, float]] = {}
    for n in placed:
        centre[n.id] = (col_centre[grid.column[n.id]], port[global_row[n.id]])
    slot: dict[str, int] = defaultdict(int)
    for ev, on in attached.items():
        ha, hc = centre[on]
        k = slot[on]
        slot[on] += 1
        centre[ev] = (ha + ax[on].sa / 2 - 24 - (BOUNDARY + 8) * k, hc + ax[on].sc / 2)
    out = Layout(orientation=orientation, width=0, height=0)
    for n in model.nodes:
        if n.id not in centre:
            continue
        (na, nc), s = centre[n.id], ax[n.id]
        label = None
        if s.lines:
            lw, lh = block_size(s.lines)
            lbox = Box(round(na - lw / 2, 2), round(nc + s.sc / 2 + 4, 2), round(lw, 2),
                       round(lh, 2)) if horizontal else \
                Box(round(nc + s.sc / 2 + 6, 2), round(na - lh / 2, 2), round(lw, 2), round(lh, 2))
            label = Label(s.lines, lbox)
        b = band_of.get(host(n.id), NO_LANE)
        out.nodes[n.id] = NodePlace(n.id, box(na - s.sa / 2, nc - s.sc / 2, s.sa, s.sc), label,
                                    b, grid.column[host(n.id)], grid.row[host(n.id)])

    def resolve(pa: Coord, pc: Coord) -> tuple[float, float]:
        kind = pa[0]
        if kind == "gap":
            va = gap_start[int(pa[1])] + TRACK_START + int(pa[2] or 0) * TRACK  # type: ignore[call-overload]
        else:
            node = str(pa[1])
            na = centre[node][0]
            va = {"end": na + ax[node].sa / 2, "start": na - ax[node].sa / 2}.get(str(kind), na)
        kind = pc[0]
        if kind == "channel":
            vc = channel[int(pc[1])] + int(pc[2] or 0) * TRACK  # type: ignore[call-overload]
        elif kind == "attach":
            node = str(pc[1])
            vc = centre[node][1]
        else:
            node = str(pc[1])
            nc = centre[node][1]
            vc = nc + ax[node].sc / 2 if kind == "bottom" else nc
        return va, vc

    obstacles = [_abstract(p.box, horizontal) for p in out.nodes.values()]
    obstacles += [_abstract(p.label.box, horizontal) for p in out.nodes.values() if p.label]
    obstacles.append((0.0, -1e9, header, 1e9))
    for route in plan.routes:
        pts = _simplify([resolve(pa, pc) for pa, pc in route.points])
        label = None
        text_lines = edge_lines.get(route.index)
        if text_lines:
            lw, lh = block_size(text_lines, EDGE_FONT)
            la, lc = (lw, lh) if horizontal else (lh, lw)
            spot = _place_label(pts, la, lc, obstacles, (header, 0.0, total_a, total_c))
            obstacles.append(spot)
            label = Label(text_lines, box(spot[0], spot[1], la, lc))
        screen = tuple((round(p[0], 2), round(p[1], 2)) if horizontal
                       else (round(p[1], 2), round(p[0], 2)) for p in pts)
        out.edges.append(EdgeRoute(route.index, route.source, route.target, screen, label))

    # bands, pools
    internal = [b for b in bands if b[2] != "external"]
    for b, name, kind in bands:
        across, size = band_box[b]
        start = 0.0 if kind == "external" else POOL_HEADER
        if kind == "external":
            head = box(0, across, header, size)
        else:
            head = box(POOL_HEADER, across, LANE_HEADER, size)
        band_label = Label(tuple(wrap(name, size - 24, 2, 14)), head)
        out.bands.append(Band(b, name, kind,  # type: ignore[arg-type]
                              box(start, across, total_a - start, size), head, band_label))
        if kind == "external":
            out.pools[b] = box(0, across, total_a, size)
    if internal:
        c_first = band_box[internal[0][0]][0]
        c_last = sum(band_box[internal[-1][0]])
        out.pools[""] = box(0, c_first, total_a, c_last - c_first)
        out.pool_header = box(0, c_first, POOL_HEADER, c_last - c_first)

    # data objects (BPMNDI) in a strip after the last band
    used_at: dict[str, float] = {}
    for n in model.nodes:
        for art in [*n.inputs, *n.outputs]:
            if art not in used_at and n.id in centre:
                used_at[art] = centre[n.id][0]
    taken: dict[float, int] = defaultdict(int)
    fallback = header + 20
    data_sa, data_sc = (36.0, 50.0) if horizontal else (50.0, 36.0)
    for artifact in model.artifacts:
        at = used_at.get(artifact.id)
        if at is None:
            at, fallback = fallback, fallback + 60
        k = taken[at]
        taken[at] += 1
        out.data[artifact.id] = box(at - data_sa / 2 + 46 * k, total_c + 30, data_sa, data_sc)
    out.width, out.height = (total_a, total_c) if horizontal else (total_c, total_a)
    out.width, out.height = round(out.width, 2), round(out.height, 2)
    return out


def _edge_text(model: Model, index: int) -> str:
    flow = model.flows[index]
    if flow.condition:
        return flow.condition
    if flow.artifact:
        return model.artifact_label(flow.artifact)
    return flow.name


def _abstract(b: Box, horizontal: bool) -> tuple[float, float, float, float]:
    return (b.x, b.y, b.width, b.height) if horizontal else (b.y, b.x, b.height, b.width)


def _simplify(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop repeated points and points in the middle of a straight run."""
    out: list[tuple[float, float]] = []
    for p in points:
        if out and abs(out[-1][0] - p[0]) < 0.01 and abs(out[-1][1] - p[1]) < 0.01:
            continue
        if len(out) >= 2:
            (a1, c1), (a2, c2) = out[-2], out[-1]
            if (abs(a1 - a2) < 0.01 and abs(a2 - p[0]) < 0.01) or \
                    (abs(c1 - c2) < 0.01 and abs(c2 - p[1]) < 0.01):
                out[-1] = p
                continue
        out.append(p)
    return out


def _place_label(pts: list[tuple[float, float]], la: float, lc: float,
                 obstacles: list[tuple[float, float, float, float]],
                 bounds: tuple[float, float, float, float]
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
            for oa, oc, ow, oh in obstacles)

    return next((s for s in candidates if clear(s)),
                next((s for s in candidates if inside(s)), candidates[0]))
