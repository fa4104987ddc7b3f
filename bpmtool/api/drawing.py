"""Drawing: the swimlane layout and the SVG (with a check's, a journey's or a discovery's
numbers over it); the report that embeds it is :mod:`bpmtool.api.reports`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NamedTuple

from bpmtool.api.models import lint
from bpmtool.errors import InputError
from bpmtool.findings import Finding
from bpmtool.model import Diagram, Model

if TYPE_CHECKING:
    from bpmtool.discovery.discover import Discovery
    from bpmtool.distributed import Cluster
    from bpmtool.io.eventlog import Progress
    from bpmtool.layout import Layout
    from bpmtool.mining.check import CheckResult
    from bpmtool.mining.flow_numbers import FlowNumbers
    from bpmtool.mining.journey_result import JourneyResult
    from bpmtool.render.svg import Overlay


# --- drawing (layout, render) ---

ORIENTATIONS = ("horizontal", "vertical")


def _orientation(orientation: str) -> Any:
    if orientation not in ORIENTATIONS:
        raise InputError.single(
            f"unknown orientation {orientation!r}", expected="horizontal or vertical"
        )
    return orientation


def diagram_names(model: Model) -> list[str]:
    """The names of the model's diagrams (a BPMN file may have several: one per pool, or
    one drilling into a sub-process), in the order ``diagram=N`` numbers them from 1; an
    unnamed diagram is ``""``.  Empty for a model bpmtool lays out itself."""
    from bpmtool.layout.from_di import diagrams_of

    return [d.label for d in diagrams_of(model)]


def choose_diagram(model: Model, diagram: str | int | None) -> Model:
    """The model drawn from its diagram number ``diagram`` (from 1) or of that name (see
    :func:`diagram_names`); ``None``: its main diagram.  Raises ``InputError`` naming
    the diagrams it has when there is no such diagram."""
    from bpmtool.io.bpmn_pools import drawn_order
    from bpmtool.layout.from_di import choose_diagram as choose

    chosen = choose(model, diagram)
    if diagram is None or chosen.diagram is None:
        return chosen
    # a BPMN file's pools and lanes are read in the order its main diagram draws them: put
    # them in the chosen diagram's order, so a file written with it reads back as written
    order: dict[str, Any] = {
        "pools": [{"id": p.id, "item": p} for p in chosen.pools],
        "lanes": [{"id": lane.id, "pool": lane.pool, "item": lane} for lane in chosen.lanes],
    }
    drawn_order(order, {"shapes": [s.model_dump() for s in chosen.diagram.shapes]})
    return chosen.model_copy(
        update={key: [x["item"] for x in order[key]] for key in ("pools", "lanes")}
    )


def layout(
    model: Model,
    *,
    orientation: str = "horizontal",
    relayout: bool = False,
    diagram: str | int | None = None,
) -> Layout:
    """The geometry a diagram is drawn and exported with, in pixels: the author's layout
    when the model came with one (a BPMN file's diagram — ``diagram`` chooses another of
    them, see :func:`choose_diagram`), unless ``relayout`` asks for bpmtool's own swimlane
    layout (bands, node boxes, edge routes and labels) in ``orientation``; bpmtool's layout
    for a model without a diagram."""
    from bpmtool.layout import layout_model

    _orientation(orientation)
    model = choose_diagram(model, diagram)
    if model.diagram is not None and not relayout:
        from bpmtool.layout.from_di import layout_from_diagram

        return layout_from_diagram(model)
    return layout_model(model, _orientation(orientation))


def diagram_findings(model: Model, check: CheckResult | None = None) -> list[Finding]:
    """The findings a swimlane diagram numbers: the model's lint findings and, when a log was
    checked, the check's — the one set the CLI, the web app, the demo and the report draw."""
    from bpmtool.findings import sort_findings

    return sort_findings([*lint(model), *(check.findings if check is not None else [])])


def _findings_caption(findings: list[Finding], check: CheckResult | None) -> str:
    """The legend's statement of which findings a diagram numbers."""
    if not findings:
        return ""
    lint_codes = sum(1 for f in findings if f.code not in _log_codes())
    if check is None:
        return f"Numbered: the model's {lint_codes} lint finding(s) (bpmtool lint)."
    return (
        f"Numbered: lint + check — the model's {lint_codes} lint finding(s) and the "
        f"log's {len(findings) - lint_codes} check finding(s)."
    )


def _log_codes() -> set[str]:
    from bpmtool.findings import RULES

    return {code for code, rule in RULES.items() if rule.scope == "log"}


