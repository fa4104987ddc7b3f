"""The BPMN import's diagram pass: BPMN diagram interchange (BPMNDI) read into the model's
:class:`~bpmtool.model.Diagram` s — the bounds of every shape, the waypoints of every edge
and the bounds of their labels, keyed by the model ids the other passes gave the elements.

Every diagram of the file is read.  The main one (the model's ``diagram``) is the one whose
plane bpmtool's export marked ``bpmtool:main="true"`` (a diagram promoted with
``--diagram``, which keeps what it shows), else the first whose plane shows the
collaboration or a process; the others (``other_diagrams``, in the file's order) keep
their id, name and what they show — another pool, or the content of a collapsed
sub-process — since their coordinates overlap the main one's.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from bpmtool.io.bpmn_vocabulary import BPMTOOL_NS, local, strip_prefix

__all__ = ["DC_NS", "DD_NS", "DI_NS", "read_diagrams"]

DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DD_NS = "http://www.omg.org/spec/DD/20100524/DI"
_DI, _DC, _DD = f"{{{DI_NS}}}", f"{{{DC_NS}}}", f"{{{DD_NS}}}"
#: what bpmtool's export laid out in an author's diagram: not the author's, laid out again
_LAID_OUT = f"{{{BPMTOOL_NS}}}laidOut"
#: the main diagram, when bpmtool's export wrote one drawn for a part of the model
_MAIN = f"{{{BPMTOOL_NS}}}main"


def read_diagrams(
    root: etree._Element,
    by_id: dict[str, etree._Element],
    element_ids: dict[str, str],
    flow_keys: dict[str, str],
    data_edges: dict[str, tuple[str, str, str]],
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """The main diagram as model data (``{"shapes": [...], "edges": [...], ...}``, None
    when the file has no diagram or it draws nothing the model holds, unless bpmtool's
    export marked it the main one) and the others.

    ``element_ids`` maps BPMN ids to model ids (nodes, lanes, pools, artifacts,
    sub-processes, annotations, groups, associations), ``flow_keys`` sequence and message
    flow ids to flow keys, ``data_edges`` data association ids to (node, artifact,
    ``in``/``out``)."""
    planes = [(d, p) for d in root.iter(f"{_DI}BPMNDiagram") for p in d.findall(f"{_DI}BPMNPlane")]
    marked = next((p for _, p in planes if p.get(_MAIN) == "true"), None)
    main = marked if marked is not None else _main_plane([p for _, p in planes], by_id)
    found: dict[str, Any] | None = None
    others: list[dict[str, Any]] = []
    for diagram, plane in planes:
        drawn = _plane(plane, element_ids, flow_keys, data_edges)
        for key in ("id", "name"):
            if diagram.get(key):
                drawn[key] = diagram.get(key)
        shows = element_ids.get(strip_prefix(plane.get("bpmnElement") or ""))
        if shows is not None and (plane is not main or plane is marked):
            drawn["shows"] = shows
        if plane is main:
            if drawn["shapes"] or drawn["edges"] or plane is marked:
                found = drawn
            continue
        others.append(drawn)
    return found, others


def _plane(
    plane: etree._Element,
    element_ids: dict[str, str],
    flow_keys: dict[str, str],
    data_edges: dict[str, tuple[str, str, str]],
) -> dict[str, Any]:
    shapes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []
    for el in plane.iter(f"{_DI}BPMNShape", f"{_DI}BPMNEdge"):
        raw = strip_prefix(el.get("bpmnElement") or "")
        if el.get(_LAID_OUT) == "true":
            continue
        if el.tag == f"{_DI}BPMNShape":
            shape = _shape(el, element_ids.get(raw))
            if shape is not None:
                shapes.append(shape)
            continue
        edge = _edge(el, raw, element_ids, flow_keys, data_edges)
        if edge is not None:
            edges.append(edge)
    return {"shapes": shapes, "edges": edges}


def _main_plane(
    planes: list[etree._Element], by_id: dict[str, etree._Element]
) -> etree._Element | None:
    for plane in planes:
        target = by_id.get(strip_prefix(plane.get("bpmnElement") or ""))
        if target is None or local(target) in ("collaboration", "process"):
            return plane
    return planes[0] if planes else None


def _bounds(el: etree._Element | None) -> dict[str, float] | None:
    if el is None:
        return None
    try:
        values = {k: float(el.get(k) or 0) for k in ("x", "y", "width", "height")}
    except ValueError:
        return None
    if values["width"] < 0 or values["height"] < 0:
        return None
    return values


def _label(el: etree._Element) -> dict[str, float] | None:
    label = el.find(f"{_DI}BPMNLabel")
    return _bounds(label.find(f"{_DC}Bounds")) if label is not None else None


def _shape(el: etree._Element, element: str | None) -> dict[str, Any] | None:
    bounds = _bounds(el.find(f"{_DC}Bounds"))
    if element is None or bounds is None:
        return None
    shape: dict[str, Any] = {"element": element, **bounds}
    label = _label(el)
    if label is not None:
        shape["label"] = label
    for attr, key in (("isExpanded", "expanded"), ("isHorizontal", "horizontal")):
        if el.get(attr) in ("true", "false"):
            shape[key] = el.get(attr) == "true"
    if el.get("isMarkerVisible") in ("true", "false"):
        shape["marker"] = el.get("isMarkerVisible") == "true"
    return shape


def _edge(
    el: etree._Element,
    raw: str,
    element_ids: dict[str, str],
    flow_keys: dict[str, str],
    data_edges: dict[str, tuple[str, str, str]],
) -> dict[str, Any] | None:
    points = []
    for point in el.findall(f"{_DD}waypoint"):
        try:
            points.append((float(point.get("x") or 0), float(point.get("y") or 0)))
        except ValueError:
            return None
    if len(points) < 2:
        return None
    edge: dict[str, Any]
    if raw in flow_keys:
        edge = {"element": flow_keys[raw]}
    elif raw in data_edges:
        node, artifact, direction = data_edges[raw]
        edge = {"element": node, "artifact": artifact, "direction": direction}
    elif raw in element_ids:
        edge = {"element": element_ids[raw]}
    else:
        return None
    edge["points"] = points
    label = _label(el)
    if label is not None:
        edge["label"] = label
    return edge
