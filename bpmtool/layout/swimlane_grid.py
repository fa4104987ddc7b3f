"""The swimlane layout's first phase: the grid — the bands in their order, and the column
and row of every node (:func:`bpmtool.layout.ranking.rank`), with the flows' routes planned
in symbolic coordinates (:func:`bpmtool.layout.routing.plan_routes`)."""

from __future__ import annotations

from collections import defaultdict

from bpmtool.layout.geometry import Orientation
from bpmtool.layout.pools import NO_LANE, pool_bands, pool_key
from bpmtool.layout.ranking import rank
from bpmtool.layout.routing import plan_routes
from bpmtool.layout.swimlane_cells import Grid
from bpmtool.model import Model

__all__ = ["build_grid"]


def build_grid(model: Model, orientation: Orientation) -> Grid:
    """Phase 1: the bands, each node's column and row, and the planned routes."""
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
