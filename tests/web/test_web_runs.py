"""A check in the background: progress, a result equal to the CLI's JSON, the result page."""

from __future__ import annotations

import json
import time

import pytest
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app as cli
from tests.conftest import EXAMPLES, REFERENCE_MODEL

pytestmark = pytest.mark.slow


def _wait(client, run_id: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    seen = set()
    while time.monotonic() < deadline:
        run = client.get(f"/api/runs/{run_id}").json()
        seen.add(run["status"])
        if run["status"] in ("done", "failed"):
            run["seen"] = seen
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish")


def test_a_check_runs_in_the_background_and_matches_the_cli(client) -> None:
    r = client.post("/api/check", json={"model": "saas-handoffs.yaml", "log": "saas-handoffs.csv"})
    assert r.status_code == 202 and r.headers["location"].startswith("/api/runs/")
    run_id = r.json()["id"]
    # the server answers other requests meanwhile
    assert client.get("/models").status_code == 200
    run = _wait(client, run_id)
    assert run["status"] == "done", run
    result = client.get(f"/api/runs/{run_id}/result").json()
    out = CliRunner().invoke(
        cli,
        ["check", str(REFERENCE_MODEL), str(EXAMPLES / "saas-handoffs.csv"), "-f", "json", "-q"],
    )
    expected = json.loads(out.stdout)
    assert result["summary"] == expected["summary"]
    assert result["findings"] == expected["findings"]
    assert result["handoffs"] == expected["handoffs"]
    page = client.get(f"/runs/{run_id}").text
    assert "Handoff matrix" in page and "Precision" in page
    assert f"{expected['summary']['precision']:.1%}" in page


def test_a_check_that_cannot_read_its_log_fails_with_a_reason(client) -> None:
    client.post("/api/logs", files={"file": ("broken.csv", b"a,b\n1,2\n")})
    run_id = client.post(
        "/api/check", json={"model": "saas-handoffs.yaml", "log": "broken.csv"}
    ).json()["id"]
    run = _wait(client, run_id)
    assert run["status"] == "failed" and run["error"]
    assert client.get(f"/api/runs/{run_id}/result").status_code == 409
    page = client.get(f"/runs/{run_id}")
    assert page.status_code == 200 and "did not finish" in page.text


def test_a_journey_run_from_the_model_page_shows_the_journey(client) -> None:
    model_page = client.get("/models/saas-handoffs.yaml").text
    assert 'name="kind" value="journey"' in model_page
    started = client.post(
        "/runs",
        data={"model": "saas-handoffs.yaml", "log": "saas-handoffs.csv", "kind": "journey"},
        follow_redirects=False,
    )
    assert started.status_code == 303
    run_id = started.headers["location"].rsplit("/", 1)[-1]
    run = _wait(client, run_id)
    assert run["status"] == "done", run
    result = client.get(f"/api/runs/{run_id}/result").json()
    out = CliRunner().invoke(
        cli, ["journey", str(REFERENCE_MODEL), str(EXAMPLES / "saas-handoffs.csv"), "-f", "json"]
    )
    expected = json.loads(out.stdout)
    assert result["funnel"] == expected["funnel"]
    assert result["happy_paths"]["paths"] == expected["happy_paths"]["paths"]
    page = client.get(f"/runs/{run_id}").text
    for heading in (
        "Stage funnel",
        "Happy paths over the swimlanes",
        "Behaviour × emotion",
        "Struggling customers",
        "Critical to quality",
    ):
        assert heading in page
    assert page.count("<svg") >= 3  # funnel, quadrants, the happy paths over the swimlanes
    assert str(expected["exceptions"]["rows"][0]["case"]) in page
    report = client.get(f"/runs/{run_id}/report.html")
    assert report.status_code == 200 and "The customer journey" in report.text
    # days read the same on the page and in the report (one format: 5.48d, not 5.483)
    for ctq in expected["ctqs"]:
        for text in (ctq["p50_text"], ctq["p90_text"]):
            assert f">{text}<" in page and text in report.text
        # and so does compliance, rounded down (99.7 %, not 99.7% here and 100.0% there)
        assert f">{ctq['compliant_text']}<" in page and ctq["compliant_text"] in report.text
    path = expected["happy_paths"]["paths"][0]
    assert f">{api.days_label(path['median_days'])}<" in page
    assert f">{path['median_days']}<" not in page
    # drill-down: each CTQ's breaches and each reason open their cases, a customer its timeline
    for ctq in expected["ctqs"]:
        if ctq["breaches"]:
            assert f'href="/runs/{run_id}/cases?sel=ctq:{ctq["ctq"]}"' in page
            listed = client.get(f"/api/runs/{run_id}/cases", params={"sel": f"ctq:{ctq['ctq']}"})
            assert listed.status_code == 200 and listed.json()["total"] == ctq["breaches"]
    for reason, n in expected["exceptions"]["by_reason"].items():
        listed = client.get(f"/api/runs/{run_id}/cases", params={"sel": f"reason:{reason}"})
        assert listed.status_code == 200 and listed.json()["total"] == n
    first = str(expected["exceptions"]["rows"][0]["case"])
    assert f'href="/runs/{run_id}/cases/{first}"' in page
    timeline = client.get(f"/runs/{run_id}/cases/{first}")
    assert timeline.status_code == 200 and first in timeline.text


def test_a_check_runs_svg_numbers_the_same_findings_as_render_with_a_log(client) -> None:
    """The web's check drawing numbers lint + check, as `bpmtool render --log` and the demo
    do, and says so in its legend (it once numbered the check's findings only)."""
    import re

    r = client.post("/api/check", json={"model": "saas-handoffs.yaml", "log": "saas-handoffs.csv"})
    run_id = r.json()["id"]
    run = _wait(client, run_id)
    assert run["status"] == "done", run
    svg = client.get(f"/runs/{run_id}/overlay.svg").text
    out = (
        CliRunner()
        .invoke(
            cli,
            ["render", str(REFERENCE_MODEL), "--log", str(EXAMPLES / "saas-handoffs.csv"), "-q"],
        )
        .stdout
    )
    numbered = re.findall(r">\d+\. ([A-Z-]+) — ", svg)
    assert numbered and numbered == re.findall(r">\d+\. ([A-Z-]+) — ", out)
    assert "Numbered: lint + check" in svg
