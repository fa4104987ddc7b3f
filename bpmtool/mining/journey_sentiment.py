"""Behaviour × emotion: what customers do (the log) against how they feel (NPS, CSAT).

The behavioural score (0–100) is a weighted mean of the model's measures, each
scored 0–1 per case: ``events`` (count of matching events), ``activities``
(distinct matching activities), both divided by ``full_at`` (default: the 90th
percentile across cases) and capped at 1, turned round when fewer is better; and
``recency`` (1 for an event just now, falling linearly to 0 at ``horizon``).
The emotional score is the last NPS (0–10) or CSAT (1–5) answer per case, from
a case attribute of the log or from a survey table joined by case id.  High
behaviour and happy → champion; high and unhappy → loyal but unhappy; low and
happy → happy but drifting; low and unhappy → at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from bpmtool.errors import InputError
from bpmtool.mining.journey_events import JourneyCases, days
from bpmtool.model import BehaviourMeasure, EmotionSource, Model, Quadrants
from bpmtool.survey_schema import SCORE_RANGES, score_numbers

__all__ = [
    "QUADRANTS",
    "QuadrantGroup",
    "Sentiment",
    "behaviour_measures",
    "behaviour_scores",
    "emotion_attribute",
    "emotion_scores",
    "emotion_source",
    "sentiment",
]

QUADRANTS = ("champion", "loyal_unhappy", "happy_drifting", "at_risk")
_RANGE = SCORE_RANGES
_HAPPY_AT = {"nps": 7.0, "csat": 4.0}
_DEFAULT_MEASURES = (
    BehaviourMeasure(id="activities_done", kind="activities"),
    BehaviourMeasure(id="recency", kind="recency"),
)
_LISTED = 100


@dataclass(frozen=True)
class QuadrantGroup:
    """The customers in one cell of the behaviour × emotion grid."""

    key: str
    name: str
    action: str
    case_ids: list[str]

    def to_dict(self, limit: int = _LISTED) -> dict[str, object]:
        return {
            "key": self.key,
            "name": self.name,
            "action": self.action,
            "cases": len(self.case_ids),
            "case_ids": self.case_ids[:limit],
            "truncated": len(self.case_ids) > limit,
        }


@dataclass(frozen=True)
class Sentiment:
    """Per-case scores and the quadrant groups.

    ``scores`` is indexed by case code with ``behaviour`` (0–100), one 0–1 column
    per measure, ``emotion`` (raw answer or NaN) and ``quadrant`` (key or missing).
    """

    scores: pd.DataFrame
    groups: list[QuadrantGroup]
    scale: str | None
    source: str | None  # e.g. "survey:nps" or "attribute:case:nps"
    happy_at: float | None
    behaviour_high_at: float
    unmatched_survey_rows: int = 0

    def to_dict(self, limit: int = _LISTED) -> dict[str, object]:
        scored = self.scores["emotion"].notna()
        return {
            "source": self.source,
            "scale": self.scale,
            "happy_at": self.happy_at,
            "behaviour_high_at": self.behaviour_high_at,
            "behaviour_median": _r(self.scores["behaviour"].median()),
            "cases_scored": int(scored.sum()),
            "cases_without_emotion": int((~scored).sum()),
            "unmatched_survey_rows": self.unmatched_survey_rows,
            "quadrants": [g.to_dict(limit) for g in self.groups],
        }


def behaviour_measures(model: Model) -> list[BehaviourMeasure]:
    """The model's behaviour measures, or by default activities done and recency."""
    journey = model.journey
    measures = list(journey.behaviour) if journey is not None else []
    return measures or list(_DEFAULT_MEASURES)


def behaviour_scores(ev: JourneyCases, measures: list[BehaviourMeasure]) -> pd.DataFrame:
    """Per case code, each measure's 0–1 score and the weighted behaviour score (0–100),
    from the cases' counts and last matching events (their facts)."""
    n = ev.n_cases
    measures = measures or list(_DEFAULT_MEASURES)
    out = pd.DataFrame(index=range(n))
    for m in measures:
        if m.kind == "recency":
            silent = days(ev.now - ev.time(f"last:{m.id}"))
            score = (1 - silent / days(pd.Timedelta(m.horizon))).clip(0, 1).fillna(0.0)
        else:
            counts = ev.facts.counts[m.id]
            full = m.full_at or (float(np.quantile(counts, 0.9)) if n else 1.0)
            score = pd.Series(np.clip(counts / (full or 1.0), 0, 1), index=range(n))
            if m.lower_is_better:
                score = 1 - score
        out[m.id] = score.astype(float)
    weights = np.array([m.weight for m in measures], dtype=float)
    total = weights.sum() or 1.0
    out.insert(0, "behaviour", out[[m.id for m in measures]].to_numpy() @ weights / total * 100)
    return out


def emotion_attribute(model: Model) -> EmotionSource | None:
    """The model's emotion source when it is an attribute of the log's events."""
    emotion = model.journey.emotion if model.journey is not None else None
    return emotion if emotion is not None and emotion.attribute else None


