"""``POST /api/convert``: the same conversion and the same warnings as ``bpmtool convert``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app as cli
from tests.conftest import REFERENCE_MODEL, SHARED_DATA

#: a Signavio export with associations to elements bpmtool does not import (two warnings)
WARNED = SHARED_DATA / "bpmn" / "pm4py" / "ch7_InsuranceClaimsSimulationNormalSeason.bpmn"


def test_yaml_to_bpmn_reads_back_to_the_same_model_with_no_warnings(client) -> None:
    r = client.post(
        "/api/convert?to=bpmn", files={"file": (REFERENCE_MODEL.name, REFERENCE_MODEL.read_bytes())}
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/xml")
    assert json.loads(r.headers["x-bpmtool-warnings"]) == []
    again = api.loads_bpmn(r.content)
    assert again.warnings == []
    assert again.model.model_dump() == api.load(REFERENCE_MODEL).model_dump()


def test_the_warnings_are_the_clis(client, tmp_path: Path) -> None:
    r = client.post("/api/convert?to=yaml", files={"file": (WARNED.name, WARNED.read_bytes())})
    assert r.status_code == 200
    said = json.loads(r.headers["x-bpmtool-warnings"])
    assert len(said) == 2
    assert all("association between elements that were not imported" in w["message"] for w in said)
    out = tmp_path / "out.yaml"
    result = CliRunner().invoke(cli, ["convert", str(WARNED), str(out)])
    assert result.exit_code == 0
    cli_lines = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert [w["message"] for w in said] == [
        api.load_with_warnings(WARNED).warnings[i].message for i in range(2)
    ]
    assert len(cli_lines) == 2 and all(
        w["message"] in line for w, line in zip(said, cli_lines, strict=True)
    )
    assert r.text == out.read_text(encoding="utf-8")
