"""The pages: list, model page, YAML editor (problems at their line, 409 keeps your text),
history with restore, log column mapping."""

from __future__ import annotations

import html
import re
from pathlib import Path

from tests.conftest import REFERENCE_MODEL

MODEL = "saas-handoffs.yaml"


def _version(html: str) -> str:
    match = re.search(r'name="version" value="([0-9a-f]+)"', html)
    assert match, "no version field"
    return match.group(1)


def test_every_page_renders(client) -> None:
    for url in (
        "/models",
        f"/models/{MODEL}",
        f"/models/{MODEL}/edit",
        f"/models/{MODEL}/history",
        "/logs",
        "/logs/saas-handoffs.csv",
        "/upload",
        "/runs",
        "/docs",
        "/models/new",
        "/login",
    ):
        r = client.get(url)
        assert r.status_code == 200, url
        assert "<title>" in r.text and "/static/style.css" in r.text


def test_the_model_page_shows_sipoc_findings_and_downloads(client) -> None:
    html = client.get(f"/models/{MODEL}").text
    assert "From sale to implementation to support" in html
    assert "Sales-to-implementation handover notes" in html  # a SIPOC input
    assert "no findings" in html.lower()
    assert f"/models/{MODEL}/download/sipoc.xlsx" in html
    xlsx = client.get(f"/models/{MODEL}/download/sipoc.xlsx")
    assert xlsx.content[:2] == b"PK"
    assert "attachment" in xlsx.headers["content-disposition"]


def test_findings_carry_their_subjects_for_highlighting(client) -> None:
    flawed = (REFERENCE_MODEL.parent / "flawed-handoffs.yaml").read_bytes()
    client.post("/api/models", files={"file": ("flawed.yaml", flawed)})
    html = client.get("/models/flawed.yaml").text
    subjects = re.findall(r'class="finding sev-\w+" data-subject="([^"]*)"', html)
    assert subjects and all(subjects)


def test_saving_invalid_yaml_shows_the_problem_at_its_line(client, workspace: Path) -> None:
    before = (workspace / "models" / MODEL).read_bytes()
    version = _version(client.get(f"/models/{MODEL}/edit").text)
    text = REFERENCE_MODEL.read_text().replace("lane: sales}", "lane: salez}", 1)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "salez" in row)
    r = client.post(f"/models/{MODEL}/edit", data={"text": text, "version": version})
    assert r.status_code == 422
    assert f'data-line="{line}"' in r.text and "salez" in r.text
    assert f'<span class="bad">{line}</span>' in r.text  # marked in the gutter
    assert (workspace / "models" / MODEL).read_bytes() == before


def test_a_concurrent_save_is_a_409_that_keeps_your_text(client, workspace: Path) -> None:
    version = _version(client.get(f"/models/{MODEL}/edit").text)
    original = REFERENCE_MODEL.read_text()
    ann = original.replace('version: "1.0"', 'version: "1.1"')
    bob = original.replace('version: "1.0"', 'version: "2.0"')
    r = client.post(
        f"/models/{MODEL}/edit", data={"text": ann, "version": version}, follow_redirects=False
    )
    assert r.status_code == 303
    r = client.post(f"/models/{MODEL}/edit", data={"text": bob, "version": version})
    assert r.status_code == 409
    assert "Someone else saved this model" in r.text
    assert "version: &#34;2.0&#34;" in r.text or 'version: "2.0"' in r.text  # Bob's text kept
    assert (workspace / "models" / MODEL).read_text() == ann  # Ann's save stands
    # saving again from the conflict page (now based on Ann's version) goes through
    r = client.post(
        f"/models/{MODEL}/edit",
        data={"text": bob, "version": _version(r.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert (workspace / "models" / MODEL).read_text() == bob
    assert len(client.get(f"/api/models/{MODEL}/history").json()) == 2


def test_history_page_restores_a_version(client, workspace: Path) -> None:
    version = _version(client.get(f"/models/{MODEL}/edit").text)
    changed = REFERENCE_MODEL.read_text().replace('version: "1.0"', 'version: "9"')
    client.post(f"/models/{MODEL}/edit", data={"text": changed, "version": version})
    html = client.get(f"/models/{MODEL}/history").text
    entry = re.search(rf"/models/{MODEL}/history/([^/\"]+)/restore", html).group(1)
    r = client.post(
        f"/models/{MODEL}/history/{entry}/restore",
        data={"version": _version(html)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert (workspace / "models" / MODEL).read_bytes() == REFERENCE_MODEL.read_bytes()


def test_a_new_model_from_the_editor(client, workspace: Path) -> None:
    form = client.get("/models/new").text
    text = html.unescape(re.search(r"<textarea[^>]*>\n(.*?)</textarea>", form, re.S).group(1))
    r = client.post(
        "/models/new", data={"name": "Onboarding flow", "text": text}, follow_redirects=False
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/models/Onboarding-flow.yaml")
    assert (workspace / "models" / "Onboarding-flow.yaml").is_file()


def test_the_column_mapping_form_saves(client) -> None:
    r = client.post(
        "/logs/saas-handoffs.csv/columns",
        data={
            "case": "case_id",
            "activity": "activity",
            "timestamp": "timestamp",
            "resource": "resource",
            "lane": "",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    chosen = client.get("/api/logs/saas-handoffs.csv/columns").json()["chosen"]
    assert chosen["case"] == "case_id" and chosen["resource"] == "resource"
    r = client.post("/logs/saas-handoffs.csv/columns", data={"case": "", "activity": "x"})
    assert r.status_code == 422 and "not in the log" in r.text


def test_docs_list_the_api_without_any_external_asset(client) -> None:
    html = client.get("/docs").text
    assert "/api/models/{name}/lint" in html and "/api/check" in html
    assert "cdn" not in html.lower() and "https://" not in html
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.") and "/api/check" in spec["paths"]