def emotion_source(model: Model, surveys: pd.DataFrame | None) -> EmotionSource | None:
    """The configured emotion source, or a default one when a survey table is given."""
    journey = model.journey
    if journey is not None and journey.emotion is not None:
        return journey.emotion
    if surveys is None:
        return None
    if "nps" in surveys.columns:
        return EmotionSource(column="nps", scale="nps")
    if "csat" in surveys.columns:
        return EmotionSource(column="csat", scale="csat")
    raise InputError.single(
        f"the survey table has neither an 'nps' nor a 'csat' column (it has "
        f"{', '.join(map(str, surveys.columns))})",
        key="surveys",
        expected="a 'case_id' column and an 'nps' or 'csat' column",
    )


def emotion_scores(
    ev: JourneyCases, source: EmotionSource, surveys: pd.DataFrame | None
) -> tuple[pd.Series, str | None, int]:
    """Per case code the last answer, where it came from, and unmatched survey rows."""
    n = ev.n_cases
    if source.column is not None and surveys is not None:
        if source.case_column not in surveys.columns or source.column not in surveys.columns:
            raise InputError.single(
                f"the survey table needs the columns {source.case_column!r} and "
                f"{source.column!r}; it has {', '.join(map(str, surveys.columns))}",
                key="surveys",
                expected=f"a {source.case_column!r} and a {source.column!r} column",
            )
        codes = ev.case_ids.get_indexer(surveys[source.case_column].astype(str))
        values = _checked(surveys[source.column], source, source.column, key="surveys")
        table = pd.DataFrame({"case": codes, "value": values.to_numpy()})
        unmatched = int((table["case"] < 0).sum())
        table = table[(table["case"] >= 0) & table["value"].notna()]
        last = table.groupby("case")["value"].last()
        return last.reindex(range(n)), f"survey:{source.column}", unmatched
    facts = ev.facts
    if source.attribute is not None and facts.emotion is not None:
        bad, examples = facts.bad_answers
        if bad:
            low, high = _RANGE[source.scale]
            raise InputError.single(
                f"{bad} {source.scale.upper()} value(s) in {source.attribute!r} are out of "
                f"range ({', '.join(text for _, _, text in examples)})",
                key=source.attribute,
                expected=f"{low:g} to {high:g}",
            )
        last = pd.Series(facts.emotion, index=range(n))
        return last, f"attribute:{source.attribute}", 0
    return pd.Series(np.nan, index=range(n)), None, 0


def _checked(
    values: pd.Series, source: EmotionSource, column: str, key: str | None = None
) -> pd.Series:
    numbers = score_numbers(values)
    low, high = _RANGE[source.scale]
    bad = numbers.notna() & ((numbers < low) | (numbers > high))
    if bad.any():
        examples = ", ".join(str(v) for v in values[bad].head(3))
        raise InputError.single(
            f"{int(bad.sum())} {source.scale.upper()} value(s) in {column!r} are out of range "
            f"({examples})",
            key=key or column,
            expected=f"{low:g} to {high:g}",
        )
    return numbers


def sentiment(ev: JourneyCases, model: Model, surveys: pd.DataFrame | None = None) -> Sentiment:
    """Place every case with an emotional score in the behaviour × emotion grid."""
    journey = model.journey
    measures = list(journey.behaviour) if journey is not None else []
    high_at = journey.behaviour_high_at if journey is not None else 50.0
    scores = behaviour_scores(ev, measures)
    source = emotion_source(model, surveys)
    happy_at: float | None = None
    scale: str | None = None
    unmatched = 0
    where: str | None = None
    emotion = pd.Series(np.nan, index=range(ev.n_cases))
    if source is not None:
        emotion, where, unmatched = emotion_scores(ev, source, surveys)
        scale = source.scale
        happy_at = source.happy_at if source.happy_at is not None else _HAPPY_AT[source.scale]
    scores["emotion"] = emotion.to_numpy()
    high = scores["behaviour"] >= high_at
    happy = scores["emotion"] >= (happy_at if happy_at is not None else np.inf)
    key = np.select([high & happy, high, happy], list(QUADRANTS[:3]), QUADRANTS[3])
    scores["quadrant"] = pd.Series(key, index=scores.index).where(scores["emotion"].notna())
    cells = journey.quadrants if journey is not None else Quadrants()
    groups = []
    for k in QUADRANTS:
        spec = getattr(cells, k)
        members = np.flatnonzero((scores["quadrant"] == k).to_numpy())
        groups.append(
            QuadrantGroup(
                k,
                spec.name or k.replace("_", " "),
                spec.action,
                ev.case_ids[members].astype(str).tolist(),
            )
        )
    return Sentiment(scores, groups, scale, where, happy_at, high_at, unmatched)


def _r(value: float) -> float | None:
    return None if pd.isna(value) else round(float(value), 3)
