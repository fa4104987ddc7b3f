"""The web's column mapping says what reading finds about times, offers a date format, and
its checks use it: a day-first log is read right, an undecidable one fails with the reason."""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import EXAMPLES
from tests.web.test_web_runs import _wait

pytestmark = pytest.mark.slow


def _csv(*, ambiguous: bool) -> bytes:
    df = pd.read_csv(EXAMPLES / "saas-handoffs.csv").head(300)
    stamps = pd.to_datetime(df.pop("timestamp"), utc=True)
    if ambiguous:  # every day ≤ 12: 07/01 could be either
        stamps = stamps.map(lambda t: t.replace(day=1 + t.day % 12))
    df["When"] = stamps.dt.strftime("%d/%m/%Y %H:%M:%S")
    return df.to_csv(index=False).encode()


def test_the_mapping_page_finds_the_time_column_and_offers_a_date_format(client) -> None:
    client.post("/api/logs", files={"file": ("eu.csv", _csv(ambiguous=False))})
    page = client.get("/logs/eu.csv").text
    assert "data-notes" in page and "&#39;When&#39; holds dates" in page
    assert '<option value="When" selected>' in page
    assert 'name="date_format"' in page
    assert "day-first (day/month/year)" in page  # what the first rows show
    cols = client.get("/api/logs/eu.csv/columns").json()
    assert cols["chosen"]["timestamp"] == "When" and cols["date_format"] is None
    client.post("/api/logs", files={"file": ("amb.csv", _csv(ambiguous=True))})
    notes = client.get("/api/logs/amb.csv/columns").json()["notes"]
    assert any("fit both day-first and month-first" in n for n in notes)


def test_a_check_reports_the_date_order_it_read(client) -> None:
    client.post("/api/logs", files={"file": ("eu.csv", _csv(ambiguous=False))})
    run_id = client.post(
        "/api/check", json={"model": "saas-handoffs.yaml", "log": "eu.csv", "method": "replay"}
    ).json()["id"]
    run = _wait(client, run_id)
    assert run["status"] == "done", run
    notes = client.get(f"/api/runs/{run_id}/result").json()["notes"]
    assert any("day-first" in n["message"] for n in notes)
    assert "Reading the log" in client.get(f"/runs/{run_id}").text
    journey = _wait(
        client,
        client.post("/api/journey", json={"model": "saas-handoffs.yaml", "log": "eu.csv"}).json()[
            "id"
        ],
    )
    assert journey["status"] == "done", journey
    assert "day-first" in client.get(f"/runs/{journey['id']}").text


def test_undecidable_dates_fail_the_check_until_a_date_format_is_saved(client) -> None:
    client.post("/api/logs", files={"file": ("amb.csv", _csv(ambiguous=True))})
    run = _wait(
        client,
        client.post(
            "/api/check", json={"model": "saas-handoffs.yaml", "log": "amb.csv", "method": "replay"}
        ).json()["id"],
    )
    assert run["status"] == "failed" and "the log's date format" in str(run["error"])
    assert "--date-format" not in str(run["error"])  # the web names no CLI option

    r = client.post(
        "/logs/amb.csv/columns",
        data={
            "case": "case_id",
            "activity": "activity",
            "timestamp": "When",
            "date_format": "%d/%m/%Y %H:%M:%S",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get("/logs/amb.csv").text
    assert 'value="%d/%m/%Y %H:%M:%S"' in page and "fit both" not in page
    run = _wait(
        client,
        client.post(
            "/api/check", json={"model": "saas-handoffs.yaml", "log": "amb.csv", "method": "replay"}
        ).json()["id"],
    )
    assert run["status"] == "done", run

    bad = client.post(
        "/logs/amb.csv/columns",
        data={
            "case": "case_id",
            "activity": "activity",
            "timestamp": "When",
            "date_format": "day/month",
        },
    )
    assert bad.status_code == 422 and "not a date format" in bad.text
