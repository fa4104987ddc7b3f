"""The import invents no names (unnamed nodes in flattened sub-processes, unnamed lanes and
processes keep an empty name), data stores stay data stores through export, and data
associations to a process's own inputs and outputs are kept — or warned about, never dropped
silently."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from bpmtool import api
from bpmtool.io.bpmn import read_bpmn_bytes
from tests.conftest import SHARED_DATA

B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<definitions '
    'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">'
)

UNNAMED = _HEAD + (
    '<process id="p"><laneSet id="ls"><lane id="L1"><flowNodeRef>s</flowNodeRef>'
    "<flowNodeRef>sub</flowNodeRef><flowNodeRef>e</flowNodeRef></lane>"
    '<lane id="L2" name="Support"><flowNodeRef>x</flowNodeRef></lane></laneSet>'
    '<startEvent id="s"/><subProcess id="sub"><startEvent id="ss"/>'
    '<task id="t" name="Pack"/><endEvent id="se"/>'
    '<sequenceFlow id="g1" sourceRef="ss" targetRef="t"/>'
    '<sequenceFlow id="g2" sourceRef="t" targetRef="se"/></subProcess>'
    '<task id="x" name="Ship"/><endEvent id="e"/>'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="sub"/>'
    '<sequenceFlow id="f2" sourceRef="sub" targetRef="x"/>'
    '<sequenceFlow id="f3" sourceRef="x" targetRef="e"/></process></definitions>'
)

DATA = _HEAD + (
    '<dataStore id="crm" name="CRM"/>'
    '<process id="p"><ioSpecification id="io"><dataInput id="order" name="Order"/>'
    '<dataOutput id="invoice" name="Invoice"/><inputSet id="is"><dataInputRefs>order'
    '</dataInputRefs></inputSet><outputSet id="os"><dataOutputRefs>invoice</dataOutputRefs>'
    "</outputSet></ioSpecification>"
    '<dataStoreReference id="crm_ref" dataStoreRef="crm"/>'
    '<startEvent id="s"/><task id="t" name="Bill">'
    '<dataInputAssociation id="a1"><sourceRef>order</sourceRef><targetRef>t</targetRef>'
    '</dataInputAssociation><dataInputAssociation id="a2"><sourceRef>crm_ref</sourceRef>'
    "<targetRef>t</targetRef></dataInputAssociation>"
    '<dataOutputAssociation id="a3"><targetRef>invoice</targetRef></dataOutputAssociation>'
    '<dataOutputAssociation id="a4"><targetRef>s</targetRef></dataOutputAssociation>'
    '</task><endEvent id="e"/>'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
    '<sequenceFlow id="f2" sourceRef="t" targetRef="e"/></process></definitions>'
)


def test_no_names_are_invented() -> None:
    model, _ = read_bpmn_bytes(UNNAMED.encode(), "u.bpmn")
    names = {n.id: n.name for n in model.nodes}
    assert names["ss"] == "" and names["se"] == ""  # not "sub / ss"
    assert names["t"] == "Pack"  # an unnamed sub-process gives its children no prefix
    lanes = {lane.id: lane.name for lane in model.lanes}
    assert lanes == {"L1": "", "L2": "Support"}
    # the faces still have something to show: the label falls back to the id
    assert model.node_by_id["ss"].label == "ss" and model.lane_by_id["L1"].label == "L1"


def test_unnamed_lanes_stay_unnamed_through_a_round_trip() -> None:
    model, _ = read_bpmn_bytes(UNNAMED.encode(), "u.bpmn")
    again, _ = read_bpmn_bytes(api.export_bpmn(model), "again.bpmn")
    assert [(lane.id, lane.name) for lane in again.lanes] == [("L1", ""), ("L2", "Support")]


def test_data_stores_and_process_inputs(tmp_path: Path) -> None:
    model, warnings = read_bpmn_bytes(DATA.encode(), "d.bpmn")
    arts = {a.id: a for a in model.artifacts}
    assert arts["crm"].store and arts["crm"].name == "CRM"
    assert not arts["order"].store and arts["order"].name == "Order"
    task = model.node_by_id["t"]
    assert task.inputs == ["order", "crm"] and task.outputs == ["invoice"]
    # the association to a start event is no data: said, with its line
    assert [w.key for w in warnings] == ["a4"]
    assert "refers to <startEvent> 's'" in warnings[0].message and warnings[0].line
    written = api.export_bpmn(model)
    root = etree.fromstring(written)
    assert [el.get("name") for el in root.findall(f"{B}dataStore")] == ["CRM"]
    assert len(root.findall(f".//{B}dataStoreReference")) == 1
    # the process's own input and output stay its ioSpecification
    spec = root.find(f"{B}process/{B}ioSpecification")
    assert [el.get("name") for el in spec.findall(f"{B}dataInput")] == ["Order"]
    assert [el.get("name") for el in spec.findall(f"{B}dataOutput")] == ["Invoice"]
    schema = etree.XMLSchema(etree.parse(str(SHARED_DATA / "xsd" / "bpmn20" / "BPMN20.xsd")))
    assert schema.validate(root), schema.error_log
    again, _ = read_bpmn_bytes(written, "again.bpmn")
    assert {a.id: (a.store, a.io) for a in again.artifacts} == {
        a.id: (a.store, a.io) for a in model.artifacts
    }


@pytest.mark.parametrize(
    "path",
    sorted((SHARED_DATA / "bpmn").rglob("*.bpmn")),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_shared_files_keep_names_and_stores(path: Path) -> None:
    model = api.load(path)
    root = etree.parse(str(path)).getroot()
    raw = {el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")}
    named = {el.get("name") for el in root.iter() if isinstance(el.tag, str) and el.get("name")}
    for item in [*model.nodes, *model.lanes]:
        for part in filter(None, item.name.split(" / ")):
            assert part not in raw or part in named, (item.id, item.name)  # no id as a name
    stores = root.findall(f".//{B}dataStoreReference")
    assert bool(stores) == any(a.store for a in model.artifacts)
    again, _ = read_bpmn_bytes(api.export_bpmn(model), "again.bpmn")
    assert [(lane.id, lane.name) for lane in again.lanes] == [
        (lane.id, lane.name) for lane in model.lanes
    ]
    assert [a.store for a in again.artifacts] == [a.store for a in model.artifacts]


def test_faces_show_no_ids_for_unnamed_bpmn_nodes() -> None:
    """An unnamed event shows no text, an unnamed user task its type; a YAML activity
    without a name still shows its id (there the id is what the author wrote), a YAML
    gateway or event without one nothing (``setup_join`` is not a name)."""
    import re

    xml = _HEAD + (
        '<process id="p"><startEvent id="Event_7xq"/><userTask id="Activity_9zz"/>'
        '<endEvent id="Event_8yy" name="Done"/>'
        '<sequenceFlow id="f1" sourceRef="Event_7xq" targetRef="Activity_9zz"/>'
        '<sequenceFlow id="f2" sourceRef="Activity_9zz" targetRef="Event_8yy"/>'
        "</process></definitions>"
    )
    model, _ = read_bpmn_bytes(xml.encode(), "f.bpmn")
    texts = " ".join(re.findall(r"<text[^>]*>(.*?)</text>", api.render_svg(model), re.S))
    assert "Event_7xq" not in texts and "Activity_9zz" not in texts
    assert "User task" in texts and "Done" in texts
    yaml_model = api.load(Path(__file__).parent.parent / "models" / "saas-handoffs.yaml")
    unnamed = [n for n in yaml_model.nodes if not n.name]
    assert unnamed and all(n.caption == (n.id if n.is_activity else "") for n in unnamed)
    assert yaml_model.node_by_id["setup_join"].caption == ""
