"""bpmtool's own layout is compact and keeps its lanes full: the example's width, the lane
fill rule (bpmtool.layout.measures) on our models, a generated one and the corpus, and the
number of flows that run through a name, pinned where the layout stands."""

from __future__ import annotations

import re
import sys

import pytest

from bpmtool import api
from bpmtool.layout import layout_model
from bpmtool.layout.measures import lane_fill, mostly_empty
from bpmtool.model import Model
from tests.conftest import FLAWED_MODEL, REFERENCE_MODEL, ROOT, SHARED_DATA, corpus_files
from tests.layout_checks import flows_through_flow_labels, flows_through_names, layout_problems

BPMN_FILES = corpus_files(sorted((SHARED_DATA / "bpmn").rglob("*.bpmn")))


def _generated(nodes: int, lanes: int) -> Model:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        from generate_model import generate_model
    finally:
        sys.path.pop(0)
    return Model.model_validate(generate_model(nodes, lanes))


def test_the_example_fits_in_half_the_width_it_took() -> None:
    """The 33-step example took 5,685 px with a column per step; at the same 12 px font it
    now takes at most half of that, with activities at the size bpmn.io draws them."""
    lay = layout_model(api.load(REFERENCE_MODEL))
    assert lay.width <= 5_685 / 2
    assert len({p.column for p in lay.nodes.values()}) <= 19
    box = lay.nodes["run_demo"].box
    assert (box.width, box.height) == (100.0, 80.0)


@pytest.mark.parametrize("orientation", ["horizontal", "vertical"])
def test_no_lane_of_our_models_is_mostly_empty(orientation: str) -> None:
    models = [api.load(REFERENCE_MODEL), api.load(FLAWED_MODEL), _generated(300, 8)]
    models += [_generated(60, 4)]
    for model in models:
        fills = lane_fill(layout_model(model, orientation))  # type: ignore[arg-type]
        assert [f for f in fills.values() if mostly_empty(f)] == [], model.id


def test_the_example_lanes_are_filled_as_measured() -> None:
    """The example's fills (docs/render.md): every lane with work in at least a quarter of
    the columns covers at least 30 % of its length."""
    fills = lane_fill(layout_model(api.load(REFERENCE_MODEL)))
    for lane in ("customer", "sales", "impl", "success"):
        assert fills[lane].fill >= 0.30, fills[lane]
    assert fills["support"].columns == 1  # one step: as full as its one column


def test_no_lane_of_the_corpus_is_mostly_empty() -> None:
    """Every third-party BPMN file, laid out by bpmtool in both orientations."""
    empty = []
    for path in BPMN_FILES:
        model = api.load(path)
        for orientation in ("horizontal", "vertical"):
            for fill in lane_fill(layout_model(model, orientation)).values():  # type: ignore[arg-type]
                if mostly_empty(fill):
                    empty.append((path.name, orientation, fill))
    assert empty == []


def test_the_lane_rule_can_fail() -> None:
    """A lane whose steps all stand in narrow columns while the other lane's columns are
    wide (long flow names in their gaps) is mostly empty by the rule."""
    events = [{"id": f"e{i}", "type": "intermediate", "lane": "a"} for i in range(4)]
    tasks = [{"id": f"t{i}", "name": f"Task {i}", "lane": "b"} for i in range(4)]
    flows = [f"e{i} -> e{i + 1}" for i in range(3)] + ["e3 -> t0"]
    flows += [
        {"source": f"t{i}", "target": f"t{i + 1}", "name": "a long name on the flow " * 2}
        for i in range(3)
    ]
    model = Model.model_validate(
        {
            "id": "lopsided",
            "lanes": [{"id": "a"}, {"id": "b"}],
            "nodes": [{"id": "s", "type": "start", "lane": "a"}, *events, *tasks],
            "flows": ["s -> e0", *flows],
        }
    )
    fills = lane_fill(layout_model(model))
    assert mostly_empty(fills["a"]), fills["a"]
    assert not mostly_empty(fills["b"])


def _other_names(crossings: list[str]) -> list[str]:
    """Crossings of the name of a node that is not one of the flow's own ends."""
    out = []
    for line in crossings:
        m = re.search(r"\((\S+)->(\S+)\) crosses the name of (\S+)$", line)
        if m is None or m.group(3) not in (m.group(1), m.group(2)):
            out.append(line)
    return out


