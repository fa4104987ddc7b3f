"""BPMN notation on the swimlane SVG, as the specification draws it: thrown and caught
event definitions, non-interrupting events, activity markers and types, sub-process frames,
data, notes, and message flows between pools; unnamed elements carry no label."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from bpmtool import api
from tests.conftest import SHARED_DATA

SVG = "{http://www.w3.org/2000/svg}"
B = "http://www.omg.org/spec/BPMN/20100524/MODEL"

NOTATION = Path(__file__).parent / "fixtures" / "notation.bpmn"


@pytest.fixture(scope="module")
def drawn() -> etree._Element:
    """A shop and a bank (a black box): every kind of notation, drawn where the file says."""
    svg = api.render_svg(api.load(NOTATION), findings=False)
    return etree.fromstring(svg.encode(), etree.XMLParser(resolve_entities=False, no_network=True))


def _node(root: etree._Element, ident: str) -> etree._Element:
    found = root.find(f".//{SVG}g[@data-node='{ident}']")
    assert found is not None, ident
    return found


def _texts(el: etree._Element) -> list[str]:
    return [t.text or "" for t in el.iter(f"{SVG}text")]


def test_thrown_events_are_filled_caught_ones_outlined(drawn: etree._Element) -> None:
    def icon(ident: str) -> etree._Element:
        found = _node(drawn, ident).find(f"{SVG}path[@data-definition]")
        assert found is not None, ident
        return found

    assert icon("wait").get("data-definition") == "message"
    assert "caught" in icon("wait").get("class", "")
    assert "thrown" in icon("notify").get("class", "")
    assert icon("e").get("data-definition") == "terminate"
    assert icon("late").get("data-definition") == "timer"
    assert "caught" in icon("late").get("class", "")


def test_a_non_interrupting_boundary_event_is_dashed(drawn: etree._Element) -> None:
    circles = _node(drawn, "late").findall(f"{SVG}circle")
    assert len(circles) == 2  # an intermediate event's double ring
    assert all("non-interrupting" in c.get("class", "") for c in circles)
    assert all(
        "non-interrupting" not in c.get("class", "")
        for c in _node(drawn, "wait").findall(f"{SVG}circle")
    )


def test_activity_markers_and_types(drawn: etree._Element) -> None:
    def markers(ident: str) -> list[str]:
        return [p.get("data-marker") for p in _node(drawn, ident).iter() if p.get("data-marker")]

    assert markers("order") == ["sequential"]
    assert markers("bill") == ["loop"]
    assert markers("undo") == ["parallel", "compensation"]
    assert markers("fix") == []
    icons = [p.get("data-task-type") for p in _node(drawn, "order").iter(f"{SVG}path")]
    assert "userTask" in icons
    call = _node(drawn, "check").find(f"{SVG}rect")
    assert "call" in call.get("class", "")


def test_frames_data_notes_and_pools(drawn: etree._Element) -> None:
    frame = drawn.find(f".//{SVG}g[@data-subprocess='sub']")
    assert frame is not None and "Ship" in _texts(frame)
    rect = frame.find(f"{SVG}rect")
    box = (float(rect.get("x")), float(rect.get("y")), float(rect.get("width")))
    assert box == (730.0, 10.0, 300.0)
    data = drawn.find(f".//{SVG}g[@data-artifact]")
    assert data is not None and "Invoice" in _texts(data)
    note = drawn.find(f".//{SVG}g[@data-annotation]")
    assert note is not None and _texts(note) == ["Ask twice"]
    assert drawn.find(f".//{SVG}g[@data-group]") is not None
    kinds = [g.get("class") for g in drawn.iter(f"{SVG}g") if (g.get("class") or "")[:5] == "link "]
    assert sorted(kinds) == ["link link-association", "link link-data"]
    pools = {g.get("data-pool"): _texts(g) for g in drawn.iter(f"{SVG}g") if g.get("data-pool")}
    assert pools == {"shop": ["Shop"], "bank": []}  # a black box: its band has the title
    bank = drawn.find(f".//{SVG}g[@data-lane='bank']")
    assert bank is not None and _texts(bank) == ["Bank"]
    message = drawn.find(f".//{SVG}g[@data-flow='pay']")
    assert message is not None and "flow-message" in message.get("class", "")
    line = message.find(f"{SVG}path")
    assert line.get("marker-start") == "url(#message-start)"
    assert line.get("marker-end") == "url(#arrow-message)"


def test_names_not_conditions_and_nothing_for_unnamed(drawn: etree._Element) -> None:
    labels = [
        "".join(_texts(g)) for g in drawn.iter(f"{SVG}g") if "flow-label " in g.get("class", "")
    ]
    assert labels == ["yes"]  # the named flow; the unnamed one shows no expression
    shown = " ".join(t.text or "" for t in drawn.iter(f"{SVG}text", f"{SVG}title"))
    assert "lane_guid_1" not in shown
    written = " ".join(t.text or "" for t in drawn.iter(f"{SVG}text"))
    assert "${" not in written
    assert _texts(_node(drawn, "x")) == [] and _texts(_node(drawn, "s")) == []
    # an activity's name is written once, inside its box
    assert _texts(_node(drawn, "bill")) == ["Bill"]


MIWG = sorted((SHARED_DATA / "bpmn" / "miwg-reference").glob("*.bpmn"))


@pytest.mark.parametrize("path", MIWG, ids=lambda p: p.name)
def test_miwg_markers_and_definitions_are_drawn(path: Path) -> None:
    """On the reference files: every drawn activity with loop characteristics has its
    marker, every drawn event with one definition its icon."""
    model = api.load(path)
    root = etree.fromstring(
        api.render_svg(model, findings=False).encode(),
        etree.XMLParser(resolve_entities=False, no_network=True),
    )
    drawn = {g.get("data-node"): g for g in root.iter(f"{SVG}g") if g.get("data-node")}
    for node in model.nodes:
        if node.id not in drawn:
            continue
        marks = {p.get("data-marker") for p in drawn[node.id].iter() if p.get("data-marker")}
        if node.loop is not None:
            assert ("loop" if node.loop == "standard" else node.loop) in marks, node.id
        kinds = (node.event_definition or "").split(",")
        if node.is_event and len(kinds) == 1 and kinds[0] in ("message", "timer", "signal"):
            icon = drawn[node.id].find(f"{SVG}path[@data-definition]")
            assert icon is not None and icon.get("data-definition") == kinds[0], node.id
    xml = etree.parse(str(path))
    loops = xml.findall(f".//{{{B}}}standardLoopCharacteristics") + xml.findall(
        f".//{{{B}}}multiInstanceLoopCharacteristics"
    )
    assert sum(n.loop is not None for n in model.nodes) <= len(loops)
