"""A full report's journey numbers open their cases: a CTQ's breaches, a reason's customers."""

from __future__ import annotations

import re

import pytest

from tests.web.test_web_runs import _wait

pytestmark = pytest.mark.slow


def test_ctq_breaches_and_reasons_open_their_cases(client) -> None:
    started = client.post(
        "/runs",
        data={"model": "saas-handoffs.yaml", "log": "saas-handoffs.csv", "kind": "report"},
        follow_redirects=False,
    )
    run_id = started.headers["location"].rsplit("/", 1)[-1]
    assert _wait(client, run_id)["status"] == "done"
    result = client.get(f"/api/runs/{run_id}/result").json()
    page = client.get(f"/runs/{run_id}").text
    for c in result["journey"]["ctqs"]:
        if not c["breaches"]:
            continue
        assert f'href="/runs/{run_id}/cases?sel=ctq:{c["ctq"]}"' in page
        listed = client.get(f"/runs/{run_id}/cases?sel=ctq:{c['ctq']}").text
        assert re.search(rf"data-total>{c['breaches']:,} case\(s\)<", listed)
        assert f"CTQ breached: {c['name']}" in listed
    for reason, n in result["journey"]["exceptions"]["by_reason"].items():
        got = client.get(f"/api/runs/{run_id}/cases?sel=reason:{reason}").json()
        assert got["total"] == n
