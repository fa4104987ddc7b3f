"""BPMN 2.0 import over every third-party file in ../shared/data/bpmn, plus small edge cases."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpmtool import api
from bpmtool.errors import BpmnImportError
from bpmtool.io.bpmn import read_bpmn, read_bpmn_bytes
from tests.conftest import SHARED_DATA, corpus_files

BPMN_DIR = SHARED_DATA / "bpmn"
BPMN_FILES = corpus_files(sorted(BPMN_DIR.rglob("*.bpmn")))


def _id(path: Path) -> str:
    return str(path.relative_to(BPMN_DIR))


def test_the_shared_bpmn_files_are_there() -> None:
    assert len(BPMN_FILES) >= 100


@pytest.mark.parametrize("path", BPMN_FILES, ids=_id)
def test_every_shared_file_imports(path: Path) -> None:
    model, warnings = read_bpmn(path)
    for warning in warnings:
        assert warning.file == str(path)
        assert warning.line is not None or warning.key
    if path.stat().st_size > 4000:  # the tiny ones may be empty on purpose
        assert model.nodes
        assert model.flows
    names = [n.name for n in model.nodes]
    assert all("\n" not in n and "  " not in n for n in names)


def _lanes(rel: str) -> list[str]:
    model, _ = read_bpmn(BPMN_DIR / rel)
    return [lane.label for lane in model.lanes]


def test_invoice_has_one_pool_with_three_lanes() -> None:
    model, warnings = read_bpmn(BPMN_DIR / "camunda" / "invoice.v2.bpmn")
    assert sorted(lane.label for lane in model.lanes) == [
        "Accountant",
        "Approver",
        "Team Assistant",
    ]
    assert all(n.lane for n in model.nodes)
    assert warnings == []
    by_name = {n.name: n for n in model.nodes}
    assert by_name["Approve Invoice"].task_type == "userTask"
    assert any(f.condition for f in model.flows)
    assert [a.label for a in model.artifacts] == ["Financial Accounting System"]
    assert by_name["Prepare Bank Transfer"].inputs == [model.artifacts[0].id]


def test_miwg_a40_lanes_and_message_flows() -> None:
    model, _ = read_bpmn(BPMN_DIR / "miwg-reference" / "A.4.0.bpmn")
    assert {"Lane 1", "Lane 2"} <= {lane.label for lane in model.lanes}
    assert sum(f.kind == "message" for f in model.flows) == 2


def test_miwg_c10_pools_and_message_flows() -> None:
    model, warnings = read_bpmn(BPMN_DIR / "miwg-reference" / "C.1.0.bpmn")
    assert {lane.name for lane in model.lanes} == {"", "Approver", "Accountant", "Team Assistant"}
    assert [p.name for p in model.pools] == ["Team-Assistant", "Process Engine - Invoice Receipt"]
    # the unnamed lane is the Team-Assistant pool's; every lane names its pool
    assert {model.lane_pool(lane.id) for lane in model.lanes} == {p.id for p in model.pools}
    assert sum(f.kind == "message" for f in model.flows) == 5
    assert warnings == []


def test_data_objects_and_stores_become_artifacts() -> None:
    model, _ = read_bpmn(BPMN_DIR / "miwg-reference" / "B.1.0.bpmn")
    assert {a.label for a in model.artifacts} == {"Data Object", "Data Store Reference"}
    task = next(n for n in model.nodes if n.name == "Service Task 7")
    assert task.inputs and task.outputs


def test_boundary_events_and_subprocesses() -> None:
    model, warnings = read_bpmn(BPMN_DIR / "miwg-reference" / "B.2.0.bpmn")
    boundary = [n for n in model.nodes if n.task_type == "boundaryEvent"]
    assert boundary and all(n.lane for n in boundary)
    assert any(n.attached_to for n in boundary)
    assert any(n.event_definition == "timer" for n in boundary)
    # sub-process content keeps its own names, inside a frame of its own
    inner = [n for n in model.nodes if n.parent]
    assert inner and all(n.parent in model.subprocess_by_id for n in inner)
    assert not any(" / " in n.name for n in inner)
    assert {n.type for n in model.nodes} >= {
        "start",
        "end",
        "intermediate",
        "exclusive",
        "parallel",
        "inclusive",
        "event_based",
        "activity",
    }
    # a boundary event of an expanded sub-process is kept: it happens once the sub-process
    # has started (no warning of a dropped attachment any more)
    on_sub = [n for n in boundary if not n.attached_to]
    assert on_sub and all(model.node_by_id[n.triggered_by].type == "start" for n in on_sub)
    assert not any("expanded sub-process" in w.message for w in warnings)


def test_gateway_default_flows() -> None:
    model, _ = read_bpmn(BPMN_DIR / "miwg-reference" / "B.2.0.bpmn")
    assert any(f.default for f in model.flows)


def test_api_load_accepts_bpmn() -> None:
    loaded = api.load_with_warnings(BPMN_DIR / "camunda" / "invoice.v2.bpmn")
    assert len(loaded.model.lanes) == 3
    assert api.lint(loaded.model) is not None


NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def _doc(body: str, extra: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<definitions {NS} id="d" '
        f'targetNamespace="t"{extra}>\n{body}\n</definitions>\n'
    ).encode()


def test_nested_lanes_are_flattened_with_their_parent_name() -> None:
    data = _doc("""<process id="p"><laneSet id="ls"><lane id="dept" name="Sales">
      <childLaneSet id="cls"><lane id="a" name="Inside"><flowNodeRef>s</flowNodeRef></lane>
      <lane id="b" name="Field"><flowNodeRef>t</flowNodeRef></lane></childLaneSet>
      <flowNodeRef>s</flowNodeRef><flowNodeRef>t</flowNodeRef></lane></laneSet>
      <startEvent id="s"/><task id="t" name="Visit
         customer"/><sequenceFlow id="f" sourceRef="s" targetRef="t"/></process>""")
    model, warnings = read_bpmn_bytes(data, "n.bpmn")
    assert [lane.label for lane in model.lanes] == ["Sales / Inside", "Sales / Field"]
    assert model.node_by_id["t"].lane == "b"
    assert model.node_by_id["t"].name == "Visit customer"
    assert warnings == []


