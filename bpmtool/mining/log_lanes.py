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
from typing import TYPE_CHECKING

from bpmtool.mining.mapping import LANE, NODE
from bpmtool.model import Model

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LogLanes", "lanes_from_log"]


@dataclass(frozen=True)
class LogLanes:
    """The model with the log's lanes, the log recoded to them, and the assignment."""

    model: Model
    df: pd.DataFrame
    #: (activity label, lane name, share of its events that lane did), by activity
    owners: list[tuple[str, str, float]]


def lanes_from_log(model: Model, df: pd.DataFrame) -> LogLanes | None:
    """Each activity in the lane that did most of its events (ties: the lane named first);
    ``None`` when the log names no lane for any activity."""
    import pandas as pd

    known = df[df[NODE].notna() & df[LANE].notna()]
    if known.empty:
        return None
    counts = (
        pd.DataFrame({"node": known[NODE].astype(str), "lane": known[LANE].astype(str)})
        .value_counts()
        .reset_index(name="n")
        .sort_values(["node", "n", "lane"], ascending=[True, False, True], kind="stable")
    )
    totals = counts.groupby("node")["n"].sum()
    top = counts.drop_duplicates("node")
    names = sorted(set(counts["lane"]))
    ids = _lane_ids(names)
    owner = {row.node: ids[row.lane] for row in top.itertuples()}
    share = {row.node: row.n / totals[row.node] for row in top.itertuples()}
    data = model.model_dump(by_alias=True, exclude_defaults=True)
    data["lanes"] = [{"id": ids[name], "name": name} for name in names]
    for node in data.get("nodes", []):
        node["lane"] = owner.get(node["id"])
        if node["lane"] is None:
            node.pop("lane")
    derived = Model.model_validate(data)
    out = df.copy(deep=False)
    out[LANE] = df[LANE].map(lambda g: None if g is None else ids.get(str(g)))
    by_id = model.node_by_id
    owners = sorted(
        (by_id[node].label, name_of, round(float(share[node]), 4))
        for node, name_of in ((n, _name(ids, owner[n])) for n in owner)
        if by_id[node].is_activity
    )
    return LogLanes(derived, out, owners)


def _lane_ids(names: list[str]) -> dict[str, str]:
    """A lane id per lane name of the log (ids follow the model's id rules)."""
    ids: dict[str, str] = {}
    for i, name in enumerate(names):
        slug = re.sub(r"[^A-Za-z0-9_]+", "_", name).strip("_")[:60] or "lane"
        ids[name] = f"log_{i}_{slug}"
    return ids


def _name(ids: dict[str, str], lane_id: str) -> str:
    return next(name for name, i in ids.items() if i == lane_id)
