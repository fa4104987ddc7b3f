"""The model page of a BPMN file with several diagrams offers them and draws the one chosen."""

from __future__ import annotations

from tests.conftest import SHARED_DATA

C4 = SHARED_DATA / "bpmn" / "miwg-reference" / "C.4.0.bpmn"


def _drawing(html: str) -> str:
    """The swimlane card's drawing (the page's tables list every activity)."""
    start = html.index("<h2>Swimlane</h2>")
    return html[start : html.index("</svg>", start)]


def test_the_model_page_offers_and_draws_each_diagram(client) -> None:
    client.post("/api/models", files={"file": ("c4.bpmn", C4.read_bytes())})
    first = client.get("/models/c4.bpmn")
    assert first.status_code == 200
    for n, name in enumerate(["Onboarding employee", "IT", "Payroll", "Facilities"], start=1):
        assert f'<option value="{n}"' in first.text and f"{n}. {name}</option>" in first.text
    drawn = _drawing(first.text)
    assert "Send candidate" in drawn and "Create domain" not in drawn
    it = client.get("/models/c4.bpmn?diagram=2")
    assert it.status_code == 200
    drawn = _drawing(it.text)
    assert "Create domain" in drawn and "Send candidate" not in drawn
    assert '<option value="2" selected>' in it.text
    assert 'download/svg?diagram=2"' in it.text
    svg = client.get("/models/c4.bpmn/download/svg?diagram=2")
    assert svg.status_code == 200 and "diagram-2.svg" in svg.headers["content-disposition"]
    assert "Create domain" in svg.text and "Send candidate" not in svg.text
    assert client.get("/models/c4.bpmn/download/svg?diagram=7").status_code == 404
    missing = client.get("/models/c4.bpmn?diagram=9")
    assert missing.status_code == 404 and "there is no diagram 9" in missing.text
    asked = client.get("/models/c4.bpmn?diagram=9", headers={"accept": "application/json"})
    assert asked.status_code == 404 and "there is no diagram 9" in str(asked.json())


def test_an_unnamed_diagram_is_offered_by_what_it_draws(client) -> None:
    """bpmn.io's B.2.0 names none of its diagrams: the menu offers the drill-downs by the
    sub-process they draw the inside of, with the report's titles."""
    from bpmtool import api

    path = SHARED_DATA / "bpmn" / "bpmn-io-18-6-1" / "B.2.0-export.bpmn"
    client.post("/api/models", files={"file": ("b2.bpmn", path.read_bytes())})
    page = client.get("/models/b2.bpmn")
    assert page.status_code == 200
    titles = api.diagram_titles(api.load(path))
    assert titles[1:] == [
        "2. inside Collapsed Sub-Process 1 Multi-instances",
        "3. inside Collapsed Sub-Process 2",
    ]
    for n, title in enumerate(titles, start=1):
        assert f'<option value="{n}"' in page.text and f">{title}</option>" in page.text


def test_a_model_with_one_diagram_offers_no_choice(client) -> None:
    one = SHARED_DATA / "bpmn" / "miwg-reference" / "A.1.0.bpmn"
    client.post("/api/models", files={"file": ("a1.bpmn", one.read_bytes())})
    page = client.get("/models/a1.bpmn")
    assert page.status_code == 200 and 'name="diagram"' not in page.text


def test_the_render_api_draws_a_chosen_diagram(client) -> None:
    files = {"file": ("c4.bpmn", C4.read_bytes())}
    it = client.post("/api/render?diagram=IT", files=files)
    assert it.status_code == 200 and it.headers["content-type"].startswith("image/svg+xml")
    assert "Create domain" in it.text and "Send candidate" not in it.text
    wrong = client.post("/api/render?diagram=Sales", files={"file": ("c4.bpmn", C4.read_bytes())})
    assert 400 <= wrong.status_code < 500
    assert "no diagram 'Sales'" in str(wrong.json())
