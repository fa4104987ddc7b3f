"""The report's first page: period, scope, the three costliest problems and what to do.

It only arranges numbers that the analysis produced: the period and scope from the
check's summary, the costs from :func:`bpmtool.priorities.costly_problems` (read from the
findings' evidence) — the same figures the findings list and the tables print.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from bpmtool.priorities import costly_problems

if TYPE_CHECKING:
    from bpmtool.render.report import ReportData

__all__ = ["executive_summary"]


def _date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value).strftime("%d %b %Y").lstrip("0")
    except ValueError:
        return value


def executive_summary(data: ReportData) -> dict[str, Any]:
    """What the first page says, as plain values for the template."""
    model = data.model
    top = costly_problems(data.findings, 3)
    out: dict[str, Any] = {
        "period": None,
        "measured_at": None,
        "scope": {
            "model": model.label,
            "lanes": [lane.label for lane in model.lanes],
            "activities": len(model.activities()),
        },
        "cases": None,
        "open_cases": None,
        "events": None,
        "filter": None,
        "top": [c.to_dict() for c in top],
        "with_log": data.check is not None or data.journey is not None,
    }
    if data.check is not None:
        s = data.check.summary()
        first, last = _date(s.get("first_event")), _date(s.get("last_event"))
        out["period"] = f"{first} – {last}" if first and last else None
        out.update(cases=s["cases"], open_cases=s["open_cases"], events=s["events"])
        if data.check.filtered is not None:
            out["filter"] = data.check.filtered.to_dict().get("description")
    if data.journey is not None:
        j = data.journey.to_dict(limit=0)
        out["measured_at"] = _date(str(j.get("now") or "")) or None
        if out["cases"] is None:
            out.update(cases=j.get("cases"), events=j.get("events"))
    return out
