"""BPMN notation as the specification draws it: event circles and their definitions (filled
when thrown, outlined when caught; dashed when non-interrupting), gateway markers, task
type icons and the markers at the bottom of an activity (loop, multi-instance,
compensation, collapsed sub-process, ad hoc).

Drawing only, on geometry the layout computed; every icon is an SVG path, so it looks the
same in every browser and printer (no font glyphs).
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from bpmtool.model import Node

if TYPE_CHECKING:
    import svgwrite
    from svgwrite.container import Group

    from bpmtool.layout import Box

__all__ = [
    "activity_markers",
    "draw_activity_decor",
    "draw_event",
    "draw_gateway",
    "draw_markers",
    "is_throw",
]

#: event definition icons in a 36 × 36 event centred on (0, 0); drawn scaled to the event
_EVENT_ICONS = {
    "message": "M-8,-5.5 h16 v11 h-16 z M-8,-5.5 L0,1 L8,-5.5",
    "timer": "M0,-9 A9,9 0 1 1 -0.01,-9 z M0,-9 v2.5 M9,0 h-2.5 M0,9 v-2.5 M-9,0 h2.5 "
    "M0,0 L0,-6 M0,0 L4.5,2.5",
    "signal": "M0,-9 L8.5,6 L-8.5,6 z",
    "error": "M9,-8 L0,3 L-5,-1 L-9,8 L0,-2 L5,2 z",
    "escalation": "M0,-9 L7,8 L0,2 L-7,8 z",
    "conditional": "M-6,-8 h12 v16 h-12 z M-4,-4.5 h8 M-4,-1 h8 M-4,2.5 h8 M-4,6 h8",
    "compensation": "M-1,-6 L-9,0 L-1,6 z M8,-6 L0,0 L8,6 z",
    "terminate": "M0,-10 A10,10 0 1 1 -0.01,-10 z",
    "link": "M-8,-3 h9 v-5 L9,0 L1,8 v-5 h-9 z",
    "cancel": "M-7,-4 L-4,-7 L0,-3 L4,-7 L7,-4 L3,0 L7,4 L4,7 L0,3 L-4,7 L-7,4 L-3,0 z",
    "multiple": "M0,-9 L8.6,-2.8 L5.3,7.3 L-5.3,7.3 L-8.6,-2.8 z",
    "parallelMultiple": "M-2.5,-8 h5 v5.5 h5.5 v5 h-5.5 v5.5 h-5 v-5.5 h-5.5 v-5 h5.5 z",
}
#: definitions only ever caught (their icon is never filled)
_CAUGHT_ONLY = {"timer", "conditional"}
_THROWING = {"intermediateThrowEvent", "endEvent", "implicitThrowEvent"}
_CATCHING = {"startEvent", "intermediateCatchEvent", "boundaryEvent"}

#: task type icons in the top-left corner of a 16 × 16 box at (0, 0)
_TASK_ICONS = {
    "userTask": "M8,1.5 a3.2,3.2 0 1 1 -0.01,0 z M2,15 v-3 a6,5 0 0 1 12,0 v3 z",
    "manualTask": "M1,8 h3 l3,-5 h1.5 l-1.5,4 h7 v1.8 h-5 h5 v1.8 h-5 h4.5 v1.8 h-4.5 h3.5 "
    "v1.6 h-9 l-3,-1 z",
    "scriptTask": "M4,2 h10 c-3,3 3,6 0,12 h-10 c3,-6 -3,-9 0,-12 z M5.5,5 h6 M6,8 h6 M5.5,11 h6",
    "businessRuleTask": "M1,2.5 h14 v11 h-14 z M1,6 h14 M5,6 v7.5",
    "sendTask": "M1,3.5 h14 v9 h-14 z M1,3.5 L8,9 L15,3.5",
    "receiveTask": "M1,3.5 h14 v9 h-14 z M1,3.5 L8,9 L15,3.5",
}

#: markers at the bottom of an activity, in a 14 × 14 box at (0, 0)
_MARKERS = {
    "loop": "M10.5,11.5 A5.5,5.5 0 1 0 3.5,11.5 M3.5,11.5 l-3,-0.5 M3.5,11.5 l0.5,-3",
    "parallel": "M3,1 v12 M7,1 v12 M11,1 v12",
    "sequential": "M1,3 h12 M1,7 h12 M1,11 h12",
    "compensation": "M6.5,2.5 L1,7 L6.5,11.5 z M13,2.5 L7.5,7 L13,11.5 z",
    "subprocess": "M0.5,0.5 h13 v13 h-13 z M7,3 v8 M3,7 h8",
    "adhoc": "M1,8 c2,-4 4,-4 6,-1 s4,3 6,-1",
}
_MARKER = 14.0
_MARKER_GAP = 3.0


def is_throw(node: Node) -> bool:
    """True for an event that throws its trigger (its icon is filled): an end event, an
    intermediate throw event; a model without BPMN element names treats an intermediate
    event without a definition as thrown, as the export writes it."""
    if node.task_type in _THROWING:
        return True
    if node.task_type in _CATCHING:
        return False
    if node.type == "end":
        return True
    return node.type == "intermediate" and not node.attached_to and not node.event_definition


def draw_event(
    dwg: svgwrite.Drawing, grp: Group, node: Node, cx: float, cy: float, r: float
) -> None:
    """An event circle: thin (start), double (intermediate, boundary) or thick (end);
    dashed when it does not interrupt; its definition's icon inside."""
    dashed = "" if node.interrupting else " non-interrupting"
    grp.add(dwg.circle((cx, cy), r, class_="shape" + dashed))
    if node.type == "intermediate":
        grp.add(dwg.circle((cx, cy), r - 3.5, class_="inner" + dashed, fill="none"))
    kinds = [k.strip() for k in (node.event_definition or "").split(",") if k.strip()]
    kinds = [k for k in kinds if k in _EVENT_ICONS]
    if not kinds:
        return
    kind = kinds[0] if len(kinds) == 1 else "multiple"
    filled = kind == "terminate" or (is_throw(node) and kind not in _CAUGHT_ONLY)
    scale = r / 18
    icon = dwg.path(
        _EVENT_ICONS[kind],
        class_="event-icon" + (" thrown" if filled else " caught"),
        transform=f"translate({cx:g},{cy:g}) scale({scale:.3f})",
    )
    icon.attribs["data-definition"] = kind
    grp.add(icon)


