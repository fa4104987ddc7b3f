"""Critical-to-quality measures and milestone triggers, measured on an event log.

A CTQ is the time from the first ``from`` activity of a case to the first ``to``
activity at or after it.  A case that did ``from`` but not yet ``to`` is *open*;
it breaches too once ``now`` is past the limit (see :class:`CtqResult`).  A trigger asks whether the
expected follow-up activity happened within its window after a milestone was
reached; it is *missed* when it came late, or never came and the window is over.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bpmtool.durations import days_label
from bpmtool.findings import Finding, make_finding
from bpmtool.mining.journey import CTQ_BREACH, MISSED_TRIGGER, StageJourneys
from bpmtool.mining.journey_events import JourneyCases, days
from bpmtool.model import Model, format_duration

__all__ = [
    "CtqResult",
    "TriggerResult",
    "check_triggers",
    "compliance_label",
    "ctq_findings",
    "measure_ctqs",
    "trigger_findings",
]

_NAMED = 10  # case ids named in a finding's message
_LISTED = 200  # case ids kept in a finding's evidence


def compliance_label(share: float | None) -> str:
    """A compliant share rounded down to 0.1 %: never "100 %" while a case broke it.

    >>> compliance_label(340 / 341), compliance_label(1.0), compliance_label(None)
    ('99.7 %', '100.0 %', '–')
    """
    return "–" if share is None else f"{math.floor(share * 1000) / 10:.1f} %"


@dataclass(frozen=True)
class CtqResult:
    """One CTQ measured on the log: the one result every face shows (see :meth:`summary`).

    A case that did ``from`` is *decided* once it did ``to`` (*finished*: compliant or
    *late*) or is still waiting with the limit already over (*open overdue*: it broke the
    CTQ whatever happens next).  A case still waiting within the limit is *open in time*
    and counts nowhere yet.  Breaches = late + open overdue; the compliant share is of the
    decided cases.
    """

    ctq: str
    name: str
    source: str
    target: str
    max_days: float
    measured: int  # finished: did both ends
    compliant: int  # finished within the limit
    p50_days: float | None  # of the finished cases
    p90_days: float | None
    open_overdue: int  # did ``from``, not yet ``to``, limit passed
    open_in_time: int  # did ``from``, not yet ``to``, limit not passed yet
    #: the breaching cases, worst first, at most 5: (case id, days, "late" or "open")
    worst: list[tuple[str, float, str]]
    #: per case code: days since ``from`` for the open overdue cases (for the exception report)
    overdue_days: pd.Series = field(
        repr=False, compare=False, default_factory=lambda: pd.Series(dtype=float)
    )
    #: days past the limit, added up over the breaching cases (late: took − limit; open
    #: overdue: waiting so far − limit): what breaking the CTQ cost
    days_over: float = 0.0
    #: the ids of every breaching case (late or open overdue): the CTQ's case list
    breaching_cases: tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def late(self) -> int:
        return self.measured - self.compliant

    @property
    def breaches(self) -> int:
        return self.late + self.open_overdue

    @property
    def decided(self) -> int:
        return self.measured + self.open_overdue

    @property
    def share_compliant(self) -> float | None:
        return self.compliant / self.decided if self.decided else None

    def compliant_text(self) -> str:
        """The compliant share as every face shows it (:func:`compliance_label`)."""
        return compliance_label(self.share_compliant)

    def summary(self) -> str:
        """One sentence, the same in the CLI, the report and the ``CTQ-BREACH`` finding."""
        limit = format_duration(pd.Timedelta(days=self.max_days).to_pytimedelta())
        if not self.decided:
            waiting = f"; {self.open_in_time} still waiting within it" if self.open_in_time else ""
            return f"{self.name} (limit {limit}): no case decided yet{waiting}."
        text = (
            f"{self.name} (limit {limit}): {self.compliant_text()} compliant, "
            f"{self.breaches} of {self.decided} decided case(s) broke it"
        )
        parts = []
        if self.late:
            parts.append(f"{self.late} finished late")
        if self.open_overdue:
            parts.append(f"{self.open_overdue} still open past the limit")
        if parts:
            text += " (" + ", ".join(parts) + ")"
        if self.breaches:
            text += f", {days_label(self.days_over)} past the limit in all"
        if self.measured:
            text += (
                f"; {self.measured} finished, p50 {days_label(self.p50_days)}, "
                f"p90 {days_label(self.p90_days)}"
            )
        if self.open_in_time:
            text += f"; {self.open_in_time} still waiting within the limit"
        return text + "."

    def to_dict(self) -> dict[str, object]:
        share = self.share_compliant
        return {
            "ctq": self.ctq,
            "name": self.name,
            "from": self.source,
            "to": self.target,
            "max_days": round(self.max_days, 3),
            "measured": self.measured,
            "compliant": self.compliant,
            "late": self.late,
            "open_overdue": self.open_overdue,
            "open_in_time": self.open_in_time,
            "decided": self.decided,
            "breaches": self.breaches,
            "share_compliant": None if share is None else round(share, 4),
            "compliant_text": self.compliant_text(),
            "p50_days": _r(self.p50_days),
            "p90_days": _r(self.p90_days),
            "p50_text": days_label(self.p50_days),
            "p90_text": days_label(self.p90_days),
            "days_over": round(self.days_over, 3),
            "days_over_text": days_label(self.days_over),
            "worst": [{"case": c, "days": round(d, 3), "state": st} for c, d, st in self.worst],
            "summary": self.summary(),
        }


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
        return {
            "trigger": self.trigger,
            "milestone": self.milestone,
            "activity": self.activity,
            "within_days": round(self.within_days, 3),
            "reached": self.reached,
            "on_time": self.on_time,
            "late": self.late,
            "missed": self.missed,
            "pending": self.pending,
            "missed_cases": self.missed_cases,
        }


def measure_ctqs(ev: JourneyCases, model: Model) -> list[CtqResult]:
    """Every CTQ of the model measured on the cases' facts."""
    out = []
    for ctq in model.ctqs:
        start = ev.time(f"ctq-from:{ctq.id}")
        end = ev.time(f"ctq-to:{ctq.id}")
        took = days(end - start).dropna()
        limit = days(pd.Timedelta(ctq.max))
        waiting = days(ev.now - start[start.notna() & end.isna()])
        overdue = waiting[waiting > limit]
        late = took[took > limit]
        breaching = pd.concat(
            [
                pd.DataFrame({"days": late, "state": "late"}),
                pd.DataFrame({"days": overdue, "state": "open"}),
            ]
        )
        breaching = breaching.sort_values("days", ascending=False, kind="stable").head(5)
        out.append(
            CtqResult(
                ctq.id,
                ctq.label,
                ctq.from_,
                ctq.to,
                float(limit),
                len(took),
                int((took <= limit).sum()),
                _q(took, 0.5),
                _q(took, 0.9),
                len(overdue),
                int((waiting <= limit).sum()),
                [
                    (str(ev.case_ids[c]), float(d), str(st))
                    for c, d, st in zip(
                        breaching.index, breaching["days"], breaching["state"], strict=True
                    )
                ],
                overdue,
                float((late - limit).sum() + (overdue - limit).sum()),
                tuple(str(ev.case_ids[c]) for c in (*late.index, *overdue.index)),
            )
        )
    return out


