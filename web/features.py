"""The drawings, reports and exports the pages and downloads offer, as text or bytes.

Nothing here analyses anything: each function forwards to :mod:`bpmtool.api` and returns
what a response body needs.
"""

from __future__ import annotations

from typing import Any

from bpmtool import api
from bpmtool.api import Model
from bpmtool.findings import Finding

__all__ = ["export_bpmn", "journey_charts", "render_svg", "report", "report_html"]


def render_svg(
    model: Model,
    *,
    findings: list[Finding] | bool | None = None,
    check: Any = None,
    orientation: str = "horizontal",
    legend: bool = True,
    happy: Any = None,
    diagram: str | None = None,
) -> str:
    """The swimlane SVG, with finding markers and, given a check, its overlay (given a
    journey, its happy paths).  ``findings=True`` numbers what the CLI's and the demo's
    drawings number (:func:`bpmtool.api.diagram_findings`: lint + check).  Pages that list
    the findings beside the drawing leave the legend out (``legend=False``).  ``diagram``
    picks one of a BPMN file's diagrams (:func:`bpmtool.api.choose_diagram`)."""
    return api.render_svg(
        model,
        findings=findings,
        overlay=check,
        orientation=orientation,
        legend=legend,
        happy=happy,
        diagram=diagram,
    )


def report(model: Model, *, check: Any = None, journey: Any = None, fmt: str = "html") -> str:
    """The self-contained report (HTML or Markdown)."""
    return api.report(model, check=check, journey=journey, fmt=fmt)


def journey_charts(result: Any) -> dict[str, str]:
    """The stage funnel and the behaviour × emotion grid of a journey, as inline SVG."""
    return api.journey_charts(result)


def report_html(model: Model, *, check: Any = None) -> str:
    return report(model, check=check, fmt="html")


def export_bpmn(model: Model) -> bytes:
    """The model as BPMN 2.0 XML with diagram positions."""
    return api.export_bpmn(model)
