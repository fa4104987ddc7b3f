"""The shareable outputs: the report (HTML, Markdown, PDF) and the findings table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmtool.api.drawing import (
    DiagramDrawing,
    diagram_drawings,
    diagram_findings,
    diagram_titles,
    render_svg,
)
from bpmtool.api.models import lint, sipoc
from bpmtool.errors import InputError
from bpmtool.findings import Finding
from bpmtool.model import Model

if TYPE_CHECKING:
    from bpmtool.distributed import Cluster
    from bpmtool.io.eventlog import Progress
    from bpmtool.mining.check import CheckResult
    from bpmtool.mining.journey_result import JourneyResult


# --- reports (render) ---


def report(
    model: Model,
    *,
    check: CheckResult | None = None,
    journey: JourneyResult | None = None,
    fmt: str = "html",
    orientation: str = "horizontal",
    source: str = "",
    cluster: Cluster | None = None,
    read_progress: Progress | None = None,
) -> str:
    """The self-contained report (``fmt`` ``html`` or ``md``): summary, swimlanes (every
    diagram of a file with several, see :func:`diagram_drawings`), findings with fixes,
    handoff matrix, SIPOC, and the check's and journey's figures when given.  The flow
    numbers drawn over the swimlanes of a check that ran partition by partition are read
    partition by partition (on the ``cluster``'s workers when given; ``read_progress``
    follows them), as :func:`render_svg` reads them."""
    from bpmtool.graph import ProcessGraph
    from bpmtool.render.journey_charts import journey_charts
    from bpmtool.render.report import ReportData, render_report

    if fmt not in ("html", "md"):
        raise InputError.single(f"unknown report format {fmt!r}", expected="html, md or pdf")
    findings = diagram_findings(model, check)
    if journey is not None:
        findings += journey.findings
    if fmt == "html":
        diagrams = diagram_drawings(
            model,
            findings=findings,
            overlay=check,
            orientation=orientation,
            cluster=cluster,
            read_progress=read_progress,
        )
    else:  # Markdown draws nothing: the titles name the diagrams the HTML report draws
        titles = diagram_titles(model)
        diagrams = [DiagramDrawing(title, "") for title in titles] if len(titles) > 1 else []
    svg = (
        diagrams[0][1]
        if diagrams
        else render_svg(
            model,
            findings=findings,
            overlay=check,
            orientation=orientation,
            legend=False,
            cluster=cluster,
            read_progress=read_progress,
        )
        if fmt == "html"
        else ""
    )
    charts = journey_charts(journey) if journey is not None else {}
    happy: list[DiagramDrawing] = []
    if journey is not None and fmt == "html":
        happy = diagram_drawings(
            model, findings=lint(model), orientation=orientation, happy=journey
        )
        charts["happy"] = (
            happy[0].svg if happy else render_svg(model, happy=journey, orientation=orientation)
        )
    graph = ProcessGraph(model)
    data = ReportData(
        model,
        findings,
        sipoc(model),
        graph.handoffs(),
        graph.handoff_matrix(),
        svg,
        source=source,
        check=check,
        journey=journey,
        journey_charts=charts,
        diagrams=diagrams,
        happy_diagrams=happy,
    )
    return render_report(data, fmt)


def html_to_pdf(html: str) -> bytes:
    """A report's HTML printed to PDF by headless Chromium (its print style sheet sets the
    pages); raises :class:`bpmtool.render.pdf.PdfUnavailable` when no Chromium is found."""
    from bpmtool.render.pdf import html_to_pdf as print_pdf

    return print_pdf(html)


def report_pdf(
    model: Model,
    *,
    check: CheckResult | None = None,
    journey: JourneyResult | None = None,
    orientation: str = "horizontal",
    source: str = "",
    cluster: Cluster | None = None,
    read_progress: Progress | None = None,
) -> bytes:
    """The report as a PDF: the HTML report (:func:`report`, ``cluster`` and
    ``read_progress`` as there) printed by Chromium."""
    html = report(
        model,
        check=check,
        journey=journey,
        fmt="html",
        orientation=orientation,
        source=source,
        cluster=cluster,
        read_progress=read_progress,
    )
    return html_to_pdf(html)


#: the formats :func:`findings_table` writes (``xlsx`` as bytes)
FINDINGS_FORMATS = ("csv", "xlsx")


def findings_table(findings: list[Finding] | list[dict[str, Any]], fmt: str) -> str | bytes:
    """Findings (objects, or their JSON as a check's result holds them) as a spreadsheet:
    ``csv`` text or ``xlsx`` bytes, numbered in the order given, with the cases and days
    each cost (the numbers of the report's summary)."""
    from bpmtool.render import findings_table as table

    if fmt not in FINDINGS_FORMATS:
        raise InputError.single(f"unknown table format {fmt!r}", expected="csv or xlsx")
    items = [f if isinstance(f, Finding) else Finding.from_dict(f) for f in findings]
    return table.to_csv(items) if fmt == "csv" else table.to_xlsx(items)
