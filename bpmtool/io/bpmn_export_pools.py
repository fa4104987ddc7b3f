"""The BPMN export's participants: which pools are written, with which process and lanes,
and in which pool each node is written.

A model with pools gets one participant per pool (a black box without a process; a pool
with ``participant: false`` as a bare process).  A model without pools gets one
participant for its team lanes' process, named after the model, and one per external lane
(with a process of its own when it has nodes, a black box otherwise).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bpmtool.model import Lane, Model

__all__ = ["MAIN", "ExportPool", "export_pools", "pool_key"]

#: the key of the internal pool in :attr:`Layout.pools` of a model without pools; external
#: lanes are pools keyed by their lane id; a model's own pools are keyed by their id
MAIN = ""


@dataclass(frozen=True)
class ExportPool:
    """One participant (and its process) to write."""

    key: str
    name: str
    process: str | None  # the process's id base; None: a black box
    lanes: list[Lane]
    kind: str = "x"  # the id namespace of the participant
    xml_base: str = ""
    external: bool = False
    description: str = ""
    participant: bool = True
    executable: bool | None = None


def export_pools(model: Model) -> list[ExportPool]:
    """The model's pools, or for a model without: one pool for its team lanes (named after
    the model) and one per external lane (a black box when it has no nodes)."""
    if model.pools:
        return [
            ExportPool(
                key=p.id,
                name=p.name,
                process=None if p.black_box else (p.process or f"Process_{p.id}"),
                lanes=[
                    lane
                    for lane in model.lanes
                    if model.lane_pool(lane.id) == p.id and not model.whole_pool(lane.id)
                ],
                kind="pool",
                xml_base=p.id,
                external=p.external,
                description=p.description,
                participant=p.participant,
                executable=p.executable,
            )
            for p in model.pools
        ]
    out = []
    if any(_legacy_pool(model, n.id) == MAIN for n in model.nodes) or any(
        not lane.external for lane in model.lanes
    ):
        out.append(
            ExportPool(
                key=MAIN,
                name=model.label,
                process=f"Process_{model.id}",
                lanes=[lane for lane in model.lanes if not lane.external],
                xml_base=f"Participant_{model.id}",
            )
        )
    for lane in model.lanes:
        if lane.external:
            holds = any(n.lane == lane.id for n in model.nodes)
            out.append(
                ExportPool(
                    key=lane.id,
                    name=lane.label,
                    process=f"Process_{lane.id}" if holds else None,
                    lanes=[],
                    kind="lane",
                    xml_base=lane.id,
                    external=True,
                    description=lane.description,
                )
            )
    return out


def pool_key(model: Model) -> Callable[[str], str]:
    """Node id → the key of the pool it is written in."""
    if model.pools:
        first = next((p.id for p in model.pools if not p.black_box), "")
        return lambda node_id: model.pool_of(node_id) or first
    return lambda node_id: _legacy_pool(model, node_id)


def _legacy_pool(model: Model, node_id: str) -> str:
    lane = model.lane_by_id.get(model.node_by_id[node_id].lane or "")
    return lane.id if lane is not None and lane.external else MAIN
