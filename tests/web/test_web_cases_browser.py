"""Drill-down in headless Chromium: from a check's page to a finding's cases, through the
pages of the case list, to one case's timeline — and a filtered run from the form.

Screenshots go to ``$BPMTOOL_SCREENSHOTS`` (default: a temporary folder).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from bpmtool.web.config import Settings
from tests.conftest import EXAMPLES
from tests.web.server import running_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_a_findings_cases_and_a_cases_timeline(browser, tmp_path: Path, shots: Path) -> None:
    raw = pd.read_csv(EXAMPLES / "saas-handoffs.csv")
    wrong = sorted(
        set(raw.loc[(raw["activity"] == "Kickoff meeting") & (raw["lane"] == "sales"), "case_id"])
    )
    problems: list[str] = []
    with running_server(Settings(workspace=tmp_path / "ws")) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.goto(base + "/models/saas-handoffs.yaml")
        page.locator("[data-filter-form] summary").click()
        page.locator("[data-filter-form] select[name=window]").select_option("started")
        page.get_by_role("button", name="Run the check").click()
        page.wait_for_url("**/runs/*", timeout=30_000)
        page.wait_for_selector("[data-cases-link]", timeout=180_000)
        page.screenshot(path=shots / "cases-01-run.png", full_page=True)

        # the WRONG-LANE finding about kickoff done by Sales: its count opens its cases
        finding = page.locator(
            "li.finding", has=page.locator("code.code", has_text="WRONG-LANE")
        ).filter(has_text="Kickoff meeting")
        link = finding.locator("[data-cases-link]")
        assert link.inner_text().startswith(f"{len(wrong)} case(s)")
        link.click()
        page.wait_for_selector("table[data-cases]")
        assert page.locator("h1").inner_text() == "WRONG-LANE kickoff sales"
        ids = page.locator("table[data-cases] tbody tr td:first-child a").all_inner_texts()
        assert sorted(ids) == wrong
        page.screenshot(path=shots / "cases-02-finding-cases.png", full_page=True)

        # one case's timeline: the event Sales did is marked where it left the model
        page.get_by_role("link", name=wrong[0], exact=True).click()
        page.wait_for_selector("table[data-timeline]")
        assert page.locator("h1").inner_text() == f"Case {wrong[0]}"
        marked = page.locator("table[data-timeline] tr.deviates", has_text="Kickoff meeting")
        assert "done by Sales; the model gives it to Implementation" in marked.inner_text()
        assert "WRONG-LANE" in page.locator("[data-case-findings]").inner_text()
        page.screenshot(path=shots / "cases-03-timeline.png", full_page=True)

        # all 400 cases, 100 a page: the pager walks them on the server
        page.goto(page.url.rsplit("/cases/", 1)[0] + "/cases")
        assert page.locator("[data-total]").inner_text() == "400 case(s)"
        assert page.locator("table[data-cases] tbody tr").count() == 100
        page.get_by_role("link", name="next →").click()
        page.wait_for_selector("text=cases 101–200 of 400")
        page.screenshot(path=shots / "cases-04-all-cases-page-2.png", full_page=True)
    assert problems == []


def test_a_filtered_check_and_two_quarters_side_by_side(
    browser,
    tmp_path: Path,
    shots: Path,
) -> None:
    problems: list[str] = []
    with running_server(Settings(workspace=tmp_path / "ws")) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 950})
        page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
        page.goto(base + "/models/saas-handoffs.yaml")
        page.locator("[data-filter-form] summary").click()
        form = page.locator("[data-filter-form]")
        form.locator("input[name=from]").fill("2025-Q2")
        form.locator("input[name=to]").fill("2025-Q2")
        form.locator("input[name=lane]").fill("Customer Support")
        page.screenshot(path=shots / "cases-05-filter-form.png", full_page=False)
        page.get_by_role("button", name="Run the check").click()
        page.wait_for_selector("[data-filter]", timeout=180_000)
        note = page.locator("[data-filter]").inner_text()
        assert "cases started 2025-04-01 … 2025-06-30; lane Customer Support" in note
        assert "of 400 cases" in note
        page.screenshot(path=shots / "cases-06-filtered-run.png", full_page=False)

        page.goto(base + "/models/saas-handoffs.yaml")
        compare = page.locator("[data-compare-form]")
        compare.locator("input[name=compare_a]").fill("2025-Q1")
        compare.locator("input[name=compare_b]").fill("2025-Q2")
        compare.get_by_role("button", name="Compare the two periods").click()
        page.wait_for_selector("table[data-compare-kpis]", timeout=240_000)
        assert page.locator("h1").inner_text() == "2025-Q1 and 2025-Q2"
        cases = page.locator("tr[data-kpi=cases] td").all_inner_texts()
        assert cases[0] == "cases" and int(cases[3].replace(",", "")) == int(
            cases[2].replace(",", "")
        ) - int(cases[1].replace(",", ""))
        page.screenshot(path=shots / "cases-07-compare.png", full_page=True)
    assert problems == []
