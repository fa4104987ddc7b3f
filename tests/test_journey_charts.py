"""The journey charts: well-formed SVG, the numbers a reader looks for, the same bytes each time."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from lxml import etree
from test_journey_scenario import NOW, scenario_log

from bpmtool import api
from bpmtool.render.journey_charts import journey_charts, quadrant_svg

REFERENCE = Path(__file__).resolve().parent.parent / "models" / "saas-handoffs.yaml"
SVG = "{http://www.w3.org/2000/svg}"
SURVEYS = pd.DataFrame({"case_id": ["ok-a0", "ok-a1", "build-0", "build-1"], "nps": [9, 4, 10, 0]})


def _charts() -> dict[str, str]:
    return journey_charts(
        api.journey(api.load(REFERENCE), scenario_log(), surveys=SURVEYS, now=NOW)
    )


def test_funnel_shows_every_stage_with_count_and_conversion() -> None:
    svg = _charts()["funnel"]
    root = etree.fromstring(svg.encode())
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[:2] == ["All cases", "19"]
    assert {"Build", "Grow", "Ignite", "16 · 84%", "10 · 62%", "8 · 80%"} <= set(texts)
    assert len(root.findall(f"{SVG}rect")) == 1 + 4  # background and four bars


def test_quadrants_name_each_cell_with_its_count() -> None:
    root = etree.fromstring(_charts()["quadrants"].encode())
    texts = {t.text for t in root.iter(f"{SVG}text")}
    assert {
        "Champion (1)",
        "Loyal but unhappy (1)",
        "Happy but drifting (1)",
        "At risk (1)",
    } <= texts
    assert len(root.findall(f"{SVG}circle")) == 4


def test_the_same_input_draws_the_same_bytes() -> None:
    assert _charts() == _charts()


def test_many_customers_share_dots_so_the_drawing_stays_small() -> None:
    points = [(float(i % 100), float(i % 11)) for i in range(50_000)]
    data = {"scale": "nps", "happy_at": 7, "behaviour_high_at": 50, "quadrants": []}
    root = etree.fromstring(quadrant_svg(data, points).encode())
    assert len(root.findall(f"{SVG}circle")) <= 50 * 11
