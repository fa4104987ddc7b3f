"""Data objects, data stores, text annotations and groups in bpmtool's own swimlane layout.

Under each row of nodes that reads or writes data (or carries a note) runs a *data strip*,
below the row's channel: nothing else stands there, and only a handoff dropping straight
down its column or a message flow to a pool's border crosses it (those columns are kept
free).  Each data object or store is drawn once, in the strip of the row of the first node
that writes it (else the first that reads it), in the free column nearest to that node's;
a text annotation in the strip of the element it notes.  Its associations with the nodes
of that row are short orthogonal lines: down from the node's bottom to a track of their
own at the top of the strip, along it, down into the data object.  A node of another row
that reads or writes the data object is listed in ``DataPlan.far``: its association is
routed once everything else has its place (:mod:`bpmtool.layout.swimlane_reach`).  A group
is a frame around its members: the elements associated with it and, for a re-laid-out
BPMN file, the nodes its author drew inside it.

In a vertical layout the strips run down beside the rows, the associations leave a node's
right side, and a data object's name, under it, runs along the flow.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from bpmtool.layout.geometry import Box, Frame, Label, Link, NodePlace
from bpmtool.layout.route_points import simplify
from bpmtool.layout.text import block_size, data_caption, wrap
from bpmtool.model import Model

__all__ = ["DataPlan", "group_frames", "place_strips", "plan_data"]

DATA_W, DATA_H = 36.0, 50.0
_PAD, _TRACK, _NOTE_FONT = 6.0, 5.0, 12.0
_GROUP_PAD = 10.0
#: the room a row keeps above the nodes of a named group, for the group's name
GROUP_HEAD = 20.0


@dataclass
class _Item:
    kind: str  # "data" or "note"
    ref: str
    row: int
    column: int
    width: float  # along
    height: float  # across
    lines: tuple[str, ...] = ()


@dataclass
class _Assoc:
    node: str
    item: int
    kind: str  # "in", "out" (data) or "note"
    track: int = 0
    #: its place among the node's associations (left to right)
    offset: int = 0
    #: for a note: the association it draws and whether the note is its source
    assoc: int = -1


@dataclass
class DataPlan:
    """Where each data object and note goes (row and column), the room each row's strip
    takes, and the associations drawn in it."""

    items: list[_Item] = field(default_factory=list)
    assocs: list[_Assoc] = field(default_factory=list)
    strip: dict[int, float] = field(default_factory=dict)
    #: (node, data object, "in" | "out", the node whose row holds the data object) of the
    #: nodes in another row than the data object
    far: list[tuple[str, str, str, str]] = field(default_factory=list)


def plan_data(
    model: Model,
    column: dict[str, int],
    global_row: dict[str, int],
    host: dict[str, str],
    col_size: list[float],
    blocked: set[tuple[int, int]],
    busy: set[tuple[int, int]],
    horizontal: bool = True,
) -> DataPlan:
    """The plan for a horizontal layout: ``column`` and ``global_row`` of each placed node,
    ``host`` maps a boundary event to its activity, ``blocked`` the (row, column) strips a
    line crosses, ``busy`` the (row, gap) strips a line crosses in a gap."""
    plan = DataPlan()
    taken: set[tuple[int, int]] = set(blocked)
    holding: set[tuple[int, int]] = set()  # the strips' cells that hold an item

    def cell(node: str) -> tuple[int, int] | None:
        at = host.get(node, node)
        return (global_row[at], column[at]) if at in column else None

    def fits(row: int, c: int, width: float) -> bool:
        if (row, c) in taken:
            return False
        if col_size[c] >= width - 0.01:
            return True
        # a narrow column (an event, a gateway): the name reaches into the gaps beside it,
        # which must hold no line there, and no neighbour may reach into them too
        return (
            (row, c - 1) not in busy
            and (row, c) not in busy
            and (row, c - 1) not in holding
            and (row, c + 1) not in holding
        )

    def slot(row: int, anchor: int, width: float) -> int:
        # nearest first, the right before the left
        order = (
            c for d in range(len(col_size)) for c in (anchor + d, anchor - d) if d or c == anchor
        )
        chosen = next((c for c in order if 0 <= c < len(col_size) and fits(row, c, width)), anchor)
        taken.add((row, chosen))
        holding.add((row, chosen))
        if col_size[chosen] < width - 0.01:  # its neighbours take nothing that reaches out
            taken.update({(row, chosen - 1), (row, chosen + 1)})
        return chosen

    writers: dict[str, list[str]] = defaultdict(list)
    readers: dict[str, list[str]] = defaultdict(list)
    for n in model.nodes:
        if cell(n.id) is None:
            continue
        for ref in n.outputs:
            writers[ref].append(n.id)
        for ref in n.inputs:
            readers[ref].append(n.id)
    _plan_notes(model, plan, cell, slot, col_size, horizontal, nodes_only=True)  # beside them
    item_of: dict[str, int] = {}
    position = {n.id: i for i, n in enumerate(model.nodes)}
    for art in model.artifacts:
        users = writers[art.id] or readers[art.id]
        if not users:
            continue
        row, anchor = cell(users[0])  # type: ignore[misc]
        lines = tuple(data_caption(art.name, Box(0, 0, DATA_W, DATA_H)).lines) if art.name else ()
        lw, lh = block_size(lines, 11) if lines else (0.0, 0.0)
        wide, tall = max(DATA_W, lw), DATA_H + (lh + 3 if lines else 0)
        along, across = (wide, tall) if horizontal else (tall, wide)
        item = _Item("data", art.id, row, 0, along, across)
        item.column = slot(row, anchor, min(item.width, 90.0))
        item_of[art.id] = len(plan.items)
        plan.items.append(item)
        for user in sorted({*writers[art.id], *readers[art.id]}, key=position.__getitem__):
            if cell(user)[0] != row:  # type: ignore[index]
                plan.far += [(user, art.id, "out", users[0])] if user in writers[art.id] else []
                plan.far += [(user, art.id, "in", users[0])] if user in readers[art.id] else []
                continue
            if user in writers[art.id]:
                plan.assocs.append(_Assoc(user, item_of[art.id], "out"))
            if user in readers[art.id]:
                plan.assocs.append(_Assoc(user, item_of[art.id], "in"))
    _plan_notes(model, plan, cell, slot, col_size, horizontal, nodes_only=False)
    per_row: dict[int, list[_Assoc]] = defaultdict(list)
    for a in plan.assocs:
        per_row[plan.items[a.item].row].append(a)
    for assocs in per_row.values():
        # tracks from the outermost run inwards, so runs to far items pass over near ones
        assocs.sort(
            key=lambda a: -abs(column.get(host.get(a.node, a.node), 0) - plan.items[a.item].column)
        )
        for k, a in enumerate(assocs):
            a.track = k
    at_node: dict[str, list[_Assoc]] = defaultdict(list)
    for a in plan.assocs:
        at_node[a.node].append(a)
    for assocs in at_node.values():
        assocs.sort(key=lambda a: (plan.items[a.item].column, a.track))
        for j, a in enumerate(assocs):
            a.offset = j
    rows: dict[int, float] = defaultdict(float)
    for item in plan.items:
        rows[item.row] = max(rows[item.row], item.height)
    for row, height in rows.items():
        tracks = len(per_row.get(row, []))
        plan.strip[row] = float(math.ceil(_PAD + tracks * _TRACK + _PAD + height + _PAD))
    return plan


def _plan_notes(
    model: Model,
    plan: DataPlan,
    cell: Callable[[str], tuple[int, int] | None],
    slot: Callable[[int, int, float], int],
    col_size: list[float],
    horizontal: bool,
    *,
    nodes_only: bool,
) -> None:
    """Text annotations in the strip of the (first) element they note: those of a node or
    a flow first (``nodes_only``), then the others (of a data object, or of nothing)."""
    flow_source = {f.key: f.source for f in model.flows}
    data_rows = {it.ref: (it.row, it.column) for it in plan.items if it.kind == "data"}
    done = {it.ref for it in plan.items if it.kind == "note"}
    for note in model.annotations:
        if note.id in done:
            continue
        anchor_node: str | None = None
        where: tuple[int, int] | None = None
        index = -1
        for i, assoc in enumerate(model.associations):
            if note.id not in (assoc.source, assoc.target):
                continue
            other = assoc.target if assoc.source == note.id else assoc.source
            other = flow_source.get(other, other)
            if cell(other) is not None:
                anchor_node, where, index = other, cell(other), i
                break
            if other in data_rows:
                where, index = data_rows[other], i
                break
        if nodes_only and anchor_node is None:
            continue
        row, anchor = where if where is not None else (0, 0)
        width = max(min(col_size[anchor] if col_size else 100.0, 140.0), 90.0)
        width = width if horizontal else 120.0
        lines = tuple(wrap(note.text, width - 16, 6, _NOTE_FONT)) if note.text else ()
        height = 14 * len(lines) + 10 if lines else 30.0
        along, across = (width, height) if horizontal else (height, width)
        item = _Item("note", note.id, row, 0, along, across, lines)
        item.column = slot(row, anchor, min(item.width, 90.0))
        plan.items.append(item)
        if anchor_node is not None:
            plan.assocs.append(_Assoc(anchor_node, len(plan.items) - 1, "note", assoc=index))


def place_strips(
    model: Model,
    plan: DataPlan,
    strip_start: list[float],
    col_centre: list[float],
    nodes: dict[str, NodePlace],
    horizontal: bool = True,
) -> tuple[dict[str, Box], dict[str, Frame], list[Link]]:
    """The boxes of the data objects and notes, and their associations, in screen units.
    Worked out along the flow (a) and across the lanes (c), then turned for the screen."""

    def screen(a: float, c: float, sa: float, sc: float) -> Box:
        if horizontal:
            return Box(round(a, 2), round(c, 2), round(sa, 2), round(sc, 2))
        return Box(round(c, 2), round(a, 2), round(sc, 2), round(sa, 2))

    def flat(b: Box) -> tuple[float, float, float, float]:
        return (b.x, b.y, b.width, b.height) if horizontal else (b.y, b.x, b.height, b.width)

    data: dict[str, Box] = {}
    notes: dict[str, Frame] = {}
    links: list[Link] = []
    tracks: dict[int, int] = defaultdict(int)
    for a in plan.assocs:
        tracks[plan.items[a.item].row] += 1
    ends: list[tuple[float, float]] = []  # where an association ends on each item (a, c)
    for item in plan.items:
        top = strip_start[item.row] + _PAD + tracks[item.row] * _TRACK + _PAD
        ca = col_centre[item.column]
        if item.kind == "data":
            if horizontal:
                icon = (ca - DATA_W / 2, top, DATA_W, DATA_H)
            else:  # the name under the icon runs along: the two centred on the column
                icon = (ca - item.width / 2, top + (item.height - DATA_W) / 2, DATA_H, DATA_W)
            data[item.ref] = screen(*icon)
            ends.append((icon[0] + icon[2] / 2, icon[1]))
        else:
            box = screen(ca - item.width / 2, top, item.width, item.height)
            text = Box(box.x + 8, box.y + 5, box.width - 12, 14.0 * len(item.lines))
            notes[item.ref] = Frame(item.ref, box, Label(item.lines, text) if item.lines else None)
            a0, c0, _, _ = flat(box)
            ends.append((a0 + 6, c0))
    for a in plan.assocs:
        item = plan.items[a.item]
        place = nodes[a.node]
        na, nc, nsa, nsc = flat(place.box)
        if model.node_by_id[a.node].is_activity:
            # from the first part of its far side: a handoff straight down, a loop back or
            # a boundary event keeps its middle and its end
            count = sum(1 for other in plan.assocs if other.node == a.node)
            step = min(12.0, (nsa / 2 - 22) / max(count - 1, 1))
            at = na + 12 + a.offset * step
        else:
            at = na + nsa / 2 + (a.offset - 0.5) * 8
        c_start = nc + nsc
        if place.label is not None:
            la, lc, lsa, lsc = flat(place.label.box)
            if abs(la + lsa / 2 - (na + nsa / 2)) < nsa:  # its name is on that side
                c_start = max(c_start, lc + lsc)
        track = strip_start[item.row] + _PAD + a.track * _TRACK
        end_a, end_c = ends[a.item]
        pts = simplify([(at, c_start), (at, track), (end_a, track), (end_a, end_c)])
        points = tuple(
            (round(p, 2), round(q, 2)) if horizontal else (round(q, 2), round(p, 2)) for p, q in pts
        )
        if a.kind == "out":
            links.append(Link("data", a.node, item.ref, points))
        elif a.kind == "in":
            links.append(Link("data", item.ref, a.node, points[::-1]))
        else:
            assoc = model.associations[a.assoc]
            forward = assoc.source == item.ref
            links.append(
                Link(
                    "association",
                    assoc.source,
                    assoc.target,
                    points[::-1] if forward else points,
                    a.assoc,
                    direction=assoc.direction,
                )
            )
    return data, notes, links


def group_members(model: Model) -> dict[str, set[str]]:
    """Each group's members: the elements associated with it and, when the model keeps its
    author's diagram, the nodes drawn inside the group's frame there."""
    out: dict[str, set[str]] = {}
    diagram = model.diagram
    for group in model.groups:
        members = {
            a.target if a.source == group.id else a.source
            for a in model.associations
            if group.id in (a.source, a.target)
        }
        drawn = diagram.shape_of(group.id) if diagram is not None else None
        if drawn is not None and diagram is not None:
            for n in model.nodes:
                s = diagram.shape_of(n.id)
                if (
                    s is not None
                    and s.x >= drawn.x
                    and s.y >= drawn.y
                    and s.x + s.width <= drawn.x + drawn.width
                    and s.y + s.height <= drawn.y + drawn.height
                ):
                    members.add(n.id)
        out[group.id] = members
    return out


def group_frames(
    model: Model, nodes: dict[str, NodePlace], others: dict[str, Box]
) -> dict[str, Frame]:
    """A frame around each group's members (none for a group without any), its name at the
    top left inside, in the room the rows keep above a group's nodes (GROUP_HEAD)."""
    out: dict[str, Frame] = {}
    for group in model.groups:
        members = group_members(model)[group.id]
        boxes = [nodes[m].box for m in members if m in nodes]
        boxes += [nodes[m].label.box for m in members if m in nodes and nodes[m].label]  # type: ignore[union-attr]
        boxes += [others[m] for m in members if m in others]
        if not boxes:
            continue
        x = min(b.x for b in boxes) - _GROUP_PAD
        y = min(b.y for b in boxes) - (GROUP_HEAD - 2 if group.name else _GROUP_PAD)
        right = max(b.right for b in boxes) + _GROUP_PAD
        bottom = max(b.bottom for b in boxes) + _GROUP_PAD
        box = Box(round(x, 2), round(y, 2), round(right - x, 2), round(bottom - y, 2))
        label = None
        if group.name:
            lines = tuple(wrap(group.name, max(box.width - 12, 40), 1, 12))
            label = Label(lines, Box(box.x + 6, box.y + 2, box.width - 12, 14))
        out[group.id] = Frame(group.id, box, label)
    return out