def render_svg(
    model: Model,
    *,
    findings: bool | list[Finding] | None = True,
    overlay: CheckResult | None = None,
    orientation: str = "horizontal",
    legend: bool = True,
    happy: JourneyResult | None = None,
    relayout: bool = False,
    discovery: Discovery | None = None,
    diagram: str | int | None = None,
    cluster: Cluster | None = None,
    read_progress: Progress | None = None,
) -> str:
    """The swimlane SVG, drawn on :func:`layout` (the author's layout when the model has
    one — ``diagram`` picks which, when it has several — unless ``relayout``).

    ``findings=True`` (the default) numbers :func:`diagram_findings` — lint, plus the check's
    findings when ``overlay`` (a check result) is given — and the legend says which; a list
    numbers exactly those findings; ``False`` or ``None`` none.  ``overlay`` draws how often
    each flow was walked and what was skipped or slow; a journey result (``happy``) draws
    its happy paths instead; a ``discovery`` (of this model) its process map.  A check or a
    discovery writes case counts and median times on flows and boxes and draws the handoffs
    the model lacks as dashed curves (:func:`flow_numbers`; of a check that ran partition
    by partition, read on the ``cluster``'s workers when given; ``read_progress(done,
    total)`` follows the partitions)."""
    from bpmtool.render.overlay import numbers_overlay, overlay_of
    from bpmtool.render.svg import render_svg as draw

    model = choose_diagram(model, diagram)
    drawn: Overlay | None = (
        overlay_of(overlay, model, flow_numbers(model, overlay, cluster, read_progress))
        if overlay is not None
        else None
    )
    if discovery is not None:
        drawn = numbers_overlay(
            model, discovery.numbers, discovery.handoffs, discovery.cases, discovery.shares()
        )
    if happy is not None:
        drawn = _happy_overlay(model, happy)
    marked: list[Finding] = []
    caption = ""
    if findings is True:
        marked = diagram_findings(model, overlay)
        caption = _findings_caption(marked, overlay)
    elif isinstance(findings, list):
        marked = findings
    return draw(
        model,
        findings=marked,
        overlay=drawn,
        orientation=_orientation(orientation),
        legend=legend,
        findings_caption=caption,
        layout=layout(model, orientation=orientation, relayout=relayout),
    )


class DiagramDrawing(NamedTuple):
    """One diagram of a model, drawn."""

    #: its number and name — else what it is drawn for (a pool, the inside of a
    #: sub-process), else its id: ``"2. IT"``
    title: str
    #: the SVG; ``""`` for a diagram that draws nothing (e.g. an empty drill-down)
    svg: str


def diagram_drawings(
    model: Model,
    *,
    findings: list[Finding],
    overlay: CheckResult | None = None,
    orientation: str = "horizontal",
    happy: JourneyResult | None = None,
    cluster: Cluster | None = None,
    read_progress: Progress | None = None,
) -> list[DiagramDrawing]:
    """Every diagram of a model whose file has several, drawn without a legend, in the
    order :func:`diagram_names` numbers them, the main one first.  ``findings`` are
    numbered alike on every diagram, each marked on the diagram that draws its subject;
    ``overlay`` (a check) draws on each, or a journey's happy paths (``happy``) do; the
    check's flow numbers are read once (``cluster`` and ``read_progress`` as in
    :func:`render_svg`).  Empty for a model with one diagram or none."""
    from bpmtool.layout.from_di import diagrams_of
    from bpmtool.render.overlay import overlay_of
    from bpmtool.render.svg import render_svg as draw

    every = diagrams_of(model)
    if len(every) < 2:
        return []
    drawn = (
        overlay_of(overlay, model, flow_numbers(model, overlay, cluster, read_progress))
        if overlay is not None
        else None
    )
    if happy is not None:
        drawn = _happy_overlay(model, happy)
    out = []
    for number, (diagram, title) in enumerate(zip(every, diagram_titles(model), strict=True), 1):
        if not (diagram.shapes or diagram.edges):
            out.append(DiagramDrawing(title, ""))
            continue
        chosen = choose_diagram(model, number)
        svg = draw(
            chosen,
            findings=findings,
            overlay=drawn,
            orientation=_orientation(orientation),
            legend=False,
            layout=layout(chosen, orientation=orientation),
        )
        out.append(DiagramDrawing(title, svg))
    return out


def diagram_titles(model: Model) -> list[str]:
    """What the report calls each of the model's diagrams, in the order ``diagram=N``
    numbers them: the number and the name — else what the diagram is drawn for (a pool,
    ``inside`` a sub-process or call activity), else its id — e.g. ``"2. IT"``.  Empty for
    a model bpmtool lays out itself."""
    from bpmtool.layout.from_di import diagrams_of

    return [f"{n}. {_diagram_title(model, d)}" for n, d in enumerate(diagrams_of(model), 1)]


def _diagram_title(model: Model, diagram: Diagram) -> str:
    if diagram.name:
        return diagram.name
    shows = diagram.shows
    if shows in model.pool_by_id:
        return model.pool_by_id[shows].label
    if shows in model.node_by_id:
        return f"inside {model.node_by_id[shows].label}"
    if shows in model.subprocess_by_id:
        return f"inside {model.subprocess_by_id[shows].label}"
    return diagram.id or "(unnamed)"


def _happy_overlay(model: Model, happy: JourneyResult) -> Overlay:
    """A journey's happy paths drawn over the swimlanes: how many successful cases walk
    each flow."""
    from bpmtool.mining.flow_counts import flow_counts
    from bpmtool.render.overlay import happy_overlay

    paths = happy.to_dict(limit=0)["happy_paths"]
    walks = [(tuple(p["nodes"]), int(p["cases"])) for p in paths["paths"]]
    return happy_overlay(flow_counts(model, walks), int(paths["successful_cases"]), len(walks))


def flow_numbers(
    model: Model,
    check: CheckResult,
    cluster: Cluster | None = None,
    read_progress: Progress | None = None,
) -> FlowNumbers:
    """Cases and median times of every flow and activity of ``model`` in the checked log —
    the numbers the overlay writes (see ``docs/discover.md``).  Of a check that ran
    partition by partition they are read partition by partition (on the ``cluster``'s
    workers, else here; ``read_progress(done, total)`` follows them)."""
    from bpmtool.api.cases import _need_events
    from bpmtool.mining.flow_numbers import flow_numbers as numbers

    if check.mapping.df is None and check.pieces is not None:
        from bpmtool.distributed.case_index import partitioned_flow_numbers

        return partitioned_flow_numbers(model, check, cluster, read_progress)
    _need_events(check, "the flow numbers")
    assert check.mapping.df is not None
    return numbers(model, check.mapping.df)
