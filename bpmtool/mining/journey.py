"""The customer journey per case: current stage, milestones, time in stages, the stage funnel.

A case *enters* a stage with its first event on one of the stage's nodes; its
*current* stage is the furthest stage it has entered.  The time in a stage runs
from its entry to the entry of the next stage the case entered; in the current
stage it runs to ``now`` for a case still on its way, or to its last event for
a successful one.  A milestone is reached at the first event that meets its
``reached_when`` condition.  Everything is computed with group-bys over the
events, never a Python loop over them.

The times come from each case's facts (:mod:`bpmtool.mining.journey_facts`: gathered
wherever the events are, merged exactly); this module judges them.

The journey's finding codes are declared in :mod:`bpmtool.findings`; their names are here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bpmtool.mining.journey_events import JourneyCases, JourneyEvents, days, empty_times
from bpmtool.model import JourneySuccess, Milestone, Model

__all__ = [
    "CTQ_BREACH",
    "LEFT_HAPPY_PATH",
    "MILESTONE_OVERDUE",
    "MISSED_TRIGGER",
    "STUCK_IN_STAGE",
    "MilestoneStat",
    "StageJourneys",
    "StageStep",
    "milestone_mask",
    "stage_journeys",
    "success_definition",
]

CTQ_BREACH = "CTQ-BREACH"
MISSED_TRIGGER = "MISSED-TRIGGER"
STUCK_IN_STAGE = "STUCK-IN-STAGE"
MILESTONE_OVERDUE = "MILESTONE-OVERDUE"
LEFT_HAPPY_PATH = "LEFT-HAPPY-PATH"


@dataclass(frozen=True)
class StageStep:
    """One step of the stage funnel."""

    stage: str
    name: str
    reached: int  # cases that entered this stage or a later one
    current: int  # cases whose furthest stage is this one
    conversion: float | None  # reached / reached of the step before (all cases for the first)
    median_days: float | None  # time in the stage of cases that moved on
    p90_days: float | None

    def to_dict(self) -> dict[str, object]:
        return {
            "stage": self.stage,
            "name": self.name,
            "reached": self.reached,
            "current": self.current,
            "conversion": _r(self.conversion),
            "median_days": _r(self.median_days),
            "p90_days": _r(self.p90_days),
        }


@dataclass(frozen=True)
class MilestoneStat:
    """How often and how fast a milestone is reached."""

    milestone: str
    stage: str
    question: str
    measurable: bool
    reached: int
    entered_stage: int  # cases that entered the milestone's stage
    median_days: float | None  # from the case's first event
    p90_days: float | None
    deadline_days: float | None
    late: int  # reached after the deadline (counted from the stage entry)
    overdue: int  # not reached, still on the way, deadline passed

    def to_dict(self) -> dict[str, object]:
        return {
            "milestone": self.milestone,
            "stage": self.stage,
            "question": self.question,
            "measurable": self.measurable,
            "reached": self.reached,
            "entered_stage": self.entered_stage,
            "median_days": _r(self.median_days),
            "p90_days": _r(self.p90_days),
            "deadline_days": _r(self.deadline_days),
            "late": self.late,
            "overdue": self.overdue,
        }


@dataclass(frozen=True)
class StageJourneys:
    """Per case: stage entries, time in each stage, milestones reached, success.

    Frames are indexed by case code (``0 … n_cases-1``); columns of ``entry`` and
    ``days_in`` are stage ids, columns of ``reached`` are milestone ids.
    """

    current: pd.Series  # stage index of the furthest stage entered, -1 for none
    entry: pd.DataFrame
    days_in: pd.DataFrame
    reached: pd.DataFrame
    success: pd.Series  # bool
    success_time: pd.Series
    funnel: list[StageStep]
    milestones: list[MilestoneStat]


def success_definition(model: Model) -> JourneySuccess | None:
    """The model's success definition, or by default its last measurable milestone."""
    if model.journey is not None and model.journey.success is not None:
        return model.journey.success
    for stage in reversed(model.stages):
        for ms in reversed(stage.milestones):
            if ms.reached_when is not None:
                return JourneySuccess(milestone=ms.id)
    return None


