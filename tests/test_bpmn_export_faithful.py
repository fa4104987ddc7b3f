"""The export of an imported BPMN file keeps what its author made: the diagram (every shape
and edge of the main diagram with its bounds, waypoints and label bounds), sub-processes
holding their content, text annotations, groups, associations; only what the author's
diagram lacks is laid out by bpmtool."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from bpmtool import api
from bpmtool.io.bpmn import read_bpmn, read_bpmn_bytes
from bpmtool.io.bpmn_export import write_bpmn
from tests.conftest import SHARED_DATA, corpus_files

B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
DD = "{http://www.omg.org/spec/DD/20100524/DI}"
BPMTOOL = "{https://bpmtool.dev/bpmn}"
FILES = corpus_files(sorted((SHARED_DATA / "bpmn").rglob("*.bpmn")))
SUBPROCESSES = {"subProcess", "transaction", "adHocSubProcess"}


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _bounds(shape: etree._Element, path: str) -> tuple[float, ...] | None:
    b = shape.find(path)
    if b is None:
        return None
    return tuple(float(b.get(k) or 0) for k in ("x", "y", "width", "height"))


def _drawn(plane: etree._Element) -> dict[str, list[tuple[object, ...]]]:
    """What a plane draws, keyed by element kind and name: bounds, label bounds, points."""
    out: dict[str, list[tuple[object, ...]]] = {"shapes": [], "edges": []}
    for shape in plane.iter(f"{DI}BPMNShape"):
        out["shapes"].append(
            (_bounds(shape, f"{DC}Bounds"), _bounds(shape, f"{DI}BPMNLabel/{DC}Bounds"))
        )
    for edge in plane.iter(f"{DI}BPMNEdge"):
        points = tuple(
            (float(p.get("x") or 0), float(p.get("y") or 0)) for p in edge.findall(f"{DD}waypoint")
        )
        out["edges"].append((points, _bounds(edge, f"{DI}BPMNLabel/{DC}Bounds")))
    return out


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_export_writes_the_authors_diagram(path: Path) -> None:
    """Every shape and edge of the file's main diagram whose element was imported is in the
    export with the same bounds, label bounds and waypoints; shapes bpmtool added are
    marked laid out."""
    model, _ = read_bpmn(path)
    if model.diagram is None:
        return
    out = etree.fromstring(write_bpmn(model))
    plane = out.find(f"{DI}BPMNDiagram/{DI}BPMNPlane")
    authors = [s for s in plane if s.get(f"{BPMTOOL}laidOut") != "true"]
    mine = etree.Element("plane")
    mine.extend(authors)
    written = _drawn(mine)
    assert len(written["shapes"]) == len(model.diagram.shapes)
    assert len(written["edges"]) == len(model.diagram.edges)
    expected_shapes = [
        (
            (s.x, s.y, s.width, s.height),
            (s.label.x, s.label.y, s.label.width, s.label.height) if s.label else None,
        )
        for s in model.diagram.shapes
    ]
    assert written["shapes"] == expected_shapes
    expected_edges = [
        (
            tuple(e.points),
            (e.label.x, e.label.y, e.label.width, e.label.height) if e.label else None,
        )
        for e in model.diagram.edges
    ]
    assert written["edges"] == expected_edges
    # and those are the file's own numbers: every node shape of the source is there
    source = etree.parse(str(path)).getroot()
    source_bounds = {_bounds(s, f"{DC}Bounds") for s in source.iter(f"{DI}BPMNShape")}
    assert {b for b, _ in written["shapes"]} <= source_bounds


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_export_nests_subprocess_content_and_keeps_notes(path: Path) -> None:
    source = etree.parse(str(path)).getroot()
    model, _ = read_bpmn(path)
    out = etree.fromstring(write_bpmn(model))

    def nested(root: etree._Element) -> dict[str, tuple[str, set[str]]]:
        """Each expanded sub-process: its tag and the ids of the flow nodes it holds."""
        return {
            el.get("id") or "": (_local(el), {c.get("id") or "" for c in el if _flow_node(c)})
            for el in root.iter()
            if _local(el) in SUBPROCESSES and any(_flow_node(c) for c in el)
        }

    assert nested(out) == nested(source)
    for tag in ("textAnnotation", "group", "association"):
        assert len(list(out.iter(f"{B}{tag}"))) == len(
            [a for a in source.iter(f"{B}{tag}")]
        ) - _unimported_associations(model, source, tag), tag
    texts = sorted(
        "".join(t.text or "" for t in el.findall(f"{B}text")).strip()
        for el in source.iter(f"{B}textAnnotation")
    )
    assert (
        sorted(
            "".join(t.text or "" for t in el.findall(f"{B}text")).strip()
            for el in out.iter(f"{B}textAnnotation")
        )
        == texts
    )


def _flow_node(el: etree._Element) -> bool:
    name = _local(el)
    return (
        name in SUBPROCESSES
        or name.endswith(("Task", "Event", "Gateway"))
        or name
        in (
            "task",
            "callActivity",
        )
    )


def _unimported_associations(model: object, source: etree._Element, tag: str) -> int:
    """Associations the import skips with a warning (an end it did not import)."""
    if tag != "association":
        return 0
    return len(list(source.iter(f"{B}association"))) - len(model.associations)  # type: ignore[attr-defined]


def test_a_node_added_to_an_imported_model_is_laid_out_and_read_back_without_a_shape() -> None:
    path = SHARED_DATA / "bpmn" / "miwg-reference" / "A.2.0.bpmn"
    model, _ = read_bpmn(path)
    lane = model.lanes[0].id
    data = model.model_dump(by_alias=True, exclude_defaults=True, mode="json")
    data["nodes"].append({"id": "added_check", "name": "Added check", "lane": lane})
    first = model.nodes[0].id
    data["flows"].append({"source": first, "target": "added_check"})
    grown = type(model).model_validate(data)
    out = write_bpmn(grown)
    doc = etree.fromstring(out)
    laid_out = [
        el.get("bpmnElement")
        for el in doc.iter(f"{DI}BPMNShape", f"{DI}BPMNEdge")
        if el.get(f"{BPMTOOL}laidOut") == "true"
    ]
    assert "added_check" in laid_out and len(laid_out) == 2  # the node and its flow
    again, _ = read_bpmn_bytes(out, "grown.bpmn")
    assert again.diagram == model.diagram  # the author's drawing, nothing of ours
    # drawn where the export put it: under the author's drawing
    box = api.layout(again).nodes["added_check"].box
    bottom = max(s.y + s.height for s in model.diagram.shapes)
    assert box.y > bottom


def test_relayout_export_draws_subprocess_frames_around_their_content() -> None:
    path = SHARED_DATA / "bpmn" / "miwg-reference" / "B.2.0.bpmn"
    model, _ = read_bpmn(path)
    doc = etree.fromstring(api.export_bpmn(model, relayout=True))
    shapes = {s.get("bpmnElement"): _bounds(s, f"{DC}Bounds") for s in doc.iter(f"{DI}BPMNShape")}
    assert model.subprocesses
    for frame in model.subprocesses:
        inside = [n.id for n in model.nodes if n.parent == frame.id and n.id in shapes]
        if not inside or frame.id not in shapes:
            continue
        fx, fy, fw, fh = shapes[frame.id]
        for node in inside:
            x, y, w, h = shapes[node]
            assert fx <= x and fy <= y and x + w <= fx + fw and y + h <= fy + fh
    again, _ = read_bpmn_bytes(api.export_bpmn(model, relayout=True), "relaid.bpmn")
    assert again.diagram is None  # bpmtool's layout, not an author's: laid out again
