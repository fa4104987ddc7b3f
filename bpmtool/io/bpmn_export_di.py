"""The BPMN export's diagram pass: BPMNDI for what the export wrote.

A model with the author's diagram (imported from BPMN, unless re-laid out) gets that
diagram back as it was read: every shape and edge in its order, with its bounds,
waypoints, label bounds and flags (expanded, horizontal, marker).  Only what the author's
diagram does not show — a node added since, a flow the import split, unless another
diagram of the model draws it — is laid out by bpmtool; those shapes and edges carry
``bpmtool:laidOut="true"`` so that reading the file again gives back the author's diagram
alone (and lays the rest out the same way).  A main diagram drawn for a part of the model
(one chosen among the others with ``--diagram``) is drawn for what it shows and its plane
carries ``bpmtool:main="true"``, so that reading the file again keeps it the main one.  The model's
other diagrams follow, each as it was read, drawn for what it shows (a pool's process, a
sub-process; else the collaboration), with its id and name.

A model without one gets bpmtool's swimlane layout (the same positions the SVG draws):
pools, lanes, nodes, sub-process frames around their content, data objects, text
annotations and groups, every flow, and the associations and data associations the layout
drew (a data association to a node in another row has none: see
:mod:`bpmtool.layout.swimlane_data`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lxml import etree

from bpmtool.io.bpmn_vocabulary import BPMTOOL_NS, SUBPROCESSES
from bpmtool.layout import Box, Layout
from bpmtool.layout.from_di import diagram_shift
from bpmtool.model import Bounds, Diagram, Model

__all__ = ["DC_NS", "DD_NS", "DI_NS", "LAID_OUT", "MAIN", "DiTargets", "write_diagram"]

DI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DD_NS = "http://www.omg.org/spec/DD/20100524/DI"
#: the attribute marking a shape or edge bpmtool laid out in an author's diagram
LAID_OUT = f"{{{BPMTOOL_NS}}}laidOut"
#: the attribute marking the main diagram when it is drawn for a part of the model (one
#: promoted with ``--diagram``): read again, it is the main diagram, not one of the others
MAIN = f"{{{BPMTOOL_NS}}}main"
_FRAME_PAD = 20.0


@dataclass(frozen=True)
class DiTargets:
    """Model ids → the XML ids of the elements the export wrote for them."""

    #: a shape's element (pool, lane, node, sub-process, artifact, annotation, group)
    shape: Callable[[str], str | None]
    #: a flow's or pool flow's key, an association's id
    edge: dict[str, str]
    #: a data association: (node, artifact, ``in`` or ``out``)
    data: Callable[[str, str, str], str | None]
    #: the pools written as participants
    participants: dict[str, str]
    #: makes a DI id from the element's XML id
    di_id: Callable[[str], str]
    #: the element of an artifact's n-th drawing (its own reference), None for others
    copy: Callable[[str, int], str | None] | None = None
    #: the element a diagram that ``shows`` a pool, sub-process or node is drawn for
    plane: Callable[[str], str | None] | None = None


def _fmt(value: float) -> str:
    # exact: an author's coordinates come back as they were read
    return f"{value:.0f}" if value == int(value) else repr(float(value))


class _Plane:
    def __init__(
        self,
        root: etree._Element,
        element: str,
        targets: DiTargets,
        drawn: Diagram | None = None,
    ) -> None:
        diagram = etree.SubElement(root, f"{{{DI_NS}}}BPMNDiagram")
        if drawn is None:  # bpmtool's layout
            diagram.set("id", targets.di_id("BPMNDiagram_1"))
        elif drawn.id:  # an author's diagram keeps its id (or its lack of one)
            diagram.set("id", targets.di_id(drawn.id))
        if drawn is not None and drawn.name:
            diagram.set("name", drawn.name)
        self.el = etree.SubElement(
            diagram,
            f"{{{DI_NS}}}BPMNPlane",
            id=targets.di_id("BPMNPlane_1"),
            bpmnElement=element,
        )
        self.targets = targets

    def shape(
        self, element: str, box: Bounds | Box, label: Bounds | None, **extra: str
    ) -> etree._Element:
        el = etree.SubElement(
            self.el,
            f"{{{DI_NS}}}BPMNShape",
            id=self.targets.di_id(f"{element}_di"),
            bpmnElement=element,
            **extra,
        )
        self._bounds(el, box)
        self._label(el, label)
        return el

    def edge(
        self, element: str, points: list[tuple[float, float]], label: Bounds | None = None
    ) -> etree._Element:
        el = etree.SubElement(
            self.el,
            f"{{{DI_NS}}}BPMNEdge",
            id=self.targets.di_id(f"{element}_di"),
            bpmnElement=element,
        )
        for x, y in points:
            etree.SubElement(el, f"{{{DD_NS}}}waypoint", x=_fmt(x), y=_fmt(y))
        self._label(el, label)
        return el

    @staticmethod
    def _bounds(el: etree._Element, box: Bounds | Box) -> None:
        etree.SubElement(
            el,
            f"{{{DC_NS}}}Bounds",
            x=_fmt(box.x),
            y=_fmt(box.y),
            width=_fmt(box.width),
            height=_fmt(box.height),
        )

    def _label(self, el: etree._Element, label: Bounds | None) -> None:
        if label is not None:
            self._bounds(etree.SubElement(el, f"{{{DI_NS}}}BPMNLabel"), label)


def write_diagram(
    root: etree._Element,
    model: Model,
    layout: Layout,
    targets: DiTargets,
    plane_element: str,
    *,
    authors: bool,
) -> None:
    """Append the BPMNDiagrams: the author's main one (``authors``, the model must have a
    diagram) with what it lacks laid out, or bpmtool's ``layout``; then each of the
    model's other diagrams as it was read."""
    main = model.diagram if authors else None
    plane = _Plane(root, _plane_element(main, targets, plane_element), targets, main)
    if main is not None and main.shows is not None:
        plane.el.set(
            MAIN, "true"
        )  # on the plane: the schema allows no attribute of ours on a diagram
    if main is not None:
        _authors(plane, model, main, layout, targets)
    else:
        _laid_out(plane, model, layout, targets)
    for other in model.other_diagrams:
        element = _plane_element(other, targets, plane_element)
        _drawing(_Plane(root, element, targets, other), other, targets)


