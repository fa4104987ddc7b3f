"""An empty BPMN model (a diagram without a process, or processes without flow nodes) is
said to be empty: an import warning (which convert prints) and an EMPTY-MODEL lint error,
never "no findings — every handoff checks out" with exit 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<definitions '
    'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" id="d" targetNamespace="t">'
)
DIAGRAM_ONLY = _HEAD + (
    '<bpmndi:BPMNDiagram id="di"><bpmndi:BPMNPlane id="pl"/></bpmndi:BPMNDiagram></definitions>'
)
NO_FLOW_NODES = _HEAD + (
    '<collaboration id="c"><participant id="pa" name="Sales" '
    'processRef="p"/></collaboration><process id="p"/>'
    '<bpmndi:BPMNDiagram id="di"><bpmndi:BPMNPlane id="pl" '
    'bpmnElement="c"/></bpmndi:BPMNDiagram></definitions>'
)


@pytest.mark.parametrize(
    "xml, says", [(DIAGRAM_ONLY, "has no <process>"), (NO_FLOW_NODES, "holds a flow node")]
)
def test_empty_model_is_an_error_not_a_pass(xml: str, says: str, tmp_path: Path) -> None:
    path = tmp_path / "empty.bpmn"
    path.write_text(xml)
    loaded = api.load_with_warnings(path)
    assert not loaded.model.nodes
    assert any(says in w.message and "empty" in w.message for w in loaded.warnings)
    assert [f.code for f in api.lint(loaded.model)] == ["EMPTY-MODEL"]
    runner = CliRunner()
    text = runner.invoke(app, ["lint", str(path)])
    assert text.exit_code == 1
    assert "EMPTY-MODEL" in text.stdout and "no findings" not in text.stdout
    doc = runner.invoke(app, ["lint", str(path), "--format", "json"])
    assert doc.exit_code == 1
    assert [f["code"] for f in json.loads(doc.stdout)["findings"]] == ["EMPTY-MODEL"]
    converted = runner.invoke(app, ["convert", str(path), str(tmp_path / "empty.yaml")])
    assert converted.exit_code == 0
    assert "the model is empty" in converted.stderr


def test_a_model_with_steps_is_not_empty() -> None:
    model = api.load(Path(__file__).parent.parent / "models" / "saas-handoffs.yaml")
    assert "EMPTY-MODEL" not in {f.code for f in api.lint(model)}
