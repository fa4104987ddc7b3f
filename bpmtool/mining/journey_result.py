"""The whole journey analysis of a log in one result: what ``bpmtool journey`` shows.

:func:`judge_journey` runs the parts (stages and milestones, happy paths, CTQs,
triggers, behaviour × emotion, the exception report) over the cases' facts
(:mod:`bpmtool.mining.journey_facts`) and returns a :class:`JourneyResult`, whose
:meth:`~JourneyResult.to_dict` is the stable JSON shape documented in ``docs/journey.md``.
:func:`analyse_journey` is the journey of one log in one process: its facts gathered as
one piece, then judged — the same steps a partitioned log goes through piece by piece
(:mod:`bpmtool.distributed.journeys`), so the results are the same by construction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from bpmtool.errors import Problem
from bpmtool.findings import Finding, sort_findings
from bpmtool.mining.journey import MilestoneStat, StageStep, stage_journeys, success_definition
from bpmtool.mining.journey_ctq import (
    CtqResult,
    TriggerResult,
    check_triggers,
    ctq_findings,
    measure_ctqs,
    trigger_findings,
)
from bpmtool.mining.journey_events import JourneyCases, utc
from bpmtool.mining.journey_exceptions import exception_findings, struggling_customers
from bpmtool.mining.journey_facts import JourneyFacts, gather
from bpmtool.mining.journey_paths import HappyPaths, happy_paths
from bpmtool.mining.journey_sentiment import Sentiment, sentiment
from bpmtool.mining.log_filter import FilterOutcome
from bpmtool.model import JourneySuccess, Model

__all__ = ["SCHEMA", "JourneyResult", "analyse_journey", "judge_journey"]

SCHEMA = "bpmtool.journey/1"


@dataclass(frozen=True)
class JourneyResult:
    """Everything the journey analysis found in one log."""

    model_id: str
    now: pd.Timestamp
    n_cases: int
    n_events: int
    success: JourneySuccess | None
    funnel: list[StageStep]
    milestones: list[MilestoneStat]
    happy: HappyPaths
    ctqs: list[CtqResult]
    triggers: list[TriggerResult]
    sentiment: Sentiment
    exceptions: pd.DataFrame
    findings: list[Finding]
    cases: pd.DataFrame  # one row per case id: stage, success, milestones, days in stages, scores
    unmapped_labels: list[str]
    #: what reading the log found or assumed (its time column, date order, no times)
    notes: list[Problem] = field(default_factory=list)
    #: the filter the log went through, and what it kept (``None``: every case)
    filtered: FilterOutcome | None = None

    def exceptions_frame(self) -> pd.DataFrame:
        """The struggling customers, one row per case (a copy)."""
        return self.exceptions.copy()

    def exceptions_csv(self) -> str:
        """The exception report as CSV text, the work list of a success team."""
        return str(self.exceptions.to_csv(index=False, lineterminator="\n"))

    def cases_csv(self) -> str:
        """The per-case journey as CSV: stage, success, milestone times, days in each stage."""
        frame = self.cases.copy()
        for column in frame.columns:
            if isinstance(frame[column].dtype, pd.DatetimeTZDtype):
                frame[column] = frame[column].map(lambda t: "" if pd.isna(t) else t.isoformat())
        return str(frame.round(3).to_csv(index_label="case", lineterminator="\n"))

    def to_dict(self, *, limit: int = 100) -> dict[str, Any]:
        """The stable JSON shape; lists of cases are cut at ``limit`` (with the totals)."""
        reasons = (
            self.exceptions["reasons"].str.split(";").explode().value_counts().sort_index()
            if len(self.exceptions)
            else pd.Series(dtype=int)
        )
        departures = self.happy.departure_points(after_sale_only=False).head(10)
        after_sale = self.happy.departure_points(after_sale_only=True).head(10)
        return {
            "schema": SCHEMA,
            "model": self.model_id,
            "now": self.now.isoformat(),
            "cases": self.n_cases,
            "events": self.n_events,
            "success": None if self.success is None else self.success.model_dump(exclude_none=True),
            "funnel": [s.to_dict() for s in self.funnel],
            "milestones": [m.to_dict() for m in self.milestones],
            "happy_paths": {
                "successful_cases": self.happy.successful_cases,
                "successful_variants": self.happy.successful_variants,
                "all_variants": self.happy.all_variants,
                "paths": [p.to_dict() for p in self.happy.paths],
                "left_cases": len(self.happy.departures),
                "departures": departures.to_dict(orient="records"),
                "departures_after_sale": after_sale.to_dict(orient="records"),
            },
            "exceptions": {
                "cases": len(self.exceptions),
                "by_reason": {str(k): int(v) for k, v in reasons.items()},
                "rows": _records(self.exceptions.head(limit)),
                "truncated": len(self.exceptions) > limit,
            },
            "sentiment": self.sentiment.to_dict(limit),
            "ctqs": [c.to_dict() for c in self.ctqs],
            "triggers": [t.to_dict() for t in self.triggers],
            "findings": [f.to_dict() for f in self.findings],
            "unmapped_labels": self.unmapped_labels,
            "notes": [n.to_dict() for n in self.notes],
            "filter": self.filtered.to_dict() if self.filtered is not None else None,
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    clean = frame.astype(object).where(frame.notna(), None)
    return [
        {k: (float(v) if isinstance(v, np.floating) else v) for k, v in row.items()}
        for row in clean.to_dict(orient="records")
    ]


def analyse_journey(
    model: Model, log: pd.DataFrame, *, surveys: pd.DataFrame | None = None, now: object = None
) -> JourneyResult:
    """Analyse the customer journey in ``log`` against ``model``: its facts gathered as one
    piece (:func:`~bpmtool.mining.journey_facts.gather`), then judged (:func:`judge_journey`).

    ``surveys`` is a table with a case id column and NPS or CSAT answers (see
    :class:`~bpmtool.model.EmotionSource`); ``now`` (default: the last timestamp
    of the log) is when open cases are measured.  Pure: reads its inputs, returns data.
    """
    return judge_journey(model, gather(model, log), surveys=surveys, now=now)


def judge_journey(
    model: Model, facts: JourneyFacts, *, surveys: pd.DataFrame | None = None, now: object = None
) -> JourneyResult:
    """The journey of a log's cases from their facts (of the whole log, or merged from its
    pieces): ``surveys`` and ``now`` as in :func:`analyse_journey`."""
    ev = JourneyCases.of(facts, now)
    journeys = stage_journeys(ev, model)
    sale_nodes = _sale_nodes(model)
    limit = model.journey.happy_paths if model.journey is not None else 5
    paths = happy_paths(ev, model, journeys.success, sale_nodes, limit)
    ctqs = measure_ctqs(ev, model)
    triggers = check_triggers(ev, model, journeys)
    feeling = sentiment(ev, model, surveys)
    report = struggling_customers(ev, model, journeys, paths, ctqs, feeling)
    ids = pd.Index(np.asarray(ev.case_ids).astype(str))

    def codes(cases: Sequence[str]) -> np.ndarray:
        """Case ids as positions in the journey's cases, the codes of a finding's cases."""
        at = ids.get_indexer(pd.Index([str(c) for c in cases]))
        return np.unique(at[at >= 0]).astype(np.int32)

    findings = sort_findings(
        [
            *ctq_findings(model, ctqs, codes),
            *trigger_findings(model, triggers, codes),
            *exception_findings(ev, model, report, journeys, paths, codes),
        ]
    )
    return JourneyResult(
        model.id,
        ev.now.tz_localize("UTC"),
        ev.n_cases,
        facts.events,
        success_definition(model),
        journeys.funnel,
        journeys.milestones,
        paths,
        ctqs,
        triggers,
        feeling,
        report,
        findings,
        _case_table(ev, model, journeys, feeling),
        sorted(facts.unmapped),
        filtered=facts.filtered,
    )


def _sale_nodes(model: Model) -> set[str]:
    if model.journey is None or model.journey.sale is None:
        return set()
    cond = model.milestone_by_id[model.journey.sale].reached_when
    return {cond.activity} if cond is not None else set()


def _case_table(ev: JourneyCases, model: Model, journeys: Any, feeling: Sentiment) -> pd.DataFrame:
    stage_ids = np.array([s.id for s in model.stages] + [""], dtype=object)
    table = pd.DataFrame(
        {
            "stage": stage_ids[journeys.current.to_numpy()],
            "success": journeys.success.to_numpy(),
            "start": utc(ev.start).array,
            "end": utc(ev.end).array,
        },
        index=ev.case_ids,
    )
    for mid in journeys.reached.columns:
        table[f"reached:{mid}"] = utc(journeys.reached[mid]).array
    for sid in journeys.days_in.columns:
        table[f"days_in:{sid}"] = journeys.days_in[sid].to_numpy()
    for col in ("behaviour", "emotion", "quadrant"):
        table[col] = feeling.scores[col].to_numpy()
    return table
