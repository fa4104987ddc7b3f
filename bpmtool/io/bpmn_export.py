"""BPMN 2.0 export: XML that validates against the OMG schema, with BPMNDI to open laid out.

What is written (see ``docs/bpmn.md``):

* a collaboration with a participant per pool (black boxes without a process); a model
  without pools gets one participant holding the process of the internal lanes, and one per
  external lane (a black box when it has no nodes), marked ``bpmtool:external="true"``
  (:mod:`bpmtool.io.bpmn_export_pools`, :mod:`bpmtool.io.bpmn_export_collaboration`);
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

Ids are made valid XML ids (NCName) and unique across the document
(:mod:`bpmtool.io.bpmn_export_ids`).  The output
is deterministic: the same model gives the same bytes.
"""

from __future__ import annotations

from lxml import etree

from bpmtool.io.bpmn_export_collaboration import (
    end_ids,
    flow_artifact,
    split_flows,
    write_message_flows,
    write_notes,
    write_participants,
)
from bpmtool.io.bpmn_export_di import DC_NS, DD_NS, DI_NS, DiTargets, write_diagram
from bpmtool.io.bpmn_export_ids import NOT_NCNAME, XmlIds, flow_ids, shape_ids
from bpmtool.io.bpmn_export_pools import ExportPool, export_pools, pool_key
from bpmtool.io.bpmn_export_process import XSI_NS, write_io, write_process_content
from bpmtool.io.bpmn_extensions import write_extensions
from bpmtool.io.bpmn_vocabulary import BPMN_NS, BPMTOOL_NS, B, add_documentation, sub_element
from bpmtool.layout import Layout, layout_model
from bpmtool.model import Model, Node

__all__ = ["write_bpmn"]

NSMAP = {
    None: BPMN_NS,
    "bpmndi": DI_NS,
    "dc": DC_NS,
    "di": DD_NS,
    "xsi": XSI_NS,
    "bpmtool": BPMTOOL_NS,
}


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
    ids = XmlIds()
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
    flow_xml, split = flow_ids(model, ids)
    for kind, items in (
        ("annotation", model.annotations),
        ("group", model.groups),
        ("association", model.associations),
    ):
        for item in items:
            ids(kind, item.id)
    root = etree.Element(f"{B}definitions", nsmap=NSMAP)  # type: ignore[arg-type]
    root.set("id", ids("x", f"Definitions_{model.id}"))
    root.set("targetNamespace", f"http://bpmtool.dev/bpmn/{NOT_NCNAME.sub('_', model.id)}")
    root.set("exporter", "bpmtool")
    root.set("exporterVersion", _version())
    collab = sub_element(root, "collaboration", id=ids("x", "Collaboration_1"))
    pools = export_pools(model)
    participant_ids, process_ids = write_participants(collab, pools, ids)
    key_of = pool_key(model)
    message, sequence = split_flows(model, key_of)
    end_id = end_ids(model, ids, participant_ids)
    write_message_flows(collab, message, ids, end_id, flow_xml)
    write_notes(root, collab, model, ids, end_id, flow_xml)
    first = next((p.key for p in pools if p.process is not None), None)
    for pool in pools:
        if pool.process is not None:
            process = sub_element(root, "process", id=process_ids[pool.key])
            nodes = [n for n in model.nodes if key_of(n.id) == pool.key]
            _process(process, root, model, (pool, first), nodes, ids, authors)
            flows = sequence.get(pool.key, [])
            write_process_content(process, model, nodes, flows, ids, flow_xml)
            written = {e.get("id"): e for e in process.iter(f"{B}sequenceFlow")}
            for flow in flows:
                if flow_xml[flow.key] in written:
                    flow_artifact(written[flow_xml[flow.key]], flow, ids)
    pool_ids = (participant_ids, process_ids)
    _diagram(root, model, layout, ids, collab.get("id") or "", pool_ids, flow_xml, authors)
    kinds = {"lanes": "lane", "nodes": "node", "artifacts": "artifact"}
    write_extensions(
        root,
        model,
        lambda kind, item: (
            (item.id if item.key in split else flow_xml[item.key])
            if kind == "flows"
            else ids(kinds[kind], item.id)
        ),
        laid_out=not authors,
        order_ids=lambda kind, item: ids(kind, item.id),
    )
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _process(
    process: etree._Element,
    root: etree._Element,
    model: Model,
    pools: tuple[ExportPool, str | None],
    nodes: list[Node],
    ids: XmlIds,
    authors: bool,
) -> None:
    """A process's attributes, text, inputs and outputs, lanes and data; ``pools``: its pool
    and the key of the first pool with a process (whose process carries the model's
    description), ``nodes``: the nodes written in it."""
    pool, first = pools
    if not pool.participant and pool.name:  # a process without a pool carries the name
        process.set("name", pool.name)
    if pool.executable is not None:
        process.set("isExecutable", "true" if pool.executable else "false")
    if not pool.participant:  # a process without a pool carries the pool's text
        add_documentation(process, pool.description)
    elif pool.key == first:
        add_documentation(process, model.description)
    mine = [
        art for art in model.artifacts if ((art.pool if model.pools else None) or first) == pool.key
    ]
    write_io(process, [a for a in mine if a.io is not None], ids)
    if pool.lanes:
        lane_set = sub_element(process, "laneSet", id=ids("x", f"LaneSet_{pool.xml_base}"))
        for lane in pool.lanes:
            lane_el = sub_element(lane_set, "lane", id=ids("lane", lane.id), name=lane.name)
            add_documentation(lane_el, lane.description)
            for node in nodes:
                if node.lane == lane.id:
                    sub_element(lane_el, "flowNodeRef").text = ids("node", node.id)
            for frame in model.subprocesses:
                if frame.lane == lane.id:
                    sub_element(lane_el, "flowNodeRef").text = ids("subprocess", frame.id)
    for art in mine:
        if art.io is not None:
            continue
        kind = "dataStore" if art.store else "dataObject"
        if art.store:  # a data store is global: it sits beside the process
            obj = etree.Element(f"{B}{kind}", id=ids("artifact", art.id), name=art.name)
            root.insert(root.index(process), obj)
        else:
            obj = sub_element(process, kind, id=ids("artifact", art.id), name=art.name)
        add_documentation(obj, art.description)
        for ref in _references(model, art.id, ids, authors):
            attrs = {f"{kind}Ref": ids("artifact", art.id)}
            sub_element(process, f"{kind}Reference", id=ref, name=art.name, **attrs)


def _references(model: Model, art: str, ids: XmlIds, authors: bool) -> list[str]:
    """The XML ids of an artifact's references: one, or one per shape when the author drew
    it more than once in a diagram (BPMN gives each drawing a reference of its own)."""
    diagrams = [model.diagram] if authors and model.diagram else []
    drawn = max(
        (len(d.shapes_by_element.get(art, [])) for d in [*diagrams, *model.other_diagrams]),
        default=0,
    )
    return [ids("x", f"{art}_ref")] + [ids("x", f"{art}_ref{n}") for n in range(2, drawn + 1)]


def _diagram(
    root: etree._Element,
    model: Model,
    layout: Layout,
    ids: XmlIds,
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

    shapes = shape_ids(model, ids)

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


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("bpmtool")
    except Exception:  # not installed as a distribution
        return "0"
