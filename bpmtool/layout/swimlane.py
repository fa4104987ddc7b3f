"""The swimlane layout of a model: bands, cells, sizes, routes and labels, as numbers.

:func:`layout_model` runs the phases: the grid (:mod:`bpmtool.layout.swimlane_grid`), sizes
and positions (:mod:`bpmtool.layout.swimlane_room`), data objects and notes
(:mod:`bpmtool.layout.swimlane_data`, :mod:`bpmtool.layout.swimlane_reach`), then the
placing of nodes, edges and bands (:mod:`bpmtool.layout.swimlane_place`).

Work happens in two axes, *along* the flow (x when horizontal) and *across* the lanes
(y when horizontal); the vertical orientation only swaps them when boxes are written out.
"""

from __future__ import annotations

from bpmtool.layout.geometry import Box, Frame, Label, Layout, Link, Orientation
from bpmtool.layout.pools import pool_flow_links
from bpmtool.layout.swimlane_cells import Along, Grid, Room
from bpmtool.layout.swimlane_data import DataPlan, group_frames, place_strips, plan_data
from bpmtool.layout.swimlane_grid import build_grid
from bpmtool.layout.swimlane_place import place_bands, place_data, place_nodes, route_edges
from bpmtool.layout.swimlane_reach import far_links
from bpmtool.layout.swimlane_room import measure_room, place_across, place_along, shape_sizes
from bpmtool.layout.text import wrap
from bpmtool.model import Model

__all__ = ["layout_model"]


def layout_model(model: Model, orientation: Orientation = "horizontal") -> Layout:
    """Lay out ``model`` as swimlanes (see :mod:`bpmtool.layout`), in named phases:
    the grid (:func:`~bpmtool.layout.swimlane_grid.build_grid`), the shapes' sizes
    (:func:`~bpmtool.layout.swimlane_room.shape_sizes`), the room of each column and row
    (:func:`~bpmtool.layout.swimlane_room.measure_room`), the positions along the flow
    (:func:`~bpmtool.layout.swimlane_room.place_along`) and across the lanes
    (:func:`~bpmtool.layout.swimlane_room.place_across`), then the nodes, edges, bands and
    data objects placed."""
    if orientation not in ("horizontal", "vertical"):
        raise ValueError(f"orientation must be horizontal or vertical, not {orientation!r}")
    grid = build_grid(model, orientation)
    shapes = shape_sizes(model, grid)
    room = measure_room(model, grid, shapes)
    plan = _data_plan(model, grid, room)
    along = place_along(grid, room)
    across = place_across(grid, room, plan.strip)
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
