"""The author's layout: a :class:`~bpmtool.layout.Layout` built from the diagram a model
was imported with (BPMN diagram interchange), so a BPMN file is drawn and exported where
its author placed everything.

Positions are the file's own, moved only when the drawing reaches into negative
coordinates (then everything moves by the same amount, so it starts at ``MARGIN``).  What
the diagram does not show is laid out by us: a node without a shape goes in a row under
the drawing (unless it sits in a sub-process drawn collapsed, where the file hides it, or
another diagram of the file draws it), a flow without waypoints runs straight between its
ends.  A model with several diagrams is drawn from its ``diagram``; :func:`choose_diagram`
makes another one that.
"""

from __future__ import annotations

from collections.abc import Callable

from bpmtool.errors import InputError
from bpmtool.layout.geometry import Band, Box, EdgeRoute, Frame, Label, Layout, Link, NodePlace
from bpmtool.layout.pools import NO_LANE
from bpmtool.layout.swimlane_room import node_size
from bpmtool.layout.text import block_size, wrap
from bpmtool.model import Bounds, Diagram, Model, Shape

__all__ = ["MARGIN", "choose_diagram", "diagram_shift", "diagrams_of", "layout_from_diagram"]

#: the least distance of the drawing from the top and left edges, when it must move
MARGIN = 10.0
_HEADER = 30.0
_ADDED_GAP = 40.0
#: diagram bounds → layout box (moved by the drawing's shift)
Place = Callable[[Bounds], Box]


def layout_from_diagram(model: Model) -> Layout:
    """The layout of ``model.diagram``; raises ValueError when the model has none.

    >>> from bpmtool.model import Model
    >>> m = Model.model_validate({"id": "m", "nodes": [{"id": "t"}], "diagram": {"shapes": [
    ...     {"element": "t", "x": 100, "y": 50, "width": 100, "height": 80}]}})
    >>> layout_from_diagram(m).nodes["t"].box
    Box(x=100.0, y=50.0, width=100.0, height=80.0)
    """
    diagram = model.diagram
    if diagram is None:
        raise ValueError(f"model {model.id!r} has no diagram to lay out from")
    dx, dy = diagram_shift(diagram)

    def box(b: Bounds) -> Box:
        return Box(round(b.x + dx, 2), round(b.y + dy, 2), round(b.width, 2), round(b.height, 2))

    vertical = any(
        s.horizontal is False for p in model.pools for s in diagram.shapes_by_element.get(p.id, [])
    )
    bands = _bands(model, diagram, box, vertical)
    pools = {p.id: box(shape) for p in model.pools if (shape := diagram.shape_of(p.id)) is not None}
    nodes = _nodes(model, diagram, box)
    edges = _edges(model, diagram, nodes, dx, dy, box)
    data = {a.id: box(s) for a in model.artifacts if (s := diagram.shape_of(a.id)) is not None}
    copies = [
        (a.id, box(s)) for a in model.artifacts for s in diagram.shapes_by_element.get(a.id, [])[1:]
    ]
    frames = _frames(model, diagram, box)
    notes = _notes(model, diagram, box)
    links = _links(model, diagram, dx, dy, box)
    boxes = [n.box for n in nodes.values()] + [b.box for b in bands] + list(data.values())
    boxes += [b for _, b in copies]
    boxes += [f.box for f in [*frames.values(), *notes.values()]] + list(pools.values())
    points = [p for e in edges for p in e.points] + [p for k in links for p in k.points]
    width = max([b.right for b in boxes] + [x for x, _ in points], default=0.0) + MARGIN
    height = max([b.bottom for b in boxes] + [y for _, y in points], default=0.0) + MARGIN
    return Layout(
        orientation="vertical" if vertical else "horizontal",
        width=round(width, 2),
        height=round(height, 2),
        bands=bands,
        pools=pools,
        pool_header=None,
        nodes=nodes,
        edges=edges,
        data=data,
        data_copies=copies,
        frames=frames,
        notes=notes,
        links=links,
        pool_titles=_pool_titles(model, pools, vertical),
    )


