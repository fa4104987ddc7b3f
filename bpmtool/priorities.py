"""Which findings cost the most: the cases each one touched and the days it lost.

The executive summary of the report leads with the top three of :func:`costly_problems`;
every number it prints comes from here, and each is read from the finding's own evidence,
so the summary and the findings list cannot disagree.

- A broken CTQ (``CTQ-BREACH``) costs its breaching cases and the days they spent past
  the limit.  A slow handoff (``SLOW-HANDOFF``) the same, measured on the handoffs — unless
  its CTQ is broken too, then it is that same problem and is not counted twice.
- Any other finding about cases costs those cases and, when the log has times, the days
  they took longer than the other cases (the median difference, times the cases).
- A finding about the model alone (lint) costs no cases; it ranks after those that do.
"""

from __future__ import annotations

from dataclasses import dataclass

from bpmtool.durations import days_label
from bpmtool.findings import Finding, Severity

__all__ = ["ProblemCost", "costly_problems"]

_SEVERITY_RANK = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}


@dataclass(frozen=True)
class ProblemCost:
    """One finding with what it cost."""

    finding: Finding
    #: the finding's number in the list the report prints (1-based)
    number: int
    cases: int | None
    days: float | None
    #: how ``days`` was measured, in words
    basis: str

    @property
    def days_text(self) -> str | None:
        return days_label(self.days)

    def to_dict(self) -> dict[str, object]:
        return {
            "number": self.number,
            "code": self.finding.code,
            "severity": self.finding.severity.value,
            "message": self.finding.message,
            "fix": self.finding.fix,
            "cases": self.cases,
            "days": None if self.days is None else round(self.days, 2),
            "days_text": self.days_text,
            "basis": self.basis,
        }


def cost_of(finding: Finding, number: int) -> ProblemCost:
    """What one finding cost, from its evidence."""
    ev = finding.evidence
    if finding.code in ("CTQ-BREACH", "SLOW-HANDOFF") and "days_over_limit" in ev:
        cases = ev.get("breaches", ev.get("cases"))
        return ProblemCost(
            finding, number, _int(cases), float(ev["days_over_limit"]), "past the limit"
        )
    cases = ev.get("cases")
    count = len(cases) if isinstance(cases, list) else _int(cases)
    extra = ev.get("extra_days")
    if count is not None and isinstance(extra, int | float):
        return ProblemCost(
            finding,
            number,
            count,
            max(float(extra), 0.0) * count,
            "longer than the other cases (median difference × cases)",
        )
    return ProblemCost(finding, number, count, None, "")


def costly_problems(findings: list[Finding], limit: int | None = 3) -> list[ProblemCost]:
    """The findings that cost the most, most days first, then most cases, then severity.

    ``findings`` are numbered in the order given (as the report lists them).  A slow
    handoff whose CTQ is also broken is the same problem and is left out.

    >>> from bpmtool.findings import Kind
    >>> slow = Finding("SLOW-HANDOFF", Kind.PERFORMANCE, Severity.WARNING, ("f",), "slow",
    ...                evidence={"cases": 4, "days_over_limit": 10.0, "ctq": "fast"})
    >>> ctq = Finding("CTQ-BREACH", Kind.PERFORMANCE, Severity.WARNING, ("fast", "a", "b"),
    ...               "late", evidence={"breaches": 5, "days_over_limit": 12.5})
    >>> [(p.number, p.cases, p.days_text) for p in costly_problems([slow, ctq])]
    [(2, 5, '12.50d')]
    """
    broken = {f.subject[0] for f in findings if f.code == "CTQ-BREACH" and f.subject}
    costs = [
        cost_of(f, n)
        for n, f in enumerate(findings, start=1)
        if not (f.code == "SLOW-HANDOFF" and f.evidence.get("ctq") in broken)
    ]
    costs.sort(
        key=lambda c: (
            c.cases is None,
            -(c.days or 0.0),
            -(c.cases or 0),
            _SEVERITY_RANK.get(c.finding.severity, 3),
            c.number,
        )
    )
    return costs if limit is None else costs[:limit]


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
