"""Swimlane geometry: where every lane, node, flow and label goes, as testable numbers.

``layout_model(model, orientation)`` places lanes as bands (horizontal or vertical), nodes in
columns by a layered (Sugiyama-style) layout with loops reversed and crossings reduced, and
routes flows orthogonally in free gaps and channels so no flow crosses a node.  The same
model always gives the same numbers.  ``render/svg`` draws them; the BPMN export writes them
as BPMNDI.  (It sits beside :mod:`bpmtool.graph`, not in ``render/``, because both use it.)
"""

from bpmtool.layout.geometry import (
    Band,
    Box,
    EdgeRoute,
    Frame,
    Label,
    Layout,
    Link,
    NodePlace,
    Orientation,
)
from bpmtool.layout.pools import NO_LANE
from bpmtool.layout.swimlane import layout_model
from bpmtool.layout.swimlane_room import node_size

__all__ = [
    "NO_LANE",
    "Band",
    "Box",
    "EdgeRoute",
    "Frame",
    "Label",
    "Layout",
    "Link",
    "NodePlace",
    "Orientation",
    "layout_model",
    "node_size",
]
