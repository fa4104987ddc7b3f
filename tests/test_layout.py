"""The swimlane layout: structural facts on our models and on every third-party BPMN file,
in both orientations, and the numbers that make the picture readable."""

from __future__ import annotations

import sys
from itertools import pairwise
from pathlib import Path

import pytest

from bpmtool import api
from bpmtool.layout import layout_model
from bpmtool.layout.text import text_width, wrap
from bpmtool.model import Model
from tests.conftest import FLAWED_MODEL, REFERENCE_MODEL, ROOT, SHARED_DATA, corpus_files
from tests.layout_checks import flows_through_names, layout_problems, marker_problems

BPMN_FILES = corpus_files(sorted((SHARED_DATA / "bpmn").rglob("*.bpmn")))
MODEL_FILES = [REFERENCE_MODEL, FLAWED_MODEL, *BPMN_FILES]


def _id(path: Path) -> str:
    return path.name if path.parent.name == "models" else f"{path.parent.name}/{path.name}"


def test_the_shared_bpmn_files_are_there() -> None:
    assert len(BPMN_FILES) >= 100


@pytest.mark.parametrize("orientation", ["horizontal", "vertical"])
@pytest.mark.parametrize("path", MODEL_FILES, ids=_id)
def test_layout_is_sound(path: Path, orientation: str) -> None:
    """One band per lane, every node inside its band, no overlapping shapes, every flow
    drawn with orthogonal segments that cross no node, labels clear of shapes."""
    model = api.load(path)
    lay = layout_model(model, orientation)  # type: ignore[arg-type]
    assert layout_problems(model, lay) == []
    assert lay.width > 0 and lay.height > 0
    assert marker_problems(model, lay, api.lint(model)) == []


@pytest.mark.parametrize("path", BPMN_FILES, ids=_id)
def test_markers_on_the_authors_layout_cover_no_name(path: Path) -> None:
    """On the author's diagram too, finding markers stay on the drawing and cover no
    label, title, other node or other marker."""
    model = api.load(path)
    if model.diagram is None:
        return
    assert marker_problems(model, api.layout(model), api.lint(model)) == []


def test_checks_catch_a_broken_layout() -> None:
    """The structural checks above can fail: overlap, lane escape and a crossing flow."""
    import dataclasses

    model = api.load(REFERENCE_MODEL)
    lay = layout_model(model)
    lay.nodes["run_demo"] = dataclasses.replace(
        lay.nodes["run_demo"], box=lay.nodes["qualify_lead"].box
    )
    assert "nodes qualify_lead and run_demo overlap" in layout_problems(model, lay)
    lay = layout_model(model)
    lay.nodes["run_demo"] = dataclasses.replace(lay.nodes["run_demo"], band="customer")
    assert "node run_demo escapes its lane customer" in layout_problems(model, lay)
    lay = layout_model(model)
    edge = next(e for e in lay.edges if e.source == "need")
    far = lay.nodes["renewed"].box
    lay.edges[lay.edges.index(edge)] = dataclasses.replace(
        edge, points=(edge.points[0], (far.cx, edge.points[0][1]), (far.cx, far.cy))
    )
    assert any("crosses node" in p for p in layout_problems(model, lay))


def test_reference_model_reads_left_to_right_in_lane_order() -> None:
    model = api.load(REFERENCE_MODEL)
    lay = layout_model(model)
    # external parties on top (listed first), then the team lanes in the model's order
    assert [b.id for b in lay.bands] == ["customer", "sales", "impl", "support", "success"]
    tops = [b.box.y for b in lay.bands]
    assert tops == sorted(tops)
    x = {n: p.box.cx for n, p in lay.nodes.items()}
    # the main line goes left to right, one step after another
    main = [
        "need",
        "request_demo",
        "qualify_lead",
        "run_demo",
        "send_proposal",
        "review_proposal",
        "deal_decision",
        "sign_contract",
        "close_deal",
        "kickoff",
    ]
    # each step after the last, or straight under (or over) it in another lane
    assert all(x[a] <= x[b] for a, b in pairwise(main))
    y = {n: p.box.cy for n, p in lay.nodes.items()}
    straight = {(e.source, e.target): e.bends for e in lay.edges}
    for a, b in pairwise(main):
        if x[a] == x[b]:
            assert lay.nodes[a].band != lay.nodes[b].band and straight[(a, b)] == 0
    # a chain inside one lane stays on one line: straight flows, no bends
    assert y["qualify_lead"] == y["run_demo"] == y["send_proposal"]
    straight = {(e.source, e.target): e.bends for e in lay.edges}
    assert straight[("qualify_lead", "run_demo")] == 0
    assert straight[("run_demo", "send_proposal")] == 0
    # the rework loop goes back (right to left) under its row
    loop = next(e for e in lay.edges if (e.source, e.target) == ("fix_defects", "run_uat"))
    assert loop.points[-1][0] < loop.points[0][0]
    assert max(p[1] for p in loop.points) > lay.nodes["fix_defects"].box.bottom
    # few bends: no flow needs more than four
    assert max(e.bends for e in lay.edges) <= 4


