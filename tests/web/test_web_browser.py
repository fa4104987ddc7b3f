"""The whole story in headless Chromium: open the seeded workspace, upload a BPMN model,
see its swimlane, upload a CSV log and map its columns, run the check, watch the progress,
read the findings, download the report; edit YAML with a mistake; a hostile model name.

Screenshots of every page go to ``$BPMTOOL_SCREENSHOTS`` (default: a temporary folder).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bpmtool.web.assets import built_assets
from bpmtool.web.config import Settings
from tests.conftest import EXAMPLES, REFERENCE_MODEL, SHARED_DATA
from tests.web.server import running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

INVOICE = SHARED_DATA / "bpmn" / "camunda" / "invoice.v2.bpmn"


def _renamed_log(tmp_path: Path) -> Path:
    """The example log with column names no reader guesses, so the mapping form matters."""
    lines = (EXAMPLES / "saas-handoffs.csv").read_text().splitlines()
    assert lines[0] == "case_id,activity,timestamp,resource,lane"
    path = tmp_path / "crm export.csv"
    path.write_text("\n".join(["deal,what happened,at,who,team", *lines[1:]]) + "\n")
    return path


def test_the_whole_story(browser, tmp_path: Path, shots: Path) -> None:
    problems: list[str] = []
    with running_server(Settings(workspace=tmp_path / "ws")) as base:
        context = browser.new_context(
            viewport={"width": 1440, "height": 1000}, accept_downloads=True
        )
        page = context.new_page()
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.on(
            "console",
            lambda msg: (
                problems.append(f"console: {msg.text}")
                if msg.type == "error" and "status of 422" not in msg.text
                else None
            ),
        )
        page.on("dialog", lambda d: problems.append(f"dialog opened: {d.message}"))

        # 1. the seeded workspace
        page.goto(base + "/")
        assert page.locator("h1").inner_text() == "Models"
        assert page.locator("table.table tbody tr").count() == 1
        page.screenshot(path=shots / "01-models.png", full_page=True)

        # 2. the reference model: swimlane, findings, SIPOC
        page.click("text=From sale to implementation to support")
        page.wait_for_selector("table.sipoc")
        assert page.locator("table.sipoc tbody tr").count() > 10
        assert page.locator("[data-viewport] svg [data-node]").count() == 33
        assert page.locator("[data-viewport] svg [data-lane]").count() == 5
        page.screenshot(path=shots / "02-model.png", full_page=True)

        # 3. upload a BPMN model and see its swimlane
        page.goto(base + "/upload")
        page.screenshot(path=shots / "03-upload.png", full_page=True)
        page.set_input_files("form[action='/upload/model'] input[type=file]", str(INVOICE))
        page.click("form[action='/upload/model'] button[type=submit]")
        page.wait_for_load_state()
        page.screenshot(path=shots / "04-bpmn-model.png", full_page=True)
        assert "/models/invoice-v2.bpmn" in page.url
        assert page.locator("h1").inner_text()
        assert page.locator("[data-viewport] svg [data-lane]").count() >= 2

        # 4. upload a CSV log; map the columns no reader could guess
        page.goto(base + "/upload")
        page.set_input_files(
            "form[action='/upload/log'] input[type=file]", str(_renamed_log(tmp_path))
        )
        page.click("form[action='/upload/log'] button[type=submit]")
        page.wait_for_selector("form[data-mapping]")
        assert page.url.endswith("/logs/crm-export.csv?uploaded=1")
        options = page.locator("select[data-role=case] option").all_inner_texts()
        assert "what happened" in options and "team" in options
        page.select_option("select[data-role=case]", "deal")
        page.select_option("select[data-role=activity]", "what happened")
        page.select_option("select[data-role=timestamp]", "at")
        page.select_option("select[data-role=resource]", "who")
        page.select_option("select[data-role=lane]", "team")
        page.screenshot(path=shots / "05-log-mapping.png", full_page=True)
        page.click("form[data-mapping] button[type=submit]")
        page.wait_for_selector("text=Column mapping saved")

        # 5. run the check and watch its progress
        page.select_option("form[action='/runs'] select[name=model]", "saas-handoffs.yaml")
        page.click("form[action='/runs'] button[type=submit]")
        page.wait_for_selector("progress, .kpis")
        if page.locator("progress").count():
            page.screenshot(path=shots / "06-progress.png", full_page=True)
            assert "Checking crm-export.csv" in page.locator("h1").inner_text()
        # meanwhile the other pages answer
        other = context.new_page()
        other.goto(base + "/models")
        assert other.locator("h1").inner_text() == "Models"
        other.close()
        page.wait_for_selector(".kpis", timeout=120_000)

        # 6. the result: fitness, precision, handoff matrix, findings
        kpis = page.locator(".kpi").all_inner_texts()
        assert any("precision" in k.lower() and "%" in k for k in kpis), kpis
        assert page.locator("table.matrix td.modelled").count() > 3
        findings = page.locator(".finding")
        assert findings.count() > 0
        findings.first.click()
        assert "active" in (findings.first.get_attribute("class") or "")
        page.screenshot(path=shots / "07-result.png", full_page=True)
        # the overlay swimlane, the clicked finding's elements highlighted
        assert page.locator("[data-viewport] svg .flow-line[style]").count() > 10
        assert page.locator("[data-viewport] svg .hl").count() >= 1
        page.locator("[data-viewer]").first.screenshot(path=shots / "08-highlight.png")

        # 7. download the report
        link = page.locator("a:has-text('Download the report')")
        with page.expect_download() as download_info:
            link.first.click()
        download = download_info.value
        saved = tmp_path / download.suggested_filename
        download.save_as(saved)
        report = saved.read_text(encoding="utf-8")
        assert "What the event log shows" in report and "<svg" in report

        # 8. edit the YAML with a mistake: marked at its line as you type
        page.goto(base + "/models/saas-handoffs.yaml/edit")
        if built_assets() is None:  # the plain text box with its own line numbers
            editor = page.locator("textarea#text")
            text = editor.input_value()
            editor.fill(text.replace("lane: sales}", "lane: salez}", 1))
            page.wait_for_selector(".gutter span.bad", timeout=10_000)
            bad_line = int(page.locator(".gutter span.bad").first.inner_text())
        else:  # CodeMirror (static/build/yaml-editor.js)
            page.wait_for_selector("form[data-editor][data-ready]")
            text = page.evaluate("() => window.bpmtoolYamlEditor.state.doc.toString()")
            page.locator(".cm-content").click()
            page.keyboard.press("Control+a")
            page.keyboard.insert_text(text.replace("lane: sales}", "lane: salez}", 1))
            where = page.locator("[data-problems-box] a.loc").first
            where.wait_for(timeout=10_000)
            bad_line = int(where.inner_text().split()[1].rstrip(","))
            where.click()  # the editor goes to the line and marks it
            page.wait_for_selector(".cm-lint-marker-error", timeout=10_000)
        assert "salez" in text.replace("lane: sales}", "lane: salez}", 1).splitlines()[bad_line - 1]
        page.screenshot(path=shots / "09-editor-error.png")
        page.click("button:has-text('Save')")
        page.wait_for_selector(".alert.error")
        assert page.locator(".alert.error").inner_text().count("salez") >= 1

        # 9. a hostile model name runs nothing
        hostile = REFERENCE_MODEL.read_text().replace(
            "name: From sale to implementation to support",
            'name: "<script>alert(1)</script><img src=x onerror=alert(2)>"',
            1,
        )
        xss = tmp_path / "xss.yaml"
        xss.write_text(hostile)
        page.goto(base + "/upload")
        page.set_input_files("form[action='/upload/model'] input[type=file]", str(xss))
        page.click("form[action='/upload/model'] button[type=submit]")
        page.wait_for_selector("h1")
        assert "<script>alert(1)</script>" in page.locator("h1").inner_text()  # shown as text
        page.goto(base + "/models")
        page.screenshot(path=shots / "10-hostile-name.png", full_page=True)
        context.close()
    assert not [p for p in problems if "dialog" in p], problems
    assert not problems, problems
