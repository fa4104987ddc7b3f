"""Bad and hostile BPMN input: clear errors with file and line, fast, no network, no file reads."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app
from bpmtool.errors import BpmnImportError
from bpmtool.io.bpmn import read_bpmn
from tests.conftest import REFERENCE_MODEL

NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
 <process id="p"><task id="t" name="&f;"/></process>
</definitions>
"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
 <process id="p"><task id="t" name="&secret;"/></process>
</definitions>
"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE definitions SYSTEM "http://127.0.0.1:9/evil.dtd">
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t">
 <process id="p"><task id="t" name="x"/></process>
</definitions>
"""

PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE definitions [<!ENTITY % ext SYSTEM "http://127.0.0.1:9/x"> %ext;]>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t"/>
"""


def _write(tmp_path: Path, data: bytes, name: str = "in.bpmn") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "payload",
    [BILLION_LAUGHS, XXE, EXTERNAL_DTD, PARAMETER_ENTITY, BILLION_LAUGHS.decode().encode("utf-16")],
    ids=["billion-laughs", "xxe-file", "external-dtd", "parameter-entity", "billion-laughs-utf16"],
)
def test_hostile_xml_is_refused_fast(tmp_path: Path, payload: bytes) -> None:
    path = _write(tmp_path, payload)
    start = time.perf_counter()
    with pytest.raises(BpmnImportError) as info:
        read_bpmn(path)
    assert time.perf_counter() - start < 1.0
    problem = info.value.problems[0]
    assert problem.file == str(path)
    assert problem.line is not None
    assert "entit" in problem.message or "DTD" in problem.message
    assert "root:" not in str(info.value)  # nothing of /etc/passwd


def _doc(body: str, root: str = "definitions", ns: str = NS) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{root} xmlns="{ns}" id="d" '
        f'targetNamespace="t">\n{body}\n</{root}>\n'
    ).encode()


@pytest.mark.parametrize(
    ("payload", "words", "line"),
    [
        (
            b'<?xml version="1.0"?>\n<definitions xmlns="x">\n<process>\n</definitions>',
            "malformed XML",
            4,
        ),
        (_doc("<x/>", root="html", ns="http://www.w3.org/1999/xhtml"), "not a BPMN file", 2),
        (
            _doc("<process id='p'/>", ns="http://www.omg.org/spec/BPMN/20100501/MODEL"),
            "wrong namespace",
            2,
        ),
        (
            _doc(
                '<process id="p">\n<task id="t"/>\n<sequenceFlow id="f" sourceRef="t" '
                'targetRef="nowhere"/></process>'
            ),
            "missing element 'nowhere'",
            5,
        ),
        (
            _doc(
                '<process id="p"><laneSet id="s">\n<lane id="l" name="L">'
                '<flowNodeRef>ghost</flowNodeRef></lane></laneSet><task id="t"/></process>'
            ),
            "missing flow node 'ghost'",
            4,
        ),
    ],
    ids=["malformed", "not-bpmn", "wrong-namespace", "dangling-flow", "dangling-lane-ref"],
)
def test_bad_input_names_file_and_line(
    tmp_path: Path, payload: bytes, words: str, line: int
) -> None:
    path = _write(tmp_path, payload)
    with pytest.raises(BpmnImportError) as info:
        read_bpmn(path)
    problem = info.value.problems[0]
    assert words in problem.message
    assert problem.file == str(path)
    assert problem.line == line


def test_cli_convert_round_trip_and_bad_input(tmp_path: Path) -> None:
    runner = CliRunner()
    bpmn = tmp_path / "ref.bpmn"
    result = runner.invoke(app, ["convert", str(REFERENCE_MODEL), str(bpmn)])
    assert result.exit_code == 0, result.output
    assert bpmn.read_bytes().startswith(b"<?xml")
    for out in ("ref.json", "ref.yaml"):
        result = runner.invoke(app, ["convert", str(bpmn), str(tmp_path / out)])
        assert result.exit_code == 0, result.output
    again = api.load(tmp_path / "ref.yaml")
    original = api.load(REFERENCE_MODEL)
    assert {n.id for n in again.nodes} == {n.id for n in original.nodes}
    assert api.load(tmp_path / "ref.json").nodes == again.nodes
    bad = _write(tmp_path, XXE)
    result = runner.invoke(app, ["convert", str(bad), str(tmp_path / "x.yaml")])
    assert result.exit_code == 2
    assert "entities" in result.output
    assert not (tmp_path / "x.yaml").exists()
    result = runner.invoke(app, ["convert", str(REFERENCE_MODEL), str(tmp_path / "x.txt")])
    assert result.exit_code == 2


def test_cli_lint_accepts_bpmn(shared_data: Path) -> None:
    result = CliRunner().invoke(
        app, ["lint", str(shared_data / "bpmn" / "camunda" / "invoice.v2.bpmn")]
    )
    assert result.exit_code in (0, 1), result.output
    assert "finding" in result.output
