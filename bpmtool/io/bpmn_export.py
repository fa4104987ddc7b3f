"""BPMN 2.0 export: XML that validates against the OMG schema, with BPMNDI to open laid out.

What is written (see ``docs/bpmn.md``):

* a collaboration with a participant per pool (black boxes without a process); a model
  without pools gets one participant holding the process of the internal lanes, and one per
  external lane (a black box when it has no nodes), marked ``bpmtool:external="true"``;
* per process: a laneSet with flowNodeRefs, tasks (``task_type`` or ``task``), events with
  their event definitions, boundary events, gateways with their default flow, expanded
  sub-processes holding their content (:mod:`bpmtool.io.bpmn_export_process`), the
  process's own inputs and outputs as its ``ioSpecification``;
* sequence flows with ``conditionExpression``; flows of kind ``message`` and
  flows that cross pools become message flows, pool flows message flows to a participant;
* a dataObject and a dataObjectReference per artifact (a dataStore and a
  dataStoreReference for a data store), and data input/output associations;
* text annotations, groups and associations in the collaboration;
* BPMNDI (:mod:`bpmtool.io.bpmn_export_di`): the author's diagram as it was read, or
  bpmtool's swimlane layout;
* what BPMN has no element for (stages, CTQs, triggers, the journey, aliases, …) in
  ``extensionElements`` in bpmtool's namespace (:mod:`bpmtool.io.bpmn_extensions`).

Ids are made valid XML ids (NCName) and unique across the document.  The output
is deterministic: the same model gives the same bytes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from bpmtool.io.bpmn import BPMN_NS, BPMTOOL_NS
from bpmtool.io.bpmn_export_di import DC_NS, DD_NS, DI_NS, DiTargets, write_diagram
from bpmtool.io.bpmn_export_process import XSI_NS, flow_ends, write_io, write_process_content
from bpmtool.io.bpmn_extensions import write_extensions
from bpmtool.layout import Layout, layout_model
from bpmtool.model import Flow, Lane, Model

__all__ = ["write_bpmn"]

NSMAP = {
    None: BPMN_NS,
    "bpmndi": DI_NS,
    "dc": DC_NS,
    "di": DD_NS,
    "xsi": XSI_NS,
    "bpmtool": BPMTOOL_NS,
}
_NOT_NCNAME = re.compile(r"[^A-Za-z0-9_.\-]")


def _b(tag: str) -> str:
    return f"{{{BPMN_NS}}}{tag}"


class _Ids:
    """Model ids → XML ids: valid NCNames, unique in the whole document."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.known: dict[tuple[str, str], str] = {}
        self.fresh_calls = 0

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

    def fresh(self, base: str) -> str:
        """A new id on each call (an element drawn twice gets two DI shapes)."""
        self.fresh_calls += 1
        return self(f"fresh{self.fresh_calls}", base)


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