def milestone_mask(ev: JourneyEvents, milestone: Milestone) -> np.ndarray:
    """Which events meet a milestone's ``reached_when`` condition."""
    frame = ev.frame
    cond = milestone.reached_when
    if cond is None:
        return np.zeros(len(frame), dtype=bool)
    mask = (frame["node"] == cond.activity).fillna(False).to_numpy(dtype=bool)
    if cond.attribute is not None:
        if cond.attribute not in frame.columns:
            return np.zeros(len(frame), dtype=bool)
        values = frame[cond.attribute].astype(str).str.lower()
        mask &= (values == str(cond.equals).lower()).to_numpy(dtype=bool)
    return mask


def stage_journeys(ev: JourneyCases, model: Model) -> StageJourneys:
    """Judge every case's journey through the model's stages and milestones from its facts."""
    n = ev.n_cases
    stage_ids = [s.id for s in model.stages]
    entry = pd.DataFrame({sid: ev.time(f"entry:{sid}") for sid in stage_ids}, index=range(n))
    entered = entry.notna().to_numpy()
    last_entered = len(stage_ids) - 1 - np.argmax(entered[:, ::-1], axis=1) if stage_ids else 0
    current = pd.Series(
        np.where(entered.any(axis=1), last_entered, -1) if stage_ids else np.full(n, -1),
        index=range(n),
        dtype="int64",
    )

    reached = pd.DataFrame(index=range(n))
    for ms in model.milestone_by_id.values():
        reached[ms.id] = ev.time(f"reached:{ms.id}")
    success_time = _success_time(ev, model, reached)
    success = success_time.notna()

    # a case on its way is measured to now; a finished (successful) one to its last event
    until = pd.Series(ev.now, index=range(n)).where(~success, ev.end)
    days_in = pd.DataFrame(index=range(n), columns=stage_ids, dtype="float64")
    for i, sid in enumerate(stage_ids):
        later = entry.iloc[:, i + 1 :].min(axis=1) if i + 1 < len(stage_ids) else empty_times(n)
        end = later.where(later.notna(), until)
        days_in[sid] = days(end - entry[sid])

    funnel = _funnel(model, current, days_in, n)
    stats = _milestone_stats(ev, model, entry, reached, success)
    return StageJourneys(current, entry, days_in, reached, success, success_time, funnel, stats)


def _success_time(ev: JourneyCases, model: Model, reached: pd.DataFrame) -> pd.Series:
    definition = success_definition(model)
    if definition is None:
        return empty_times(ev.n_cases)
    if definition.milestone is not None:
        return reached[definition.milestone]
    return ev.time("success")


def _funnel(model: Model, current: pd.Series, days_in: pd.DataFrame, n: int) -> list[StageStep]:
    steps: list[StageStep] = []
    before = n
    for i, stage in enumerate(model.stages):
        reached = int((current >= i).sum())
        moved_on = days_in.loc[current > i, stage.id].dropna()
        steps.append(
            StageStep(
                stage.id,
                stage.label,
                reached,
                int((current == i).sum()),
                reached / before if before else None,
                _q(moved_on, 0.5),
                _q(moved_on, 0.9),
            )
        )
        before = reached
    return steps


def _milestone_stats(
    ev: JourneyCases, model: Model, entry: pd.DataFrame, reached: pd.DataFrame, success: pd.Series
) -> list[MilestoneStat]:
    out = []
    for stage in model.stages:
        entered = entry[stage.id].notna()
        for ms in stage.milestones:
            when = reached[ms.id]
            to_reach = days(when - ev.start).dropna()
            late = overdue = 0
            if ms.deadline is not None:
                limit = pd.Timedelta(ms.deadline)
                late = int(((when - entry[stage.id]) > limit).sum())
                waiting = entered & when.isna() & ~success
                overdue = int((waiting & ((ev.now - entry[stage.id]) > limit)).sum())
            out.append(
                MilestoneStat(
                    ms.id,
                    stage.id,
                    ms.question,
                    ms.reached_when is not None,
                    int(when.notna().sum()),
                    int(entered.sum()),
                    _q(to_reach, 0.5),
                    _q(to_reach, 0.9),
                    days(pd.Timedelta(ms.deadline)) if ms.deadline is not None else None,
                    late,
                    overdue,
                )
            )
    return out


def _q(values: pd.Series, q: float) -> float | None:
    """A quantile (linear interpolation), or None for no values."""
    return float(values.quantile(q)) if len(values) else None


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(float(value), digits)
