"""The run form's case filter: the same filter as the CLI's, said on the result page."""

from __future__ import annotations

import pytest

from tests.web.test_web_runs import _wait

pytestmark = pytest.mark.slow


def test_a_filtered_check_from_the_form_says_what_it_kept(client) -> None:
    page = client.get("/models/saas-handoffs.yaml").text
    assert 'name="where"' in page and 'name="from"' in page
    started = client.post(
        "/runs",
        data={
            "model": "saas-handoffs.yaml",
            "log": "saas-handoffs.csv",
            "from": "2025-Q2",
            "to": "2025-Q2",
            "lane": "Customer Support",
        },
        follow_redirects=False,
    )
    assert started.status_code == 303
    run_id = started.headers["location"].rsplit("/", 1)[-1]
    run = _wait(client, run_id)
    assert run["status"] == "done", run
    result = client.get(f"/api/runs/{run_id}/result").json()
    kept = result["filter"]
    assert kept["description"] == "cases started 2025-04-01 … 2025-06-30; lane Customer Support"
    assert result["summary"]["cases"] == kept["cases_after"] < kept["cases_before"] == 400
    shown = client.get(f"/runs/{run_id}").text
    assert "Filter:" in shown and f"kept {kept['cases_after']:,} of 400 cases" in shown


def test_a_bad_filter_is_refused_before_a_run_starts(client) -> None:
    r = client.post(
        "/api/check",
        json={"model": "saas-handoffs.yaml", "log": "saas-handoffs.csv", "filter": {"to": "soon"}},
    )
    assert r.status_code == 422
    assert r.json()["problems"][0]["key"] == "to"
    r = client.post(
        "/api/check",
        json={"model": "saas-handoffs.yaml", "log": "saas-handoffs.csv", "filter": {"town": "x"}},
    )
    assert r.status_code == 422 and "town" in r.json()["detail"]
    assert client.get("/api/runs").json() == []