def diagram_shift(diagram: Diagram) -> tuple[float, float]:
    """How far the layout moves the author's drawing: right and down by what it reaches
    into negative coordinates (and ``MARGIN``), else not at all."""
    xs = [s.x for s in diagram.shapes] + [x for e in diagram.edges for x, _ in e.points]
    ys = [s.y for s in diagram.shapes] + [y for e in diagram.edges for _, y in e.points]
    low_x, low_y = min(xs, default=0.0), min(ys, default=0.0)
    return (MARGIN - low_x if low_x < 0 else 0.0), (MARGIN - low_y if low_y < 0 else 0.0)


def diagrams_of(model: Model) -> list[Diagram]:
    """Every diagram of the model, numbered from 1 in this order: its ``diagram`` (the one
    drawn by default), then ``other_diagrams``."""
    return ([model.diagram] if model.diagram is not None else []) + list(model.other_diagrams)


def choose_diagram(model: Model, choice: str | int | None) -> Model:
    """The model drawn from another of its diagrams: the one numbered ``choice`` (from 1,
    see :func:`diagrams_of`) or named so (its name, else its id; case matters only when
    two names differ by it alone) becomes ``diagram``, the others follow in their order.
    ``None`` gives the model as it is; raises :class:`~bpmtool.errors.InputError` for a
    choice the model does not have.

    >>> from bpmtool.model import Model
    >>> m = Model.model_validate({"id": "m", "diagram": {"name": "Main"},
    ...     "other_diagrams": [{"name": "IT", "shows": "it"}]})
    >>> [d.name for d in diagrams_of(choose_diagram(m, "it"))]
    ['IT', 'Main']
    >>> choose_diagram(m, 2).diagram.name
    'IT'
    """
    if choice is None:
        return model
    every = diagrams_of(model)
    chosen = _find(every, choice)
    if chosen is None:
        listed = ", ".join(
            f"{i} {d.label!r}" if d.label else str(i) for i, d in enumerate(every, 1)
        )
        raise InputError.single(
            f"model {model.id!r} has no diagram {str(choice)!r}",
            expected=f"a diagram's number or name: {listed}"
            if every
            else "a model with a diagram (a BPMN file with BPMNDI)",
        )
    rest = [d for d in every if d is not chosen]
    return model.model_copy(update={"diagram": chosen, "other_diagrams": rest})


def _find(every: list[Diagram], choice: str | int) -> Diagram | None:
    text = str(choice).strip()
    if text.isdigit():
        n = int(text)
        return every[n - 1] if 1 <= n <= len(every) else None
    for same in (
        lambda d: d.name == text,
        lambda d: d.id == text,
        lambda d: d.name.casefold() == text.casefold(),
    ):
        found = [d for d in every if same(d)]
        if found:
            return found[0]
    return None


def _bands(model: Model, diagram: Diagram, box: Place, vertical: bool) -> list[Band]:
    """A band per drawn lane; a pool without lanes (or a black box) is one band."""
    out: list[Band] = []
    drawn: list[tuple[str, str, str, Shape]] = []
    for pool in model.pools:
        shape = diagram.shape_of(pool.id)
        if shape is not None and (pool.black_box or model.whole_pool(pool.id)):
            kind = "external" if pool.external or pool.black_box else "lane"
            drawn.append((pool.id, pool.name, kind, shape))
    for lane in model.lanes:
        shape = diagram.shape_of(lane.id)
        if shape is not None and not model.whole_pool(lane.id):
            drawn.append((lane.id, lane.name, "external" if lane.external else "lane", shape))
    for ident, name, kind, shape in drawn:
        b = box(shape)
        header = Box(b.x, b.y, b.width, _HEADER) if vertical else Box(b.x, b.y, _HEADER, b.height)
        room = header.width if vertical else header.height
        label = Label(tuple(wrap(name, max(room - 12, 20), 2, 13)), header)
        out.append(Band(ident, name, kind, b, header, label))  # type: ignore[arg-type]
    return out


