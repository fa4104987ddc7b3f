"""Survey upload, the full report (check + journey + surveys), findings as CSV and Excel,
the PDF report, the default model for a log's check, and messages written for the web."""

from __future__ import annotations

import csv
import io
import json
import shutil
import time

import pytest

from bpmtool import api
from tests.conftest import EXAMPLES, FLAWED_MODEL, REFERENCE_MODEL

SURVEYS = EXAMPLES / "saas-handoffs-surveys.csv"
LOG = "saas-handoffs.csv"
MODEL = "saas-handoffs.yaml"
needs_chromium = pytest.mark.skipif(
    api.html_to_pdf is None or shutil.which("chromium") is None, reason="no Chromium here"
)


def _wait(client, run_id: str, timeout: float = 180.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/runs/{run_id}").json()
        if run["status"] in ("done", "failed"):
            return run
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} did not finish")


def _csv_rows(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")  # Excel reads the accents
    return list(csv.reader(io.StringIO(text[1:])))


def _xlsx_rows(data: bytes) -> list[list[object]]:
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(data))["Findings"]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_surveys_are_checked_kept_for_the_log_and_removed(client) -> None:
    bad = SURVEYS.read_text().splitlines()
    bad[3] = bad[3].rsplit(",", 2)[0] + ",11,4"  # NPS 11 on line 4
    r = client.post(
        f"/api/logs/{LOG}/surveys", files={"file": ("answers.csv", "\n".join(bad).encode())}
    )
    assert r.status_code == 422, r.text
    body = r.json()
    problem = body["problems"][0]
    assert problem["file"] == "answers.csv" and problem["line"] == 4
    assert str(client.app.state.workspace.root) not in r.text and ".part" not in r.text
    r = client.post(f"/api/logs/{LOG}/surveys", files={"file": ("answers.txt", b"x")})
    assert r.status_code == 422 and "not a survey table" in r.json()["detail"]
    assert client.get(f"/api/logs/{LOG}/surveys").status_code == 404

    r = client.post(f"/api/logs/{LOG}/surveys", files={"file": ("nps.csv", SURVEYS.read_bytes())})
    assert r.status_code == 201
    rows = len(SURVEYS.read_text().splitlines()) - 1
    assert r.json() == {
        "filename": "nps.csv",
        "rows": rows,
        "cases": rows,
        "scores": ["nps", "csat"],
    }
    page = client.get(f"/logs/{LOG}").text
    assert "nps.csv" in page and "behaviour × emotion" in page
    assert client.delete(f"/api/logs/{LOG}/surveys").status_code == 204
    assert client.get(f"/api/logs/{LOG}/surveys").status_code == 404


def test_the_log_page_chooses_the_model_whose_activities_match_best(client) -> None:
    # a second model that knows only two of the log's activities
    small = (
        "id: small\nlanes: [{id: s, name: Sales}]\nnodes:\n"
        "  - {id: a, name: Close deal, lane: s}\n  - {id: b, name: Lunch, lane: s}\n"
        "flows: [a -> b]\n"
    )
    client.post("/api/models", files={"file": ("aaa-small.yaml", small.encode())})
    ranked = client.get(f"/api/logs/{LOG}/models").json()
    assert [r["model"] for r in ranked] == [MODEL, "aaa-small.yaml"]
    best, other = ranked[0]["match"], ranked[1]["match"]
    counts = api.activity_counts(EXAMPLES / LOG)
    assert best["events"] == sum(counts.values()) and best["labels"] == len(counts)
    assert best["activities_seen"] == 21 and best["activities"] == 22
    assert other["activities_seen"] == 1 and other["score"] < best["score"]
    page = client.get(f"/logs/{LOG}").text
    assert f'<option value="{MODEL}" selected>' in page
    assert f"Chosen: <strong>{MODEL}</strong>" in page
    assert "99.9% of the log&#39;s events, 21 of 22 activities" in page