def test_flows_through_names_on_the_corpus_are_pinned() -> None:
    """Flows that run through a written name, over both models and every corpus file in
    both orientations: through an event's or gateway's name 0 (34 through other nodes'
    names, 52 in all, before the compact layout), through another flow's label at most 1
    (56 before; the one left: two flows into one task of Signavio's C.9.0, vertical)."""
    names: list[str] = []
    labels: list[str] = []
    for path in [REFERENCE_MODEL, FLAWED_MODEL, *BPMN_FILES]:
        model = api.load(path)
        for orientation in ("horizontal", "vertical"):
            lay = layout_model(model, orientation)  # type: ignore[arg-type]
            names += [f"{path.name} {orientation}: {c}" for c in flows_through_names(lay)]
            labels += [f"{path.name} {orientation}: {c}" for c in flows_through_flow_labels(lay)]
    assert _other_names(names) == [] and names == []
    assert len(labels) <= 1, labels


def test_the_crossing_checks_can_fail() -> None:
    import dataclasses

    model = api.load(REFERENCE_MODEL)
    lay = layout_model(model)
    gate = lay.nodes["deal_decision"]
    assert gate.label is not None
    edge = next(e for e in lay.edges if e.source == "run_demo")
    lb = gate.label.box
    lay.edges[lay.edges.index(edge)] = dataclasses.replace(
        edge, points=((lb.x - 5, lb.cy), (lb.right + 5, lb.cy))
    )
    assert _other_names(flows_through_names(lay))
    labelled = next(e for e in lay.edges if e.label is not None)
    lb = labelled.label.box  # type: ignore[union-attr]
    lay.edges[0] = dataclasses.replace(
        lay.edges[0], points=((lb.x - 5, lb.cy), (lb.right + 5, lb.cy))
    )
    assert flows_through_flow_labels(lay)
    band = lay.bands[1].box
    lay.edges[lay.edges.index(labelled)] = dataclasses.replace(
        labelled,
        label=dataclasses.replace(labelled.label, box=dataclasses.replace(lb, y=band.y - 5)),  # type: ignore[arg-type]
    )
    assert any("leaves its lane" in p for p in layout_problems(model, lay))


def test_no_flow_label_leaves_its_lane_on_the_example() -> None:
    for orientation in ("horizontal", "vertical"):
        lay = layout_model(api.load(REFERENCE_MODEL), orientation)  # type: ignore[arg-type]
        assert [p for p in layout_problems(api.load(REFERENCE_MODEL), lay) if "lane" in p] == []


def test_the_overlays_flow_numbers_cover_no_name() -> None:
    """With a log, each flow's numbers go where they cover no flow's or node's name (the
    middle of its longest segment when that is free), and each activity's under it, beside
    or above it, wherever no name is."""
    from bpmtool.layout.geometry import Box
    from bpmtool.render.svg import Overlay, render_svg

    model = api.load(REFERENCE_MODEL)
    lay = layout_model(model)
    text = "341 · 1.9d · p90 3.01d"
    activities = [n.id for n in model.nodes if n.is_activity]
    svg = render_svg(
        model,
        overlay=Overlay(
            flow_notes=dict.fromkeys(range(len(model.flows)), text),
            node_notes=dict.fromkeys(activities, "338 cases · 1.6d"),
        ),
    )
    rects = re.findall(
        r'data-flow-note="(\d+)"><rect class="count-bg" height="([\d.]+)" rx="2" '
        r'width="([\d.]+)" x="([-\d.]+)" y="([-\d.]+)"',
        svg,
    )
    assert len(rects) == len(lay.edges)
    names = [e.label.box for e in lay.edges if e.label is not None]
    names += [p.label.box for p in lay.nodes.values() if p.label is not None]
    covered = [
        i
        for i, h, w, x, y in rects
        if any(Box(float(x), float(y), float(w), float(h)).overlaps(n) for n in names)
    ]
    assert covered == []
    notes = re.findall(
        r'data-node-note="([^"]+)"><rect class="count-bg" height="([\d.]+)" rx="2" '
        r'width="([\d.]+)" x="([-\d.]+)" y="([-\d.]+)"',
        svg,
    )
    assert len(notes) == len(activities)
    covered = [
        i
        for i, h, w, x, y in notes
        if any(Box(float(x), float(y), float(w), float(h)).overlaps(n) for n in names)
    ]
    assert covered == []
