"""Structural facts every swimlane layout must satisfy (shared by the layout and render tests)."""

from __future__ import annotations

from itertools import combinations, pairwise

from bpmtool.findings import Finding
from bpmtool.layout import Box, Layout
from bpmtool.model import Model


def _segment_box(p: tuple[float, float], q: tuple[float, float]) -> Box:
    return Box(min(p[0], q[0]), min(p[1], q[1]), abs(p[0] - q[0]), abs(p[1] - q[1]))


def _crosses_inside(seg: Box, box: Box, inset: float = 1.0) -> bool:
    """True when the (degenerate) segment box passes through the inside of ``box``."""
    return (
        (
            seg.x < box.right - inset
            and box.x + inset < seg.right
            and seg.y < box.bottom - inset
            and box.y + inset < seg.bottom
        )
        or (
            seg.width == 0
            and box.x + inset < seg.x < box.right - inset
            and seg.y < box.bottom - inset
            and box.y + inset < seg.bottom
        )
        or (
            seg.height == 0
            and box.y + inset < seg.y < box.bottom - inset
            and seg.x < box.right - inset
            and box.x + inset < seg.right
        )
    )


def layout_problems(model: Model, lay: Layout) -> list[str]:
    """Every violated fact, as a readable line (empty when the layout is sound)."""
    out: list[str] = []
    lanes = {b.id: b for b in lay.bands}
    for lane in model.lanes:
        if lane.id not in lanes:
            out.append(f"lane {lane.id} has no band")
    black_boxes = sum(1 for p in model.pools if p.black_box)  # a band each, with no lane
    if len([b for b in lay.bands if b.kind != "none"]) != len(model.lanes) + black_boxes:
        out.append("not one band per lane")
    attached = {n.id for n in model.nodes if n.attached_to and n.attached_to in lay.nodes}
    for nid, place in lay.nodes.items():
        band = lanes.get(place.band)
        if band is None:
            out.append(f"node {nid} in unknown band {place.band}")
        elif nid not in attached and not band.box.contains(place.box):
            out.append(f"node {nid} escapes its lane {place.band}")
        elif (
            place.label is not None
            and nid not in attached
            and not band.box.contains(place.label.box)
        ):
            out.append(f"label of {nid} escapes its lane {place.band}")
    shapes = {k: v.box for k, v in lay.nodes.items() if k not in attached}
    for (a, ba), (b, bb) in combinations(shapes.items(), 2):
        if ba.overlaps(bb):
            out.append(f"nodes {a} and {b} overlap")
    drawable = [
        i for i, f in enumerate(model.flows) if f.source in lay.nodes and f.target in lay.nodes
    ]
    if sorted(e.index for e in lay.edges) != drawable:
        out.append("not every flow is drawn exactly once")
    ends: dict[str, list[tuple[int, Box]]] = {}
    for e in lay.edges:
        if len(e.points) >= 2:
            ends.setdefault(e.target, []).append((e.index, _segment_box(*e.points[-2:])))
    for target, arriving in ends.items():
        for (i, a), (j, b) in combinations(arriving, 2):
            same_line = (a.width == b.width == 0 and a.x == b.x) or (
                a.height == b.height == 0 and a.y == b.y
            )
            if same_line and a.overlaps(b, margin=0.01):
                out.append(f"flows {i} and {j} arrive at {target} on one line")
    labels = [(k, v.label.box) for k, v in lay.nodes.items() if v.label is not None]
    for e in lay.edges:
        for p, q in pairwise(e.points):
            if abs(p[0] - q[0]) > 0.01 and abs(p[1] - q[1]) > 0.01:
                out.append(f"flow {e.index} has a slanted segment")
            seg = _segment_box(p, q)
            for nid, box in shapes.items():
                if nid in (e.source, e.target) or nid == model.node_by_id[e.source].attached_to:
                    continue
                if _crosses_inside(seg, box):
                    out.append(f"flow {e.index} ({e.source}->{e.target}) crosses node {nid}")
        if e.label is not None:
            if not any(band.box.contains(e.label.box) for band in lay.bands):
                out.append(f"label of flow {e.index} leaves its lane")
            for nid, box in shapes.items():
                if e.label.box.overlaps(box):
                    out.append(f"label of flow {e.index} overlaps node {nid}")
            for nid, box in labels:
                if e.label.box.overlaps(box):
                    out.append(f"label of flow {e.index} overlaps the label of {nid}")
    return out


def marker_problems(model: Model, lay: Layout, findings: list[Finding]) -> list[str]:
    """Finding markers that are cut at an edge, or cover a written name (label or title),
    a node other than their subject, or another marker."""
    from bpmtool.layout.marks import finding_markers, written_boxes

    out: list[str] = []
    written = written_boxes(lay)
    markers = finding_markers(lay, model, findings)
    for m in markers:
        b = m.box
        if b.x < 0 or b.y < 0 or b.right > lay.width:
            out.append(f"marker {m.number} is cut at the edge ({m.x}, {m.y})")
        for w in written:
            if b.overlaps(w):
                out.append(f"marker {m.number} covers a name at {w}")
        for nid, place in lay.nodes.items():
            if nid not in m.finding.subject and b.overlaps(place.box):
                out.append(f"marker {m.number} covers node {nid}")
    for a, b in combinations(markers, 2):
        if a.box.overlaps(b.box):
            out.append(f"markers {a.number} and {b.number} overlap")
    return out


