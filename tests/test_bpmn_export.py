"""BPMN 2.0 export: valid against the OMG XSD, laid out, deterministic, and round-trips."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from bpmtool.io.bpmn import read_bpmn, read_bpmn_bytes
from bpmtool.io.bpmn_export import write_bpmn
from bpmtool.io.yaml_model import load_model
from bpmtool.model import Model
from tests.conftest import REFERENCE_MODEL, SHARED_DATA, corpus_files

BPMN_DIR = SHARED_DATA / "bpmn"
BPMN_FILES = corpus_files(sorted(BPMN_DIR.rglob("*.bpmn")))
XSD = SHARED_DATA / "xsd" / "bpmn20" / "BPMN20.xsd"
DI = "{http://www.omg.org/spec/BPMN/20100524/DI}"
MODEL_NS = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def _assert_valid(data: bytes) -> etree._Element:
    doc = etree.fromstring(data)
    schema = _schema()
    assert schema.validate(etree.ElementTree(doc)), str(schema.error_log)
    return doc


def _signature(model: Model) -> tuple[object, ...]:
    return (
        sorted(n.label for n in model.nodes),
        sorted(lane.label for lane in model.lanes),
        len(model.flows),
        sorted(a.label for a in model.artifacts),
        sorted((n.type, n.label) for n in model.nodes),
    )


@pytest.mark.parametrize("path", BPMN_FILES, ids=lambda p: str(p.relative_to(BPMN_DIR)))
def test_shared_file_exports_valid_bpmn_and_round_trips(path: Path) -> None:
    model, _ = read_bpmn(path)
    data = write_bpmn(model)
    doc = _assert_valid(data)
    again, _ = read_bpmn_bytes(data, "again.bpmn")
    assert _signature(again) == _signature(model)
    shapes = doc.findall(f".//{DI}BPMNShape")
    assert len(shapes) >= len(model.nodes)
    # every flow written is drawn (one BPMN flow the import split into several is one again)
    flows = {e.get("id") for e in doc.iter(f"{MODEL_NS}sequenceFlow", f"{MODEL_NS}messageFlow")}
    assert flows <= {e.get("bpmnElement") for e in doc.iter(f"{DI}BPMNEdge")}


def test_reference_model_round_trips_through_bpmn() -> None:
    model = load_model(REFERENCE_MODEL)
    data = write_bpmn(model)
    doc = _assert_valid(data)
    again, warnings = read_bpmn_bytes(data, "ref.bpmn")
    assert warnings == []
    assert {n.id for n in again.nodes} == {n.id for n in model.nodes}
    # in the model's order again (bpmtool's extension elements record it)
    assert [(lane.id, lane.label, lane.external) for lane in again.lanes] == [
        (lane.id, lane.label, lane.external) for lane in model.lanes
    ]
    for node in model.nodes:
        other = again.node_by_id[node.id]
        assert (other.name, other.type, other.lane) == (node.name, node.type, node.lane)
        assert sorted(other.inputs) == sorted(node.inputs)
        assert sorted(other.outputs) == sorted(node.outputs)
    assert {
        (f.source, f.target, f.condition, f.artifact, f.kind, f.default) for f in again.flows
    } == {(f.source, f.target, f.condition, f.artifact, f.kind, f.default) for f in model.flows}
    assert {a.id: a.label for a in again.artifacts} == {a.id: a.label for a in model.artifacts}
    # laid out: every lane and node has a shape with bounds, every flow an edge
    bounds = doc.findall(f".//{DI}BPMNShape")
    assert len(bounds) >= len(model.nodes) + len(model.lanes)
    assert all(len(e) >= 2 for e in doc.findall(f".//{DI}BPMNEdge"))


def test_export_is_deterministic() -> None:
    model = load_model(REFERENCE_MODEL)
    assert write_bpmn(model) == write_bpmn(model)
    assert b'exporter="bpmtool"' in write_bpmn(model)


def test_odd_ids_become_valid_xml_ids() -> None:
    model = Model.model_validate(
        {
            "id": "odd/model",
            "lanes": [{"id": "1st/lane", "name": "Sales"}, {"id": "cust", "external": True}],
            "artifacts": [{"id": "a:b", "name": "Quote"}],
            "nodes": [
                {"id": "1st/lane", "name": "Start", "type": "start", "lane": "1st/lane"},
                {"id": "x:y", "name": "Quote", "lane": "1st/lane", "outputs": ["a:b"]},
                {"id": "g", "type": "exclusive", "lane": "1st/lane"},
                {"id": "c", "lane": "cust", "inputs": ["a:b"]},
                {"id": "e", "type": "end", "lane": "1st/lane"},
            ],
            "flows": [
                "1st/lane -> x:y",
                "x:y -> g",
                {"source": "g", "target": "c", "condition": "ok"},
                {"source": "g", "target": "e", "default": True},
            ],
        }
    )
    data = write_bpmn(model)
    _assert_valid(data)
    again, _ = read_bpmn_bytes(data, "odd.bpmn")
    assert _signature(again) == _signature(model)
    kinds = {(f.source, f.target): f.kind for f in again.flows}
    assert set(kinds.values()) == {"sequence"}  # kept, though drawn as a message flow
    assert b"<messageFlow" in data
    assert any(f.default for f in again.flows)
    assert [lane.external for lane in again.lanes] == [False, True]


def test_diagram_positions_are_the_swimlane_layout_in_both_orientations() -> None:
    """BPMNDI reuses bpmtool.layout: the shapes sit where the SVG draws them."""
    from bpmtool import api
    from bpmtool.layout import layout_model

    model = load_model(REFERENCE_MODEL)
    dc = "{http://www.omg.org/spec/DD/20100524/DC}"
    for orientation in ("horizontal", "vertical"):
        lay = layout_model(model, orientation)  # type: ignore[arg-type]
        doc = _assert_valid(api.export_bpmn(model, orientation=orientation))
        shapes = {s.get("bpmnElement"): s for s in doc.findall(f".//{DI}BPMNShape")}
        for node_id in ("kickoff", "deal_decision", "renewed"):
            b = shapes[node_id].find(f"{dc}Bounds")
            box = lay.nodes[node_id].box
            assert float(b.get("x")) == pytest.approx(box.x, abs=0.05)
            assert float(b.get("y")) == pytest.approx(box.y, abs=0.05)
        lanes = [s for s in shapes.values() if s.get("isHorizontal") is not None]
        expected = "true" if orientation == "horizontal" else "false"
        assert lanes and all(s.get("isHorizontal") == expected for s in lanes)