def _hidden(model: Model, diagram: Diagram, node_id: str) -> bool:
    """True for a node inside a sub-process the diagram draws collapsed."""
    parent = model.node_by_id[node_id].parent
    while parent is not None:
        shape = diagram.shape_of(parent)
        if shape is not None and shape.expanded is False:
            return True
        frame = model.subprocess_by_id.get(parent)
        parent = frame.parent if frame is not None else None
    return False


def _nodes(model: Model, diagram: Diagram, box: Place) -> dict[str, NodePlace]:
    out: dict[str, NodePlace] = {}
    missing = []
    elsewhere = {
        shape.element
        for other in [model.diagram, *model.other_diagrams]
        if other is not None and other is not diagram
        for shape in other.shapes
    }
    for node in model.nodes:
        shape = diagram.shape_of(node.id)
        if shape is None:
            if node.id not in elsewhere and not _hidden(model, diagram, node.id):
                missing.append(node)
            continue
        # an activity's name is written inside its box, whatever label bounds it has
        label = None if node.is_activity else _label(node.caption, shape, box)
        out[node.id] = NodePlace(node.id, box(shape), label, node.lane or NO_LANE, 0, 0)
    if missing:  # what the author did not draw: a row under the drawing
        bottom = max((p.box.bottom for p in out.values()), default=0.0)
        bottom = max([bottom] + [box(s).bottom for s in diagram.shapes])
        x = MARGIN
        for node in missing:  # each in a slot as wide as its shape or its name
            w, h = node_size(node)
            lines = tuple(wrap(node.caption, 104, 3)) if not node.is_activity else ()
            lw, lh = block_size(lines)
            slot = max(w, lw)
            place = Box(round(x + (slot - w) / 2, 2), bottom + _ADDED_GAP, w, h)
            label = None
            if lines:
                at = Box(round(x + (slot - lw) / 2, 2), place.bottom + 4, round(lw, 2), lh)
                label = Label(lines, at)
            out[node.id] = NodePlace(node.id, place, label, node.lane or NO_LANE, 0, 0)
            x += slot + _ADDED_GAP
    return out


def _label(text: str, shape: Shape, box: Place) -> Label | None:
    if not text or shape.label is None:
        return None
    where = box(shape.label)
    return Label(tuple(wrap(text, max(where.width, 30), 4, 11)), where, 11.0)


def _edges(
    model: Model, diagram: Diagram, nodes: dict[str, NodePlace], dx: float, dy: float, box: Place
) -> list[EdgeRoute]:
    out: list[EdgeRoute] = []
    for i, flow in enumerate(model.flows):
        edge = diagram.edge_of(flow.key)
        if edge is not None:
            points = tuple((round(x + dx, 2), round(y + dy, 2)) for x, y in edge.points)
        elif flow.source in nodes and flow.target in nodes:
            points = _straight(nodes[flow.source].box, nodes[flow.target].box)
        else:
            continue
        text = flow.name  # what the author wrote on the line, never its condition expression
        label = None
        if text and edge is not None and edge.label is not None:
            where = box(edge.label)
            label = Label(tuple(wrap(text, max(where.width, 30), 3, 11)), where)
        out.append(EdgeRoute(i, flow.source, flow.target, points, label))
    return out


def _straight(a: Box, b: Box) -> tuple[tuple[float, float], ...]:
    """From the border of ``a`` to the border of ``b``, with one bend when not level."""
    if b.x >= a.right:
        start, end = (a.right, a.cy), (b.x, b.cy)
    elif a.x >= b.right:
        start, end = (a.x, a.cy), (b.right, b.cy)
    else:
        start = (a.cx, a.bottom if b.y >= a.bottom else a.y)
        end = (b.cx, b.y if b.y >= a.bottom else b.bottom)
        return (start, end) if start[0] == end[0] else (start, (start[0], end[1]), end)
    if start[1] == end[1]:
        return (start, end)
    mid = round((start[0] + end[0]) / 2, 2)
    return (start, (mid, start[1]), (mid, end[1]), end)


