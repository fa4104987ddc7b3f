"""The BPMN export's process pass: what one process holds, nested as the author made it.

Expanded sub-processes are written as ``subProcess`` (``transaction``, ``adHocSubProcess``)
elements holding their own nodes and flows; a flow the import re-wired to a sub-process's
start or end nodes goes to the sub-process again (one flow, however many nodes it was
re-wired to), and a boundary event of an expanded sub-process is attached to it again.
A process's own inputs and outputs are its ``ioSpecification``.

>>> from bpmtool.model import Model
>>> m = Model.model_validate({"id": "m", "subprocesses": [{"id": "s"}],
...     "nodes": [{"id": "a"}, {"id": "b", "parent": "s"}], "flows": ["a -> b"]})
>>> flow_ends(m, m.flows[0])
(None, 'a', 's')
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from bpmtool.io.bpmn_vocabulary import (
    EVENT_DEFINITIONS,
    EVENTS,
    GATEWAYS,
    SUBPROCESSES,
    TASKS,
    add_documentation,
    sub_element,
)
from bpmtool.model import Artifact, Flow, Model, Node

__all__ = ["XSI_NS", "flow_ends", "frame_of", "write_io", "write_process_content"]

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
_GATEWAY_ELEMENT = {v: k for k, v in GATEWAYS.items()}
_WITH_DEFAULT = frozenset({"exclusive", "inclusive", "complex"})
#: events that may read data (throw events) and write it (catch events), as the schema allows
_THROWS = frozenset({"endEvent", "intermediateThrowEvent", "implicitThrowEvent"})
_CATCHES = frozenset({"startEvent", "intermediateCatchEvent", "boundaryEvent"})

#: (kind, model id) → XML id
XmlId = Callable[[str, str], str]


def _chain(model: Model, parent: str | None) -> list[str]:
    """The sub-processes around an element whose parent is ``parent``, innermost first."""
    out: list[str] = []
    while parent is not None and parent not in out:
        out.append(parent)
        frame = model.subprocess_by_id.get(parent)
        parent = frame.parent if frame is not None else None
    return out


def frame_of(model: Model, node_id: str) -> str | None:
    node = model.node_by_id.get(node_id)
    return node.parent if node is not None else None


def flow_ends(model: Model, flow: Flow) -> tuple[str | None, str, str]:
    """Where a sequence flow is written: (the sub-process holding it, or None for the
    process; its source; its target), an end inside a sub-process the other end is not
    in being that sub-process (the import re-wires a flow into a sub-process to its start
    nodes, one out of it from its end nodes)."""
    up = _chain(model, frame_of(model, flow.source))
    down = _chain(model, frame_of(model, flow.target))
    common = next((p for p in up if p in down), None)

    def under(ident: str, chain: list[str]) -> str:
        if frame_of(model, ident) == common:
            return ident
        for frame in chain:
            if model.subprocess_by_id[frame].parent == common:
                return frame
        return ident

    return common, under(flow.source, up), under(flow.target, down)


def write_io(process: etree._Element, arts: list[Artifact], ids: XmlId) -> None:
    """A process's own inputs and outputs as its ``ioSpecification``."""
    if not arts:
        return
    spec = sub_element(process, "ioSpecification", id=ids("x", f"{process.get('id')}_io"))
    inputs = [a for a in arts if a.io == "input"]
    outputs = [a for a in arts if a.io == "output"]
    for art in inputs:
        sub_element(spec, "dataInput", id=ids("artifact", art.id), name=art.name)
    for art in outputs:
        sub_element(spec, "dataOutput", id=ids("artifact", art.id), name=art.name)
    in_set = sub_element(spec, "inputSet", id=ids("x", f"{process.get('id')}_inputs"))
    for art in inputs:
        sub_element(in_set, "dataInputRefs").text = ids("artifact", art.id)
    out_set = sub_element(spec, "outputSet", id=ids("x", f"{process.get('id')}_outputs"))
    for art in outputs:
        sub_element(out_set, "dataOutputRefs").text = ids("artifact", art.id)


def write_process_content(
    process: etree._Element,
    model: Model,
    nodes: list[Node],
    flows: list[Flow],
    ids: XmlId,
    flow_xml: dict[str, str],
) -> None:
    """Write ``nodes`` (one process's) and its sequence ``flows`` into ``process``, expanded
    sub-processes as elements holding their content.  ``flow_xml`` maps each flow's key to
    the XML id it is written under (flows the import had split share one); flows already
    written are not written again."""
    placed: dict[str | None, list[tuple[str, str]]] = {}
    seen: set[tuple[str, str]] = set()
    for node in nodes:
        chain: list[str | None] = [node.id, *_chain(model, node.parent)]
        for inner, outer in zip(chain, [*chain[1:], None], strict=True):
            kind = "node" if inner == node.id else "frame"
            assert inner is not None
            if (kind, inner) not in seen:
                seen.add((kind, inner))
                placed.setdefault(outer, []).append((kind, inner))
    for frame in model.subprocesses:  # an empty frame of this process
        if ("frame", frame.id) not in seen and _frame_here(model, frame.id, nodes):
            seen.add(("frame", frame.id))
            placed.setdefault(frame.parent, []).append(("frame", frame.id))
    by_container: dict[str | None, list[tuple[Flow, str, str]]] = {}
    defaults: dict[str, str] = {}
    for flow in flows:
        container, source, target = flow_ends(model, flow)
        by_container.setdefault(container, []).append((flow, source, target))
        if flow.default:
            defaults.setdefault(source, flow_xml[flow.key])
    _container(process, None, model, placed, by_container, ids, flow_xml, defaults)


