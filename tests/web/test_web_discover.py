"""The as-is page (sliders, map, tables, save, compare) and the compare page, through the
app and in headless Chromium; the numbers are the log's, counted here independently."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from bpmtool.web.config import Settings
from tests.conftest import EXAMPLES
from tests.web.server import running_server

LOG = "saas-handoffs.csv"


@pytest.fixture(scope="module")
def example() -> pd.DataFrame:
    return pd.read_csv(EXAMPLES / LOG)


def _rows(html: str, table: str) -> list[str]:
    body = html.split(f'data-table="{table}"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr[ >].*?</tr>", body.split("<tbody>", 1)[1], flags=re.S)


def test_the_page_shows_the_logs_numbers(client, example: pd.DataFrame) -> None:
    log_page = client.get(f"/logs/{LOG}")
    assert f'href="/logs/{LOG}/discover"' in log_page.text
    page = client.get(f"/logs/{LOG}/discover")
    assert page.status_code == 200
    html = page.text
    assert "<svg" in html and "data-node-note" in html
    rows = _rows(html, "activities")
    assert len(rows) == example["activity"].nunique() == 22
    cases = example.groupby("activity")["case_id"].nunique()
    for row in rows:
        label = re.search(r'data-activity="([^"]+)"', row).group(1)  # type: ignore[union-attr]
        nums = re.findall(r'<td class="num">([^<]+)</td>', row)
        assert nums[1] == f"{cases[label]:,}"
    kickoff = next(r for r in rows if 'data-activity="Kickoff meeting"' in r)
    assert ">impl<" in kickoff.replace("<br>", "<") and "96.8%" in kickoff  # 330 of 341
    handoffs = _rows(html, "handoffs")
    impl_support = next(r for r in handoffs if "impl → support" in r)
    assert re.findall(r'<td class="num">([^<]+)</td>', impl_support) == [
        "321",
        "321",
        "0.62d",
        "5.48d",
    ]
    assert len(_rows(html, "sipoc")) == 22


def test_sliders_filters_save_and_compare(client, example: pd.DataFrame) -> None:
    half = client.get(f"/logs/{LOG}/discover?activities=50&paths=60")
    assert "11 of 22 shown" in half.text
    assert half.text.count("filtered out") == 11
    in_support = example.loc[example["lane"] == "support", "case_id"].nunique()
    filtered = client.get(f"/api/logs/{LOG}/discover?lane=support")
    assert filtered.json()["cases"] == in_support
    assert filtered.json()["filtered"]["cases_after"] == in_support
    bad = client.get(f"/api/logs/{LOG}/discover?activities=0")
    assert bad.status_code == 422 and bad.json()["problems"][0]["key"] == "activities"
    saved = client.post(
        f"/logs/{LOG}/discover/save",
        data={"model_name": "as-is", "activities": "100", "paths": "80"},
        follow_redirects=False,
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/models/as-is.yaml?saved=1"
    again = client.post(f"/logs/{LOG}/discover/save", data={"model_name": "as-is"})
    assert again.status_code == 422
    diff = client.get("/api/compare", params={"a": "as-is.yaml", "b": "saas-handoffs.yaml"})
    assert diff.json()["activities"] == {
        "only_a": ["Update CRM record"],
        "only_b": ["Run account rescue call"],
    }
    page = client.get("/compare", params={"a": "as-is.yaml", "b": "saas-handoffs.yaml"})
    assert 'data-only="activities-a"><li>Update CRM record</li>' in page.text
    on_page = client.get(f"/logs/{LOG}/discover", params={"compare": "saas-handoffs.yaml"})
    assert "Run account rescue call" in on_page.text
    assert (
        client.get("/api/compare", params={"a": "as-is.yaml", "b": "nope.yaml"}).status_code == 404
    )


@pytest.mark.browser
@pytest.mark.slow
def test_discover_page_in_chromium(browser, tmp_path: Path, shots: Path) -> None:
    problems: list[str] = []
    with running_server(Settings(workspace=tmp_path / "ws")) as base:
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{base}/logs/{LOG}")
        page.click("text=Discover the as-is process")
        page.wait_for_selector("[data-viewport] svg")
        assert page.locator("[data-viewport] svg [data-node-note]").count() == 22
        assert page.locator("[data-viewport] svg .unmodelled").count() >= 1
        page.screenshot(path=shots / "discover-100.png", full_page=True)
        # drag the activities slider to 50 %: the page comes back with half the activities
        slider = page.locator("input[type=range][name=activities]")
        slider.evaluate("(s) => { s.value = 50; s.dispatchEvent(new Event('input')); }")
        assert page.locator("output[data-for=activities]").inner_text() == "50%"
        with page.expect_navigation():
            slider.evaluate("(s) => s.dispatchEvent(new Event('change'))")
        assert "activities=50" in page.url
        assert page.locator("[data-viewport] svg [data-node-note]").count() == 11
        assert page.locator("text=11 of 22 shown").count() == 1
        page.screenshot(path=shots / "discover-50.png", full_page=True)
        page.select_option("select[name=compare]", "saas-handoffs.yaml")
        page.click("form:has(select[name=compare]) button[type=submit]")
        page.wait_for_selector("#comparison")
        page.locator("#comparison").screenshot(path=shots / "discover-compare.png")
    assert problems == []


def test_a_changed_log_is_read_again(client, workspace: Path) -> None:
    path = workspace / "logs" / "small.csv"
    path.write_text("case,activity,time\n1,A,2025-01-01 10:00\n1,B,2025-01-01 11:00\n")
    assert client.get("/api/logs/small.csv/discover").json()["cases"] == 1
    assert client.get("/api/logs/small.csv/discover?paths=50").json()["cases"] == 1
    path.write_text(
        "case,activity,time\n1,A,2025-01-01 10:00\n2,A,2025-01-02 10:00\n3,B,2025-01-03 10:00\n"
    )
    again = client.get("/api/logs/small.csv/discover?paths=50").json()
    assert again["cases"] == 3
    assert {a["activity"]: a["cases"] for a in again["activities"]} == {"A": 2, "B": 1}


@pytest.mark.slow
def test_a_check_runs_map_carries_the_same_numbers_as_render_with_a_log(client) -> None:
    from typer.testing import CliRunner

    from bpmtool.cli import app as cli
    from tests.conftest import REFERENCE_MODEL
    from tests.web.test_web_runs import _wait

    run_id = client.post(
        "/api/check", json={"model": "saas-handoffs.yaml", "log": "saas-handoffs.csv"}
    ).json()["id"]
    assert _wait(client, run_id)["status"] == "done"
    svg = client.get(f"/runs/{run_id}/overlay.svg").text
    out = (
        CliRunner()
        .invoke(cli, ["render", str(REFERENCE_MODEL), "--log", str(EXAMPLES / LOG), "-q"])
        .stdout
    )

    def notes(text: str) -> list[tuple[str, str]]:
        return re.findall(r'data-node-note="([^"]+)".*?<text[^>]*>([^<]+)</text>', text)

    assert len(notes(svg)) == 21 and notes(svg) == notes(out)
    assert svg.count('class="unmodelled"') == out.count('class="unmodelled"') == 2
