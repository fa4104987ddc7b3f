"""The shareable report: one self-contained HTML file (or Markdown) from what the API found.

:class:`ReportData` holds the results (findings, SIPOC, handoffs, a check, a journey); this
module only lays them out with Jinja2 — the SVG inline, no external assets, no scripts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from bpmtool import __version__
from bpmtool.durations import days_label
from bpmtool.findings import Finding
from bpmtool.graph import Handoff
from bpmtool.model import Model
from bpmtool.render.executive import executive_summary
from bpmtool.render.sipoc_table import to_html as sipoc_html
from bpmtool.render.sipoc_table import to_markdown as sipoc_markdown
from bpmtool.sipoc import Sipoc

if TYPE_CHECKING:
    from bpmtool.mining.check import CheckResult
    from bpmtool.mining.journey_result import JourneyResult

__all__ = ["ReportData", "render_report"]


@dataclass
class ReportData:
    """Everything a report shows; ``findings`` are numbered as the SVG's markers are."""

    model: Model
    findings: list[Finding]
    sipoc: Sipoc
    handoffs: list[Handoff]
    #: ``matrix[from_lane][to_lane]`` → handoffs, as :meth:`ProcessGraph.handoff_matrix` gives it
    matrix: dict[str, dict[str, list[Handoff]]]
    svg: str
    source: str = ""
    check: CheckResult | None = None
    journey: JourneyResult | None = None
    journey_charts: dict[str, str] = field(default_factory=dict)
    #: every diagram of a file with several, as ``(title, svg)``, the main one (``svg``)
    #: first; an svg is ``""`` when its diagram draws nothing (always in Markdown)
    diagrams: Sequence[tuple[str, str]] = ()
    #: the journey's happy paths on each of those diagrams, alike
    happy_diagrams: Sequence[tuple[str, str]] = ()


def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("bpmtool.render", "templates"),
        # HTML is escaped; Markdown is not (it showed &#39; for every quote)
        autoescape=select_autoescape(["html.j2"], default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["pct"] = lambda v: "–" if v is None else f"{float(v):.1%}"
    env.filters["num"] = lambda v: "–" if v is None else f"{v:,}"
    env.filters["days"] = days_label
    env.filters["md"] = lambda v: str(v).replace("|", "\\|").replace("\n", " ")
    return env


def _lane(model: Model, lane_id: str) -> str:
    lane = model.lane_by_id.get(lane_id)
    return (lane.name or lane.id) if lane else lane_id


def _context(data: ReportData) -> dict[str, Any]:
    m = data.model
    by_severity = Counter(f.severity.value for f in data.findings)
    lanes = [lane.id for lane in m.lanes]
    matrix = {a: {b: len(hs) for b, hs in row.items()} for a, row in data.matrix.items()}
    handoff_rows = [
        {
            "from": _lane(m, h.source_lane),
            "to": _lane(m, h.target_lane),
            "source": m.node_by_id[h.source].label,
            "target": m.node_by_id[h.target].label,
            "artifact": m.artifact_label(h.artifact) if h.artifact else "",
            "kind": h.kind,
        }
        for h in data.handoffs
    ]
    ctx: dict[str, Any] = {
        "model": m,
        "version": __version__,
        "source": data.source,
        "findings": list(enumerate(data.findings, start=1)),
        "by_severity": by_severity,
        "counts": {
            "activities": len(m.activities()),
            "lanes": len(m.lanes),
            "handoffs": len(data.handoffs),
            "nodes": len(m.nodes),
            "flows": len(m.flows),
            "artifacts": len(m.artifacts),
        },
        "lanes": [(lane, _lane(m, lane)) for lane in lanes],
        "matrix": matrix,
        "handoff_rows": handoff_rows,
        "svg": Markup(data.svg),  # ours: svgwrite escaped every text
        "diagrams": _diagrams(data.diagrams),
        "happy_diagrams": _diagrams(data.happy_diagrams),
        "sipoc_html": Markup(sipoc_html(data.sipoc, standalone=False)),
        "sipoc_md": sipoc_markdown(data.sipoc),
        "check": None,
        "journey": None,
        "summary": executive_summary(data),
    }
    if data.check is not None:
        c = data.check
        ctx["check"] = {
            "summary": c.summary(),
            "activities": c.activities(),
            "variants": c.variant_rows(10),
            "handoffs": [
                {**h.to_dict(), "from": _lane(m, h.source_lane), "to": _lane(m, h.target_lane)}
                for h in c.handoffs
            ],
            "unmatched": c.mapping.to_dict()["unmatched"],
            "notes": [n.message for n in c.notes],
        }
    if data.journey is not None:
        j = data.journey.to_dict(limit=20)
        ctx["journey"] = {
            **j,
            "charts": {
                k: Markup(v)  # our own charts
                for k, v in data.journey_charts.items()
            },
        }
    return ctx


def _diagrams(drawn: Sequence[tuple[str, str]]) -> list[tuple[str, Markup]]:
    return [(title, Markup(svg)) for title, svg in drawn]  # our own SVGs


def render_report(data: ReportData, fmt: str = "html") -> str:
    """The report as a whole HTML document (``fmt="html"``) or Markdown (``"md"``)."""
    if fmt not in ("html", "md"):
        raise ValueError("report format must be html or md")
    template = _env().get_template("report.html.j2" if fmt == "html" else "report.md.j2")
    return template.render(**_context(data))