def test_handoff_labels_name_the_artifact_beside_the_flow() -> None:
    model = api.load(REFERENCE_MODEL)
    lay = layout_model(model)
    edge = next(e for e in lay.edges if (e.source, e.target) == ("request_demo", "qualify_lead"))
    assert edge.label is not None and edge.label.lines == ("Demo request",)
    # the handoff runs straight down to the next lane; its label beside the line, between
    # the two steps
    (x1, y1), (x2, y2) = edge.points
    assert x1 == x2 and y2 > y1
    assert 0 < edge.label.box.x - x1 < 20
    assert y1 <= edge.label.box.y and edge.label.box.bottom <= y2
    # a flow along a lane: its label just before the arrow, above the flow
    edge = next(e for e in lay.edges if (e.source, e.target) == ("close_deal", "kickoff"))
    end = edge.points[-1]
    if edge.label is not None and abs(edge.points[-2][1] - end[1]) < 0.01:
        assert edge.label.box.right <= end[0] and edge.label.box.bottom <= end[1]


@pytest.mark.parametrize("orientation", ["horizontal", "vertical"])
@pytest.mark.parametrize("path", [REFERENCE_MODEL, FLAWED_MODEL], ids=_id)
def test_no_flow_runs_through_a_name(path: Path, orientation: str) -> None:
    """No flow crosses the name under (or beside) an event or gateway ("Accepted?"): a loop
    leaves and enters such a node through the gap beside it, not through its name."""
    lay = layout_model(api.load(path), orientation)  # type: ignore[arg-type]
    assert flows_through_names(lay) == []


def test_vertical_orientation_swaps_the_axes() -> None:
    model = api.load(REFERENCE_MODEL)
    h, v = layout_model(model), layout_model(model, "vertical")
    lefts = [b.box.x for b in v.bands]
    assert lefts == sorted(lefts) and len(set(lefts)) == len(lefts)
    assert v.nodes["need"].box.y < v.nodes["renewed"].box.y
    assert h.nodes["need"].box.x < h.nodes["renewed"].box.x
    assert v.height > v.width and h.width > h.height


def test_layout_is_deterministic() -> None:
    model = api.load(FLAWED_MODEL)
    assert layout_model(model) == layout_model(model)
    svg = api.render_svg(model, findings=api.lint(model))
    assert svg == api.render_svg(api.load(FLAWED_MODEL), findings=api.lint(model))


def test_a_model_without_lanes_gets_one_band() -> None:
    model = Model.model_validate(
        {
            "id": "bare",
            "nodes": [{"id": "s", "type": "start"}, {"id": "a"}, {"id": "e", "type": "end"}],
            "flows": ["s -> a", "a -> e"],
        }
    )
    lay = layout_model(model)
    assert [b.kind for b in lay.bands] == ["none"]
    assert layout_problems(model, lay) == []


def test_text_wrapping() -> None:
    assert wrap("Sales-to-implementation handover notes", 120, 3, 11) == [
        "Sales-to-",
        "implementation",
        "handover notes",
    ]
    lines = wrap("word " * 40, 100, 2)
    assert len(lines) == 2 and lines[-1].endswith("…")
    assert all(text_width(line) <= 100 for line in lines)
    assert wrap("", 100) == []


def test_benchmark_model_of_300_nodes_lays_out_cleanly() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate_model import generate_model
    finally:
        sys.path.pop(0)
    model = Model.model_validate(generate_model(300, 8))
    lay = layout_model(model)
    assert len([b for b in lay.bands if b.kind == "lane"]) == 8
    assert layout_problems(model, lay) == []


def test_labels_stay_on_the_drawing() -> None:
    for orientation in ("horizontal", "vertical"):
        for path in (REFERENCE_MODEL, FLAWED_MODEL):
            lay = layout_model(api.load(path), orientation)  # type: ignore[arg-type]
            for e in lay.edges:
                if e.label is not None:
                    b = e.label.box
                    assert b.x >= 0 and b.y >= 0, (path.name, orientation, e.label.lines)
                    assert b.right <= lay.width and b.bottom <= lay.height


def test_marker_and_legend_geometry_are_numbers_from_the_layout() -> None:
    """Finding markers and legend lines are computed in bpmtool.layout (render only draws
    them): a finding on a node sits on its top-right corner, findings sharing a spot step
    18 px to the left, and legend lines are 18 px apart with the severity on the first line
    of each finding."""
    from bpmtool.layout.marks import LEGEND_LINE, finding_markers, legend, legend_height

    model = api.load(FLAWED_MODEL)
    lay = api.layout(model)
    findings = api.lint(model)
    markers = finding_markers(lay, model, findings)
    assert [m.number for m in markers] == sorted(m.number for m in markers)
    on_node = next(m for m in markers if m.finding.subject[0] in lay.nodes)
    box = lay.nodes[on_node.finding.subject[0]].box
    first = [m for m in markers if (m.x, m.y) == (box.right - 2, box.y + 2)]
    assert first, "a finding on a node is marked on its top-right corner"
    same = [m for m in markers if m.y == box.y + 2 and box.x < m.x <= box.right - 2]
    xs = sorted((m.x for m in same), reverse=True)
    assert all(round(a - b, 6) == 18 for a, b in pairwise(xs))
    lines = legend(findings, lay.width, caption="Numbered: lint")
    assert lines[0].text == "Numbered: lint" and lines[0].severity == ""
    assert [ln.y for ln in lines] == [i * LEGEND_LINE for i in range(len(lines))]
    starts = [ln for ln in lines if ln.severity]
    assert len(starts) == len(findings)
    assert legend_height(lines) == len(lines) * LEGEND_LINE + 40 and legend_height([]) == 0
