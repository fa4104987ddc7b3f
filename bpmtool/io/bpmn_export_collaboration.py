"""The BPMN export's collaboration: participants, message flows, and the notes that may point
at anything of any pool (text annotations, groups and associations).

A flow of kind ``message``, a flow between two pools and a pool flow become message flows;
what BPMN cannot say about them (a condition, a sequence flow drawn as a message flow, the
artifact a flow carries) rides on attributes in bpmtool's namespace, which other tools
ignore.
"""

from __future__ import annotations

from collections.abc import Callable

from lxml import etree

from bpmtool.io.bpmn_export_ids import XmlIds, shape_ids
from bpmtool.io.bpmn_export_pools import ExportPool
from bpmtool.io.bpmn_vocabulary import BPMTOOL_NS, B, sub_element
from bpmtool.model import Flow, Model

__all__ = [
    "end_ids",
    "flow_artifact",
    "split_flows",
    "write_message_flows",
    "write_notes",
    "write_participants",
]


def write_participants(
    collab: etree._Element, pools: list[ExportPool], ids: XmlIds
) -> tuple[dict[str, str], dict[str, str]]:
    """A participant per pool that has one; the pools' participant ids and process ids."""
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
        part = sub_element(collab, "participant", id=participant_ids[pool.key], name=pool.name)
        if pool.external:
            part.set(f"{{{BPMTOOL_NS}}}external", "true")
        if pool.process is not None:
            part.set("processRef", process_ids[pool.key])
        _documentation_first(part, pool.description)
    return participant_ids, process_ids


def split_flows(
    model: Model, key_of: Callable[[str], str]
) -> tuple[list[Flow], dict[str, list[Flow]]]:
    """The flows written as message flows, and the sequence flows per pool key."""
    message: list[Flow] = []
    sequence: dict[str, list[Flow]] = {}
    for flow in model.flows:
        src, tgt = key_of(flow.source), key_of(flow.target)
        if flow.kind == "message" or src != tgt:
            message.append(flow)
        else:
            sequence.setdefault(src, []).append(flow)
    return message + list(model.pool_flows), sequence


def end_ids(model: Model, ids: XmlIds, participant_ids: dict[str, str]) -> Callable[[str], str]:
    """A flow end (node, sub-process or pool) → its XML id."""

    def end_id(ref: str) -> str:
        if ref in model.node_by_id:
            return ids("node", ref)
        if ref in model.subprocess_by_id:
            return ids("subprocess", ref)
        return participant_ids.get(ref, ref)

    return end_id


def write_message_flows(
    collab: etree._Element,
    message: list[Flow],
    ids: XmlIds,
    end_id: Callable[[str], str],
    flow_xml: dict[str, str],
) -> None:
    """The message flows, in the collaboration."""
    for flow in message:
        el = sub_element(
            collab,
            "messageFlow",
            id=flow_xml[flow.key],
            name=flow.name,
            sourceRef=end_id(flow.source),
            targetRef=end_id(flow.target),
        )
        # what BPMN cannot say about a message flow rides on our own attributes
        if flow.condition:
            el.set(f"{{{BPMTOOL_NS}}}condition", flow.condition)
        if flow.kind == "sequence":
            el.set(f"{{{BPMTOOL_NS}}}kind", "sequence")
        flow_artifact(el, flow, ids)


def write_notes(
    root: etree._Element,
    collab: etree._Element,
    model: Model,
    ids: XmlIds,
    end_id: Callable[[str], str],
    flow_xml: dict[str, str],
) -> None:
    """Text annotations, groups (named by a category value) and associations, in the
    collaboration, where they may point at anything of any pool."""
    for note in model.annotations:
        el = sub_element(collab, "textAnnotation", id=ids("annotation", note.id))
        if note.text:
            sub_element(el, "text").text = note.text
    category = None
    for group in model.groups:
        el = sub_element(collab, "group", id=ids("group", group.id))
        if group.name:
            if category is None:
                category = etree.Element(f"{B}category", id=ids("x", "Category_groups"))
                root.insert(root.index(collab), category)
            value = sub_element(
                category, "categoryValue", id=ids("x", f"{group.id}_name"), value=group.name
            )
            el.set("categoryValueRef", value.get("id") or "")
    shapes = shape_ids(model, ids)
    for assoc in model.associations:
        source = flow_xml.get(assoc.source) or shapes(assoc.source) or end_id(assoc.source)
        target = flow_xml.get(assoc.target) or shapes(assoc.target) or end_id(assoc.target)
        el = sub_element(
            collab,
            "association",
            id=ids("association", assoc.id),
            sourceRef=source,
            targetRef=target,
        )
        if assoc.direction != "none":
            el.set("associationDirection", assoc.direction.capitalize())


def flow_artifact(el: etree._Element, flow: Flow, ids: XmlIds) -> None:
    """The artifact a flow carries, on the flow's element (``bpmtool:artifact``)."""
    if flow.artifact:
        el.set(f"{{{BPMTOOL_NS}}}artifact", ids("artifact", flow.artifact))


def _documentation_first(el: etree._Element, text: str) -> None:
    if text:
        doc = etree.Element(f"{B}documentation")
        doc.text = text
        el.insert(0, doc)
