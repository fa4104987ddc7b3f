"""Phases 6 to 9 of the swimlane layout: the nodes, the edges (routes resolved, ends on the
borders, labels in free spots), the bands and pools, and the data objects, placed."""

from __future__ import annotations

from collections import defaultdict

from bpmtool.layout.geometry import Band, Box, EdgeRoute, Label, NodePlace
from bpmtool.layout.pools import NO_LANE, pool_title, whole
from bpmtool.layout.route_points import Obstacles, abstract, place_label, simplify
from bpmtool.layout.routing import Coord
from bpmtool.layout.swimlane_cells import (
    BOUNDARY,
    EDGE_FONT,
    LANE_HEADER,
    POOL_HEADER,
    TRACK,
    TRACK_START,
    Across,
    Along,
    Ax,
    Grid,
    Room,
)
from bpmtool.layout.text import block_size, wrap
from bpmtool.model import Model

__all__ = ["place_bands", "place_data", "place_nodes", "route_edges"]


def place_nodes(
    model: Model, grid: Grid, ax: dict[str, Ax], along: Along, across: Across
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
            start = na - lw / 2
            if n.id in grid.attached:  # a boundary event's name stays under its host's column
                on = grid.attached[n.id]
                start = min(start, centre[on][0] + max(ax[on].sa, lw) / 2 - lw)
            lbox = (
                Box(round(start, 2), round(nc + s.sc / 2 + 4, 2), round(lw, 2), round(lh, 2))
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


def route_edges(
    model: Model,
    grid: Grid,
    ax: dict[str, Ax],
    room: Room,
    along: Along,
    across: Across,
    nodes: dict[str, NodePlace],
    centre: dict[str, tuple[float, float]],
    in_the_way: tuple[list[Box], list[tuple[tuple[float, float], ...]]] = ([], []),
) -> list[EdgeRoute]:
    """Phase 7: every planned route as points, and its label in a free spot beside it
    (clear of ``in_the_way``: boxes and lines in screen units)."""
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

    obstacles = Obstacles()
    for p in nodes.values():
        obstacles.add(abstract(p.box, horizontal))
        if p.label:
            obstacles.add(abstract(p.label.box, horizontal))
    for b in in_the_way[0]:
        obstacles.add(abstract(b, horizontal))
    for line in in_the_way[1]:
        obstacles.add_line([p if horizontal else (p[1], p[0]) for p in line], -2)
    for start, size in across.band_box.values():  # no flow's name straddles two lanes
        for border in (start, start + size):
            obstacles.add((along.header, border, along.total - along.header, 0.0))
    routes = []
    for route in grid.plan.routes:
        pts = simplify([resolve(pa, pc) for pa, pc in route.points])
        pts[-1] = _on_border(model, route.target, pts[-1], centre, ax)
        obstacles.add_line(pts, route.index)
        routes.append((route, pts))
    edges: list[EdgeRoute] = []
    for route, pts in routes:
        label = None
        text_lines = room.edge_lines.get(route.index)
        if text_lines:
            lw, lh = block_size(text_lines, EDGE_FONT)
            la, lc = (lw, lh) if horizontal else (lh, lw)
            bounds = (along.header, 0.0, along.total, across.total)
            spot = place_label(pts, la, lc, obstacles, bounds, route.index)
            obstacles.add(spot)
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
    ax: dict[str, Ax],
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


def place_bands(
    model: Model, grid: Grid, along: Along, across: Across
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


def place_data(
    model: Model,
    grid: Grid,
    along: Along,
    across: Across,
    centre: dict[str, tuple[float, float]],
    placed: set[str],
) -> dict[str, Box]:
    """Phase 9: the data objects not ``placed`` in a row's data strip (used by no node) in
    a strip after the last band, for the BPMN export."""
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
        if artifact.id in placed:
            continue
        at = used_at.get(artifact.id)
        if at is None:
            at, fallback = fallback, fallback + 60
        k = taken[at]
        taken[at] += 1
        data[artifact.id] = grid.box(at - data_sa / 2 + 46 * k, across.total + 30, data_sa, data_sc)
    return data
