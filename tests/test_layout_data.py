"""Data objects, data stores, text annotations and groups in bpmtool's own layout: drawn in
the lane of the node that writes them, associations short and inside one lane, and the
BPMN export of a model without a diagram writing those same positions (XSD-valid)."""

from __future__ import annotations

from itertools import pairwise

from lxml import etree

from bpmtool import api
from bpmtool.io.bpmn import read_bpmn, read_bpmn_bytes
from bpmtool.layout import layout_model
from bpmtool.model import Model
from tests.conftest import FLAWED_MODEL, REFERENCE_MODEL, SHARED_DATA, corpus_files
from tests.layout_checks import data_problems, layout_problems
from tests.test_bpmn_export import _assert_valid

ORIENTATIONS = ("horizontal", "vertical")
BPMN_FILES = corpus_files(sorted((SHARED_DATA / "bpmn").rglob("*.bpmn")))
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
DDI = "{http://www.omg.org/spec/DD/20100524/DI}"
B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def test_the_example_draws_its_data_objects_in_their_writers_lanes() -> None:
    model = api.load(REFERENCE_MODEL)
    assert data_problems(model, layout_model(model, "vertical")) == []
    lay = layout_model(model)
    assert data_problems(model, lay) == []
    assert set(lay.data) == {a.id for a in model.artifacts}
    bands = lay.band_by_id
    for art in model.artifacts:
        writer = next(n for n in model.nodes if art.id in n.outputs)
        assert bands[writer.lane].box.contains(lay.data[art.id]), art.id  # type: ignore[index]
        # it is linked to its writer by a short association inside the lane
        link = next(k for k in lay.links if k.kind == "data" and k.target == art.id)
        assert link.source == writer.id
        length = sum(abs(p[0] - q[0]) + abs(p[1] - q[1]) for p, q in pairwise(link.points))
        assert length < 700, (art.id, length)
    # the readers in other lanes of the pool are linked too, but for the one the docs name
    for orientation in ORIENTATIONS:
        laid = layout_model(model, orientation)  # type: ignore[arg-type]
        unrouted = sorted((n, ref) for n, ref, why in laid.undrawn if why == "route")
        assert len(unrouted) <= 1, (orientation, unrouted)
        across = [
            k
            for k in laid.links
            if k.kind == "data"
            and len(
                {model.node_by_id[e].lane for e in (k.source, k.target) if e in model.node_by_id}
            )
            == 1
            and not laid.band_by_id[
                model.node_by_id[k.target if k.target in model.node_by_id else k.source].lane
            ].box.contains(laid.data[k.source if k.target in model.node_by_id else k.target])
        ]
        assert len(across) >= 5, orientation
    svg = api.render_svg(model)
    assert svg.count('class="data-object"') == len(model.artifacts)
    assert svg.count('class="link link-data"') == len([k for k in lay.links if k.kind == "data"])


def test_data_and_notes_on_the_corpus_relaid_out() -> None:
    """Every BPMN file laid out by bpmtool: each data object a node uses is inside a lane,
    clear of nodes and names; every association is orthogonal, inside one lane and crosses
    no node; each annotation linked to a node sits beside it, each group frames its
    members."""
    problems: list[str] = []
    notes = groups = annotations = 0
    for path in [FLAWED_MODEL, *BPMN_FILES]:
        model = api.load(path)
        for orientation in ("horizontal", "vertical"):
            lay = layout_model(model, orientation)  # type: ignore[arg-type]
            where = f"{path.name} {orientation}"
            problems += [f"{where}: {p}" for p in data_problems(model, lay)]
            problems += [f"{where}: {p}" for p in layout_problems(model, lay)]
            notes += sum(1 for a in model.annotations if a.id in lay.notes)
            annotations += len(model.annotations)
            groups += sum(1 for g in model.groups if g.id in lay.notes)
    assert problems == []
    assert notes == annotations >= 40 and groups >= 20, (notes, annotations, groups)


def _annotated() -> Model:
    return Model.model_validate(
        {
            "id": "noted",
            "lanes": [{"id": "desk", "name": "Desk"}, {"id": "back", "name": "Back office"}],
            "artifacts": [
                {"id": "form", "name": "Order form"},
                {"id": "db", "name": "Orders", "store": True},
            ],
            "nodes": [
                {"id": "s", "type": "start", "lane": "desk"},
                {"id": "take", "name": "Take order", "lane": "desk", "outputs": ["form"]},
                {"id": "check", "name": "Check order", "lane": "desk", "inputs": ["form"]},
                {"id": "book", "name": "Book order", "lane": "back", "outputs": ["db"]},
                {"id": "e", "type": "end", "lane": "back"},
            ],
            "flows": ["s -> take", "take -> check", "check -> book", "book -> e"],
            "annotations": [{"id": "n1", "text": "Phone orders too"}],
            "groups": [{"id": "g1", "name": "Intake"}],
            "associations": [
                {"id": "a1", "source": "n1", "target": "take"},
                {"id": "a2", "source": "g1", "target": "take"},
                {"id": "a3", "source": "g1", "target": "check"},
            ],
        }
    )


