"""The swimlane SVG and the HTML report in headless Chromium: drawn, not blank, nothing
covering the steps, screenshots kept in ``build/screenshots`` to look at."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpmtool import api
from tests.browser import chromium
from tests.conftest import EXAMPLES, FLAWED_MODEL, REFERENCE_MODEL, ROOT, SHARED_DATA

pytestmark = pytest.mark.browser

SHOTS = ROOT / "build" / "screenshots"

# in the page: for every step, what is drawn at its centre must belong to that step
_COVERED = """() => {
    const out = [];
    for (const g of document.querySelectorAll('g[data-node]')) {
        const shape = g.querySelector('rect, circle, polygon');
        if (!shape) continue;
        const r = shape.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) { out.push(g.dataset.node + ' not drawn'); continue; }
        const x = r.left + r.width / 2, y = r.top + r.height / 2;
        if (x < 0 || y < 0 || x > innerWidth || y > innerHeight) continue;
        const hit = document.elementFromPoint(x, y);
        const owner = hit && hit.closest('g[data-node], g[data-flow], .finding-marker');
        const what = owner ? (owner.dataset.flow || owner.className.baseVal)
                           : hit && hit.tagName;
        // a node the author drew inside this one (a called process in its call activity)
        const inner = owner && owner.dataset.node && owner.querySelector('rect, circle, polygon');
        const q = inner && inner.getBoundingClientRect();
        const nested = q && q.left >= r.left && q.right <= r.right
                         && q.top >= r.top && q.bottom <= r.bottom;
        if (!owner || (owner.dataset.node !== g.dataset.node && !nested)) {
            out.push(g.dataset.node + ' covered by ' + what);
        }
    }
    return out;
}"""


def _browse(
    tmp_path: Path, name: str, content: str, suffix: str, width: int = 1800
) -> tuple[list[str], int, dict[str, float]]:
    page_file = tmp_path / f"{name}{suffix}"
    page_file.write_text(content, encoding="utf-8")
    SHOTS.mkdir(parents=True, exist_ok=True)
    shot = SHOTS / f"{name}.png"
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 1100})
        page.goto(page_file.as_uri())
        covered = page.evaluate(_COVERED)
        size = page.evaluate("""() => { const s = document.querySelector('svg');
            const r = s.getBoundingClientRect(); return {w: r.width, h: r.height}; }""")
        page.screenshot(path=str(shot))
    return covered, shot.stat().st_size, size


@pytest.mark.parametrize(
    "name, path, orientation",
    [
        ("reference-horizontal", REFERENCE_MODEL, "horizontal"),
        ("reference-vertical", REFERENCE_MODEL, "vertical"),
        ("flawed", FLAWED_MODEL, "horizontal"),
        ("miwg-b20", SHARED_DATA / "bpmn" / "miwg-reference" / "B.2.0.bpmn", "horizontal"),
    ],
)
def test_swimlane_svg_in_chromium(tmp_path: Path, name: str, path: Path, orientation: str) -> None:
    model = api.load(path)
    svg = api.render_svg(model, findings=api.lint(model), orientation=orientation)
    covered, png_bytes, size = _browse(tmp_path, name, svg, ".svg")
    assert covered == []
    assert size["w"] > 600 and size["h"] > 300
    assert png_bytes > 40_000  # a blank page of this size compresses to a few kB


def test_report_in_chromium(tmp_path: Path) -> None:
    model = api.load(REFERENCE_MODEL)
    check = api.check(model, EXAMPLES / "saas-handoffs.csv")
    html = api.report(model, check=check)
    covered, png_bytes, size = _browse(tmp_path, "report", html, ".html", width=1400)
    assert covered == []
    assert size["h"] > 300
    assert png_bytes > 40_000


def test_a_report_draws_every_diagram_in_chromium(tmp_path: Path) -> None:
    """MIWG C.4.0's report in Chromium: its four diagrams are drawn one under the other,
    each under its title; a diagram narrower than the page keeps its own size (not
    stretched to the page), a wider one is narrowed to it; no step is covered."""
    model = api.load(SHARED_DATA / "bpmn" / "miwg-reference" / "C.4.0.bpmn")
    page_file = tmp_path / "report-diagrams.html"
    page_file.write_text(api.report(model), encoding="utf-8")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(page_file.as_uri())
        drawn = page.evaluate("""() => [...document.querySelectorAll('h3.diagram-title')].map(h => {
            const svg = h.nextElementSibling.querySelector('svg');
            const r = svg.getBoundingClientRect();
            return {title: h.textContent, top: r.top, own: svg.width.baseVal.value,
                    w: r.width, h: r.height, page: h.nextElementSibling.clientWidth};
        })""")
        covered = page.evaluate(_COVERED)
        page.screenshot(path=str(SHOTS / "report-diagrams.png"), full_page=True)
    assert [d["title"] for d in drawn] == [
        "1. Onboarding employee",
        "2. IT",
        "3. Payroll",
        "4. Facilities",
    ]
    assert [d["top"] for d in drawn] == sorted(d["top"] for d in drawn)
    assert all(d["h"] > 100 for d in drawn)
    main, *others = drawn
    assert main["own"] > main["page"] and main["w"] < main["page"]  # narrowed to the page
    for d in others:
        assert d["own"] < d["page"] and abs(d["w"] - d["own"]) < 1  # at its own size
    assert covered == []
