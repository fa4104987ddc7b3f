"""Critical-to-quality measures and milestone triggers, measured on an event log.

A CTQ is the time from the first ``from`` activity of a case to the first ``to``
activity at or after it.  A case that did ``from`` but not yet ``to`` is *open*;
it breaches too once ``now`` is past the limit.  A trigger asks whether the
expected follow-up activity happened within its window after a milestone was
reached; it is *missed* when it came late, or never came and the window is over.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from bpmtool.findings import Finding, make_finding
from bpmtool.mining.journey import CTQ_BREACH, MISSED_TRIGGER, StageJourneys
from bpmtool.mining.journey_events import JourneyEvents, days, first_time
from bpmtool.model import Model, format_duration

__all__ = [
    "CtqResult",
    "TriggerResult",
    "check_triggers",
    "ctq_findings",
    "measure_ctqs",
    "trigger_findings",
]

_NAMED = 10  # case ids named in a finding's message
_LISTED = 200  # case ids kept in a finding's evidence


@dataclass(frozen=True)
class CtqResult:
    """One CTQ measured on the log."""

    ctq: str
    name: str
    source: str
    target: str
    max_days: float
    measured: int  # cases that did both ends
    compliant: int
    p50_days: float | None
    p90_days: float | None
    open_overdue: int  # did ``from``, not yet ``to``, limit passed
    worst: list[tuple[str, float]]  # (case id, days), slowest first, at most 5
    #: per case code: days since ``from`` for the open overdue cases (for the exception report)
    overdue_days: pd.Series = field(repr=False, compare=False,
                                    default_factory=lambda: pd.Series(dtype=float))

    @property
    def breaches(self) -> int:
        return self.measured - self.compliant

    @property
    def share_compliant(self) -> float | None:
        return self.compliant / self.measured if self.measured else None

    def to_dict(self) -> dict[str, object]:
        share = self.share_compliant
        return {"ctq": self.ctq, "name": self.name, "from": self.source, "to": self.target,
                "max_days": round(self.max_days, 3), "measured": self.measured,
                "compliant": self.compliant, "breaches": self.breaches,
                "share_compliant": None if share is None else round(share, 4),
                "p50_days": _r(self.p50_days), "p90_days": _r(self.p90_days),
                "open_overdue": self.open_overdue,
                "worst": [{"case": c, "days": round(d, 3)} for c, d in self.worst]}


@dataclass(frozen=True)
class TriggerResult:
    """One trigger checked on the log."""

    trigger: str
    milestone: str
    activity: str
    within_days: float
    reached: int  # cases that reached the milestone
    on_time: int
    late: int  # the follow-up came, after the window
    missed: int  # no follow-up and the window is over
    pending: int  # no follow-up yet, the window is still open
    missed_cases: list[str]  # late and missed, by case id

    def to_dict(self) -> dict[str, object]:
        return {"trigger": self.trigger, "milestone": self.milestone,
                "activity": self.activity, "within_days": round(self.within_days, 3),
                "reached": self.reached, "on_time": self.on_time, "late": self.late,
                "missed": self.missed, "pending": self.pending,
                "missed_cases": self.missed_cases}


def _first_after(ev: JourneyEvents, node: str, since: pd.Series) -> pd.Series:
    """Per case code, the first time ``node`` happened at or after ``since`` (NaT if never)."""
    frame = ev.frame
    hits = frame.loc[(frame["node"] == node).fillna(False).to_numpy(dtype=bool), ["case", "time"]]
    floor = since.to_numpy()[hits["case"].to_numpy()]
    hits = hits[(hits["time"].to_numpy() >= floor) & ~pd.isna(floor)]
    return hits.groupby("case", sort=True)["time"].min().reindex(range(ev.n_cases))


def measure_ctqs(ev: JourneyEvents, model: Model) -> list[CtqResult]:
    """Every CTQ of the model measured on the log."""
    out = []
    for ctq in model.ctqs:
        start = first_time(ev, (ev.frame["node"] == ctq.from_).fillna(False))
        end = _first_after(ev, ctq.to, start)
        took = days(end - start).dropna()
        limit = days(pd.Timedelta(ctq.max))
        waiting = days(ev.now - start[start.notna() & end.isna()])
        overdue = waiting[waiting > limit]
        slow = took.sort_values(ascending=False, kind="stable").head(5)
        out.append(CtqResult(
            ctq.id, ctq.label, ctq.from_, ctq.to, float(limit), len(took),
            int((took <= limit).sum()), _q(took, 0.5), _q(took, 0.9), len(overdue),
            [(str(ev.case_ids[c]), float(d)) for c, d in slow.items()], overdue))
    return out


def check_triggers(ev: JourneyEvents, model: Model, journeys: StageJourneys) -> list[TriggerResult]:
    """Every trigger of the model checked: was the follow-up done within its window?"""
    out = []
    for trig in model.triggers:
        reached = journeys.reached[trig.when.milestone]
        done = _first_after(ev, trig.expect.activity, reached)
        window = pd.Timedelta(trig.expect.within)
        has = reached.notna()
        on_time = has & done.notna() & ((done - reached) <= window)
        late = has & done.notna() & ((done - reached) > window)
        never = has & done.isna()
        missed = never & ((ev.now - reached) > window)
        pending = never & ~missed
        named = np.flatnonzero((late | missed).to_numpy())
        out.append(TriggerResult(
            trig.key, trig.when.milestone, trig.expect.activity, float(days(window)),
            int(has.sum()), int(on_time.sum()), int(late.sum()), int(missed.sum()),
            int(pending.sum()), ev.case_ids[named].astype(str).tolist()))
    return out


def ctq_findings(model: Model, results: list[CtqResult]) -> list[Finding]:
    """A ``CTQ-BREACH`` finding per CTQ broken by at least one case."""
    findings = []
    for r in results:
        if r.breaches == 0 and r.open_overdue == 0:
            continue
        limit = format_duration(pd.Timedelta(days=r.max_days).to_pytimedelta())
        share = r.share_compliant
        parts = [f"{r.name}: {r.breaches} of {r.measured} finished cases took longer than "
                 f"{limit}"]
        if share is not None:
            parts.append(f"({share:.0%} compliant, p50 {r.p50_days:.1f}d, p90 {r.p90_days:.1f}d)")
        if r.open_overdue:
            parts.append(f"and {r.open_overdue} more are still waiting past the limit")
        worst = ", ".join(f"{c} ({d:.1f}d)" for c, d in r.worst)
        finding = make_finding(
            model, CTQ_BREACH, (r.ctq, r.source, r.target), " ".join(parts) + ".",
            f"Look at the slowest cases first ({worst})." if worst else
            "Follow up the cases still waiting.",
            {"measured": r.measured, "breaches": r.breaches, "open_overdue": r.open_overdue,
             "share_compliant": None if share is None else round(share, 4),
             "p50_days": _r(r.p50_days), "p90_days": _r(r.p90_days),
             "worst_cases": [c for c, _ in r.worst]})
        if finding is not None:
            findings.append(finding)
    return findings


def trigger_findings(model: Model, results: list[TriggerResult]) -> list[Finding]:
    """A ``MISSED-TRIGGER`` finding per trigger that some case missed, naming the cases."""
    findings = []
    for r in results:
        if not r.missed_cases:
            continue
        within = format_duration(pd.Timedelta(days=r.within_days).to_pytimedelta())
        named = ", ".join(r.missed_cases[:_NAMED])
        more = len(r.missed_cases) - _NAMED
        message = (f"{len(r.missed_cases)} of {r.reached} cases reached milestone "
                   f"{r.milestone!r} without {r.activity!r} within {within} "
                   f"({r.late} late, {r.missed} never): {named}"
                   + (f" and {more} more" if more > 0 else "") + ".")
        finding = make_finding(
            model, MISSED_TRIGGER, (r.trigger, r.milestone, r.activity), message,
            f"Make {r.activity!r} follow milestone {r.milestone!r} automatically, "
            f"or remind its owner within {within}.",
            {"reached": r.reached, "on_time": r.on_time, "late": r.late, "missed": r.missed,
             "pending": r.pending, "cases": r.missed_cases[:_LISTED]})
        if finding is not None:
            findings.append(finding)
    return findings


def _q(values: pd.Series, q: float) -> float | None:
    return float(values.quantile(q)) if len(values) else None


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
