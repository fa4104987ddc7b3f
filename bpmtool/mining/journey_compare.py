"""Two journeys side by side (``journey --compare``): the same rows for both windows of a
log — customers, success, each stage's conversion and time, each milestone's time, each
CTQ's compliance, the struggling customers — and the journey findings per code.

Every value is read from the :class:`JourneyResult` the journey page shows, so a figure
in the comparison is the one ``bpmtool journey`` prints for that window alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

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
    rows += _per_item(
        a.funnel,
        b.funnel,
        "stage",
        [
            ("{}: conversion", "conversion", "share", "conversion"),
            ("{}: median days in stage", "median_days", "days", "median_days"),
        ],
    )
    rows += _per_item(
        a.milestones,
        b.milestones,
        "milestone",
        [("{}: median days to reach", "median_days", "days", "median_days")],
    )
    rows += _per_item(
        a.ctqs, b.ctqs, "ctq", [("{}: compliant", "share_compliant", "compliance", "compliant")]
    )
    rows.append(
        ("struggling", "struggling customers", "count", len(a.exceptions), len(b.exceptions))
    )
    rows.append(("findings", "findings", "count", len(a.findings), len(b.findings)))
    return side_by_side(labels, rows, (a.findings, b.findings), (a.filtered, b.filtered))


def _per_item(
    items_a: Sequence[Any],
    items_b: Sequence[Any],
    kind: str,
    columns: list[tuple[str, str, str, str]],
) -> list[Row]:
    """Rows per stage, milestone or CTQ of the first journey (the model's order), its id in
    the attribute ``kind``: for each column (label pattern, attribute, how it is shown, key
    suffix) the attribute in both journeys, ``None`` where the second has no such item."""
    by_key = {getattr(i, kind): i for i in items_b}
    rows: list[Row] = []
    for item in items_a:
        key = getattr(item, kind)
        other = by_key.get(key)
        name = getattr(item, "name", None) or key
        for label, value, shown, suffix in columns:
            after = getattr(other, value) if other is not None else None
            rows.append(
                (f"{kind}:{key}:{suffix}", label.format(name), shown, getattr(item, value), after)
            )
    return rows


def _success(result: JourneyResult) -> float | None:
    """The share of the window's customers whose journey succeeded (``None`` without a
    definition of success or without cases)."""
    if result.success is None or not result.n_cases:
        return None
    return round(int(result.cases["success"].sum()) / result.n_cases, 4)
