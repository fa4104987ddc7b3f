"""What BPMN has no element for, kept in ``extensionElements`` in bpmtool's namespace, so a
model survives YAML → BPMN → YAML field for field (see ``docs/bpmn.md``).

Written by the export, read back after the import:

* on the ``collaboration``: ``<bpmtool:model>`` — a JSON object in the model format (the one
  ``bpmtool schema`` describes) with the model's ``id``, ``name``, ``description``,
  ``version``, ``preset``, ``rules``, ``stages``, ``ctqs``, ``triggers`` and ``journey``, and
  ``order``: the XML ids of the lanes, nodes, artifacts and flows in the model's order;
* on a lane (``lane``, or the ``participant`` of an external lane), a node, an artifact
  (``dataObject``) or a flow: ``<bpmtool:element>`` — a JSON object of that element's fields
  that the BPMN cannot say (``{"lane": null}`` on the pool of a model without lanes of its
  own: the pool is no lane): its ``id`` where the XML id had to differ, a node's ``aliases``
  and ``triggered_by``, its ``task_type`` when the element written does not say it (``null``:
  the model named none), the ``inputs`` and ``outputs`` of events and gateways, ``id: null``
  for a flow that had none.

Each element's data sits on the element itself, so a diagram edited in a modeller keeps what
is left: data of deleted elements goes with them, and elements added there come after the
ordered ones.  The ``extensionElements`` are the first child after the ``documentation``, where
the OMG schema allows them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from lxml import etree

from bpmtool.errors import Problem
from bpmtool.io.bpmn_vocabulary import BPMN_NS, BPMTOOL_NS, EVENT_DEFINITIONS
from bpmtool.model import Model

__all__ = ["ELEMENT_TAG", "MODEL_TAG", "differences", "read_extensions", "write_extensions"]

MODEL_TAG = f"{{{BPMTOOL_NS}}}model"
ELEMENT_TAG = f"{{{BPMTOOL_NS}}}element"
_EXTENSIONS = f"{{{BPMN_NS}}}extensionElements"
_DOCUMENTATION = f"{{{BPMN_NS}}}documentation"
#: model keys BPMN has no element for
_MODEL_KEYS = (
    "id",
    "name",
    "description",
    "version",
    "preset",
    "rules",
    "stages",
    "ctqs",
    "triggers",
    "journey",
)
_KINDS = ("lanes", "nodes", "artifacts", "flows")
#: the parts whose order is recorded too: id kind → model key
_NOTE_KINDS = {
    "subprocess": "subprocesses",
    "annotation": "annotations",
    "group": "groups",
    "association": "associations",
}

#: (kind, model element) → the element's XML id in the exported document
XmlId = Callable[[str, Any], str]


def write_extensions(
    root: etree._Element,
    model: Model,
    xml_id: XmlId,
    *,
    laid_out: bool | None = None,
    order_ids: Callable[[str, Any], str] | None = None,
) -> None:
    """Add bpmtool's extension elements to an exported document (in place).  ``laid_out``:
    the diagram written is bpmtool's layout, not the model's own (default: when the model
    has none); ``order_ids`` gives the XML ids of sub-processes, annotations, groups and
    associations (kind ``subprocess``, ``annotation``, …) to record their order too."""
    by_id = {el.get("id"): el for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    collab = root.find(f"{{{BPMN_NS}}}collaboration")
    assert collab is not None, "the export always writes a collaboration"
    data = model.model_dump(by_alias=True, exclude_defaults=True, mode="json")
    head: dict[str, Any] = {key: data[key] for key in _MODEL_KEYS if key in data}
    head["name"] = model.name  # even when empty: the import would name the model by its pool
    head["order"] = {kind: [xml_id(kind, item) for item in getattr(model, kind)] for kind in _KINDS}
    if model.pools:  # without: the pools the import finds are the export's, not the model's
        head["pools"] = [pool.id for pool in model.pools]
        # a pool that named no process: the export had to name one
        unnamed = [pool.id for pool in model.pools if pool.process is None and not pool.black_box]
        if unnamed:
            head["no_process"] = unnamed
    if order_ids is not None:
        for kind, key in _NOTE_KINDS.items():
            if getattr(model, key):
                head["order"][key] = [order_ids(kind, item) for item in getattr(model, key)]
    if model.diagram is None if laid_out is None else laid_out:
        head["laid_out"] = True  # the diagram written is bpmtool's layout, not the author's
    _attach(collab, MODEL_TAG, head)
    for kind in _KINDS:
        for item in getattr(model, kind):
            ident = xml_id(kind, item)
            if ident not in by_id:
                continue
            extra = _element_extra(kind, item, ident, etree.QName(by_id[ident]).localname)
            if extra:
                _attach(by_id[ident], ELEMENT_TAG, extra)
    for flow in model.pool_flows:  # a message flow to a pool: its id, when it had none
        ident = xml_id("flows", flow)
        if ident in by_id and flow.id != ident:
            _attach(by_id[ident], ELEMENT_TAG, {"id": flow.id})
    if not any(not lane.external for lane in model.lanes):
        # the pool of a model without lanes of its own would import as a lane
        for part in collab.findall(f"{{{BPMN_NS}}}participant"):
            if part.get(f"{{{BPMTOOL_NS}}}external") != "true":
                _attach(part, ELEMENT_TAG, {"lane": None})


def _element_extra(kind: str, item: Any, ident: str, tag: str) -> dict[str, Any]:
    """The fields of one element that its BPMN element (``tag``) does not carry."""
    extra: dict[str, Any] = {}
    if kind == "flows":
        if item.id is None:
            extra["id"] = None
        elif item.id != ident:
            extra["id"] = item.id
        return extra
    if item.id != ident:
        extra["id"] = item.id
    if kind in ("lanes", "artifacts") and not item.name:
        extra["name"] = ""  # the export names the element by its id
    if kind == "artifacts" and item.description:
        extra["description"] = item.description  # the import reads no data object's text
    if kind == "nodes":
        if item.aliases:
            extra["aliases"] = list(item.aliases)
        if item.triggered_by:  # BPMN says it by structure, which the export flattens
            extra["triggered_by"] = item.triggered_by
        if not item.interrupting and tag not in ("boundaryEvent", "startEvent"):
            extra["interrupting"] = False
        if item.task_type != tag:  # the import takes the element's name for it
            extra["task_type"] = item.task_type
        if item.event_definition and (
            not item.is_event
            or any(
                kind.strip() not in EVENT_DEFINITIONS for kind in item.event_definition.split(",")
            )
        ):
            extra["event_definition"] = item.event_definition
        if not item.is_activity:  # BPMN's data associations belong to activities
            if item.inputs:
                extra["inputs"] = list(item.inputs)
            if item.outputs:
                extra["outputs"] = list(item.outputs)
    return extra


def _attach(el: etree._Element, tag: str, doc: dict[str, Any]) -> None:
    container = el.find(_EXTENSIONS)
    if container is None:
        container = etree.Element(_EXTENSIONS)
        at = 0
        while at < len(el) and el[at].tag == _DOCUMENTATION:
            at += 1
        el.insert(at, container)
    etree.SubElement(container, tag).text = json.dumps(
        doc, ensure_ascii=False, separators=(",", ":")
    )


def read_extensions(
    model: Model, root: etree._Element, filename: str
) -> tuple[Model, list[Problem]]:
    """The imported model with what bpmtool's extension elements say, and warnings for
    extension data that could not be used.  A document without them is returned as is."""
    warnings: list[Problem] = []
    head: dict[str, Any] | None = None
    extras: dict[str, dict[str, Any]] = {}
    for el in root.iter(MODEL_TAG, ELEMENT_TAG):
        doc = _json(el, filename, warnings)
        if doc is None:
            continue
        if el.tag == MODEL_TAG:
            head = head or doc
            continue
        owner = el.getparent().getparent() if el.getparent() is not None else None
        if owner is not None and owner.get("id"):
            extras[owner.get("id") or ""] = doc
    if head is None and not extras:
        return model, warnings
    data = model.model_dump(by_alias=True, exclude_defaults=True, mode="json")
    if head is not None and "pools" not in head:
        _implicit_pools(data)
    if head is not None and head.get("laid_out"):
        data.pop("diagram", None)
    if head is not None and isinstance(head.get("no_process"), list):
        for pool in data.get("pools", []):
            if pool.get("id") in head["no_process"]:
                pool.pop("process", None)
    for flow in data.get("pool_flows", []):
        extra = extras.get(flow.get("id") or "")
        if extra is not None and "id" in extra:
            flow["id"] = extra["id"]
            if flow["id"] is None:
                flow.pop("id")
    order = (head or {}).get("order") or {}
    for kind in (*_KINDS, *_NOTE_KINDS.values()):
        if isinstance(order.get(kind), list):
            data[kind] = _reordered(data.get(kind, []), order[kind])
    _apply_element_extras(data, extras)
    plain = dict(data)
    for key in _MODEL_KEYS:
        if head is not None and key in head:
            data[key] = head[key]
    try:
        return Model.model_validate(data), warnings
    except Exception as exc:  # e.g. a stage names a node deleted in a modeller
        problems = getattr(exc, "problems", None) or [Problem(message=str(exc))]
        warnings += [
            Problem(f"bpmtool model data not used: {p.message}", file=filename, key=p.key)
            for p in problems
        ]
    try:
        return Model.model_validate(plain), warnings
    except Exception:
        return model, warnings


def _implicit_pools(data: dict[str, Any]) -> None:
    """Back to a model without pools: the export wrote one pool for the model's lanes and
    one per external lane (a black box when it had no nodes)."""
    for pool in data.pop("pools", []):
        if pool.get("black_box") and pool.get("external"):
            lane = {k: pool[k] for k in ("id", "name", "description") if k in pool}
            data.setdefault("lanes", []).append({**lane, "external": True})
    for key in ("lanes", "nodes", "artifacts", "subprocesses"):
        for item in data.get(key, []):
            item.pop("pool", None)
    data.pop("pool_flows", None)


def _json(el: etree._Element, filename: str, warnings: list[Problem]) -> dict[str, Any] | None:
    try:
        doc = json.loads(el.text or "")
    except ValueError as exc:
        doc = exc
    if not isinstance(doc, dict):
        warnings.append(
            Problem(
                f"<bpmtool:{etree.QName(el).localname}> is not a JSON object; ignored",
                file=filename,
                line=el.sourceline,
                expected="a JSON object written by bpmtool",
            )
        )
        return None
    return doc


def _reordered(items: list[dict[str, Any]], ids: list[Any]) -> list[dict[str, Any]]:
    """Items in the recorded order; items the record does not know (added in a modeller)
    keep their document order after them."""
    rank = {ident: i for i, ident in enumerate(ids) if isinstance(ident, str)}
    return sorted(items, key=lambda item: rank.get(str(item.get("id")), len(rank)))


def _apply_element_extras(data: dict[str, Any], extras: dict[str, dict[str, Any]]) -> None:
    """Set each element's extra fields; a changed id is changed in every reference too."""
    renamed: dict[str, dict[str, str]] = {"lanes": {}, "nodes": {}, "artifacts": {}}
    no_lane = {item["id"] for item in data.get("lanes", []) if "lane" in extras.get(item["id"], {})}
    data["lanes"] = [item for item in data.get("lanes", []) if item["id"] not in no_lane]
    for node in data.get("nodes", []):
        if node.get("lane") in no_lane:
            node.pop("lane")
    flow_xml_ids = [flow.get("id") for flow in data.get("flows", [])]
    for kind in _KINDS:
        for item in data.get(kind, []):
            extra = extras.get(item.get("id"))
            if extra is None:
                continue
            new_id = extra.get("id", item["id"])
            if kind in renamed and isinstance(new_id, str) and new_id != item["id"]:
                renamed[kind][item["id"]] = new_id

            for key, value in extra.items():
                if key == "name" and item.get("name", "") not in ("", item["id"]):
                    continue  # renamed in a modeller: the new name wins
                if key == "description" and item.get("description"):
                    continue  # the BPMN's own documentation wins
                if value is None:
                    item.pop(key, None)
                else:
                    item[key] = value
    lanes, nodes, arts = renamed["lanes"], renamed["nodes"], renamed["artifacts"]
    for node in data.get("nodes", []):
        if node.get("lane") in lanes:
            node["lane"] = lanes[node["lane"]]
        for key in ("attached_to", "triggered_by"):
            if node.get(key) in nodes:
                node[key] = nodes[node[key]]
        for key in ("inputs", "outputs"):
            if key in node:
                node[key] = [arts.get(a, a) for a in node[key]]
    flows: dict[str, str] = {}
    for flow, old_key in zip(data.get("flows", []), flow_xml_ids, strict=True):
        flow["source"] = nodes.get(flow["source"], flow["source"])
        flow["target"] = nodes.get(flow["target"], flow["target"])
        if flow.get("artifact") in arts:
            flow["artifact"] = arts[flow["artifact"]]
        new_key = flow.get("id") or f"{flow['source']}->{flow['target']}"
        if old_key and old_key != new_key:
            flows[old_key] = new_key
    _rename_elsewhere(data, {**lanes, **nodes, **arts, **flows}, lanes, arts)