def test_black_box_pool_is_a_pool_and_a_message_flow_to_it_is_kept() -> None:
    data = _doc("""<collaboration id="c"><participant id="P" name="Us" processRef="p"/>
      <participant id="C" name="Customer"/>
      <messageFlow id="m" sourceRef="t" targetRef="C"/></collaboration>
      <process id="p"><task id="t" name="Send offer"/></process>""")
    model, warnings = read_bpmn_bytes(data, "b.bpmn")
    assert [(p.label, p.black_box) for p in model.pools] == [("Us", False), ("Customer", True)]
    # a pool without lanes: one lane of the pool's id stands for it
    assert [(lane.id, lane.label) for lane in model.lanes] == [("P", "Us")]
    assert model.whole_pool("P") and model.node_by_id["t"].lane == "P"
    assert [(f.source, f.target, f.kind) for f in model.pool_flows] == [("t", "C", "message")]
    assert warnings == []
    bad = data.replace(b'targetRef="C"', b'targetRef="p"')
    model, warnings = read_bpmn_bytes(bad, "b.bpmn")
    assert len(warnings) == 1 and "<process>" in warnings[0].message and warnings[0].key == "m"
    with pytest.raises(BpmnImportError):
        read_bpmn_bytes(bad, "b.bpmn", strict=True)


def test_unsupported_elements_warn_with_tag_and_line() -> None:
    data = _doc("""<process id="p"><task id="t"/>
      <choreographyTask id="x"/><textAnnotation id="n"/></process>""")
    model, warnings = read_bpmn_bytes(data, "u.bpmn")
    assert len(model.nodes) == 1
    assert len(warnings) == 1
    assert "choreographyTask" in warnings[0].message and warnings[0].line == 4
    assert warnings[0].key == "x"


def test_node_outside_every_lane_keeps_no_lane_and_warns() -> None:
    data = _doc("""<process id="p"><laneSet id="ls"><lane id="a" name="A">
      <flowNodeRef>t</flowNodeRef></lane></laneSet><task id="t"/><task id="u"/></process>""")
    model, warnings = read_bpmn_bytes(data, "l.bpmn")
    assert model.node_by_id["u"].lane is None
    assert [w.key for w in warnings] == ["u"]


def test_encoding_from_the_xml_declaration() -> None:
    data = (
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n'
        f'<definitions {NS} id="d" targetNamespace="t"><process id="p">'
        '<task id="t" name="Prüfen"/></process></definitions>'
    ).encode("iso-8859-1")
    model, _ = read_bpmn_bytes(data, "e.bpmn")
    assert model.node_by_id["t"].name == "Prüfen"