def check_triggers(ev: JourneyCases, model: Model, journeys: StageJourneys) -> list[TriggerResult]:
    """Every trigger of the model checked: was the follow-up done within its window?"""
    out = []
    for trig in model.triggers:
        reached = journeys.reached[trig.when.milestone]
        done = ev.time(f"trigger:{trig.key}")
        window = pd.Timedelta(trig.expect.within)
        has = reached.notna()
        on_time = has & done.notna() & ((done - reached) <= window)
        late = has & done.notna() & ((done - reached) > window)
        never = has & done.isna()
        missed = never & ((ev.now - reached) > window)
        pending = never & ~missed
        named = np.flatnonzero((late | missed).to_numpy())
        out.append(
            TriggerResult(
                trig.key,
                trig.when.milestone,
                trig.expect.activity,
                float(days(window)),
                int(has.sum()),
                int(on_time.sum()),
                int(late.sum()),
                int(missed.sum()),
                int(pending.sum()),
                ev.case_ids[named].astype(str).tolist(),
            )
        )
    return out


def ctq_findings(
    model: Model, results: list[CtqResult], codes: Callable[[Sequence[str]], Any] | None = None
) -> list[Finding]:
    """A ``CTQ-BREACH`` finding per CTQ that some case broke: finished late or still open
    past the limit.  Its message is :meth:`CtqResult.summary`, its cases the breaching ones
    (as ``codes`` gives them, :attr:`Finding.case_codes`)."""
    findings = []
    for r in results:
        if r.breaches == 0:
            continue
        worst = ", ".join(
            f"{c} ({days_label(d)}, {'finished late' if st == 'late' else 'still open'})"
            for c, d, st in r.worst
        )
        finding = make_finding(
            model,
            CTQ_BREACH,
            (r.ctq, r.source, r.target),
            r.summary(),
            f"Look at the cases that broke it first: {worst}.",
            {
                "decided": r.decided,
                "breaches": r.breaches,
                "late": r.late,
                "open_overdue": r.open_overdue,
                "open_in_time": r.open_in_time,
                "measured": r.measured,
                "share_compliant": None
                if r.share_compliant is None
                else round(r.share_compliant, 4),
                "p50_days": _r(r.p50_days),
                "p90_days": _r(r.p90_days),
                "days_over_limit": round(r.days_over, 3),
                "worst_cases": [
                    {"case": c, "days": round(d, 3), "state": st} for c, d, st in r.worst
                ],
            },
            case_codes=codes(r.breaching_cases) if codes else None,
        )
        if finding is not None:
            findings.append(finding)
    return findings


def trigger_findings(
    model: Model,
    results: list[TriggerResult],
    codes: Callable[[Sequence[str]], Any] | None = None,
) -> list[Finding]:
    """A ``MISSED-TRIGGER`` finding per trigger that some case missed, naming the cases
    (their codes as ``codes`` gives them)."""
    findings = []
    for r in results:
        if not r.missed_cases:
            continue
        within = format_duration(pd.Timedelta(days=r.within_days).to_pytimedelta())
        named = ", ".join(r.missed_cases[:_NAMED])
        more = len(r.missed_cases) - _NAMED
        message = (
            f"{len(r.missed_cases)} of {r.reached} cases reached milestone "
            f"{r.milestone!r} without {r.activity!r} within {within} "
            f"({r.late} late, {r.missed} never): {named}"
            + (f" and {more} more" if more > 0 else "")
            + "."
        )
        finding = make_finding(
            model,
            MISSED_TRIGGER,
            (r.trigger, r.milestone, r.activity),
            message,
            f"Make {r.activity!r} follow milestone {r.milestone!r} automatically, "
            f"or remind its owner within {within}.",
            {
                "reached": r.reached,
                "on_time": r.on_time,
                "late": r.late,
                "missed": r.missed,
                "pending": r.pending,
                "cases": r.missed_cases[:_LISTED],
            },
            case_codes=codes(r.missed_cases) if codes else None,
        )
        if finding is not None:
            findings.append(finding)
    return findings


def _q(values: pd.Series, q: float) -> float | None:
    return float(values.quantile(q)) if len(values) else None


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)
