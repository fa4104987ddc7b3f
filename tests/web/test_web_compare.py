"""Two periods side by side from the model page: the numbers of ``check --compare``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app as cli
from tests.conftest import EXAMPLES, REFERENCE_MODEL
from tests.web.test_web_runs import _wait

pytestmark = pytest.mark.slow


def test_two_quarters_side_by_side_as_the_cli_puts_them(client) -> None:
    assert 'name="compare_a"' in client.get("/models/saas-handoffs.yaml").text
    started = client.post(
        "/runs",
        data={
            "model": "saas-handoffs.yaml",
            "log": "saas-handoffs.csv",
            "kind": "compare",
            "compare_a": "2025-Q1",
            "compare_b": "2025-Q2",
            "method": "replay",
        },
        follow_redirects=False,
    )
    assert started.status_code == 303
    run_id = started.headers["location"].rsplit("/", 1)[-1]
    assert _wait(client, run_id)["status"] == "done"
    doc = client.get(f"/api/runs/{run_id}/result").json()
    out = CliRunner().invoke(
        cli,
        [
            "check",
            str(REFERENCE_MODEL),
            str(EXAMPLES / "saas-handoffs.csv"),
            "--compare",
            "2025-Q1",
            "--compare",
            "2025-Q2",
            "--method",
            "replay",
            "-f",
            "json",
            "-q",
        ],
    )
    expected = json.loads(out.stdout)
    assert doc["kpis"] == expected["kpis"] and doc["findings"] == expected["findings"]
    page = client.get(f"/runs/{run_id}").text
    cases = next(k for k in expected["kpis"] if k["kpi"] == "cases")
    assert "2025-Q1 and 2025-Q2" in page and "data-compare-kpis" in page
    assert f"{cases['change']:+,}" in page


def test_a_comparison_without_two_periods_is_refused(client) -> None:
    r = client.post(
        "/runs",
        data={
            "model": "saas-handoffs.yaml",
            "log": "saas-handoffs.csv",
            "kind": "compare",
            "compare_a": "2025-Q1",
        },
        follow_redirects=False,
        headers={"accept": "application/json"},
    )
    assert r.status_code == 422 and r.json()["problems"][0]["key"] == "compare"


def test_two_quarters_of_the_customer_journey_as_the_cli_puts_them(client) -> None:
    model_page = client.get("/models/saas-handoffs.yaml").text
    assert 'name="kind" value="journey-compare"' in model_page
    started = client.post(
        "/runs",
        data={
            "model": "saas-handoffs.yaml",
            "log": "saas-handoffs.csv",
            "kind": "journey-compare",
            "compare_a": "2025-Q2",
            "compare_b": "2025-Q3",
        },
        follow_redirects=False,
    )
    assert started.status_code == 303
    run_id = started.headers["location"].rsplit("/", 1)[-1]
    assert _wait(client, run_id)["status"] == "done"
    doc = client.get(f"/api/runs/{run_id}/result").json()
    out = CliRunner().invoke(
        cli,
        [
            "journey",
            str(REFERENCE_MODEL),
            str(EXAMPLES / "saas-handoffs.csv"),
            "--compare",
            "2025-Q2",
            "--compare",
            "2025-Q3",
            "-f",
            "json",
            "-q",
        ],
    )
    expected = json.loads(out.stdout)
    assert doc["kpis"] == expected["kpis"] and doc["findings"] == expected["findings"]
    page = client.get(f"/runs/{run_id}").text
    assert "Journeys of 2025-Q2 and 2025-Q3" in page
    support = next(k for k in expected["kpis"] if k["kind"] == "compliance" and k["a"] < 1)
    # a CTQ's compliance reads as the journey shows it: rounded down
    assert f">{api.compliance_label(support['a'])}<" in page