def test_annotations_sit_beside_their_element_and_groups_frame_their_members() -> None:
    model = _annotated()
    lay = layout_model(model)
    assert data_problems(model, lay) == [] and layout_problems(model, lay) == []
    desk = lay.band_by_id["desk"].box
    note = lay.notes["n1"].box
    assert desk.contains(note) and note.y > lay.nodes["take"].box.bottom
    assert abs(note.cx - lay.nodes["take"].box.cx) < 150
    frame = lay.notes["g1"].box
    assert frame.contains(lay.nodes["take"].box) and frame.contains(lay.nodes["check"].box)
    assert not frame.contains(lay.nodes["book"].box)
    # the form is read and written in one lane: both associations drawn, the store's too
    kinds = sorted((k.source, k.target) for k in lay.links if k.kind == "data")
    assert kinds == [("book", "db"), ("form", "check"), ("take", "form")]
    svg = api.render_svg(model)
    assert 'data-annotation="n1"' in svg and 'data-group="g1"' in svg


def _bounds(el: etree._Element) -> tuple[float, ...]:
    b = el.find(f"{DC}Bounds")
    assert b is not None
    return tuple(float(b.get(k) or 0) for k in ("x", "y", "width", "height"))


def test_the_export_without_a_diagram_writes_the_layouts_positions() -> None:
    """One function places them: the BPMNDI of a model without a diagram has each data
    object, annotation and group where layout_model put it, each association with the
    layout's points (no slanted segment), and the file is valid and reads back."""
    cases = [(m, o) for m in (api.load(REFERENCE_MODEL), _annotated()) for o in ORIENTATIONS]
    for model, orientation in cases:
        lay = layout_model(model, orientation)  # type: ignore[arg-type]
        data = api.export_bpmn(model, orientation=orientation)
        doc = _assert_valid(data)
        refs = {
            el.get("id"): el.get("dataObjectRef") or el.get("dataStoreRef")
            for el in doc.iter(f"{B}dataObjectReference", f"{B}dataStoreReference")
        }
        objects = {el.get("id"): el.get("id") for el in doc.iter(f"{B}dataObject", f"{B}dataStore")}
        assert refs and objects
        shapes = {s.get("bpmnElement"): s for s in doc.iter(f"{DI}BPMNShape")}
        for art in model.artifacts:
            ref = next(r for r, obj in refs.items() if obj and obj.endswith(art.id))
            box = lay.data[art.id]
            assert _bounds(shapes[ref]) == (box.x, box.y, box.width, box.height), art.id
        for key, frame in lay.notes.items():
            b = frame.box
            assert _bounds(shapes[key]) == (b.x, b.y, b.width, b.height), key
        edges = list(doc.iter(f"{DI}BPMNEdge"))
        written = []
        for edge in edges:
            pts = [
                (float(w.get("x") or 0), float(w.get("y") or 0))
                for w in edge.iter(f"{DDI}waypoint")
            ]
            written.append(tuple(pts))
        for link in lay.links:
            if link.kind in ("data", "association"):
                assert tuple(link.points) in written, link
        associations = [
            e
            for e in edges
            if "_in_" in (e.get("bpmnElement") or "") or "_out_" in (e.get("bpmnElement") or "")
        ]
        associations += [e for e in edges if (e.get("bpmnElement") or "").startswith("a")]
        for edge in associations:
            pts = [
                (float(w.get("x") or 0), float(w.get("y") or 0))
                for w in edge.iter(f"{DDI}waypoint")
            ]
            assert all(abs(p[0] - q[0]) < 0.01 or abs(p[1] - q[1]) < 0.01 for p, q in pairwise(pts))
        again, _ = read_bpmn_bytes(data, "again.bpmn")
        assert len(again.artifacts) == len(model.artifacts)
        assert len(again.annotations) == len(model.annotations)


def test_a_relaid_out_file_keeps_its_groups_members() -> None:
    """A BPMN file's group has its members only in the author's diagram: re-laid out, the
    frame goes around the nodes the author drew inside it."""
    found = 0
    for path in BPMN_FILES:
        model, _ = read_bpmn(path)
        if not model.groups or model.diagram is None:
            continue
        lay = api.layout(model, relayout=True)
        for group in model.groups:
            drawn = model.diagram.shape_of(group.id)
            if drawn is None or group.id not in lay.notes:
                continue
            inside = [
                n.id
                for n in model.nodes
                if (s := model.diagram.shape_of(n.id)) is not None
                and s.x >= drawn.x
                and s.y >= drawn.y
                and s.x + s.width <= drawn.x + drawn.width
                and s.y + s.height <= drawn.y + drawn.height
                and n.id in lay.nodes
            ]
            frame = lay.notes[group.id].box
            assert all(frame.contains(lay.nodes[n].box) for n in inside), (path.name, group.id)
            found += bool(inside)
    assert found >= 1


