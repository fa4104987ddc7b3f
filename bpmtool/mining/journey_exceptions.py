"""Struggling customers: the work list a customer success team goes through.

A case that has not (yet) succeeded is flagged for each of these reasons:

``stuck``
    in its current stage for longer than the 90th percentile of the time
    successful customers spent in that stage (``STUCK-IN-STAGE``);
``milestone-overdue``
    it entered a milestone's stage, has not reached the milestone and the
    milestone's deadline (counted from the stage entry) is over
    (``MILESTONE-OVERDUE``);
``ctq-overdue``
    it did a CTQ's ``from`` activity, not yet its ``to``, and the limit is over;
``left-happy-path``
    after the sale it did a step that no happy path takes at that point
    (``LEFT-HAPPY-PATH``).

One row per case: all its reasons, its stage and the stage's action, its
quadrant and the quadrant's action.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from bpmtool.findings import Finding, make_finding
from bpmtool.mining.journey import (
    LEFT_HAPPY_PATH,
    MILESTONE_OVERDUE,
    STUCK_IN_STAGE,
    StageJourneys,
)
from bpmtool.mining.journey_ctq import CtqResult
from bpmtool.mining.journey_events import JourneyCases, days
from bpmtool.mining.journey_paths import HappyPaths
from bpmtool.mining.journey_sentiment import Sentiment
from bpmtool.mining.labels import LabelMatcher
from bpmtool.model import Model

__all__ = ["EXCEPTION_COLUMNS", "exception_findings", "stage_limits", "struggling_customers"]

#: the columns of the exception report, in CSV order
EXCEPTION_COLUMNS = [
    "case",
    "reasons",
    "stage",
    "stage_name",
    "days_in_stage",
    "days_since_last_event",
    "last_activity",
    "detail",
    "action",
    "quadrant",
    "quadrant_action",
]
_LISTED = 200
_POINTS = 10  # departure points reported as findings, most common first


def stage_limits(model: Model, journeys: StageJourneys) -> dict[str, float]:
    """Per stage, the p90 of days successful customers spent in it (stages they entered)."""
    out = {}
    ok = journeys.success
    for stage in model.stages:
        spent = journeys.days_in.loc[ok, stage.id].dropna()
        if len(spent):
            out[stage.id] = float(spent.quantile(0.9))
    return out


def _flags(
    ev: JourneyCases,
    model: Model,
    journeys: StageJourneys,
    paths: HappyPaths,
    ctqs: list[CtqResult],
) -> list[tuple[str, pd.Series]]:
    """(reason, detail per flagged case code), one entry per stage, milestone, CTQ, …"""
    open_ = ~journeys.success
    current = journeys.current
    parts: list[tuple[str, pd.Series]] = []
    limits = stage_limits(model, journeys)
    for i, stage in enumerate(model.stages):
        if stage.id not in limits:
            continue
        spent = journeys.days_in[stage.id]
        hit = open_ & (current == i) & (spent > limits[stage.id])
        detail = (
            f"in {stage.label} for "
            + spent[hit].round(0).astype(int).astype(str)
            + f"d; successful customers leave it within {limits[stage.id]:.0f}d (p90)"
        )
        parts.append(("stuck", detail))
    for stage in model.stages:
        entry = journeys.entry[stage.id]
        for ms in stage.milestones:
            if ms.deadline is None or ms.reached_when is None:
                continue
            limit = pd.Timedelta(ms.deadline)
            hit = (
                open_ & entry.notna() & journeys.reached[ms.id].isna() & ((ev.now - entry) > limit)
            )
            waited = days(ev.now - entry[hit]).round(0).astype(int).astype(str)
            detail = (
                f"'{ms.question or ms.id}' not yet after "
                + waited
                + f"d in {stage.label} (deadline {days(limit):.0f}d)"
            )
            parts.append(("milestone-overdue", detail))
    for ctq in ctqs:
        over = ctq.overdue_days[open_.reindex(ctq.overdue_days.index, fill_value=False)]
        detail = (
            f"{ctq.name}: waiting "
            + over.round(0).astype(int).astype(str)
            + f"d (limit {ctq.max_days:.0f}d)"
        )
        parts.append(("ctq-overdue", detail))
    dep = paths.departures[paths.departures["after_sale"]]
    detail = "left every happy path: '" + dep["activity"] + "' after '" + dep["after"] + "'"
    parts.append(("left-happy-path", detail))
    return parts


def _joined(parts: list[tuple[str, pd.Series]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per case code, its reasons (";"-joined, each once) and details ("; "-joined)."""
    reasons = np.full(n, "", dtype=object)
    details = np.full(n, "", dtype=object)
    for reason, detail in parts:
        codes = detail.index.to_numpy(dtype="int64")
        text = detail.astype(str).to_numpy(dtype=object)
        had = reasons[codes]
        new = (
            np.array([reason not in r.split(";") for r in had], dtype=bool)
            if len(had)
            else np.zeros(0, dtype=bool)
        )
        reasons[codes] = np.where(had == "", reason, np.where(new, had + ";" + reason, had))
        before = details[codes]
        details[codes] = np.where(before == "", text, before + "; " + text)
    return reasons, details


