"""A resource → lane map kept beside a log (the web's ``--lanes-from``): checked at upload,
used by the log's checks and its as-is discovery, renamed and removed with the log."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bpmtool.cli import app as cli
from tests.conftest import EXAMPLES, REFERENCE_MODEL
from tests.web.test_web_runs import _wait

pytestmark = pytest.mark.slow

LOG = "no-lanes.csv"


@pytest.fixture
def unlaned(tmp_path: Path) -> tuple[Path, Path]:
    """The example log without its lane column, and who works in which lane."""
    frame = pd.read_csv(EXAMPLES / "saas-handoffs.csv", dtype=str)
    log = tmp_path / LOG
    frame.drop(columns=["lane"]).to_csv(log, index=False)
    lanes = tmp_path / "teams.csv"
    pairs = frame[["resource", "lane"]].drop_duplicates().sort_values("resource")
    lanes.write_text("".join(f"{r},{n}\n" for r, n in pairs.itertuples(index=False)))
    return log, lanes


def test_a_check_of_the_log_uses_its_lane_map_as_the_cli_does(client, unlaned) -> None:
    log, lanes = unlaned
    assert client.post("/api/logs", files={"file": (LOG, log.read_bytes())}).status_code == 201
    r = client.post(f"/api/logs/{LOG}/lanes", files={"file": ("teams.csv", lanes.read_bytes())})
    assert r.status_code == 201, r.text
    assert r.json() == {
        "filename": "teams.csv",
        "resources": 14,
        "lanes": ["customer", "impl", "sales", "success", "support"],
    }
    assert client.get(f"/api/logs/{LOG}/lanes").json()["resources"] == 14
    assert "teams.csv" in client.get(f"/logs/{LOG}").text
    run_id = client.post(
        "/api/check", json={"model": "saas-handoffs.yaml", "log": LOG, "method": "replay"}
    ).json()["id"]
    run = _wait(client, run_id)
    assert run["status"] == "done", run
    web = client.get(f"/api/runs/{run_id}/result").json()
    out = CliRunner().invoke(
        cli,
        [
            "check",
            str(REFERENCE_MODEL),
            str(log),
            "--lanes-from",
            str(lanes),
            "--method",
            "replay",
            "-f",
            "json",
            "-q",
        ],
    )
    assert out.exit_code == 0, out.output
    cli_doc = json.loads(out.stdout)
    assert web["handoffs"] == cli_doc["handoffs"] and len(web["handoffs"]) > 5
    assert [f["code"] for f in web["findings"]] == [f["code"] for f in cli_doc["findings"]]
    # without the map every event's lane is unknown: the handoffs are gone
    assert client.delete(f"/api/logs/{LOG}/lanes").status_code == 204
    bare = _wait(
        client,
        client.post(
            "/api/check", json={"model": "saas-handoffs.yaml", "log": LOG, "method": "replay"}
        ).json()["id"],
    )
    assert client.get(f"/api/runs/{bare['id']}/result").json()["handoffs"] != web["handoffs"]


def test_the_as_is_discovery_takes_its_lanes_from_the_map(client, unlaned) -> None:
    log, lanes = unlaned
    client.post("/api/logs", files={"file": (LOG, log.read_bytes())})
    before = client.get(f"/api/logs/{LOG}/discover").json()
    client.post(f"/api/logs/{LOG}/lanes", files={"file": ("teams.csv", lanes.read_bytes())})
    after = client.get(f"/api/logs/{LOG}/discover").json()
    lanes_of = {a["activity"]: a["lane"] for a in after["activities"]}
    assert lanes_of["Kickoff meeting"] == "impl" and lanes_of["Close deal"] == "sales"
    assert {a["lane"] for a in before["activities"]} != set(lanes_of.values())


def test_a_bad_lane_map_is_refused_at_its_line_and_follows_the_log(client, unlaned) -> None:
    log, lanes = unlaned
    client.post("/api/logs", files={"file": (LOG, log.read_bytes())})
    bad = lanes.read_text().splitlines()
    bad[2] = "just-a-resource"
    r = client.post(f"/api/logs/{LOG}/lanes", files={"file": ("teams.csv", "\n".join(bad))})
    assert r.status_code == 422, r.text
    problem = r.json()["problems"][0]
    assert problem["file"] == "teams.csv" and problem["line"] == 3
    assert ".part" not in r.text
    r = client.post(f"/api/logs/{LOG}/lanes", files={"file": ("teams.txt", b"a,b\n")})
    assert r.status_code == 422 and "not a lane map" in r.json()["detail"]
    assert client.get(f"/api/logs/{LOG}/lanes").status_code == 404
    client.post(f"/api/logs/{LOG}/lanes", files={"file": ("teams.yaml", b"ana.sales: sales\n")})
    assert client.get(f"/api/logs/{LOG}/lanes").json()["lanes"] == ["sales"]
    assert client.post(f"/api/logs/{LOG}/rename", json={"to": "crm"}).json() == {"name": "crm.csv"}
    assert client.get("/api/logs/crm.csv/lanes").json()["filename"] == "teams.yaml"
    assert client.delete("/api/logs/crm.csv").status_code == 204
    ws = client.app.state.workspace
    assert not list((ws.meta / "lanes").iterdir())
