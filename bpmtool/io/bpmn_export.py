"""BPMN 2.0 export: XML that validates against the OMG schema, with BPMNDI to open laid out.

What is written (see ``docs/bpmn.md``):

* a collaboration; one participant (pool) holding the process of the internal
  lanes, with a laneSet and flowNodeRefs; every external lane becomes its own
  pool (a black box when it has no nodes), marked ``bpmtool:external="true"``;
* tasks (``task_type`` or ``task``), events with their event definitions,
  boundary events, gateways with their default flow;
* sequence flows with ``conditionExpression``; flows of kind ``message`` and
  flows that cross pools become message flows;
* a dataObject and a dataObjectReference per artifact (a dataStore and a
  dataStoreReference for a data store), and data input/output
  associations for the inputs and outputs of activities;
* BPMNDI shapes for pools, lanes, nodes and data objects, edges with waypoints;
* what BPMN has no element for (stages, CTQs, triggers, the journey, aliases, …) in
  ``extensionElements`` in bpmtool's namespace (:mod:`bpmtool.io.bpmn_extensions`).

Ids are made valid XML ids (NCName) and unique across the document.  The output
is deterministic: the same model gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from bpmtool.io.bpmn import BPMN_NS, BPMTOOL_NS, EVENTS, GATEWAYS, SUBPROCESSES, TASKS
from bpmtool.io.bpmn_extensions import write_extensions
from bpmtool.io.bpmn_vocabulary import EVENT_DEFINITIONS
from bpmtool.layout import Layout, layout_model
from bpmtool.model import Flow, Lane, Model, Node

__all__ = ["write_bpmn"]

DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DD_NS = "http://www.omg.org/spec/DD/20100524/DI"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {
    None: BPMN_NS,
    "bpmndi": DI_NS,
    "dc": DC_NS,
    "di": DD_NS,
    "xsi": XSI_NS,
    "bpmtool": BPMTOOL_NS,
}
_GATEWAY_ELEMENT = {v: k for k, v in GATEWAYS.items()}
_WITH_DEFAULT = frozenset({"exclusive", "inclusive", "complex"})
_NOT_NCNAME = re.compile(r"[^A-Za-z0-9_.\-]")


def _b(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


class _Ids:
    """Model ids → XML ids: valid NCNames, unique in the whole document."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.known: dict[tuple[str, str], str] = {}

    def __call__(self, kind: str, ident: str) -> str:
        key = (kind, ident)
        if key in self.known:
            return self.known[key]
        base = _NOT_NCNAME.sub("_", ident) or "id"
        if not (base[0].isalpha() or base[0] == "_"):
            base = f"_{base}"
        out, n = base, 1
        while out in self.used:
            n += 1
            out = f"{base}_{n}"
        self.used.add(out)
        self.known[key] = out
        return out