def _plane_element(diagram: Diagram | None, targets: DiTargets, collaboration: str) -> str:
    """What a diagram's plane is drawn for: what it shows, else the collaboration."""
    if diagram is None or diagram.shows is None or targets.plane is None:
        return collaboration
    return targets.plane(diagram.shows) or collaboration


def _flags(expanded: bool | None, horizontal: bool | None, marker: bool | None) -> dict[str, str]:
    out = {}
    for key, value in (
        ("isHorizontal", horizontal),
        ("isExpanded", expanded),
        ("isMarkerVisible", marker),
    ):
        if value is not None:
            out[key] = "true" if value else "false"
    return out


def _authors(
    plane: _Plane, model: Model, diagram: Diagram, layout: Layout, targets: DiTargets
) -> None:
    drawn = _drawing(plane, diagram, targets)
    # what the author did not draw, where the author's layout put it (moved back)
    dx, dy = diagram_shift(diagram)
    for node in model.nodes:
        place = layout.nodes.get(node.id)
        if place is None or diagram.shape_of(node.id) is not None:
            continue
        box = place.box
        moved = Box(box.x - dx, box.y - dy, box.width, box.height)
        extra = {"isExpanded": "false"} if node.task_type in SUBPROCESSES else {}
        plane.shape(targets.shape(node.id) or node.id, moved, None, **extra).set(LAID_OUT, "true")
    for route in layout.edges:
        element = targets.edge.get(model.flows[route.index].key)
        if element is None or element in drawn:
            continue
        drawn.add(element)
        points = [(x - dx, y - dy) for x, y in route.points]
        plane.edge(element, points).set(LAID_OUT, "true")


