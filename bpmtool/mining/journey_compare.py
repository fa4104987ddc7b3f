"""Two journeys side by side (``journey --compare``): the same rows for both windows of a
log — customers, success, each stage's conversion and time, each milestone's time, each
CTQ's compliance, the struggling customers — and the journey findings per code.

Every value is read from the :class:`JourneyResult` the journey page shows, so a figure
in the comparison is the one ``bpmtool journey`` prints for that window alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpmtool.mining.compare_windows import WindowComparison, side_by_side

if TYPE_CHECKING:
    from bpmtool.mining.journey_result import JourneyResult

__all__ = ["compare_journeys"]

Row = tuple[str, str, str, float | None, float | None]


def compare_journeys(
    labels: tuple[str, str], results: tuple[JourneyResult, JourneyResult]
) -> WindowComparison:
    """The KPI rows of two journeys of one model, in the model's order, and their findings
    per code; ``change`` is the second minus the first."""
    a, b = results
    rows: list[Row] = [
        ("cases", "customers (cases)", "count", a.n_cases, b.n_cases),
        ("events", "events", "count", a.n_events, b.n_events),
        ("success", "successful customers", "share", _success(a), _success(b)),
    ]
    stages_b = {s.stage: s for s in b.funnel}
    for s in a.funnel:
        t = stages_b.get(s.stage)
        rows.append(
            (
                f"stage:{s.stage}:conversion",
                f"{s.name}: conversion",
                "share",
                s.conversion,
                t.conversion if t else None,
            )
        )
        rows.append(
            (
                f"stage:{s.stage}:median_days",
                f"{s.name}: median days in stage",
                "days",
                s.median_days,
                t.median_days if t else None,
            )
        )
    milestones_b = {m.milestone: m for m in b.milestones}
    for m in a.milestones:
        n = milestones_b.get(m.milestone)
        rows.append(
            (
                f"milestone:{m.milestone}:median_days",
                f"{m.milestone}: median days to reach",
                "days",
                m.median_days,
                n.median_days if n else None,
            )
        )
    ctqs_b = {c.ctq: c for c in b.ctqs}
    for c in a.ctqs:
        d = ctqs_b.get(c.ctq)
        rows.append(
            (
                f"ctq:{c.ctq}:compliant",
                f"{c.name}: compliant",
                "compliance",
                c.share_compliant,
                d.share_compliant if d else None,
            )
        )
    rows.append(
        ("struggling", "struggling customers", "count", len(a.exceptions), len(b.exceptions))
    )
    rows.append(("findings", "findings", "count", len(a.findings), len(b.findings)))
    return side_by_side(labels, rows, (a.findings, b.findings), (a.filtered, b.filtered))


def _success(result: JourneyResult) -> float | None:
    """The share of the window's customers whose journey succeeded (``None`` without a
    definition of success or without cases)."""
    if result.success is None or not result.n_cases:
        return None
    return round(int(result.cases["success"].sum()) / result.n_cases, 4)