def draw_gateway(
    dwg: svgwrite.Drawing, grp: Group, node: Node, cx: float, cy: float, r: float
) -> None:
    """A gateway's diamond and its marker."""
    grp.add(dwg.polygon([(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)], class_="shape"))
    k = r * 0.36
    if node.type == "exclusive":
        grp.add(
            dwg.path(
                f"M{cx - k:g},{cy - k:g} L{cx + k:g},{cy + k:g} M{cx + k:g},"
                f"{cy - k:g} L{cx - k:g},{cy + k:g}",
                class_="mark",
            )
        )
    elif node.type == "parallel":
        grp.add(
            dwg.path(
                f"M{cx:g},{cy - k * 1.3:g} L{cx:g},{cy + k * 1.3:g} "
                f"M{cx - k * 1.3:g},{cy:g} L{cx + k * 1.3:g},{cy:g}",
                class_="mark",
            )
        )
    elif node.type == "inclusive":
        grp.add(dwg.circle((cx, cy), k * 1.2, class_="mark", fill="none"))
    elif node.type == "event_based":
        grp.add(dwg.circle((cx, cy), k * 1.4, class_="mark thin", fill="none"))
        grp.add(dwg.circle((cx, cy), k * 1.15, class_="mark thin", fill="none"))
        pts = [
            (cx + k * math.sin(a) * 0.85, cy - k * math.cos(a) * 0.85)
            for a in (i * 2 * math.pi / 5 for i in range(5))
        ]
        grp.add(dwg.polygon(pts, class_="mark thin", fill="none"))
    else:  # complex
        grp.add(
            dwg.path(
                f"M{cx:g},{cy - k * 1.3:g} L{cx:g},{cy + k * 1.3:g} M{cx - k * 1.3:g},"
                f"{cy:g} L{cx + k * 1.3:g},{cy:g} M{cx - k:g},{cy - k:g} L{cx + k:g},"
                f"{cy + k:g} M{cx + k:g},{cy - k:g} L{cx - k:g},{cy + k:g}",
                class_="mark",
            )
        )


def activity_markers(node: Node | None, task_type: str = "", collapsed: bool = False) -> list[str]:
    """The markers at the bottom centre of an activity, in the specification's order."""
    kind = task_type or (node.task_type if node is not None else "") or ""
    out: list[str] = []
    if node is not None and node.loop is not None:
        out.append("loop" if node.loop == "standard" else node.loop)
    if node is not None and node.compensation:
        out.append("compensation")
    if collapsed or kind in ("subProcess", "transaction", "adHocSubProcess"):
        out.append("subprocess")
    if kind == "adHocSubProcess":
        out.append("adhoc")
    return out


def draw_markers(dwg: svgwrite.Drawing, grp: Group, box: Box, markers: list[str]) -> None:
    """The markers side by side, centred at the bottom of ``box``."""
    if not markers:
        return
    width = len(markers) * _MARKER + (len(markers) - 1) * _MARKER_GAP
    x = box.cx - width / 2
    y = box.bottom - _MARKER - 4
    for name in markers:
        mark = dwg.path(
            _MARKERS[name],
            class_=f"activity-marker marker-{name}",
            transform=f"translate({x:.2f},{y:.2f})",
        )
        mark.attribs["data-marker"] = name
        grp.add(mark)
        x += _MARKER + _MARKER_GAP


def draw_activity_decor(dwg: svgwrite.Drawing, grp: Group, box: Box, task_type: str) -> None:
    """What an activity's outline says of it: a call activity's thick border, a
    transaction's double line, and the task type's icon in the top-left corner."""
    if task_type == "transaction":
        grp.add(
            dwg.rect(
                (box.x + 3, box.y + 3),
                (max(box.width - 6, 0), max(box.height - 6, 0)),
                rx=7,
                class_="inner-border",
                fill="none",
            )
        )
    icon = _TASK_ICONS.get(task_type)
    if icon:
        kind = re.sub(r"(?<=[a-z])(?=[A-Z])", "-", task_type).lower()
        filled = " thrown" if task_type == "sendTask" else ""
        path = dwg.path(
            icon,
            class_=f"task-icon task-{kind}{filled}",
            transform=f"translate({box.x + 6:.2f},{box.y + 5:.2f})",
        )
        path.attribs["data-task-type"] = task_type
        grp.add(path)
    elif task_type == "serviceTask":
        for dx, dy, r in ((6.5, 6.5, 4.2), (11.5, 11.5, 3.6)):
            grp.add(
                dwg.circle(
                    (box.x + 6 + dx, box.y + 5 + dy), r, class_="task-icon gear", fill="none"
                )
            )
