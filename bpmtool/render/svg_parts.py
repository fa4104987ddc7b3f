"""The parts of a BPMN diagram around the flow nodes: pools, sub-process frames, data
objects and stores, text annotations, groups, associations, data associations and message
flows to or from a pool.  Drawing only, where the layout put them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpmtool.layout.text import LINE_HEIGHT, data_caption
from bpmtool.render.svg_notation import activity_markers, draw_activity_decor, draw_markers

if TYPE_CHECKING:
    import svgwrite
    from svgwrite.container import Group

    from bpmtool.layout import Box, Label, Layout
    from bpmtool.model import Model

__all__ = ["draw_data", "draw_frames", "draw_links", "draw_notes", "draw_pools", "text_block"]


def text_block(
    dwg: svgwrite.Drawing,
    parent: Group,
    lines: list[str] | tuple[str, ...],
    cx: float,
    top: float,
    size: float = 12,
    cls: str = "label",
    anchor: str = "middle",
) -> None:
    """Lines of text, the first with its top at ``top``, centred on ``cx`` (or starting
    there with ``anchor="start"``)."""
    for i, line in enumerate(lines):
        parent.add(
            dwg.text(
                line,
                insert=(round(cx, 2), round(top + (i + 0.8) * LINE_HEIGHT * size / 12, 2)),
                class_=cls,
                **{"text-anchor": anchor, "font-size": f"{size:g}"},
            )
        )


def _rotated_title(dwg: svgwrite.Drawing, parent: Group, label: Label, vertical: bool) -> None:
    h = label.box
    lines = label.lines
    if vertical:
        text_block(dwg, parent, lines, h.cx, h.cy - len(lines) * LINE_HEIGHT / 2, 13, "pool-name")
    else:
        t = parent.add(dwg.g(transform=f"translate({h.cx:g},{h.cy:g}) rotate(-90)"))
        text_block(dwg, t, lines, 0, -len(lines) * LINE_HEIGHT / 2, 13, "pool-name")


def draw_pools(dwg: svgwrite.Drawing, root: Group, model: Model, lay: Layout) -> None:
    """Each pool of the author's diagram: its frame and, when named, its title strip."""
    g = root.add(dwg.g(class_="pools"))
    vertical = lay.orientation == "vertical"
    for pool in model.pools:
        box = lay.pools.get(pool.id)
        if box is None:
            continue
        grp = g.add(dwg.g(class_="pool", **{"data-pool": pool.id}))
        grp.add(dwg.rect((box.x, box.y), (box.width, box.height), class_="pool-body"))
        title = lay.pool_titles.get(pool.id)
        if title is not None:
            h = title.box
            grp.add(dwg.rect((h.x, h.y), (h.width, h.height), class_="pool-head"))
            _rotated_title(dwg, grp, title, vertical)
        grp.set_desc(title=f"{pool.name} — pool" if pool.name else "pool")


def draw_frames(dwg: svgwrite.Drawing, root: Group, model: Model, lay: Layout) -> None:
    """Sub-processes: expanded ones as frames around their content (dotted for an event
    sub-process, double for a transaction), closed ones as an activity with a "+"."""
    g = root.add(dwg.g(class_="frames"))
    for frame in lay.frames.values():
        sub = model.subprocess_by_id.get(frame.id)
        if sub is None:
            continue
        b = frame.box
        cls = "frame" + (" event-subprocess" if sub.event else "")
        cls += "" if frame.expanded else " collapsed"
        grp = g.add(dwg.g(class_=cls, **{"data-subprocess": sub.id}))
        grp.add(dwg.rect((b.x, b.y), (b.width, b.height), rx=10, class_="frame-shape"))
        draw_activity_decor(dwg, grp, b, sub.task_type)
        if frame.label is not None:
            lab = frame.label
            if frame.expanded:
                text_block(dwg, grp, lab.lines, lab.box.x, lab.box.y, 12, "frame-name", "start")
            else:
                top = b.cy - len(lab.lines) * LINE_HEIGHT / 2 - 6
                text_block(dwg, grp, lab.lines, b.cx, top)
        if not frame.expanded:
            draw_markers(dwg, grp, b, activity_markers(None, sub.task_type, collapsed=True))
        what = "event sub-process" if sub.event else "sub-process"
        grp.set_desc(title=f"{sub.name} ({what})" if sub.name else what)


