"""Pools in bpmtool's own swimlane layout: which band belongs to which pool, the bands in
pool order, each pool's frame and title strip, and message flows to a pool's border.

A model without pools keeps its old picture: the team lanes are one pool (key ``""``) and
each external lane a pool of its own.  A model with pools gets one block of bands per pool,
in the model's order: a pool with lanes is a frame with its title strip and a band per
lane; a pool without lanes (its one lane stands for it) and a black box are one band that
is the pool.

>>> from bpmtool.model import Model
>>> m = Model.model_validate({"id": "m", "pools": [{"id": "p", "name": "Us"},
...     {"id": "c", "name": "Customer", "black_box": True}],
...     "lanes": [{"id": "a", "pool": "p"}, {"id": "b", "pool": "p"}]})
>>> [(b, pool_key(m, b)) for b, _, _ in pool_bands(m, False)]
[('a', 'p'), ('b', 'p'), ('c', 'c')]
"""

from __future__ import annotations

from bpmtool.layout.geometry import Box, Label, Link, NodePlace
from bpmtool.layout.text import wrap
from bpmtool.model import Model

__all__ = ["NO_LANE", "pool_bands", "pool_flow_links", "pool_key", "pool_title", "whole"]

#: the band of nodes that name no lane
NO_LANE = "\x00"


def pool_bands(model: Model, has_unlaned: bool) -> list[tuple[str, str, str]]:
    """The bands (id, name, kind) of a model with pools, pool by pool in the model's order;
    a black box is a band of its own; nodes without a lane in a band after the pools."""
    out: list[tuple[str, str, str]] = []
    for pool in model.pools:
        if pool.black_box:
            out.append((pool.id, pool.name, "external"))
            continue
        for lane in model.lanes:
            if model.lane_pool(lane.id) != pool.id:
                continue
            outside = lane.external or (model.whole_pool(lane.id) and pool.external)
            # an unnamed lane shows no name (never its id)
            out.append((lane.id, lane.name, "external" if outside else "lane"))
    placed = {b for b, _, _ in out}
    for lane in model.lanes:  # a lane naming no pool of the model
        if lane.id not in placed:
            out.append((lane.id, lane.name, "external" if lane.external else "lane"))
    if has_unlaned or not out:
        out.append((NO_LANE, "No lane", "none"))
    return out


def pool_key(model: Model, band: str) -> str:
    """The pool a band belongs to: ``""`` for the team lanes of a model without pools, the
    lane's own id for an external lane there; the pool's id in a model with pools."""
    if not model.pools:
        lane = model.lane_by_id.get(band)
        return band if lane is not None and lane.external else ""
    if band in model.pool_by_id:
        return band
    return model.lane_pool(band) or band


def whole(model: Model, band: str, kind: str) -> bool:
    """True for a band that is a pool on its own (its title strip is the pool's)."""
    if not model.pools:
        return kind == "external"
    return band in model.pool_by_id or model.whole_pool(band) or band == NO_LANE


def pool_title(model: Model, key: str, header: Box, horizontal: bool) -> Label | None:
    """The pool's name in its title strip (none for an unnamed pool)."""
    pool = model.pool_by_id.get(key)
    if pool is None or not pool.name:
        return None
    room = header.height if horizontal else header.width
    return Label(tuple(wrap(pool.name, room - 16, 1, 13)), header)


def pool_flow_links(
    model: Model, nodes: dict[str, NodePlace], pools: dict[str, Box], horizontal: bool
) -> list[Link]:
    """Message flows with a pool at one end, straight across to the pool's nearer border
    (up or down between stacked pools, left or right in the vertical layout)."""
    out: list[Link] = []
    for i, flow in enumerate(model.pool_flows):
        node_end = flow.source if flow.source in nodes else flow.target
        pool_end = flow.target if node_end == flow.source else flow.source
        if node_end not in nodes or pool_end not in pools:
            continue
        box, pool = nodes[node_end].box, pools[pool_end]
        if horizontal:
            border = pool.y if pool.y >= box.bottom else pool.bottom
            near = box.bottom if pool.y >= box.bottom else box.y
            x = min(max(box.cx, pool.x + 1), pool.right - 1)
            points = ((x, near), (x, border))
        else:
            border = pool.x if pool.x >= box.right else pool.right
            near = box.right if pool.x >= box.right else box.x
            y = min(max(box.cy, pool.y + 1), pool.bottom - 1)
            points = ((near, y), (border, y))
        if node_end != flow.source:
            points = points[::-1]
        out.append(Link("message", flow.source, flow.target, points, i))
    return out