def _rename_elsewhere(
    data: dict[str, Any], every: dict[str, str], lanes: dict[str, str], arts: dict[str, str]
) -> None:
    """A changed id in the parts that name any element: sub-process lanes, associations
    and the diagrams."""
    if not every:
        return
    for frame in data.get("subprocesses", []):
        if frame.get("lane") in lanes:
            frame["lane"] = lanes[frame["lane"]]
    for assoc in data.get("associations", []):
        for key in ("source", "target"):
            assoc[key] = every.get(assoc[key], assoc[key])
    for diagram in [data.get("diagram") or {}, *data.get("other_diagrams", [])]:
        if diagram.get("shows") in every:
            diagram["shows"] = every[diagram["shows"]]
        for item in [*diagram.get("shapes", []), *diagram.get("edges", [])]:
            item["element"] = every.get(item["element"], item["element"])
            if item.get("artifact") in arts:
                item["artifact"] = arts[item["artifact"]]


def differences(model: Model, again: Model) -> list[str]:
    """The fields of ``model`` that ``again`` does not have alike, as key paths
    (``nodes[3].aliases``): what a conversion lost.

    >>> a = Model.model_validate({"id": "m", "lanes": [{"id": "l", "name": "Sales"}]})
    >>> differences(a, a.model_copy(update={"name": "x"}))
    ['name']
    """
    return _diff(
        model.model_dump(by_alias=True, mode="json"),
        again.model_dump(by_alias=True, mode="json"),
        "",
    )


def _diff(a: Any, b: Any, path: str) -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for key in a for d in _diff(a[key], b.get(key), f"{path}.{key}" if path else key)]
    if (
        isinstance(a, list)
        and isinstance(b, list)
        and len(a) == len(b)
        and a
        and isinstance(a[0], dict)
    ):
        return [
            d
            for i, (x, y) in enumerate(zip(a, b, strict=True))
            for d in _diff(x, y, f"{path}[{i}]")
        ]
    return [] if a == b else [path]