def write_bpmn(model: Model, layout: Layout | None = None, *, relayout: bool = False) -> bytes:
    """The model as BPMN 2.0 XML (UTF-8 bytes) with diagram interchange: the author's
    diagram when the model has one (unless ``relayout``), with only what it lacks laid out;
    otherwise the positions of the swimlane layout (:mod:`bpmtool.layout`), so modellers
    open it as the SVG shows it."""
    authors = model.diagram is not None and not relayout
    if layout is None:
        if authors:
            from bpmtool.layout.from_di import layout_from_diagram

            layout = layout_from_diagram(model)
        else:
            layout = layout_model(model)
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
    for frame in model.subprocesses:
        ids("subprocess", frame.id)
    for art in model.artifacts:
        ids("artifact", art.id)
    # flows the import split from one BPMN flow (``split``) are written as one again; read
    # again, they get their ids back
    flow_xml, split = _flow_ids(model, ids)
    for kind, items in (
        ("annotation", model.annotations),
        ("group", model.groups),
        ("association", model.associations),
    ):
        for item in items:
            ids(kind, item.id)
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
        return flow_xml[flow.key]

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
        if ref in model.node_by_id:
            return ids("node", ref)
        if ref in model.subprocess_by_id:
            return ids("subprocess", ref)
        return participant_ids.get(ref, ref)

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
    _notes(root, collab, model, ids, end_id, flow_xml)
    first = next((p.key for p in pools if p.process is not None), None)
    for pool in pools:
        if pool.process is None:
            continue
        process = _sub(root, "process", id=process_ids[pool.key])
        if not pool.participant and pool.name:  # a process without a pool carries the name
            process.set("name", pool.name)
        if pool.executable is not None:
            process.set("isExecutable", "true" if pool.executable else "false")
        if not pool.participant:  # a process without a pool carries the pool's text
            _documentation(process, pool.description)
        elif pool.key == first:
            _documentation(process, model.description)
        mine = [
            art
            for art in model.artifacts
            if ((art.pool if model.pools else None) or first) == pool.key
        ]
        write_io(process, [a for a in mine if a.io is not None], ids)
        nodes = [n for n in model.nodes if key_of(n.id) == pool.key]
        if pool.lanes:
            lane_set = _sub(process, "laneSet", id=ids("x", f"LaneSet_{pool.xml_base}"))
            for lane in pool.lanes:
                lane_el = _sub(lane_set, "lane", id=ids("lane", lane.id), name=lane.name)
                _documentation(lane_el, lane.description)
                for node in nodes:
                    if node.lane == lane.id:
                        _sub(lane_el, "flowNodeRef").text = ids("node", node.id)
                for frame in model.subprocesses:
                    if frame.lane == lane.id:
                        _sub(lane_el, "flowNodeRef").text = ids("subprocess", frame.id)
        for art in mine:
            if art.io is not None:
                continue
            if art.store:  # a data store is global: it sits beside the process
                obj = etree.Element(_b("dataStore"), id=ids("artifact", art.id), name=art.name)
                root.insert(root.index(process), obj)
                _documentation(obj, art.description)
                for ref in _references(model, art.id, ids, authors):
                    _sub(
                        process,
                        "dataStoreReference",
                        id=ref,
                        name=art.name,
                        dataStoreRef=ids("artifact", art.id),
                    )
                continue
            obj = _sub(process, "dataObject", id=ids("artifact", art.id), name=art.name)
            _documentation(obj, art.description)
            for ref in _references(model, art.id, ids, authors):
                _sub(
                    process,
                    "dataObjectReference",
                    id=ref,
                    name=art.name,
                    dataObjectRef=ids("artifact", art.id),
                )
        write_process_content(process, model, nodes, sequence.get(pool.key, []), ids, flow_xml)
        written = {e.get("id"): e for e in process.iter(_b("sequenceFlow"))}
        for flow in sequence.get(pool.key, []):
            if flow_id(flow) in written:
                _flow_artifact(written[flow_id(flow)], flow, ids)
    pool_ids = (participant_ids, process_ids)
    _diagram(root, model, layout, ids, collab.get("id") or "", pool_ids, flow_xml, authors)
    kinds = {"lanes": "lane", "nodes": "node", "artifacts": "artifact"}
    write_extensions(
        root,
        model,
        lambda kind, item: (
            (item.id if item.key in split else flow_id(item))
            if kind == "flows"
            else ids(kinds[kind], item.id)
        ),
        laid_out=not authors,
        order_ids=lambda kind, item: ids(kind, item.id),
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _references(model: Model, art: str, ids: _Ids, authors: bool) -> list[str]:
    """The XML ids of an artifact's references: one, or one per shape when the author drew
    it more than once in a diagram (BPMN gives each drawing a reference of its own)."""
    diagrams = [model.diagram] if authors and model.diagram else []
    drawn = max(
        (len(d.shapes_by_element.get(art, [])) for d in [*diagrams, *model.other_diagrams]),
        default=0,
    )
    return [ids("x", f"{art}_ref")] + [ids("x", f"{art}_ref{n}") for n in range(2, drawn + 1)]


def _flow_ids(model: Model, ids: _Ids) -> tuple[dict[str, str], set[str]]:
    """Each flow's key → its XML id.  Flows the import made of one BPMN flow into or out of
    an expanded sub-process (ids ``<flow>_<source>_<target>``) are one flow again."""
    out: dict[str, str] = {}
    split: set[str] = set()
    merged: dict[tuple[str | None, str, str, str], str] = {}
    for flow in model.flows:
        base = flow.key if flow.id else f"Flow_{flow.source}_{flow.target}"
        if flow.kind == "sequence" and flow.id:
            container, source, target = flow_ends(model, flow)
            if (source, target) != (flow.source, flow.target):
                suffix = f"_{flow.source}_{flow.target}"
                raw = flow.id.removesuffix(suffix) if flow.id.endswith(suffix) else flow.id
                key = (container, source, target, raw)
                split.add(flow.key)
                if key in merged:
                    out[flow.key] = merged[key]
                    continue
                merged[key] = out[flow.key] = ids("flow", raw)
                continue
        out[flow.key] = ids("flow", base)
    for flow in model.pool_flows:
        out[flow.key] = ids("flow", flow.key if flow.id else f"Flow_{flow.source}_{flow.target}")
    return out, split


def _notes(
    root: etree._Element,
    collab: etree._Element,
    model: Model,
    ids: _Ids,
    end_id: Callable[[str], str],
    flow_xml: dict[str, str],
) -> None:
    """Text annotations, groups (named by a category value) and associations, in the
    collaboration, where they may point at anything of any pool."""
    for note in model.annotations:
        el = _sub(collab, "textAnnotation", id=ids("annotation", note.id))
        if note.text:
            _sub(el, "text").text = note.text
    category = None
    for group in model.groups:
        el = _sub(collab, "group", id=ids("group", group.id))
        if group.name:
            if category is None:
                category = etree.Element(_b("category"), id=ids("x", "Category_groups"))
                root.insert(root.index(collab), category)
            value = _sub(
                category, "categoryValue", id=ids("x", f"{group.id}_name"), value=group.name
            )
            el.set("categoryValueRef", value.get("id") or "")
    shapes = _shape_ids(model, ids)
    for assoc in model.associations:
        source = flow_xml.get(assoc.source) or shapes(assoc.source) or end_id(assoc.source)
        target = flow_xml.get(assoc.target) or shapes(assoc.target) or end_id(assoc.target)
        el = _sub(
            collab,
            "association",
            id=ids("association", assoc.id),
            sourceRef=source,
            targetRef=target,
        )
        if assoc.direction != "none":
            el.set("associationDirection", assoc.direction.capitalize())


def _shape_ids(model: Model, ids: _Ids) -> Callable[[str], str | None]:
    """A model element id → the XML id of what the export wrote for it (a data object's
    reference, a process input's ``dataInput``, a lane standing for a pool's participant)."""
    pools = {p.id for p in model.pools if p.participant}
    annotations = {a.id for a in model.annotations}
    groups = {g.id for g in model.groups}

    def find(ident: str) -> str | None:
        if ident in pools:
            return ids("pool", ident)
        if ident in model.lane_by_id:  # a whole pool's lane or an external lane: its pool
            return ids("lane", ident)
        if ident in model.node_by_id:
            return ids("node", ident)
        if ident in model.subprocess_by_id:
            return ids("subprocess", ident)
        art = model.artifact_by_id.get(ident)
        if art is not None:
            return ids("artifact", ident) if art.io is not None else ids("x", f"{ident}_ref")
        if ident in annotations:
            return ids("annotation", ident)
        if ident in groups:
            return ids("group", ident)
        return None

    return find


def _diagram(
    root: etree._Element,
    model: Model,
    layout: Layout,
    ids: _Ids,
    collab_id: str,
    pool_ids: tuple[dict[str, str], dict[str, str]],
    flow_xml: dict[str, str],
    authors: bool,
) -> None:
    """The diagrams; ``pool_ids`` are the pools' participant and process ids."""
    participant_ids, process_ids = pool_ids
    edges = dict(flow_xml)
    edges.update({a.id: ids("association", a.id) for a in model.associations})
    inputs = {(n.id, a) for n in model.nodes for a in n.inputs}
    outputs = {(n.id, a) for n in model.nodes for a in n.outputs}

    def data(node: str, art: str, direction: str) -> str | None:
        if (node, art) in (inputs if direction == "in" else outputs):
            return ids("x", f"{node}_{direction}_{art}")
        return None

    shapes = _shape_ids(model, ids)

    def plane(shows: str) -> str | None:  # a pool's diagram is drawn for its process
        return process_ids.get(shows) or participant_ids.get(shows) or shapes(shows)

    targets = DiTargets(
        shape=shapes,
        edge=edges,
        data=data,
        participants=participant_ids,
        di_id=ids.fresh,
        copy=lambda art, n: (
            ids("x", f"{art}_ref{n}")
            if art in model.artifact_by_id and model.artifact_by_id[art].io is None
            else None
        ),
        plane=plane,
    )
    write_diagram(root, model, layout, targets, collab_id, authors=authors)


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