def _data_shape(dwg: svgwrite.Drawing, grp: Group, b: Box, store: bool, io: str | None) -> None:
    if store:
        rx, ry = b.width / 2, min(b.height / 6, 8)
        grp.add(
            dwg.path(
                f"M{b.x:g},{b.y + ry:g} A{rx:g},{ry:g} 0 0 1 {b.right:g},{b.y + ry:g} "
                f"V{b.bottom - ry:g} A{rx:g},{ry:g} 0 0 1 {b.x:g},{b.bottom - ry:g} z",
                class_="data-shape",
            )
        )
        for k in range(3):  # the front of the lid, and two rings under it
            y = b.y + ry + 4 * k
            grp.add(
                dwg.path(
                    f"M{b.x:g},{y:g} A{rx:g},{ry:g} 0 0 0 {b.right:g},{y:g}",
                    class_="data-line",
                    fill="none",
                )
            )
        return
    fold = min(b.width, b.height) * 0.3
    grp.add(
        dwg.path(
            f"M{b.x:g},{b.y:g} H{b.right - fold:.2f} L{b.right:g},{b.y + fold:.2f} "
            f"V{b.bottom:g} H{b.x:g} z M{b.right - fold:.2f},{b.y:g} "
            f"V{b.y + fold:.2f} H{b.right:g}",
            class_="data-shape",
        )
    )
    if io is not None:  # a process input (outlined arrow) or output (filled)
        x, y = b.x + 3, b.y + 3
        grp.add(
            dwg.path(
                f"M{x:g},{y + 3:g} h6 v-3 l6,5 l-6,5 v-3 h-6 z",
                class_="data-io" + (" thrown" if io == "output" else ""),
            )
        )


def draw_data(dwg: svgwrite.Drawing, root: Group, model: Model, lay: Layout) -> None:
    """Data objects (a page with a folded corner), data stores (a cylinder) and a process's
    inputs and outputs, each with its name underneath, where the layout placed them."""
    g = root.add(dwg.g(class_="data"))
    # a data object no node uses waits past the edge of bpmtool's own drawing, for the BPMN
    # export only
    drawn = [
        (art_id, b)
        for art_id, b in [*lay.data.items(), *lay.data_copies]
        if b.bottom <= lay.height and b.right <= lay.width
    ]
    for art_id, b in drawn:
        art = model.artifact_by_id.get(art_id)
        if art is None:
            continue
        grp = g.add(dwg.g(class_="data-object", **{"data-artifact": art.id}))
        _data_shape(dwg, grp, b, art.store, art.io)
        if art.name:
            caption = data_caption(art.name, b)
            text_block(dwg, grp, caption.lines, b.cx, caption.box.y, 11, "label outside")
        kind = "data store" if art.store else ("data " + art.io if art.io else "data object")
        grp.set_desc(title=f"{art.name} ({kind})" if art.name else kind)


def draw_notes(dwg: svgwrite.Drawing, root: Group, model: Model, lay: Layout) -> None:
    """Text annotations (an open bracket with the text) and groups (a dash-dotted frame)."""
    g = root.add(dwg.g(class_="notes"))
    groups = {gr.id: gr for gr in model.groups}
    for note in lay.notes.values():
        b = note.box
        if note.id in groups:
            grp = g.add(dwg.g(class_="group", **{"data-group": note.id}))
            grp.add(dwg.rect((b.x, b.y), (b.width, b.height), rx=10, class_="group-shape"))
            name = groups[note.id].name
            grp.set_desc(title=f"{name} (group)" if name else "group")
        else:
            grp = g.add(dwg.g(class_="annotation", **{"data-annotation": note.id}))
            arm = min(15.0, b.width)
            grp.add(
                dwg.path(
                    f"M{b.x + arm:g},{b.y:g} H{b.x:g} V{b.bottom:g} H{b.x + arm:g}",
                    class_="annotation-shape",
                    fill="none",
                )
            )
            grp.set_desc(title="text annotation")
        if note.label is not None:
            lab = note.label
            text_block(dwg, grp, lab.lines, lab.box.x, lab.box.y, 12, "note-text", "start")


def draw_links(dwg: svgwrite.Drawing, root: Group, model: Model, lay: Layout) -> None:
    """Associations (dotted), data associations (dotted, open arrow) and message flows to
    or from a pool (dashed, from a small circle to a hollow arrow)."""
    g = root.add(dwg.g(class_="links"))
    for link in lay.links:
        if len(link.points) < 2:
            continue
        d = "M" + " L".join(f"{x:g},{y:g}" for x, y in link.points)
        attrs: dict[str, str] = {}
        if link.kind == "message":
            attrs = {"marker-start": "url(#message-start)", "marker-end": "url(#arrow-message)"}
            flow = model.pool_flows[link.index]
            grp = g.add(dwg.g(class_="flow-message pool-flow", **{"data-flow": flow.key}))
            grp.set_desc(title=f"{flow.name} (message flow)" if flow.name else "message flow")
        else:
            if link.kind == "data" or link.direction in ("one", "both"):
                attrs["marker-end"] = "url(#arrow-open)"
            if link.direction == "both":
                attrs["marker-start"] = "url(#arrow-open-start)"
            grp = g.add(dwg.g(class_=f"link link-{link.kind}"))
            what = "data association" if link.kind == "data" else "association"
            grp.set_desc(title=what)
        grp.add(dwg.path(d, class_="flow-line", fill="none", **attrs))
        if link.label is not None:
            box = link.label.box
            text_block(dwg, grp, link.label.lines, box.cx, box.y, 11, "flow-text")