def flows_through_names(lay: Layout) -> list[str]:
    """Flows whose segments pass through a name written under (or beside) a node."""
    out = []
    for e in lay.edges:
        for p, q in pairwise(e.points):
            seg = _segment_box(p, q)
            for nid, place in lay.nodes.items():
                if place.label is not None and _crosses_inside(seg, place.label.box):
                    out.append(f"flow {e.index} ({e.source}->{e.target}) crosses the name of {nid}")
    return out


def flows_through_flow_labels(lay: Layout) -> list[str]:
    """Flows whose segments pass through another flow's label."""
    out = []
    for e in lay.edges:
        for p, q in pairwise(e.points):
            seg = _segment_box(p, q)
            for other in lay.edges:
                label = other.label
                if other is not e and label is not None and _crosses_inside(seg, label.box):
                    out.append(f"flow {e.index} crosses the label of flow {other.index}")
    return out


def _pool_of(model: Model, band: str) -> str:
    from bpmtool.layout.pools import pool_key

    return pool_key(model, band)


def _pool_at(lay: Layout, pool_of: dict[str, str], box: Box) -> str | None:
    """The pool of the band that holds ``box`` (None outside every band)."""
    return next((pool_of[b.id] for b in lay.bands if b.box.contains(box)), None)


def data_problems(model: Model, lay: Layout) -> list[str]:
    """Data objects, notes and their associations in bpmtool's own horizontal layout: every
    data object a node uses drawn inside a lane, clear of every node and name; every
    association orthogonal, inside one lane, crossing no node but its own ends."""
    out: list[str] = []
    bands = [b.box for b in lay.bands]
    used = {a for n in model.nodes if n.id in lay.nodes for a in [*n.inputs, *n.outputs]}
    names = [p.label.box for p in lay.nodes.values() if p.label is not None]
    names += [e.label.box for e in lay.edges if e.label is not None]
    for art in model.artifacts:
        box = lay.data.get(art.id)
        if art.id not in used:
            continue
        if box is None or not any(b.contains(box) for b in bands):
            out.append(f"data object {art.id} is not drawn inside a lane")
            continue
        for nid, place in lay.nodes.items():
            if box.overlaps(place.box):
                out.append(f"data object {art.id} overlaps node {nid}")
        for name in names:
            if box.overlaps(name):
                out.append(f"data object {art.id} covers a name")
    for note in lay.notes.values():
        if note.id in {a.id for a in model.annotations}:
            if not any(b.contains(note.box) for b in bands):
                out.append(f"annotation {note.id} is not inside a lane")
            for nid, place in lay.nodes.items():
                if note.box.overlaps(place.box):
                    out.append(f"annotation {note.id} overlaps node {nid}")
    pool_of = {b.id: _pool_of(model, b.id) for b in lay.bands}
    lane_of = {n.id: n.lane for n in model.nodes}
    drawn = {(k.source, k.target) for k in lay.links if k.kind == "data"}
    undrawn = {(node, ref): why for node, ref, why in lay.undrawn}
    for node in model.nodes:
        if node.id not in lay.nodes:
            continue
        for ref, reads in [*((r, True) for r in node.inputs), *((r, False) for r in node.outputs)]:
            if ref not in lay.data:
                continue
            if ((ref, node.id) if reads else (node.id, ref)) in drawn:
                continue
            why = undrawn.get((node.id, ref))
            if why is None:
                out.append(f"data association {node.id}/{ref} neither drawn nor reported")
            elif why == "pool" and _pool_at(lay, pool_of, lay.data[ref]) == _pool_at(
                lay, pool_of, lay.nodes[node.id].box
            ):
                out.append(f"data association {node.id}/{ref} left out though in one pool")
    for link in lay.links:
        if link.kind == "message":
            continue
        xs, ys = [p[0] for p in link.points], [p[1] for p in link.points]
        span = Box(min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys))
        ends = [lane_of.get(link.source), lane_of.get(link.target)]
        if link.kind == "data" and ends.count(None) == 1:
            # a data association may cross lanes, inside one pool: each point in a band of it
            host = _pool_at(
                lay,
                pool_of,
                lay.nodes[next(e for e in (link.source, link.target) if e in lane_of)].box,
            )
            if any(_pool_at(lay, pool_of, Box(p[0], p[1], 0, 0)) != host for p in link.points):
                out.append(f"association {link.source}->{link.target} leaves its pool")
        elif not any(b.contains(span) for b in bands):
            out.append(f"association {link.source}->{link.target} leaves its lane")
        for p, q in pairwise(link.points):
            if abs(p[0] - q[0]) > 0.01 and abs(p[1] - q[1]) > 0.01:
                out.append(f"association {link.source}->{link.target} is slanted")
            seg = _segment_box(p, q)
            for nid, place in lay.nodes.items():
                if nid not in (link.source, link.target) and _crosses_inside(seg, place.box):
                    out.append(f"association {link.source}->{link.target} crosses node {nid}")
            for name in names:
                if _crosses_inside(seg, name):
                    out.append(f"association {link.source}->{link.target} crosses a name")
    return out