def _drawing(plane: _Plane, diagram: Diagram, targets: DiTargets) -> set[str]:
    """Every shape and edge of an author's diagram, as read; returns the edges' elements."""
    drawings: dict[str, int] = {}
    for shape in diagram.shapes:
        element = targets.shape(shape.element)
        n = drawings[shape.element] = drawings.get(shape.element, 0) + 1
        if n > 1 and targets.copy is not None:
            element = targets.copy(shape.element, n) or element  # a data object drawn again
        if element is not None:
            flags = _flags(shape.expanded, shape.horizontal, shape.marker)
            plane.shape(element, shape, shape.label, **flags)
    drawn: set[str] = set()
    for edge in diagram.edges:
        if edge.artifact is not None:
            element = targets.data(edge.element, edge.artifact, edge.direction or "in")
        else:
            element = targets.edge.get(edge.element)
        if element is not None:
            plane.edge(element, list(edge.points), edge.label)
            drawn.add(element)
    return drawn


def _laid_out(plane: _Plane, model: Model, layout: Layout, targets: DiTargets) -> None:
    horizontal = "true" if layout.orientation == "horizontal" else "false"
    bands = layout.band_by_id
    for pool, part_id in targets.participants.items():
        if pool in layout.pools:
            plane.shape(part_id, layout.pools[pool], None, isHorizontal=horizontal)
    for lane in model.lanes:
        own = not model.whole_pool(lane.id) if model.pools else not lane.external
        element = targets.shape(lane.id)
        if own and lane.id in bands and element is not None:
            plane.shape(element, bands[lane.id].box, None, isHorizontal=horizontal)
    for frame_id, box in _frames(model, layout).items():
        element = targets.shape(frame_id)
        if element is not None:
            plane.shape(element, box, None, isExpanded="true")
    for node in model.nodes:
        place = layout.nodes.get(node.id)
        element = targets.shape(node.id)
        if place is None or element is None:
            continue
        extra = {"isExpanded": "false"} if node.task_type in SUBPROCESSES else {}
        if node.type == "exclusive":
            extra["isMarkerVisible"] = "true"
        plane.shape(element, place.box, None, **extra)
    for art in model.artifacts:
        element = targets.shape(art.id)
        if art.id in layout.data and element is not None:
            plane.shape(element, layout.data[art.id], None)
    written: set[str] = set()
    for route in layout.edges:
        element = targets.edge.get(model.flows[route.index].key)
        if element is not None and element not in written:
            written.add(element)
            plane.edge(element, list(route.points))
    drawn = model.diagram
    for flow in model.pool_flows:
        drawn_edge = drawn.edge_of(flow.key) if drawn is not None else None
        element = targets.edge.get(flow.key)
        if drawn_edge is not None and element is not None:
            plane.edge(element, list(drawn_edge.points))
    for note in layout.notes.values():  # text annotations and groups
        element = targets.shape(note.id)
        if element is not None:
            plane.shape(element, note.box, None)
    for link in layout.links:  # associations and data associations, as the layout drew them
        if link.kind == "association" and 0 <= link.index < len(model.associations):
            element = targets.edge.get(model.associations[link.index].id)
        elif link.kind == "data":
            reads = link.target in model.node_by_id
            ends = (link.target, link.source) if reads else (link.source, link.target)
            element = targets.data(ends[0], ends[1], "in" if reads else "out")
        else:
            continue
        if element is not None:
            plane.edge(element, list(link.points))


def _frames(model: Model, layout: Layout) -> dict[str, Box]:
    """Sub-process frames: where the layout drew them, else around the boxes of their
    content (an outer frame holds the inner ones)."""
    content: dict[str, list[Box]] = {}
    for node in model.nodes:
        place = layout.nodes.get(node.id)
        parent = node.parent
        while place is not None and parent is not None:
            content.setdefault(parent, []).append(place.box)
            frame = model.subprocess_by_id.get(parent)
            parent = frame.parent if frame is not None else None
    out: dict[str, Box] = {k: f.box for k, f in layout.frames.items() if f.expanded}
    for frame in model.subprocesses:
        boxes = content.get(frame.id)
        if frame.id in out:
            continue  # the layout drew it
        if not boxes:
            continue
        x = min(b.x for b in boxes) - _FRAME_PAD
        y = min(b.y for b in boxes) - _FRAME_PAD
        right = max(b.right for b in boxes) + _FRAME_PAD
        bottom = max(b.bottom for b in boxes) + _FRAME_PAD
        out[frame.id] = Box(x, y, right - x, bottom - y)
    return out
