"""YAML → BPMN → YAML is lossless: what BPMN has no element for rides in bpmtool's
``extensionElements``, where the OMG schema allows them."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app
from bpmtool.io.bpmn import read_bpmn_bytes
from bpmtool.io.bpmn_export import write_bpmn
from bpmtool.io.bpmn_vocabulary import BPMTOOL_NS
from bpmtool.io.yaml_model import load_model
from bpmtool.model import Model
from tests.conftest import SHARED_DATA

ROOT = Path(__file__).resolve().parent.parent
MODELS = sorted((ROOT / "models").glob("*.yaml"))
XSD = SHARED_DATA / "xsd" / "bpmn20" / "BPMN20.xsd"
B = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"

#: every kind of thing a model holds that BPMN has no element for, with ids BPMN cannot keep
EVERYTHING: dict[str, Any] = {
    "id": "odd/model",
    "name": "Odd model",
    "description": "Line one\nline two",
    "version": "3.1",
    "preset": "all",
    "rules": {"HANDOFF-NO-ARTIFACT": "off", "ORPHAN-OUTPUT": "error"},
    "lanes": [
        {"id": "cust", "name": "Customer", "external": True, "description": "buyer"},
        {"id": "1st/lane", "name": "Sales"},
        {"id": "partner", "external": True},
        {"id": "impl", "name": "Implementation"},
    ],
    "artifacts": [
        {"id": "a:b", "name": "Quote", "description": "priced"},
        {"id": "notes", "name": "Handover notes"},
    ],
    "nodes": [
        {
            "id": "1st/lane",
            "name": "Start",
            "type": "start",
            "lane": "1st/lane",
            "outputs": ["notes"],
        },
        {
            "id": "x:y",
            "name": "Quote",
            "lane": "1st/lane",
            "outputs": ["a:b"],
            "aliases": ["Send quote", "Quote sent"],
            "description": "the price",
        },
        {"id": "g", "type": "exclusive", "lane": "1st/lane", "inputs": ["a:b"]},
        {"id": "c", "name": "Accept", "lane": "cust", "inputs": ["a:b"], "task_type": "userTask"},
        {
            "id": "k",
            "name": "Kickoff",
            "lane": "impl",
            "inputs": ["notes"],
            "task_type": "workshop",
        },
        {
            "id": "t",
            "name": "Wait",
            "type": "intermediate",
            "lane": "impl",
            "event_definition": "timer",
        },
        {
            "id": "p",
            "name": "Pigeon",
            "type": "intermediate",
            "lane": "impl",
            "event_definition": "message,carrier pigeon",
        },
        {"id": "e", "type": "end", "lane": "impl"},
    ],
    "flows": [
        "1st/lane -> x:y",
        {"source": "x:y", "target": "g", "id": "quoted"},
        {"source": "g", "target": "c", "condition": "ok", "artifact": "a:b"},
        {"source": "g", "target": "k", "default": True, "artifact": "notes", "name": "handover"},
        "c -> k",
        "k -> t",
        "t -> p",
        "p -> e",
    ],
    "stages": [
        {
            "id": "build",
            "name": "Build",
            "nodes": ["x:y", "c"],
            "action": "call",
            "milestones": [
                {
                    "id": "won",
                    "question": "Won?",
                    "deadline": "5d",
                    "reached_when": {"activity": "c"},
                }
            ],
        },
        {"id": "grow", "nodes": ["k"]},
    ],
    "ctqs": [{"id": "fast", "name": "Kickoff fast", "from": "c", "to": "k", "max": "2d"}],
    "triggers": [
        {"id": "hello", "when": {"milestone": "won"}, "expect": {"activity": "k", "within": "3d"}}
    ],
    "journey": {
        "success": {"activity": "k"},
        "sale": "won",
        "happy_paths": 3,
        "behaviour": [{"id": "use", "kind": "events", "nodes": ["k"], "weight": 2}],
        "emotion": {"attribute": "case:nps"},
    },
}


@cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def _valid(data: bytes) -> None:
    schema = _schema()
    assert schema.validate(etree.ElementTree(etree.fromstring(data))), str(schema.error_log)


def _assert_same(model: Model, again: Model) -> None:
    """Field by field, element by element, so a failure names what was lost."""
    a = model.model_dump(by_alias=True, mode="json")
    b = again.model_dump(by_alias=True, mode="json")
    for key in a:
        if isinstance(a[key], list):
            assert len(b[key]) == len(a[key]), key
            for i, (x, y) in enumerate(zip(a[key], b[key], strict=True)):
                assert x == y, f"{key}[{i}]"
        else:
            assert b[key] == a[key], key
    assert again == model


@pytest.mark.parametrize("path", MODELS, ids=lambda p: p.name)
def test_reference_models_round_trip_through_bpmn_field_by_field(
    path: Path, shared_data: Path
) -> None:
    model = load_model(path)
    data = write_bpmn(model)
    _valid(data)
    again, warnings = read_bpmn_bytes(data, "again.bpmn")
    # the one warning allowed is the truth: a node the model leaves without a lane
    laneless = {n.id for n in model.nodes if n.lane is None}
    assert {w.key for w in warnings} == laneless
    _assert_same(model, again)


def test_everything_bpmn_cannot_say_survives_and_the_export_stays_valid(shared_data: Path) -> None:
    model = Model.model_validate(EVERYTHING)
    data = write_bpmn(model)
    _valid(data)
    assert f'xmlns:bpmtool="{BPMTOOL_NS}"'.encode() in data
    again, warnings = read_bpmn_bytes(data, "odd.bpmn")
    assert warnings == []
    _assert_same(model, again)


SMALL = {
    "an empty lane and no name": {
        "id": "m1",
        "lanes": [{"id": "a"}, {"id": "empty", "name": "Nobody"}],
        "nodes": [
            {"id": "s", "type": "start", "lane": "a"},
            {"id": "e", "type": "end", "lane": "a"},
        ],
        "flows": ["s -> e"],
    },
    "only an external lane": {
        "id": "m2",
        "lanes": [{"id": "cust", "external": True}],
        "nodes": [
            {"id": "s", "type": "start", "lane": "cust"},
            {"id": "t", "lane": "cust", "name": "Buy"},
        ],
        "flows": ["s -> t"],
        "description": "only external",
    },
    "no lanes at all": {
        "id": "m4",
        "nodes": [
            {"id": "s", "type": "start"},
            {"id": "t", "name": "Do", "task_type": "userTask"},
            {"id": "b", "type": "intermediate", "attached_to": "t", "event_definition": "timer"},
        ],
        "flows": ["s -> t"],
    },
    "a node in no lane beside an external one": {
        "id": "m5",
        "lanes": [{"id": "cust", "external": True}],
        "nodes": [{"id": "s", "type": "start", "lane": "cust"}, {"id": "t", "name": "Do"}],
        "flows": ["s -> t"],
    },
}


@pytest.mark.parametrize("name", SMALL)
def test_odd_small_models_round_trip(name: str, shared_data: Path) -> None:
    model = Model.model_validate(SMALL[name])
    data = write_bpmn(model)
    _valid(data)
    again, _ = read_bpmn_bytes(data, "small.bpmn")
    _assert_same(model, again)


def test_the_extension_data_sits_on_its_elements() -> None:
    doc = etree.fromstring(write_bpmn(Model.model_validate(EVERYTHING)))
    head = doc.find(f"{B}collaboration/{B}extensionElements/{{{BPMTOOL_NS}}}model")
    assert head is not None and '"stages":' in (head.text or "")
    quote = doc.find(f".//{B}task[@id='x_y']")
    assert quote is not None
    assert [etree.QName(c).localname for c in quote][:2] == ["documentation", "extensionElements"]
    extra = quote.find(f"{B}extensionElements/{{{BPMTOOL_NS}}}element")
    assert extra is not None and '"aliases":["Send quote","Quote sent"]' in (extra.text or "")


def test_a_diagram_edited_elsewhere_keeps_what_is_left_and_says_what_it_dropped() -> None:
    doc = etree.fromstring(write_bpmn(Model.model_validate(EVERYTHING)))
    # a modeller deletes "Accept" (and its flows), which stages, CTQs and the journey name
    for el in list(doc.iter()):
        if isinstance(el.tag, str) and (
            el.get("id") == "c"
            or el.get("bpmnElement") == "c"
            or "c" in (el.get("sourceRef"), el.get("targetRef"))
        ):
            el.getparent().remove(el)
    again, warnings = read_bpmn_bytes(etree.tostring(doc), "edited.bpmn")
    assert "c" not in again.node_by_id
    assert again.node_by_id["x:y"].aliases == ["Send quote", "Quote sent"]  # element data kept
    assert again.stages == [] and again.ctqs == []  # model data that no longer fits: dropped
    assert warnings and all("bpmtool model data not used" in w.message for w in warnings)
    assert any("'c'" in w.message for w in warnings)


def test_a_broken_extension_is_a_warning_not_a_failure() -> None:
    data = write_bpmn(load_model(MODELS[0])).replace(b'{"id":', b'{"id" oops', 1)
    again, warnings = read_bpmn_bytes(data, "broken.bpmn")
    assert len(again.nodes) == len(load_model(MODELS[0]).nodes)
    assert any("is not a JSON object" in w.message for w in warnings)


def test_convert_yaml_bpmn_yaml_writes_the_same_yaml(tmp_path: Path) -> None:
    source = tmp_path / "odd.yaml"
    api.convert(ROOT / "models" / "saas-handoffs.yaml", source)
    runner = CliRunner()
    for args in (
        ["convert", str(source), str(tmp_path / "odd.bpmn")],
        ["convert", str(tmp_path / "odd.bpmn"), str(tmp_path / "back.yaml")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert "warning" not in result.stderr  # nothing lost, nothing to say
    assert (tmp_path / "back.yaml").read_text() == source.read_text()


def test_differences_name_each_lost_field() -> None:
    from bpmtool.io.bpmn_extensions import differences

    model = Model.model_validate(EVERYTHING)
    nodes = list(model.nodes)
    nodes[1] = nodes[1].model_copy(update={"aliases": []})
    poorer = model.model_copy(update={"nodes": nodes, "stages": [], "version": ""})
    assert differences(model, poorer) == ["version", "nodes[1].aliases", "stages"]
    assert differences(model, model) == []


def test_third_party_bpmn_round_trips_through_our_export_field_by_field(shared_data: Path) -> None:
    # 126 files from 14 modelling tools: import, export, import again gives the same model,
    # every field of it: pools, processes, sub-process frames and their content, notes,
    # process inputs/outputs and the author's diagram exactly as it was read
    from bpmtool.io.bpmn import read_bpmn
    from bpmtool.io.bpmn_extensions import differences

    files = sorted((shared_data / "bpmn").rglob("*.bpmn"))
    assert len(files) > 100
    lost = {}
    for path in files:
        model, _ = read_bpmn(path)
        again, _ = read_bpmn_bytes(write_bpmn(model), "again.bpmn")
        changed = differences(model, again)
        if changed:
            lost[path.name] = changed[:3]
    assert lost == {}