def struggling_customers(
    ev: JourneyCases,
    model: Model,
    journeys: StageJourneys,
    paths: HappyPaths,
    ctqs: list[CtqResult],
    feeling: Sentiment | None = None,
) -> pd.DataFrame:
    """The exception report: one row per struggling case (see :data:`EXCEPTION_COLUMNS`)."""
    reasons, details = _joined(_flags(ev, model, journeys, paths, ctqs), ev.n_cases)
    codes = np.flatnonzero(reasons != "")
    if not len(codes):
        return pd.DataFrame(columns=EXCEPTION_COLUMNS)
    rows = pd.DataFrame({"reasons": reasons[codes], "detail": details[codes]})
    stage_idx = journeys.current.to_numpy()[codes]
    stage_ids = np.array([s.id for s in model.stages] + [""], dtype=object)
    names = np.array([s.label for s in model.stages] + [""], dtype=object)
    actions = np.array([s.action for s in model.stages] + [""], dtype=object)
    rows.insert(0, "case", np.asarray(ev.case_ids)[codes])
    rows["stage"] = stage_ids[stage_idx]  # -1 picks the trailing ""
    rows["stage_name"] = names[stage_idx]
    spent = journeys.days_in.to_numpy(dtype=float)
    in_stage = (
        np.where(stage_idx >= 0, spent[codes, np.maximum(stage_idx, 0)], np.nan)
        if spent.shape[1]
        else np.full(len(codes), np.nan)
    )
    rows["days_in_stage"] = np.round(in_stage, 2)
    rows["days_since_last_event"] = np.round(days(ev.now - ev.end).to_numpy(dtype=float)[codes], 2)
    rows["last_activity"] = ev.facts.last_label[codes]
    rows["action"] = actions[stage_idx]
    rows["quadrant"] = ""
    rows["quadrant_action"] = ""
    if feeling is not None:
        by_key = {g.key: g for g in feeling.groups}
        quad = feeling.scores["quadrant"].to_numpy()[codes]
        rows["quadrant"] = [by_key[q].name if isinstance(q, str) else "" for q in quad]
        rows["quadrant_action"] = [by_key[q].action if isinstance(q, str) else "" for q in quad]
    rows = rows.sort_values(
        ["days_in_stage", "case"], ascending=[False, True], na_position="last", kind="stable"
    )
    return rows[EXCEPTION_COLUMNS].reset_index(drop=True)


def exception_findings(
    ev: JourneyCases,
    model: Model,
    report: pd.DataFrame,
    journeys: StageJourneys,
    paths: HappyPaths,
    codes: Callable[[Sequence[str]], Any] | None = None,
) -> list[Finding]:
    """Findings that sum the exception report up: per stage, milestone and departure point;
    where a finding lists its cases, ``codes`` gives them as :attr:`Finding.case_codes`."""
    out: list[Finding | None] = []
    limits = stage_limits(model, journeys)
    reasons = report["reasons"].str.split(";")
    for stage in model.stages:
        cases = report.loc[
            reasons.map(lambda r: "stuck" in r) & (report["stage"] == stage.id), "case"
        ].tolist()
        if cases:
            out.append(
                make_finding(
                    model,
                    STUCK_IN_STAGE,
                    (stage.id,),
                    f"{len(cases)} customer(s) have been in {stage.label} longer than successful "
                    f"customers ever needed ({limits[stage.id]:.0f}d, p90): "
                    + ", ".join(cases[:10])
                    + (" …" if len(cases) > 10 else "")
                    + ".",
                    stage.action or "Agree with the customer what stops them moving on.",
                    {
                        "cases": cases[:_LISTED],
                        "count": len(cases),
                        "p90_days": round(limits[stage.id], 3),
                    },
                    case_codes=codes(cases) if codes else None,
                )
            )
    for stat in journeys.milestones:
        if stat.overdue:
            out.append(
                make_finding(
                    model,
                    MILESTONE_OVERDUE,
                    (stat.milestone, stat.stage),
                    f"{stat.overdue} customer(s) have not reached milestone {stat.milestone!r} "
                    f"({stat.question}) within its {stat.deadline_days:.0f}-day deadline; "
                    f"{stat.late} more reached it late.",
                    model.stage_by_id[stat.stage].action,
                    {"overdue": stat.overdue, "late": stat.late, "reached": stat.reached},
                )
            )
    dep = paths.departures[paths.departures["after_sale"]]
    matcher = LabelMatcher.of(model)
    counts = dep.groupby(["after", "activity"], sort=True).size()
    top = counts.sort_values(ascending=False, kind="stable").head(_POINTS)
    for (after, activity), group in dep.groupby(["after", "activity"], sort=True):
        if (after, activity) not in top.index:
            continue
        cases = np.asarray(ev.case_ids)[group.index.to_numpy()].astype(str).tolist()
        out.append(
            make_finding(
                model,
                LEFT_HAPPY_PATH,
                (matcher.node(after) or str(after), matcher.node(activity) or str(activity)),
                f"{len(group)} customer(s) left every happy path after the sale: "
                f"{activity!r} after {after!r}.",
                "Check whether this step is a new path to success or the start of a problem.",
                {"count": len(group), "cases": cases[:_LISTED]},
                case_codes=codes(cases) if codes else None,
            )
        )
    return [f for f in out if f is not None]
