"""Two checks side by side: the KPIs and finding counts of two windows (or any two filters)
of one log, e.g. this quarter against the last.

>>> last_periods("quarter", __import__("datetime").datetime(2026, 8, 15))[0]
('2026-Q3', datetime.datetime(2026, 7, 1, 0, 0), datetime.datetime(2026, 10, 1, 0, 0))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bpmtool.findings import Finding
    from bpmtool.mining.check import CheckResult
    from bpmtool.mining.log_filter import FilterOutcome

__all__ = [
    "PERIOD_UNITS",
    "WindowComparison",
    "compare_results",
    "last_periods",
    "side_by_side",
]

PERIOD_UNITS = ("week", "month", "quarter", "year")

#: the KPIs compared, in order: (key, label, how to show it)
_KPIS = (
    ("cases", "cases", "count"),
    ("events", "events", "count"),
    ("variants", "variants", "count"),
    ("open_cases", "open cases", "count"),
    ("fitness_alignments", "fitness (alignments)", "share"),
    ("fitness_replay", "fitness (replay)", "share"),
    ("precision", "precision", "share"),
    ("fitting_cases", "fitting cases", "share"),
    ("median_case_days", "median case duration (days)", "days"),
    ("p90_case_days", "p90 case duration (days)", "days"),
    ("handoffs", "observed handoffs", "count"),
    ("unmodelled_handoffs", "handoffs the model does not have", "count"),
    ("findings", "findings", "count"),
)


@dataclass(frozen=True)
class WindowComparison:
    """KPIs and finding counts of two checks: ``labels`` name them, e.g. the two periods."""

    labels: tuple[str, str]
    filters: tuple[dict[str, Any] | None, dict[str, Any] | None]
    kpis: list[dict[str, Any]]
    findings: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": list(self.labels),
            "filters": list(self.filters),
            "kpis": self.kpis,
            "findings": self.findings,
        }


def compare_results(
    labels: tuple[str, str], results: tuple[CheckResult, CheckResult]
) -> WindowComparison:
    """The KPIs (:data:`_KPIS`) and, per finding code, the findings and the cases they
    concern, of two checks; ``change`` is the second minus the first."""
    values = (_kpis(results[0]), _kpis(results[1]))
    rows = [
        (key, label, kind, values[0].get(key), values[1].get(key)) for key, label, kind in _KPIS
    ]
    return side_by_side(
        labels,
        rows,
        (results[0].findings, results[1].findings),
        (results[0].filtered, results[1].filtered),
    )


def side_by_side(
    labels: tuple[str, str],
    rows: list[tuple[str, str, str, float | None, float | None]],
    findings: tuple[list[Finding], list[Finding]],
    filtered: tuple[FilterOutcome | None, FilterOutcome | None],
) -> WindowComparison:
    """Two analyses' KPI rows (key, label, kind and the two values; a kind is ``count``,
    ``share``, ``compliance`` — a CTQ's share, shown rounded down — or ``days``) and, per
    finding code, the findings and the cases behind them, side by side; ``change`` is the
    second minus the first.  Shared by the check's and the journey's comparisons, so both
    read and change alike."""
    kpis = []
    for key, label, kind, a, b in rows:
        change = None if a is None or b is None else round(b - a, 4)
        kpis.append({"kpi": key, "label": label, "kind": kind, "a": a, "b": b, "change": change})
    counts = [_finding_counts(f) for f in findings]
    codes = sorted(set(counts[0]) | set(counts[1]))
    table = []
    for code in codes:
        (fa, ca), (fb, cb) = counts[0].get(code, (0, 0)), counts[1].get(code, (0, 0))
        table.append(
            {
                "code": code,
                "findings_a": fa,
                "findings_b": fb,
                "cases_a": ca,
                "cases_b": cb,
                "cases_change": None if ca is None or cb is None else cb - ca,
            }
        )
    filters = tuple(f.to_dict() if f is not None else None for f in filtered)
    return WindowComparison(labels, (filters[0], filters[1]), kpis, table)


def _kpis(result: CheckResult) -> dict[str, Any]:
    import numpy as np

    s = result.summary()
    fitting = s["fitting_cases_alignments"]
    out: dict[str, Any] = {
        k: s.get(k) for k in ("cases", "events", "variants", "open_cases", "precision")
    }
    out["fitness_alignments"] = s["fitness_alignments"]
    out["fitness_replay"] = s["fitness_replay"]
    out["fitting_cases"] = fitting if fitting is not None else s["fitting_cases_replay"]
    days = _case_days(result)
    known = days[~np.isnan(days)]
    out["median_case_days"] = round(float(np.median(known)), 2) if len(known) else None
    out["p90_case_days"] = round(float(np.quantile(known, 0.9)), 2) if len(known) else None
    out["handoffs"] = sum(h.count for h in result.handoffs)
    out["unmodelled_handoffs"] = sum(h.count for h in result.handoffs if not h.modelled)
    out["findings"] = len(result.findings)
    return out


def _case_days(result: CheckResult) -> Any:
    """Each case's duration (first to last event) in days; NaN without times."""
    import numpy as np

    days = result.case_days
    return np.zeros(0) if days is None else np.asarray(days, dtype=float)


def _finding_counts(findings: list[Finding]) -> dict[str, tuple[int, int | None]]:
    """Per code: how many findings, and how many distinct cases they concern (``None`` when
    its findings do not list their cases, e.g. a model finding)."""
    import numpy as np

    found: dict[str, list[Any]] = {}
    for f in findings:
        found.setdefault(f.code, []).append(f)
    out = {}
    for code, fs in found.items():
        arrays = [np.asarray(f.case_codes) for f in fs if f.case_codes is not None]
        cases = len(np.unique(np.concatenate(arrays))) if arrays else None
        out[code] = (len(fs), cases)
    return out


def last_periods(unit: str, latest: datetime) -> list[tuple[str, datetime, datetime]]:
    """The period of ``unit`` that holds ``latest`` and the one before it, newest first,
    as (label, start, end)."""
    day = datetime(latest.year, latest.month, latest.day)
    if unit == "week":
        start = day - timedelta(days=day.weekday())
        before = start - timedelta(days=7)
        return [
            (f"{start:%G-W%V}", start, start + timedelta(days=7)),
            (f"{before:%G-W%V}", before, start),
        ]
    if unit == "month":
        start = datetime(day.year, day.month, 1)
        before = datetime(start.year - (start.month == 1), (start.month - 2) % 12 + 1, 1)
        end = datetime(start.year + start.month // 12, start.month % 12 + 1, 1)
        return [(f"{start:%Y-%m}", start, end), (f"{before:%Y-%m}", before, start)]
    if unit == "quarter":
        q = (day.month - 1) // 3
        start = datetime(day.year, 3 * q + 1, 1)
        end = datetime(day.year + (q == 3), (3 * q + 3) % 12 + 1, 1)
        pq, py = (q - 1) % 4, day.year - (q == 0)
        before = datetime(py, 3 * pq + 1, 1)
        return [(f"{day.year}-Q{q + 1}", start, end), (f"{py}-Q{pq + 1}", before, start)]
    if unit == "year":
        return [
            (str(day.year), datetime(day.year, 1, 1), datetime(day.year + 1, 1, 1)),
            (str(day.year - 1), datetime(day.year - 1, 1, 1), datetime(day.year, 1, 1)),
        ]
    raise ValueError(f"unknown period {unit!r}; use one of {', '.join(PERIOD_UNITS)}")