def _frame_here(model: Model, frame_id: str, nodes: list[Node]) -> bool:
    """An empty frame belongs to the process of its lane or pool."""
    frame = model.subprocess_by_id[frame_id]
    lane_pool = model.lane_pool(frame.lane) if frame.lane else None
    pool = lane_pool or frame.pool
    return bool(nodes) and pool is not None and pool == model.pool_of(nodes[0].id)


def _container(
    el: etree._Element,
    container: str | None,
    model: Model,
    placed: dict[str | None, list[tuple[str, str]]],
    by_container: dict[str | None, list[tuple[Flow, str, str]]],
    ids: XmlId,
    flow_xml: dict[str, str],
    defaults: dict[str, str],
) -> None:
    for kind, ident in placed.get(container, []):
        if kind == "node":
            write_node(el, model, model.node_by_id[ident], ids, defaults)
            continue
        frame = model.subprocess_by_id[ident]
        tag = frame.task_type if frame.task_type in SUBPROCESSES else "subProcess"
        attrs = {"id": ids("subprocess", ident), "name": frame.name}
        if frame.event:
            attrs["triggeredByEvent"] = "true"
        if ident in defaults:
            attrs["default"] = defaults[ident]
        sub = sub_element(el, tag, **attrs)
        add_documentation(sub, frame.description)
        _container(sub, ident, model, placed, by_container, ids, flow_xml, defaults)
    written: set[str] = set()
    for flow, source, target in by_container.get(container, []):
        xml_id = flow_xml[flow.key]
        if xml_id in written:
            continue
        written.add(xml_id)
        out = sub_element(
            el,
            "sequenceFlow",
            id=xml_id,
            name=flow.name,
            sourceRef=_end(model, source, ids),
            targetRef=_end(model, target, ids),
        )
        if flow.condition:
            cond = sub_element(out, "conditionExpression")
            cond.set(f"{{{XSI_NS}}}type", "tFormalExpression")
            cond.text = flow.condition


def _end(model: Model, ident: str, ids: XmlId) -> str:
    return ids("node", ident) if ident in model.node_by_id else ids("subprocess", ident)


def _attached_frame(model: Model, node: Node) -> str | None:
    """The expanded sub-process a boundary event sits on: the import keeps it as the
    event's ``triggered_by`` (a node inside the sub-process)."""
    if node.task_type != "boundaryEvent" or node.attached_to or not node.triggered_by:
        return None
    for frame in _chain(model, frame_of(model, node.triggered_by)):
        if model.subprocess_by_id[frame].parent == node.parent:
            return frame
    return None


def _data_ref(model: Model, art: str, ids: XmlId) -> str:
    found = model.artifact_by_id.get(art)
    if found is not None and found.io is not None:
        return ids("artifact", art)  # the process's own dataInput/dataOutput
    return ids("x", f"{art}_ref")


def write_node(
    parent: etree._Element, model: Model, node: Node, ids: XmlId, defaults: dict[str, str]
) -> None:
    """One flow node: its element, documentation, data associations and event definitions."""
    nid = ids("node", node.id)
    attrs: dict[str, str] = {"id": nid, "name": node.name}
    frame = _attached_frame(model, node)
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
    elif frame is not None:
        tag = "boundaryEvent"
        attrs["attachedToRef"] = ids("subprocess", frame)
        if not node.interrupting:
            attrs["cancelActivity"] = "false"
    elif node.task_type in ("intermediateCatchEvent", "intermediateThrowEvent"):
        tag = node.task_type
    else:
        tag = "intermediateCatchEvent" if node.event_definition else "intermediateThrowEvent"
    el = sub_element(parent, tag, **attrs)
    add_documentation(el, node.description)
    if node.is_activity:
        # the schema wants every property before the first association
        props = [
            sub_element(
                el,
                "property",
                id=ids("x", f"{node.id}_input_{art}"),
                name="__targetRef_placeholder",
            )
            for art in node.inputs
        ]
        for art, prop in zip(node.inputs, props, strict=True):
            assoc = sub_element(el, "dataInputAssociation", id=ids("x", f"{node.id}_in_{art}"))
            sub_element(assoc, "sourceRef").text = _data_ref(model, art, ids)
            sub_element(assoc, "targetRef").text = prop.get("id")
    elif tag in _THROWS:
        for art in node.inputs:
            assoc = sub_element(el, "dataInputAssociation", id=ids("x", f"{node.id}_in_{art}"))
            sub_element(assoc, "sourceRef").text = _data_ref(model, art, ids)
            sub_element(assoc, "targetRef").text = _data_ref(model, art, ids)
    if node.is_activity or tag in _CATCHES:
        for art in node.outputs:
            assoc = sub_element(el, "dataOutputAssociation", id=ids("x", f"{node.id}_out_{art}"))
            sub_element(assoc, "targetRef").text = _data_ref(model, art, ids)
    if node.is_activity and node.loop == "standard":
        sub_element(el, "standardLoopCharacteristics", id=ids("x", f"{node.id}_loop"))
    elif node.is_activity and node.loop is not None:
        sequential = "true" if node.loop == "sequential" else "false"
        sub_element(
            el,
            "multiInstanceLoopCharacteristics",
            id=ids("x", f"{node.id}_loop"),
            isSequential=sequential,
        )
    if tag in EVENTS and node.event_definition:
        _event_definitions(el, node, ids)


def _event_definitions(el: etree._Element, node: Node, ids: XmlId) -> None:
    for kind in (node.event_definition or "").split(","):
        kind = kind.strip()
        if kind not in EVENT_DEFINITIONS:
            continue
        definition = sub_element(el, f"{kind}EventDefinition", id=ids("x", f"{node.id}_{kind}"))
        if kind == "conditional":
            cond = sub_element(definition, "condition")
            cond.set(f"{{{XSI_NS}}}type", "tFormalExpression")
        elif kind == "link":
            definition.set("name", node.label)
