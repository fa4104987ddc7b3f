"""Lanes taken from the log for a model without any: each activity goes to the lane that
does most of its events.

A model with fewer than two lanes (a BPMN written by a miner) cannot say who should do what,
so by default the check leaves the lane checks out (``LANES-NOT-MODELLED``).  Asked to
(``check --lanes-from-log``), it puts every activity into the lane of the log that did the
majority of its events and runs the lane checks against that: ``WRONG-LANE`` then names the
events done by another lane than the usual one, ``UNMODELLED-HANDOFF`` handoffs the usual
owners never make.  The result says so (``LANES-FROM-LOG`` with the assignment, and
``lanes_from_log`` in the summary): these lanes describe the log, not a design.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bpmtool.model import Model

__all__ = ["LogLanes", "lanes_from_log"]


@dataclass(frozen=True)
class LogLanes:
    """The model with the log's lanes, each observed lane's id in it, and the assignment."""

    model: Model
    #: observed lane (as the mapped log names it) → its lane id in ``model``
    ids: dict[str, str]
    #: (activity label, lane name, share of its events that lane did), by activity
    owners: list[tuple[str, str, float]]


def lanes_from_log(model: Model, counts: list[tuple[str, str, int]]) -> LogLanes | None:
    """Each activity in the lane that did most of its events (ties: the lane named first),
    from the events per (node id, observed lane) of the events with both known; ``None``
    when the log names no lane for any activity."""
    if not counts:
        return None
    ordered = sorted(counts, key=lambda c: (c[0], -c[2], c[1]))
    totals: dict[str, int] = {}
    top: dict[str, tuple[str, int]] = {}
    for node, lane, n in ordered:
        totals[node] = totals.get(node, 0) + n
        top.setdefault(node, (lane, n))
    names = sorted({lane for _, lane, _ in counts})
    ids = _lane_ids(names)
    owner = {node: ids[lane] for node, (lane, _) in top.items()}
    share = {node: n / totals[node] for node, (_, n) in top.items()}
    data = model.model_dump(by_alias=True, exclude_defaults=True)
    data["lanes"] = [{"id": ids[name], "name": name} for name in names]
    for node in data.get("nodes", []):
        node["lane"] = owner.get(node["id"])
        if node["lane"] is None:
            node.pop("lane")
    derived = Model.model_validate(data)
    by_id = model.node_by_id
    owners = sorted(
        (by_id[node].label, name_of, round(float(share[node]), 4))
        for node, name_of in ((n, _name(ids, owner[n])) for n in owner)
        if by_id[node].is_activity
    )
    return LogLanes(derived, ids, owners)


def _lane_ids(names: list[str]) -> dict[str, str]:
    """A lane id per lane name of the log (ids follow the model's id rules)."""
    ids: dict[str, str] = {}
    for i, name in enumerate(names):
        slug = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")[:60] or "lane"
        ids[name] = f"log_{i}_{slug}"
    return ids


def _name(ids: dict[str, str], lane_id: str) -> str:
    return next(name for name, i in ids.items() if i == lane_id)