def _frames(model: Model, diagram: Diagram, box: Place) -> dict[str, Frame]:
    """Each drawn sub-process: a frame with its name at the top left, or — drawn closed —
    a box with its name in the middle."""
    out: dict[str, Frame] = {}
    for sub in model.subprocesses:
        shape = diagram.shape_of(sub.id)
        if shape is None:
            continue
        where = box(shape)
        expanded = shape.expanded is not False
        label = None
        if sub.name:
            width = where.width - 16 if expanded else where.width - 14
            lines = tuple(wrap(sub.name, max(width, 30), 2 if expanded else 4, 12))
            label = Label(lines, Box(where.x + 8, where.y + 6, max(width, 30), 14 * len(lines)))
        out[sub.id] = Frame(sub.id, where, label, expanded)
    return out


def _notes(model: Model, diagram: Diagram, box: Place) -> dict[str, Frame]:
    """Text annotations (text inside the bracket) and groups (name above the frame)."""
    out: dict[str, Frame] = {}
    for note in model.annotations:
        shape = diagram.shape_of(note.id)
        if shape is None:
            continue
        where = box(shape)
        lines = tuple(wrap(note.text, max(where.width - 10, 30), 12, 12)) if note.text else ()
        text = Box(where.x + 6, where.y + 4, max(where.width - 10, 30), 14 * len(lines))
        out[note.id] = Frame(note.id, where, Label(lines, text) if lines else None)
    for group in model.groups:
        shape = diagram.shape_of(group.id)
        if shape is None:
            continue
        where = box(shape)
        label = None
        if group.name:
            lines = tuple(wrap(group.name, max(where.width - 12, 40), 2, 12))
            at = box(shape.label) if shape.label is not None else None
            label = Label(lines, at or Box(where.x + 6, where.y + 4, where.width - 12, 14))
        out[group.id] = Frame(group.id, where, label)
    return out


def _links(model: Model, diagram: Diagram, dx: float, dy: float, box: Place) -> list[Link]:
    """Associations, data associations and message flows to or from a pool, as drawn."""

    def moved(points: list[tuple[float, float]]) -> tuple[tuple[float, float], ...]:
        return tuple((round(x + dx, 2), round(y + dy, 2)) for x, y in points)

    out: list[Link] = []
    for assoc in model.associations:
        edge = diagram.edge_of(assoc.id)
        if edge is not None:
            out.append(
                Link(
                    "association",
                    assoc.source,
                    assoc.target,
                    moved(edge.points),
                    direction=assoc.direction,
                )
            )
    for edge in diagram.edges:
        if edge.artifact is None:
            continue
        ends = (edge.element, edge.artifact)
        source, target = ends if edge.direction == "out" else ends[::-1]
        out.append(Link("data", source, target, moved(edge.points)))
    for i, flow in enumerate(model.pool_flows):
        edge = diagram.edge_of(flow.key)
        if edge is None:
            continue
        label = None
        if flow.name and edge.label is not None:
            where = box(edge.label)
            label = Label(tuple(wrap(flow.name, max(where.width, 30), 3, 11)), where)
        out.append(Link("message", flow.source, flow.target, moved(edge.points), i, label))
    return out


def _pool_titles(model: Model, pools: dict[str, Box], vertical: bool) -> dict[str, Label]:
    """Each named pool's title, in the strip along its left edge (its top when the
    diagram's pools are vertical); a pool drawn as one band has the band's title."""
    out: dict[str, Label] = {}
    for pool in model.pools:
        where = pools.get(pool.id)
        if where is None or not pool.name or pool.black_box or model.whole_pool(pool.id):
            continue
        strip = (
            Box(where.x, where.y, where.width, _HEADER)
            if vertical
            else Box(where.x, where.y, _HEADER, where.height)
        )
        room = strip.width if vertical else strip.height
        out[pool.id] = Label(tuple(wrap(pool.name, max(room - 12, 20), 2, 13)), strip)
    return out
