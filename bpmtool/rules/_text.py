"""Wording shared by the rules: how to name nodes, lanes and artifacts in a message."""

from __future__ import annotations

from collections.abc import Iterable

from bpmtool.model import Model


def node(model: Model, node_id: str) -> str:
    n = model.node_by_id.get(node_id)
    return f"'{n.label}'" if n else f"'{node_id}'"


def lane(model: Model, lane_id: str | None) -> str:
    if not lane_id:
        return "no lane"
    found = model.lane_by_id.get(lane_id)
    if found is None:
        return lane_id
    if found.name:
        return found.name
    # an unnamed lane is told by its pool's name, never by an id the author did not write
    pool = model.pool_by_id.get(model.lane_pool(lane_id) or "")
    if pool is not None and pool.name:
        return f"the unnamed lane of {pool.name}"
    return found.id


def artifact(model: Model, artifact_id: str) -> str:
    return f"'{model.artifact_label(artifact_id)}'"


def listing(items: Iterable[str], limit: int = 5) -> str:
    items = list(items)
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
