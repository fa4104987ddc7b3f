"""A team in real Chromium: an editor and a viewer on one workspace (the viewer refused),
the history with authors, the diff, renaming and deleting with a confirmation; and the PDF
report's pages turned into images.

Screenshots go to ``$BPMTOOL_SCREENSHOTS`` (default: a temporary folder).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bpmtool import api
from bpmtool.web.config import Settings
from tests.conftest import EXAMPLES, REFERENCE_MODEL
from tests.web.server import running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ANA = "ana-editor-token-123"
BEN = "ben-viewer-token-456"
MODEL = "saas-handoffs.yaml"


def _login(browser, base: str, token: str):
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/models")
    assert page.url.startswith(f"{base}/login")
    page.fill("input[name=token]", token)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/models")
    return page


def test_an_editor_and_a_viewer_work_on_one_workspace(browser, tmp_path: Path, shots) -> None:
    users = tmp_path / "users.yaml"
    users.write_text(
        "users:\n"
        f"  - {{name: ana, role: editor, token: {ANA}}}\n"
        f"  - {{name: ben, role: viewer, token: {BEN}}}\n"
    )
    with running_server(Settings(workspace=tmp_path / "ws", users_file=users)) as base:
        ana, ben = _login(browser, base, ANA), _login(browser, base, BEN)
        assert "ana · editor" in ana.inner_text(".topbar")
        assert "ben · viewer" in ben.inner_text(".topbar")

        # ana edits the YAML with a message
        ana.goto(f"{base}/models/{MODEL}/edit")
        text = ana.input_value("textarea[name=text]")
        ana.evaluate(
            "t => { const a = document.querySelector('textarea[name=text]');"
            " a.value = t; a.dispatchEvent(new Event('input')); }",
            text.replace("name: Kickoff meeting", "name: Kickoff call", 1),
        )
        ana.fill("input[name=message]", "the kickoff is a call now")
        ana.click("button.btn.primary[type=submit]")
        ana.wait_for_url(f"{base}/models/{MODEL}?saved=1")

        # ben sees it, but no button that changes anything, and a change is refused
        ben.goto(f"{base}/models/{MODEL}")
        assert "Kickoff call" in ben.content()
        for label in ("Edit YAML", "Rename", "Delete"):
            assert ben.locator(f".actions >> text={label}").count() == 0, label
        ben.screenshot(path=str(shots / "team-viewer-model.png"), full_page=False)
        ben.goto(f"{base}/models/{MODEL}/edit")
        ben.click("button.btn.primary[type=submit]")
        ben.wait_for_load_state()
        assert "ben is a viewer" in ben.content()
        ben.screenshot(path=str(shots / "team-viewer-refused.png"))

        # the history names ana and her message; the diff shows the changed line
        ben.goto(f"{base}/models/{MODEL}/history")
        history = ben.inner_text("[data-saves]")
        assert "ana" in history and "the kickoff is a call now" in history
        ben.screenshot(path=str(shots / "team-history.png"), full_page=True)
        ben.click("text=Changes since")
        ben.wait_for_selector("[data-diff]")
        assert "Kickoff meeting" in ben.inner_text(".diff-del")
        assert "Kickoff call" in ben.inner_text(".diff-add")
        ben.screenshot(path=str(shots / "team-diff.png"), full_page=False)

        # ana renames the log after a confirmation page, then deletes it
        ana.goto(f"{base}/logs/saas-handoffs.csv")
        ana.click(".actions >> text=Rename")
        ana.fill("input[name=to]", "crm-2025")
        ana.screenshot(path=str(shots / "team-rename.png"))
        ana.click("button:has-text('Rename')")
        ana.wait_for_url(f"{base}/logs/crm-2025.csv?renamed=1")
        ana.click(".actions >> text=Delete")
        assert "Delete the event log crm-2025.csv?" in ana.content()
        ana.screenshot(path=str(shots / "team-delete-confirm.png"))
        ana.click("button.btn.danger")
        ana.wait_for_url(f"{base}/logs?deleted=crm-2025.csv")
        assert "Deleted crm-2025.csv" in ana.content()


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="pdftoppm (poppler-utils) is missing")
def test_the_pdf_reports_pages_as_images(tmp_path: Path, shots: Path) -> None:
    model = api.load(REFERENCE_MODEL)
    log = api.read_log(EXAMPLES / "saas-handoffs.csv")
    check = api.check(model, log)
    journey = api.journey(model, log, surveys=EXAMPLES / "saas-handoffs-surveys.csv")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(api.report_pdf(model, check=check, journey=journey, source=MODEL))
    subprocess.run(
        ["pdftoppm", "-r", "60", "-png", str(pdf), str(shots / "report-page")], check=True
    )
    pages = sorted(shots.glob("report-page-*.png"))
    assert len(pages) >= 4
    # the first page is the summary alone: it ends before the swimlanes
    first = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Summary" in first and "The 3 costliest problems" in first
    assert "43 cases, 222.01d past the limit" in first
    assert "Swimlanes" not in first
    second = subprocess.run(
        ["pdftotext", "-f", "2", "-l", "2", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert second.lstrip().startswith("Swimlanes")
    # landscape A4, and no page is blank
    from PIL import Image

    for path in pages:
        with Image.open(path) as im:
            assert im.width > im.height
            assert im.convert("L").getextrema()[0] < 100, path  # some dark ink on every page
