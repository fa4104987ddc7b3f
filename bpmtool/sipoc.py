"""SIPOC tables derived from lanes and artifacts.

Per activity: Suppliers (the lanes that produce each input) → Inputs → Process →
Outputs → Customers (the lanes that consume each output).  Rolled up per journey
stage and per lane, where only what crosses the boundary counts: the inputs a
stage or lane gets from outside and the outputs it gives to others.

>>> from bpmtool.io.yaml_model import load_model
>>> table = sipoc(load_model("models/saas-handoffs.yaml"))
>>> row = table.row("kickoff")
>>> row.suppliers, row.inputs, row.customers
(('Sales',), ('Sales-to-implementation handover notes',), ('Implementation', 'Customer'))
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from bpmtool.graph import ProcessGraph
from bpmtool.model import Model

__all__ = ["NO_CUSTOMER", "NO_SUPPLIER", "Sipoc", "SipocRollup", "SipocRow", "sipoc"]

#: shown where an input has no producer or an output no consumer (a gap the lint reports)
NO_SUPPLIER = "(no supplier)"
NO_CUSTOMER = "(no customer)"


@dataclass(frozen=True)
class SipocRow:
    """The SIPOC of one activity."""

    node: str
    process: str
    lane: str
    stage: str | None
    suppliers: tuple[str, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    customers: tuple[str, ...]
    #: per input artifact label → supplying lanes; per output → consuming lanes
    input_suppliers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    output_customers: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "node": self.node,
            "process": self.process,
            "lane": self.lane,
            "stage": self.stage,
            "suppliers": list(self.suppliers),
            "inputs": list(self.inputs),
            "outputs": list(self.outputs),
            "customers": list(self.customers),
            "input_suppliers": {k: list(v) for k, v in self.input_suppliers.items()},
            "output_customers": {k: list(v) for k, v in self.output_customers.items()},
        }


@dataclass(frozen=True)
class SipocRollup:
    """The SIPOC of a stage or a lane: what crosses its boundary."""

    scope: str  # "stage" or "lane"
    id: str
    name: str
    suppliers: tuple[str, ...]
    inputs: tuple[str, ...]
    process: tuple[str, ...]
    outputs: tuple[str, ...]
    customers: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "scope": self.scope,
            "id": self.id,
            "name": self.name,
            "suppliers": list(self.suppliers),
            "inputs": list(self.inputs),
            "process": list(self.process),
            "outputs": list(self.outputs),
            "customers": list(self.customers),
        }


@dataclass(frozen=True)
class Sipoc:
    """Every activity's SIPOC in flow order, with the stage and lane roll-ups."""

    model_id: str
    model_name: str
    rows: tuple[SipocRow, ...]
    stages: tuple[SipocRollup, ...]
    lanes: tuple[SipocRollup, ...]

    def row(self, node_id: str) -> SipocRow:
        return next(r for r in self.rows if r.node == node_id)

    def rows_of_stage(self, stage_id: str | None) -> list[SipocRow]:
        return [r for r in self.rows if r.stage == stage_id]

    def to_dict(self) -> dict[str, object]:
        return {
            "model": {"id": self.model_id, "name": self.model_name},
            "rows": [r.to_dict() for r in self.rows],
            "stages": [s.to_dict() for s in self.stages],
            "lanes": [lane.to_dict() for lane in self.lanes],
        }


def sipoc(model: Model, graph: ProcessGraph | None = None) -> Sipoc:
    """Derive the SIPOC of every activity, in the order work flows, with roll-ups."""
    g = graph or ProcessGraph(model)
    producers: dict[str, list[str]] = defaultdict(list)  # artifact → node ids
    consumers: dict[str, list[str]] = defaultdict(list)
    for node in model.nodes:
        for art in node.outputs:
            producers[art].append(node.id)
        for art in node.inputs:
            consumers[art].append(node.id)
    stage_of: dict[str, str] = {}
    for stage in model.stages:
        for nid in stage.nodes:
            stage_of.setdefault(nid, stage.id)

    def lanes_of(node_ids: Iterable[str]) -> tuple[str, ...]:
        ids = dict.fromkeys(model.lane_of(n) or "" for n in node_ids)
        return tuple(_lane_name(model, x) for x in ids if x)

    rows = []
    for nid in g.flow_order:
        node = model.node_by_id[nid]
        if not node.is_activity:
            continue
        in_sup = {
            model.artifact_label(a): lanes_of(producers[a]) or (NO_SUPPLIER,) for a in node.inputs
        }
        out_cus = {
            model.artifact_label(a): lanes_of(consumers[a]) or (NO_CUSTOMER,) for a in node.outputs
        }
        rows.append(
            SipocRow(
                node=nid,
                process=node.label,
                lane=_lane_name(model, node.lane),
                stage=stage_of.get(nid),
                suppliers=_union(in_sup.values()),
                inputs=tuple(in_sup),
                outputs=tuple(out_cus),
                customers=_union(out_cus.values()),
                input_suppliers=in_sup,
                output_customers=out_cus,
            )
        )
    order = {nid: i for i, nid in enumerate(g.flow_order)}
    stages = tuple(
        _rollup(model, "stage", s.id, s.label, list(s.nodes), producers, consumers, order)
        for s in model.stages
    )
    lanes = tuple(
        _rollup(
            model,
            "lane",
            lane.id,
            lane.label,
            g.nodes_by_lane.get(lane.id, []),
            producers,
            consumers,
            order,
        )
        for lane in model.lanes
    )
    return Sipoc(model.id, model.label, tuple(rows), stages, lanes)


def _rollup(
    model: Model,
    scope: str,
    ident: str,
    name: str,
    members: list[str],
    producers: dict[str, list[str]],
    consumers: dict[str, list[str]],
    order: dict[str, int],
) -> SipocRollup:
    inside = set(members)
    acts = sorted(
        (n for n in inside if n in model.node_by_id and model.node_by_id[n].is_activity),
        key=lambda n: order.get(n, 1 << 30),
    )
    inputs: dict[str, None] = {}
    suppliers: dict[str, None] = {}
    outputs: dict[str, None] = {}
    customers: dict[str, None] = {}
    for nid in acts:
        node = model.node_by_id[nid]
        for art in node.inputs:
            outside = [p for p in producers[art] if p not in inside]
            if outside or not producers[art]:
                inputs[art] = None
                for p in outside or []:
                    suppliers[_lane_name(model, model.lane_of(p))] = None
                if not producers[art]:
                    suppliers[NO_SUPPLIER] = None
        for art in node.outputs:
            outside = [c for c in consumers[art] if c not in inside]
            if outside or not consumers[art]:
                outputs[art] = None
                for c in outside:
                    customers[_lane_name(model, model.lane_of(c))] = None
                if not consumers[art]:
                    customers[NO_CUSTOMER] = None
    return SipocRollup(
        scope,
        ident,
        name,
        tuple(suppliers),
        tuple(model.artifact_label(a) for a in inputs),
        tuple(model.node_by_id[n].label for n in acts),
        tuple(model.artifact_label(a) for a in outputs),
        tuple(customers),
    )


def _lane_name(model: Model, lane_id: str | None) -> str:
    if not lane_id:
        return "(no lane)"
    lane = model.lane_by_id.get(lane_id)
    return lane.label if lane else lane_id


def _union(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    out: dict[str, None] = {}
    for group in groups:
        out.update(dict.fromkeys(group))
    return tuple(out)
