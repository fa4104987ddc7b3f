"""A BPMN file with several diagrams (one per pool, or one drilling into a sub-process)
keeps every one: read into the model with its id, name and what it shows, written back by
the export (valid, and read again the same), and drawn on request with its own positions."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app
from bpmtool.io.bpmn import read_bpmn, read_bpmn_bytes
from bpmtool.layout.from_di import diagrams_of
from tests.conftest import SHARED_DATA, corpus_files

DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
BPMTOOL = "{https://bpmtool.dev/bpmn}"
XSD = SHARED_DATA / "xsd" / "bpmn20" / "BPMN20.xsd"
C4 = SHARED_DATA / "bpmn" / "miwg-reference" / "C.4.0.bpmn"


def _several(path: Path) -> bool:
    return len(etree.parse(str(path)).getroot().findall(f".//{DI}BPMNDiagram")) > 1


MANY = corpus_files(
    [p for p in sorted((SHARED_DATA / "bpmn").rglob("*.bpmn")) if _several(p)]
    if SHARED_DATA.is_dir()
    else []
)


def _planes(root: etree._Element) -> list[etree._Element]:
    return [d.find(f"{DI}BPMNPlane") for d in root.findall(f".//{DI}BPMNDiagram")]


def _bounds(plane: etree._Element) -> list[tuple[float, ...]]:
    return [
        tuple(float(b.get(k) or 0) for k in ("x", "y", "width", "height"))
        for s in plane.iter(f"{DI}BPMNShape")
        if s.get(f"{BPMTOOL}laidOut") != "true"
        for b in s.findall(f"{DC}Bounds")
    ]


def test_the_corpus_has_files_with_several_diagrams() -> None:
    names = {f"{p.parent.name}/{p.name}" for p in MANY}
    assert {"miwg-reference/C.4.0.bpmn", "miwg-reference/C.5.0.bpmn"} <= names
    assert len(MANY) >= 10


@pytest.mark.parametrize("path", MANY, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_diagram_is_kept_and_written_back(path: Path) -> None:
    source = etree.parse(str(path)).getroot()
    model, _ = read_bpmn(path)
    every = diagrams_of(model)
    diagrams = source.findall(f".//{DI}BPMNDiagram")
    assert len(every) == len(diagrams)
    # the main one first, then the others in the file's order, with their ids and names
    pairs = [(d.get("id"), d.get("name") or "") for d in diagrams]
    main = next(
        i
        for i, pair in enumerate(pairs)
        if pair == (every[0].id, every[0].name)
        and [(d.id, d.name) for d in every[1:]] == pairs[:i] + pairs[i + 1 :]
    )
    order = [main] + [i for i in range(len(diagrams)) if i != main]
    # each diagram holds the shapes of its own plane, with the file's bounds
    for diagram, i in zip(every, order, strict=True):
        own = set(_bounds(diagrams[i].find(f"{DI}BPMNPlane")))
        assert {(s.x, s.y, s.width, s.height) for s in diagram.shapes} <= own
    # the export writes them all, in that order, valid against the schema
    written = api.export_bpmn(model)
    out = etree.fromstring(written)
    assert len(out.findall(f"{DI}BPMNDiagram")) == len(every)
    assert etree.XMLSchema(etree.parse(str(XSD))).validate(out)
    for diagram, plane in zip(every, _planes(out), strict=True):
        assert _bounds(plane)[: len(diagram.shapes)] == [
            (s.x, s.y, s.width, s.height) for s in diagram.shapes
        ]
    ids = {el.get("id") for el in out.iter() if isinstance(el.tag, str)}
    assert all(p.get("bpmnElement") in ids for p in _planes(out))
    # and reading the export gives the same diagrams back
    again, _ = read_bpmn_bytes(written, "again.bpmn")
    assert diagrams_of(again) == every


def test_c40_each_pool_is_drawn_from_its_own_diagram() -> None:
    """MIWG C.4.0: four collaborations of one pool each, a diagram per pool.  The default
    drawing is the first (Money Bank's) and holds only its nodes; each other diagram draws
    its pool's nodes at that diagram's positions."""
    model, _ = read_bpmn(C4)
    assert api.diagram_names(model) == ["Onboarding employee", "IT", "Payroll", "Facilities"]
    main = api.layout(model)
    pools = {p.name: p.id for p in model.pools}
    assert set(main.pools) == {pools["Money Bank"]}
    assert {model.pool_of(n) for n in main.nodes} == {pools["Money Bank"]}
    for number, name in enumerate(["IT", "Payroll", "Facilities"], start=2):
        chosen = api.choose_diagram(model, name)
        assert chosen.diagram is not None and chosen.diagram.name == name
        by_number = api.layout(model, diagram=number)
        by_name = api.layout(model, diagram=name.lower())
        assert by_number == by_name
        assert set(by_name.pools) == {pools[name]}
        assert by_name.nodes and {model.pool_of(n) for n in by_name.nodes} == {pools[name]}
        for ident, place in by_name.nodes.items():
            shape = chosen.diagram.shape_of(ident)
            assert shape is not None
            assert (place.box.x, place.box.y) == pytest.approx((shape.x, shape.y), abs=0.01)


def test_an_export_can_start_with_another_diagram(tmp_path: Path) -> None:
    out = tmp_path / "payroll-first.bpmn"
    result = CliRunner().invoke(app, ["convert", str(C4), str(out), "--diagram", "3"])
    assert result.exit_code == 0, result.output
    written = etree.parse(str(out)).getroot()
    names = [d.get("name") for d in written.findall(f"{DI}BPMNDiagram")]
    assert names == ["Payroll", "Onboarding employee", "IT", "Facilities"]
    again, _ = read_bpmn(out)
    assert api.diagram_names(again)[0] == "Payroll"


@pytest.mark.parametrize("path", MANY, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_promoted_diagram_reads_back_as_the_main_one(path: Path) -> None:
    """Each diagram of a multi-diagram file, written first with ``--diagram N``, is the main
    diagram when the file is read again — one drilling into a sub-process too — and every
    other diagram comes back as it was; the file stays valid."""
    model, _ = read_bpmn(path)
    schema = etree.XMLSchema(etree.parse(str(XSD)))
    for number in range(1, len(diagrams_of(model)) + 1):
        chosen = api.choose_diagram(model, number)
        written = api.export_bpmn(chosen)
        assert schema.validate(etree.fromstring(written)), number
        again, _ = read_bpmn_bytes(written, "again.bpmn")
        assert again.diagram == chosen.diagram, number
        assert diagrams_of(again) == diagrams_of(chosen), number
        # pools and lanes too: in the chosen diagram's order, as the reader puts them
        assert [p.id for p in again.pools] == [p.id for p in chosen.pools], number
        assert [lane.id for lane in again.lanes] == [lane.id for lane in chosen.lanes], number
        _, lost = api.converted(chosen, "again.bpmn")
        assert lost == [], (number, [p.message for p in lost])


def test_convert_promotes_a_sub_process_drill_down(tmp_path: Path) -> None:
    """bpmn.io's B.2.0 has a diagram drilling into a collapsed sub-process: written first by
    ``convert --diagram 3`` its plane is marked the main one, and read again it is the main diagram,
    drawn for that sub-process (without the mark it was read as one of the others)."""
    source = SHARED_DATA / "bpmn" / "bpmn-io-18-6-1" / "B.2.0-export.bpmn"
    model, _ = read_bpmn(source)
    third = diagrams_of(model)[2]
    assert third.shows is not None and third.shows in model.node_by_id
    out = tmp_path / "drill-down-first.bpmn"
    result = CliRunner().invoke(app, ["convert", str(source), str(out), "--diagram", "3"])
    assert result.exit_code == 0, result.output
    first = etree.parse(str(out)).getroot().find(f"{DI}BPMNDiagram/{DI}BPMNPlane")
    assert first.get(f"{BPMTOOL}main") == "true"
    assert first.get("bpmnElement") == third.shows
    again, _ = read_bpmn(out)
    assert again.diagram == third
    assert diagrams_of(again) == [third, *(d for d in diagrams_of(model) if d is not third)]
    # the mark is read, not the order: without it the collaboration's diagram is the main one
    del first.attrib[f"{BPMTOOL}main"]
    unmarked, _ = read_bpmn_bytes(etree.tostring(first.getroottree()), "unmarked.bpmn")
    assert unmarked.diagram is not None and unmarked.diagram.shows is None


def test_render_chooses_a_diagram_and_names_the_ones_there_are(tmp_path: Path) -> None:
    runner = CliRunner()
    svg = tmp_path / "it.svg"
    done = runner.invoke(app, ["render", str(C4), "--diagram", "IT", "-o", str(svg)])
    assert done.exit_code == 0, done.output
    assert "Create domain" in svg.read_text() and "Send candidate" not in svg.read_text()
    wrong = runner.invoke(app, ["render", str(C4), "--diagram", "Sales"])
    assert wrong.exit_code == 2
    assert "no diagram 'Sales'" in wrong.output
    assert "1 'Onboarding employee', 2 'IT', 3 'Payroll', 4 'Facilities'" in wrong.output
    assert "Traceback" not in wrong.output


def test_a_yaml_model_keeps_its_other_diagrams(tmp_path: Path) -> None:
    """Converted to YAML and back, the diagrams are the same (the schema documents them)."""
    target = tmp_path / "c4.yaml"
    api.convert(C4, target)
    again = api.load(target)
    assert diagrams_of(again) == diagrams_of(read_bpmn(C4)[0])
    assert "other_diagrams" in api.json_schema()["properties"]


def test_a_finding_is_marked_on_the_diagram_that_draws_its_subject() -> None:
    """A finding of C.4.0 about nodes only another pool's diagram draws is marked there, on
    its node; the main diagram marks it nowhere (it used to sit on the first lane's title)."""
    from bpmtool.layout.marks import finding_markers

    model, _ = read_bpmn(C4)
    findings = api.diagram_findings(model)
    main_lay = api.layout(model)
    main = {m.number for m in finding_markers(main_lay, model, findings)}
    elsewhere = 0
    for name in ("IT", "Payroll", "Facilities"):
        chosen = api.choose_diagram(model, name)
        lay = api.layout(chosen)
        marked = {m.number: m for m in finding_markers(lay, chosen, findings)}
        for number, finding in enumerate(findings, start=1):
            drawn = [s for s in finding.subject if s in lay.nodes]
            if not drawn or set(finding.subject) & set(main_lay.nodes):
                continue
            elsewhere += 1
            assert number not in main
            box = lay.nodes[drawn[0]].box
            assert box.x - 40 <= marked[number].x <= box.right + 40
            assert abs(marked[number].y - box.y) <= 40
    assert elsewhere


def test_convert_relayout_of_a_chosen_diagram_warns_of_nothing(tmp_path: Path) -> None:
    """``--relayout`` asks for bpmtool's layout in place of the chosen diagram: that diagram
    is replaced, the others are written as read, and nothing is reported lost."""
    out = tmp_path / "it-relaid.bpmn"
    result = CliRunner().invoke(app, ["convert", str(C4), str(out), "--diagram", "2", "--relayout"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output, result.output
    again, _ = read_bpmn(out)
    model, _ = read_bpmn(C4)
    assert again.other_diagrams == [d for d in diagrams_of(model) if d is not diagrams_of(model)[1]]