def _read_across() -> Model:
    """Three lanes of one pool and a customer outside it: the form written at the desk is
    read in the back office (another lane), by the customer (another pool) and written
    again by the archive, two lanes away."""
    return Model.model_validate(
        {
            "id": "across",
            "lanes": [
                {"id": "cust", "name": "Customer", "external": True},
                {"id": "desk", "name": "Desk"},
                {"id": "back", "name": "Back office"},
                {"id": "arch", "name": "Archive"},
            ],
            "artifacts": [{"id": "form", "name": "Order form"}],
            "nodes": [
                {"id": "s", "type": "start", "lane": "desk"},
                {"id": "take", "name": "Take order", "lane": "desk", "outputs": ["form"]},
                {"id": "book", "name": "Book order", "lane": "back", "inputs": ["form"]},
                {"id": "sign", "name": "Sign form", "lane": "cust", "inputs": ["form"]},
                {"id": "file", "name": "File form", "lane": "arch", "outputs": ["form"]},
                {"id": "e", "type": "end", "name": "Filed", "lane": "arch"},
            ],
            "flows": ["s -> take", "take -> sign", "sign -> book", "book -> file", "file -> e"],
        }
    )


def test_a_data_object_read_in_another_lane_is_linked_there() -> None:
    """The reader in another lane of the pool gets a dotted, orthogonal data input
    association (data object -> activity, ending on the activity's border), the writer two
    lanes away a data output association; the reader in another pool none (reported)."""
    model = _read_across()
    for orientation in ORIENTATIONS:
        lay = layout_model(model, orientation)  # type: ignore[arg-type]
        assert data_problems(model, lay) == [] and layout_problems(model, lay) == []
        links = {(k.source, k.target): k for k in lay.links if k.kind == "data"}
        assert set(links) == {("take", "form"), ("form", "book"), ("file", "form")}, orientation
        assert lay.undrawn == [("sign", "form", "pool")]
        read = links[("form", "book")]
        book, form = lay.nodes["book"].box, lay.data["form"]
        assert all(
            abs(p[0] - q[0]) < 0.01 or abs(p[1] - q[1]) < 0.01 for p, q in pairwise(read.points)
        )
        end, start = read.points[-1], read.points[0]
        on_border = (
            (abs(end[0] - book.x) < 0.01 or abs(end[0] - book.right) < 0.01)
            and book.y <= end[1] <= book.bottom
        ) or (
            (abs(end[1] - book.y) < 0.01 or abs(end[1] - book.bottom) < 0.01)
            and book.x <= end[0] <= book.right
        )
        assert on_border, (orientation, read.points, book)
        assert form.x - 0.01 <= start[0] <= form.right + 0.01
        assert form.y - 0.01 <= start[1] <= form.bottom + 0.01
        written = links[("file", "form")]
        assert written.points[-1] != read.points[0] or written.points[0] != read.points[-1]
        svg = api.render_svg(model, orientation=orientation)
        assert svg.count('class="link link-data"') == 3
        data = api.export_bpmn(model, orientation=orientation)
        doc = _assert_valid(data)
        waypoints = [
            tuple(
                (float(w.get("x") or 0), float(w.get("y") or 0)) for w in e.iter(f"{DDI}waypoint")
            )
            for e in doc.iter(f"{DI}BPMNEdge")
        ]
        assert read.points in waypoints and written.points in waypoints


def test_the_data_check_catches_a_bad_association() -> None:
    """data_problems fails a layout whose association is slanted, crosses a node or a
    name, leaves its pool, or is missing without a reason."""
    from dataclasses import replace

    model = _read_across()
    lay = layout_model(model)
    assert data_problems(model, lay) == []
    others = [k for k in lay.links if (k.source, k.target) != ("form", "book")]
    read = next(k for k in lay.links if (k.source, k.target) == ("form", "book"))
    form, book = lay.data["form"], lay.nodes["book"].box

    def problems(points: tuple[tuple[float, float], ...]) -> list[str]:
        return data_problems(model, replace(lay, links=[*others, replace(read, points=points)]))

    slanted = ((form.x, form.bottom), (book.x + 7, book.y))
    assert any("slanted" in p for p in problems(slanted))
    through = lay.nodes["take"].box
    crossing = (
        (through.x - 5, through.cy),
        (through.right + 5, through.cy),
        (through.right + 5, book.y),
    )
    assert any("crosses node take" in p for p in problems(crossing))
    outside = lay.band_by_id["cust"].box
    away = ((form.cx, form.y), (form.cx, outside.cy), (book.cx, outside.cy), (book.cx, book.y))
    assert any("leaves its pool" in p for p in problems(away))
    assert any(
        "neither drawn nor reported" in p for p in data_problems(model, replace(lay, links=others))
    )
    name = lay.nodes["e"].label
    assert name is not None
    n = name.box
    across_name = ((n.x - 5, n.cy), (n.right + 5, n.cy))
    assert any("crosses a name" in p for p in problems(across_name))
