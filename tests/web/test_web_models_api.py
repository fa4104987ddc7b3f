"""The models API: versions (ETag), 409 on stale saves, history, and the CLI's JSON."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from bpmtool.cli import app as cli
from tests.conftest import REFERENCE_MODEL

MODEL = "saas-handoffs.yaml"


def test_the_seeded_workspace_lists_the_reference_model(client, workspace: Path) -> None:
    names = [m["name"] for m in client.get("/api/models").json()]
    assert names == [MODEL]
    assert (workspace / "models" / MODEL).read_bytes() == REFERENCE_MODEL.read_bytes()
    assert (workspace / "logs" / "saas-handoffs.csv").is_file()


def test_get_gives_the_file_and_its_version_as_etag(client) -> None:
    r = client.get(f"/api/models/{MODEL}")
    assert r.status_code == 200
    assert r.content == REFERENCE_MODEL.read_bytes()
    assert r.headers["etag"].strip('"')


def _edited(text: str, name: str) -> bytes:
    return text.replace("name: From sale to implementation to support", f"name: {name}", 1).encode()


def test_save_with_the_current_version_then_a_stale_one_is_refused(client, workspace) -> None:
    original = client.get(f"/api/models/{MODEL}")
    etag = original.headers["etag"]
    first = _edited(original.text, "Edited by Ann")
    r = client.put(f"/api/models/{MODEL}", content=first, headers={"If-Match": etag})
    assert r.status_code == 200, r.text
    assert r.json()["version"] != etag.strip('"')
    # Bob still holds the old version: his save must not overwrite Ann's
    second = _edited(original.text, "Edited by Bob")
    r = client.put(f"/api/models/{MODEL}", content=second, headers={"If-Match": etag})
    assert r.status_code == 409
    assert r.json()["current_version"] == r.headers["etag"].strip('"')
    assert (workspace / "models" / MODEL).read_bytes() == first
    # the version Ann replaced is in the history, whole
    history = client.get(f"/api/models/{MODEL}/history").json()
    assert len(history) == 1
    old = client.get(f"/api/models/{MODEL}/history/{history[0]['id']}")
    assert old.content == original.content


def test_save_without_if_match_is_428_and_invalid_yaml_is_422_with_lines(client) -> None:
    assert client.put(f"/api/models/{MODEL}", content=b"id: x\n").status_code == 428
    etag = client.get(f"/api/models/{MODEL}").headers["etag"]
    bad = b"id: x\nlanes:\n  - {id: a}\nnodes:\n  - {id: n1, lane: nowhere}\n"
    r = client.put(f"/api/models/{MODEL}", content=bad, headers={"If-Match": etag})
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert any(p["line"] == 5 and "nowhere" in p["message"] for p in problems), problems
    assert client.get(f"/api/models/{MODEL}").headers["etag"] == etag  # nothing written


def test_restore_brings_back_a_previous_version(client) -> None:
    original = client.get(f"/api/models/{MODEL}")
    client.put(
        f"/api/models/{MODEL}",
        content=_edited(original.text, "Changed"),
        headers={"If-Match": original.headers["etag"]},
    )
    entry = client.get(f"/api/models/{MODEL}/history").json()[0]["id"]
    r = client.post(f"/api/models/{MODEL}/history/{entry}/restore")
    assert r.status_code == 200
    assert client.get(f"/api/models/{MODEL}").content == original.content
    assert len(client.get(f"/api/models/{MODEL}/history").json()) == 2


def test_create_a_new_model_with_put(client) -> None:
    text = b"id: t\nlanes: [{id: a}]\nnodes: [{id: x, lane: a}]\n"
    r = client.put("/api/models/new-one.yaml", content=text)
    assert r.status_code == 201
    assert client.get("/api/models/new-one.yaml").content == text


def test_lint_and_sipoc_give_the_same_json_as_the_cli(client) -> None:
    runner = CliRunner()
    cli_lint = json.loads(runner.invoke(cli, ["lint", str(REFERENCE_MODEL), "-f", "json"]).stdout)
    web_lint = client.get(f"/api/models/{MODEL}/lint").json()
    cli_lint["model"].pop("file")
    web_lint["model"].pop("file")
    assert web_lint == cli_lint
    cli_sipoc = json.loads(runner.invoke(cli, ["sipoc", str(REFERENCE_MODEL), "-f", "json"]).stdout)
    assert client.get(f"/api/models/{MODEL}/sipoc").json() == cli_sipoc


def test_stateless_lint_of_an_uploaded_file_matches_the_cli(client) -> None:
    flawed = REFERENCE_MODEL.parent / "flawed-handoffs.yaml"
    runner = CliRunner()
    expected = json.loads(runner.invoke(cli, ["lint", str(flawed), "-f", "json"]).stdout)
    with flawed.open("rb") as fh:
        r = client.post("/api/lint", files={"file": ("flawed-handoffs.yaml", fh)})
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["findings"] == expected["findings"] and got["findings"]
    assert got["summary"] == expected["summary"]
    assert client.get("/api/models").json()[0]["name"] == MODEL  # nothing was stored


def test_validate_reports_problems_at_their_line(client) -> None:
    text = b"id: x\nlanes: [{id: a}]\nnodes:\n  - {id: y, lane: b}\n"
    r = client.post("/api/validate", content=text)
    out = r.json()
    assert r.status_code == 200 and out["valid"] is False
    assert out["problems"][0]["line"] == 4
    good = client.post("/api/validate", content=REFERENCE_MODEL.read_bytes()).json()
    assert good == {"valid": True, "problems": [], "total": 0}