def _fmt(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _sub(parent: etree._Element, tag: str, **attrs: str) -> etree._Element:
    return etree.SubElement(parent, _b(tag), {k: v for k, v in attrs.items() if v})


def _documentation(el: etree._Element, text: str) -> None:
    if text:
        _sub(el, "documentation").text = text


#: the key of the internal pool in :attr:`Layout.pools` of a model without pools; external
#: lanes are pools keyed by their lane id; a model's own pools are keyed by their id
MAIN = ""


@dataclass(frozen=True)
class _ExportPool:
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


def _export_pools(model: Model) -> list[_ExportPool]:
    """The model's pools, or for a model without: one pool for its team lanes (named after
    the model) and one per external lane (a black box when it has no nodes)."""
    if model.pools:
        return [
            _ExportPool(
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
            _ExportPool(
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
                _ExportPool(
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


def _legacy_pool(model: Model, node_id: str) -> str:
    lane = model.lane_by_id.get(model.node_by_id[node_id].lane or "")
    return lane.id if lane is not None and lane.external else MAIN


def _pool_key(model: Model) -> Callable[[str], str]:
    """Node id → the key of the pool it is written in."""
    if model.pools:
        first = next((p.id for p in model.pools if not p.black_box), "")
        return lambda node_id: model.pool_of(node_id) or first
    return lambda node_id: _legacy_pool(model, node_id)


def write_bpmn(model: Model, layout: Layout | None = None) -> bytes:
    """The model as BPMN 2.0 XML (UTF-8 bytes) with diagram interchange: the positions of
    the swimlane layout (:mod:`bpmtool.layout`), so modellers open it as the SVG shows it."""
    layout = layout or layout_model(model)
    ids = _Ids()
    # reserve the ids of model elements first so they stay as they are where possible
    for declared in model.pools:
        ids("pool", declared.id)
    for lane in model.lanes:
        if model.whole_pool(lane.id):  # written as its pool: one element, one id
            ids.known["lane", lane.id] = ids("pool", lane.id)
            continue
        ids("lane", lane.id)
    for node in model.nodes:
        ids("node", node.id)
    for art in model.artifacts:
        ids("artifact", art.id)
    for flow in model.flows:
        ids("flow", flow.key if flow.id else f"Flow_{flow.source}_{flow.target}")
    root = etree.Element(_b("definitions"), nsmap=NSMAP)  # type: ignore[arg-type]
    root.set("id", ids("x", f"Definitions_{model.id}"))
    root.set("targetNamespace", f"http://bpmtool.dev/bpmn/{_NOT_NCNAME.sub('_', model.id)}")
    root.set("exporter", "bpmtool")
    root.set("exporterVersion", _version())
    collab = _sub(root, "collaboration", id=ids("x", "Collaboration_1"))
    pools = _export_pools(model)
    key_of = _pool_key(model)
    process_ids: dict[str, str] = {}
    participant_ids: dict[str, str] = {}
    for pool in pools:
        if pool.process is not None and not pool.participant and pool.process == pool.xml_base:
            process_ids[pool.key] = ids(pool.kind, pool.xml_base)  # the process is the pool
        elif pool.process is not None:
            process_ids[pool.key] = ids("x", pool.process)
        if not pool.participant:
            continue
        participant_ids[pool.key] = ids(pool.kind, pool.xml_base)
        part = _sub(collab, "participant", id=participant_ids[pool.key], name=pool.name)
        if pool.external:
            part.set(f"{{{BPMTOOL_NS}}}external", "true")
        if pool.process is not None:
            part.set("processRef", process_ids[pool.key])
        _documentation_first(part, pool.description)

    def flow_id(flow: Flow) -> str:
        return ids("flow", flow.key if flow.id else f"Flow_{flow.source}_{flow.target}")

    message: list[Flow] = []
    sequence: dict[str, list[Flow]] = {}
    for flow in model.flows:
        src, tgt = key_of(flow.source), key_of(flow.target)
        if flow.kind == "message" or src != tgt:
            message.append(flow)
        else:
            sequence.setdefault(src, []).append(flow)
    message += model.pool_flows

    def end_id(ref: str) -> str:
        return ids("node", ref) if ref in model.node_by_id else participant_ids.get(ref, ref)

    for flow in message:
        el = _sub(
            collab,
            "messageFlow",
            id=flow_id(flow),
            name=flow.name,
            sourceRef=end_id(flow.source),
            targetRef=end_id(flow.target),
        )
        # what BPMN cannot say about a message flow rides on our own attributes
        if flow.condition:
            el.set(f"{{{BPMTOOL_NS}}}condition", flow.condition)
        if flow.kind == "sequence":
            el.set(f"{{{BPMTOOL_NS}}}kind", "sequence")
        _flow_artifact(el, flow, ids)
    defaults = {f.source: flow_id(f) for f in reversed(model.flows) if f.default}
    first = next((p.key for p in pools if p.process is not None), None)
    for pool in pools:
        if pool.process is None:
            continue
        process = _sub(root, "process", id=process_ids[pool.key], isExecutable="false")
        if not pool.participant and pool.name:  # a process without a pool carries the name
            process.set("name", pool.name)
        if pool.executable is not None:
            process.set("isExecutable", "true" if pool.executable else "false")
        if not pool.participant:  # a process without a pool carries the pool's text
            _documentation(process, pool.description)
        elif pool.key == first:
            _documentation(process, model.description)
        nodes = [n for n in model.nodes if key_of(n.id) == pool.key]
        if pool.lanes:
            lane_set = _sub(process, "laneSet", id=ids("x", f"LaneSet_{pool.xml_base}"))
            for lane in pool.lanes:
                lane_el = _sub(lane_set, "lane", id=ids("lane", lane.id), name=lane.name)
                _documentation(lane_el, lane.description)
                for node in nodes:
                    if node.lane == lane.id:
                        _sub(lane_el, "flowNodeRef").text = ids("node", node.id)
        for art in model.artifacts:
            if ((art.pool if model.pools else None) or first) != pool.key:
                continue
            if art.store:  # a data store is global: it sits beside the process
                obj = etree.Element(_b("dataStore"), id=ids("artifact", art.id), name=art.name)
                root.insert(root.index(process), obj)
                _documentation(obj, art.description)
                _sub(
                    process,
                    "dataStoreReference",
                    id=ids("x", f"{art.id}_ref"),
                    name=art.name,
                    dataStoreRef=ids("artifact", art.id),
                )
                continue
            obj = _sub(process, "dataObject", id=ids("artifact", art.id), name=art.name)
            _documentation(obj, art.description)
            _sub(
                process,
                "dataObjectReference",
                id=ids("x", f"{art.id}_ref"),
                name=art.name,
                dataObjectRef=ids("artifact", art.id),
            )
        for node in nodes:
            _node(process, model, node, ids, defaults)
        for flow in sequence.get(pool.key, []):
            el = _sub(
                process,
                "sequenceFlow",
                id=flow_id(flow),
                name=flow.name,
                sourceRef=ids("node", flow.source),
                targetRef=ids("node", flow.target),
            )
            if flow.condition:
                cond = _sub(el, "conditionExpression")
                cond.set(f"{{{XSI_NS}}}type", "tFormalExpression")
                cond.text = flow.condition
            _flow_artifact(el, flow, ids)
    _diagram(root, model, layout, ids, collab.get("id") or "", participant_ids, message, flow_id)
    kinds = {"lanes": "lane", "nodes": "node", "artifacts": "artifact"}
    write_extensions(
        root,
        model,
        lambda kind, item: flow_id(item) if kind == "flows" else ids(kinds[kind], item.id),
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _flow_artifact(el: etree._Element, flow: Flow, ids: _Ids) -> None:
    if flow.artifact:
        el.set(f"{{{BPMTOOL_NS}}}artifact", ids("artifact", flow.artifact))


def _documentation_first(el: etree._Element, text: str) -> None:
    if text:
        doc = etree.Element(_b("documentation"))
        doc.text = text
        el.insert(0, doc)


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("bpmtool")
    except Exception:  # not installed as a distribution
        return "0"


def _node(
    process: etree._Element, model: Model, node: Node, ids: _Ids, defaults: dict[str, str]
) -> None:
    nid = ids("node", node.id)
    attrs: dict[str, str] = {"id": nid, "name": node.name}
    if node.is_activity:
        tag = node.task_type if node.task_type in TASKS | SUBPROCESSES else "task"
        if node.id in defaults:
            attrs["default"] = defaults[node.id]
        if node.compensation:
            attrs["isForCompensation"] = "true"
    elif node.is_gateway:
        tag = _GATEWAY_ELEMENT[node.type]
        if node.type in _WITH_DEFAULT and node.id in defaults:
            attrs["default"] = defaults[node.id]
    elif node.type == "start":
        tag = "startEvent"
        if not node.interrupting:
            attrs["isInterrupting"] = "false"
    elif node.type == "end":
        tag = "endEvent"
    elif node.attached_to and node.attached_to in model.node_by_id:
        tag = "boundaryEvent"
        attrs["attachedToRef"] = ids("node", node.attached_to)
        if not node.interrupting:
            attrs["cancelActivity"] = "false"
    elif node.task_type in ("intermediateCatchEvent", "intermediateThrowEvent"):
        tag = node.task_type
    else:
        tag = "intermediateCatchEvent" if node.event_definition else "intermediateThrowEvent"
    el = _sub(process, tag, **attrs)
    _documentation(el, node.description)
    if node.is_activity:
        # the schema wants every property before the first association
        props = [
            _sub(
                el,
                "property",
                id=ids("x", f"{node.id}_input_{art}"),
                name="__targetRef_placeholder",
            )
            for art in node.inputs
        ]
        for art, prop in zip(node.inputs, props, strict=True):
            assoc = _sub(el, "dataInputAssociation", id=ids("x", f"{node.id}_in_{art}"))
            _sub(assoc, "sourceRef").text = ids("x", f"{art}_ref")
            _sub(assoc, "targetRef").text = prop.get("id")
        for art in node.outputs:
            assoc = _sub(el, "dataOutputAssociation", id=ids("x", f"{node.id}_out_{art}"))
            _sub(assoc, "targetRef").text = ids("x", f"{art}_ref")
        if node.loop == "standard":
            _sub(el, "standardLoopCharacteristics", id=ids("x", f"{node.id}_loop"))
        elif node.loop is not None:
            sequential = "true" if node.loop == "sequential" else "false"
            _sub(
                el,
                "multiInstanceLoopCharacteristics",
                id=ids("x", f"{node.id}_loop"),
                isSequential=sequential,
            )
    if tag in EVENTS and node.event_definition:
        for kind in node.event_definition.split(","):
            kind = kind.strip()
            if kind not in EVENT_DEFINITIONS:
                continue
            definition = _sub(el, f"{kind}EventDefinition", id=ids("x", f"{node.id}_{kind}"))
            if kind == "conditional":
                cond = _sub(definition, "condition")
                cond.set(f"{{{XSI_NS}}}type", "tFormalExpression")
            elif kind == "link":
                definition.set("name", node.label)


def _diagram(
    root: etree._Element,
    model: Model,
    layout: Layout,
    ids: _Ids,
    collab_id: str,
    participant_ids: dict[str, str],
    message: list[Flow],
    flow_id: Any,
) -> None:
    diagram = etree.SubElement(root, f"{{{DI_NS}}}BPMNDiagram", id=ids("x", "BPMNDiagram_1"))
    plane = etree.SubElement(
        diagram, f"{{{DI_NS}}}BPMNPlane", id=ids("x", "BPMNPlane_1"), bpmnElement=collab_id
    )

    def shape(element: str, box: Any, **extra: str) -> None:
        el = etree.SubElement(
            plane,
            f"{{{DI_NS}}}BPMNShape",
            id=ids("x", f"{element}_di"),
            bpmnElement=element,
            **extra,
        )
        etree.SubElement(
            el,
            f"{{{DC_NS}}}Bounds",
            x=_fmt(box.x),
            y=_fmt(box.y),
            width=_fmt(box.width),
            height=_fmt(box.height),
        )

    def edge(element: str, points: list[tuple[float, float]]) -> None:
        el = etree.SubElement(
            plane, f"{{{DI_NS}}}BPMNEdge", id=ids("x", f"{element}_di"), bpmnElement=element
        )
        for x, y in points:
            etree.SubElement(el, f"{{{DD_NS}}}waypoint", x=_fmt(x), y=_fmt(y))

    horizontal = "true" if layout.orientation == "horizontal" else "false"
    bands = layout.band_by_id
    for pool, part_id in participant_ids.items():
        if pool in layout.pools:
            shape(part_id, layout.pools[pool], isHorizontal=horizontal)
    for lane in model.lanes:
        written = not model.whole_pool(lane.id) if model.pools else not lane.external
        if written and lane.id in bands:
            shape(ids("lane", lane.id), bands[lane.id].box, isHorizontal=horizontal)
    for node in model.nodes:
        place = layout.nodes.get(node.id)
        if place is None:
            continue
        box = place.box
        extra = {"isExpanded": "false"} if node.task_type in SUBPROCESSES else {}
        if node.type == "exclusive":
            extra["isMarkerVisible"] = "true"
        shape(ids("node", node.id), box, **extra)
    for art in model.artifacts:
        if art.id in layout.data:
            shape(ids("x", f"{art.id}_ref"), layout.data[art.id])
    routes = {e.index: e.points for e in layout.edges}
    for i, flow in enumerate(model.flows):
        if i in routes:
            edge(flow_id(flow), list(routes[i]))
    drawn = model.diagram
    for flow in model.pool_flows:
        route = drawn.edge_of(flow.key) if drawn is not None else None
        if route is not None:
            edge(flow_id(flow), list(route.points))
    for node in model.nodes:
        if not node.is_activity or node.id not in layout.nodes:
            continue
        box = layout.nodes[node.id].box
        for art_id in node.inputs:
            if art_id not in layout.data:
                continue
            data = layout.data[art_id]
            edge(ids("x", f"{node.id}_in_{art_id}"), [(data.cx, data.y), (box.cx - 10, box.bottom)])
        for art_id in node.outputs:
            if art_id not in layout.data:
                continue
            data = layout.data[art_id]
            edge(
                ids("x", f"{node.id}_out_{art_id}"), [(box.cx + 10, box.bottom), (data.cx, data.y)]
            )