@pytest.mark.slow
def test_the_full_report_has_check_journey_and_surveys_and_exports_its_findings(client) -> None:
    client.post(f"/api/logs/{LOG}/surveys", files={"file": ("nps.csv", SURVEYS.read_bytes())})
    r = client.post("/api/report", json={"log": LOG})  # no model: the best match
    assert r.status_code == 202 and r.json()["model"] == MODEL
    run = _wait(client, r.json()["id"])
    assert run["status"] == "done", run
    run_id = run["id"]
    result = client.get(f"/api/runs/{run_id}/result").json()
    codes = {f["code"] for f in result["findings"]}
    assert {"SLOW-HANDOFF", "CTQ-BREACH", "STUCK-IN-STAGE"} <= codes  # check and journey
    sentiment = result["journey"]["sentiment"]
    assert sentiment and json.dumps(sentiment) != "{}"  # behaviour × emotion is filled
    report = client.get(f"/runs/{run_id}/report.html").text
    for part in (
        "Summary",
        "The 3 costliest problems",
        "What the event log shows",
        "The customer journey",
        "Critical to quality",
    ):
        assert part in report, part

    page = client.get(f"/runs/{run_id}").text
    assert "data-full-journey" in page and "survey:nps" in page
    support = next(c for c in result["journey"]["ctqs"] if c["ctq"] == "support_ready")
    assert support["p90_text"] in page and support["p90_text"] in report
    rows = _csv_rows(client.get(f"/runs/{run_id}/findings.csv").text)
    assert rows[0][:4] == ["#", "Severity", "Kind", "Code"]
    assert len(rows) - 1 == len(result["findings"])
    for row, finding in zip(rows[1:], result["findings"], strict=True):
        assert row[3] == finding["code"] and row[4] == finding["message"]
        assert json.loads(row[12]) == finding["evidence"]
    sheet = _xlsx_rows(client.get(f"/runs/{run_id}/findings.xlsx").content)
    assert [list(map(str, r[:5])) for r in sheet[1:]] == [r[:5] for r in rows[1:]]
    # the cost columns are the summary's numbers
    ctq = next(r for r in rows[1:] if r[3] == "CTQ-BREACH" and "Support ready" in r[4])
    assert ctq[7] == "43" and ctq[9] == "222.01" and ctq[10] == "past the limit"
    assert "43 cases, 222.01d past the limit" in report

    if shutil.which("chromium"):
        pdf = client.get(f"/runs/{run_id}/report.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_a_models_lint_findings_come_as_csv_and_excel(client) -> None:
    client.post("/api/models", files={"file": ("flawed.yaml", FLAWED_MODEL.read_bytes())})
    findings = api.lint(api.load(FLAWED_MODEL))
    rows = _csv_rows(client.get("/models/flawed.yaml/findings.csv").text)
    assert [r[3] for r in rows[1:]] == [f.code for f in findings]
    assert [r[4] for r in rows[1:]] == [f.message for f in findings]
    sheet = _xlsx_rows(client.get("/models/flawed.yaml/findings.xlsx").content)
    assert [r[3] for r in sheet[1:]] == [f.code for f in findings]
    assert client.get("/models/flawed.yaml/findings.pdf").status_code == 404


def test_without_chromium_the_pdf_is_refused_in_words_for_the_web(client, monkeypatch) -> None:
    monkeypatch.setenv("BPMTOOL_CHROMIUM", "/nowhere/chromium")
    r = client.get(f"/models/{MODEL}/report.pdf", headers={"Accept": "application/json"})
    assert r.status_code == 503
    detail = r.json()["detail"]
    assert "print it from your browser" in detail
    assert "/nowhere" not in detail and "BPMTOOL_CHROMIUM" not in detail


def test_web_messages_name_no_cli_option_and_no_server_path(client) -> None:
    # a CSV without a time column: the reader's note tells the CLI user "--timestamp"
    text = "case,activity,when\nA,Close deal,yesterday\nA,Kickoff meeting,today\n"
    client.post("/api/logs", files={"file": ("notime.csv", text.encode())})
    page = client.get("/logs/notime.csv").text
    assert "name the time column on the log&#39;s page" in page
    assert "--timestamp" not in page
    # a check of a file that is not a log fails with a reason that names no server folder
    client.post("/api/logs", files={"file": ("broken.csv", b"a,b\n1,2\n")})
    run = _wait(
        client, client.post("/api/check", json={"model": MODEL, "log": "broken.csv"}).json()["id"]
    )
    assert run["status"] == "failed"
    shown = json.dumps(run) + client.get(f"/runs/{run['id']}").text
    assert str(client.app.state.workspace.root) not in shown and "broken.csv" in shown
    assert " --" not in run["error"]


def test_the_cli_says_what_to_do_when_no_chromium_is_there(tmp_path, monkeypatch) -> None:
    from typer.testing import CliRunner

    from bpmtool.cli import app

    monkeypatch.setenv("BPMTOOL_CHROMIUM", str(tmp_path / "no-chromium"))
    r = CliRunner().invoke(
        app, ["report", str(REFERENCE_MODEL), "-f", "pdf", "-o", str(tmp_path / "r.pdf")]
    )
    assert r.exit_code == 2
    assert "Chromium" in r.output and "apt-get install chromium" in r.output
    assert not (tmp_path / "r.pdf").exists()


@needs_chromium
def test_the_cli_writes_a_pdf_report(tmp_path) -> None:
    from typer.testing import CliRunner

    from bpmtool.cli import app

    out = tmp_path / "r.pdf"
    r = CliRunner().invoke(app, ["report", str(REFERENCE_MODEL), "-f", "pdf", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes().startswith(b"%PDF")
