"""Everything a customer journey needs from a log's events, gathered piece by piece and
merged exactly.

The journey (:func:`bpmtool.mining.journey_result.judge_journey`) is judged from facts per
case: when it entered each stage, reached each milestone, did each CTQ's ``from`` and its
``to``, did each trigger's follow-up, did the success activity; its last event of each
recency measure and its count of each counting measure; its first and last event and the
label of the last; its trace of activity labels (a number into the distinct traces); the
last emotional answer the log itself holds.  A case's facts need only its own events, so
:func:`gather` computes them wherever the events are — the whole log in one process, or one
partition on a cluster's worker (a case never straddles two) — and :func:`merge` joins the
pieces: cases put in the order of their ids (the order of the whole log), traces numbered
anew, counts added, label sets joined.  Nothing is summarised before the merge: every
duration stays, so each quantile (days in a stage or to a milestone, a CTQ's p50 and p90,
the 90th percentile a counting measure is scored against) is computed from all of them —
exact.  ``now`` is not a fact: the judging applies it to the merged facts.

Their size follows the cases, never the events: per case a few times (stages, milestones,
CTQs, triggers, measures), a variant number and two labels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from bpmtool.errors import EventLogError
from bpmtool.mining.journey import milestone_mask, success_definition
from bpmtool.mining.journey_events import first_after, first_time, prepare_events
from bpmtool.mining.journey_sentiment import behaviour_measures, emotion_attribute
from bpmtool.survey_schema import SCORE_RANGES, score_numbers

if TYPE_CHECKING:
    from bpmtool.mining.journey_events import JourneyEvents
    from bpmtool.mining.log_filter import FilterOutcome
    from bpmtool.model import BehaviourMeasure, Model

__all__ = ["JourneyFacts", "attribute_columns", "gather", "merge"]

_EXAMPLES = 3  # out-of-range answers named in the error


@dataclass
class JourneyFacts:
    """The journey's facts of some events (a piece of a log, or the merged whole), one row
    per case in the order of ``case_ids``."""

    #: the case ids, sorted (object array of str): a case's code is its position
    case_ids: Any
    start: Any  # datetime64[ns]: each case's first and last event
    end: Any
    last_label: Any  # object: the label of each case's last event
    variant: Any  # int32 into ``sequences``
    #: the distinct traces (activity labels in time order)
    sequences: list[tuple[str, ...]]
    #: per case when it first did something (datetime64[ns], NaT: never):
    #: ``entry:STAGE``, ``reached:MILESTONE``, ``success`` (success by activity),
    #: ``ctq-from:CTQ``, ``ctq-to:CTQ`` (the first ``to`` at or after ``from``),
    #: ``trigger:KEY`` (the first follow-up at or after the milestone), ``last:MEASURE``
    #: (the last matching event of a recency measure)
    times: dict[str, Any]
    #: per case the count of a counting measure (``events``, ``activities``), by its id
    counts: dict[str, Any]
    #: the last answer per case in the log's emotion attribute (NaN: none); ``None``: the
    #: log has no such column
    emotion: Any
    events: int
    #: each label the model knows and its node (the first event's, as the whole log has it)
    label_nodes: dict[str, str]
    #: labels some event of which the model does not know
    unmapped: set[str]
    #: the last event's time (NaT: the log has no times), ``None`` without events
    latest: Any
    #: emotion answers out of their scale's range: how many, and the first few as
    #: (case id, row in the case's order, the answer as written)
    bad_answers: tuple[int, list[tuple[str, int, str]]] = (0, [])
    #: the filter the events went through, and what it kept (``None``: every case)
    filtered: FilterOutcome | None = field(default=None, repr=False)
    #: with a lane filter: the lanes' source it judged the piece's lanes by
    filter_source: str | None = None

    @property
    def n_cases(self) -> int:
        return len(self.case_ids)


def attribute_columns(model: Model) -> list[str]:
    """The log columns the journey reads besides the standard ones: milestones' attribute
    conditions and the emotion attribute."""
    cols = [
        m.reached_when.attribute
        for m in model.milestone_by_id.values()
        if m.reached_when is not None and m.reached_when.attribute
    ]
    attribute = emotion_attribute(model)
    if attribute is not None:
        cols.append(attribute.attribute or "")
    return cols


def gather(model: Model, log: pd.DataFrame, filtered: FilterOutcome | None = None) -> JourneyFacts:
    """The journey's facts of a log, or of a piece of one holding whole cases (``filtered``:
    what a filter kept of the piece, carried along to be added up)."""
    ev = prepare_events(model, log, extra_columns=attribute_columns(model))
    frame, n = ev.frame, ev.n_cases
    times: dict[str, Any] = {}
    staged = frame[frame["stage"] >= 0]
    entry = (
        staged.groupby(["case", "stage"], sort=True)["time"]
        .min()
        .unstack("stage")
        .reindex(index=range(n), columns=range(len(model.stages)))
    )
    for i, stage in enumerate(model.stages):
        times[f"entry:{stage.id}"] = _ns(entry[i])
    for ms in model.milestone_by_id.values():
        times[f"reached:{ms.id}"] = _ns(first_time(ev, milestone_mask(ev, ms)))
    definition = success_definition(model)
    if definition is not None and definition.activity is not None:
        times["success"] = _ns(first_time(ev, _is_node(frame, definition.activity)))
    for ctq in model.ctqs:
        start = first_time(ev, _is_node(frame, ctq.from_))
        times[f"ctq-from:{ctq.id}"] = _ns(start)
        times[f"ctq-to:{ctq.id}"] = _ns(first_after(ev, ctq.to, start))
    for trig in model.triggers:
        reached = pd.Series(times[f"reached:{trig.when.milestone}"], index=range(n))
        times[f"trigger:{trig.key}"] = _ns(first_after(ev, trig.expect.activity, reached))
    counts: dict[str, Any] = {}
    for m in behaviour_measures(model):
        mask = _matches(frame, m)
        if m.kind == "recency":
            last = frame.loc[mask, ["case", "time"]].groupby("case")["time"].max()
            times[f"last:{m.id}"] = _ns(last.reindex(range(n)))
        elif m.kind == "activities":
            pairs = frame.loc[mask, ["case", "label"]].drop_duplicates()
            counts[m.id] = np.bincount(pairs["case"].to_numpy(), minlength=n).astype(np.int64)
        else:
            cases = frame["case"].to_numpy()[mask]
            counts[m.id] = np.bincount(cases, minlength=n).astype(np.int64)
    emotion, bad = _emotion(ev, model)
    variant, sequences = _variants(frame, n)
    has_node = frame["node"].notna().to_numpy()
    named = frame.loc[has_node, ["label", "node"]].drop_duplicates("label")
    ends = _case_ends(frame, n)
    return JourneyFacts(
        np.asarray(ev.case_ids, dtype=object),
        _ns(ev.start),
        _ns(ev.end),
        np.asarray(frame["label"].astype(object).to_numpy()[ends], dtype=object),
        variant,
        sequences,
        times,
        counts,
        emotion,
        len(frame),
        {str(lab): str(node) for lab, node in zip(named["label"], named["node"], strict=True)},
        {str(lab) for lab in frame.loc[~has_node, "label"].unique()},
        pd.Timestamp(frame["time"].max()) if len(frame) else None,
        bad,
        filtered,
    )


def merge(parts: list[JourneyFacts]) -> JourneyFacts:
    """The facts of a log's pieces (each case in one piece) as the facts of the whole; a
    case in two pieces is refused (its journey would be split in two)."""
    if len(parts) == 1:
        return parts[0]
    ids = np.concatenate([p.case_ids for p in parts]) if parts else np.zeros(0, dtype=object)
    order = np.argsort(ids, kind="stable")
    ids = ids[order]
    twice = np.flatnonzero(ids[1:] == ids[:-1])
    if len(twice):
        raise EventLogError.single(
            f"case {ids[twice[0]]!r} has events in two partitions",
            expected="each case's events in one partition (bpmtool log --to-parquet writes "
            "them so)",
        )

    def joined(values: list[Any]) -> Any:
        return np.concatenate(values)[order]

    index: dict[tuple[str, ...], int] = {}
    variants = []
    for p in parts:
        to = np.asarray([index.setdefault(s, len(index)) for s in p.sequences], dtype=np.int32)
        variants.append(to[p.variant] if len(p.variant) else p.variant.astype(np.int32))
    emotion = None
    if any(p.emotion is not None for p in parts):
        emotion = joined(
            [p.emotion if p.emotion is not None else np.full(p.n_cases, np.nan) for p in parts]
        )
    label_nodes: dict[str, str] = {}
    for p in parts:
        for label, node in p.label_nodes.items():
            label_nodes.setdefault(label, node)
    latest = [p.latest for p in parts if p.latest is not None]
    timed = [t for t in latest if not pd.isna(t)]
    examples = sorted(e for p in parts for e in p.bad_answers[1])[:_EXAMPLES]
    return JourneyFacts(
        ids,
        joined([p.start for p in parts]),
        joined([p.end for p in parts]),
        joined([p.last_label for p in parts]),
        joined(variants),
        list(index),
        {k: joined([p.times[k] for p in parts]) for k in parts[0].times},
        {k: joined([p.counts[k] for p in parts]) for k in parts[0].counts},
        emotion,
        sum(p.events for p in parts),
        label_nodes,
        set().union(*(p.unmapped for p in parts)),
        max(timed) if timed else (pd.NaT if latest else None),
        (sum(p.bad_answers[0] for p in parts), examples),
        _merged_outcome([p.filtered for p in parts]),
    )


def _merged_outcome(outcomes: list[FilterOutcome | None]) -> FilterOutcome | None:
    """What one filter kept of every piece, added up."""
    from dataclasses import replace

    known = [o for o in outcomes if o is not None]
    if not known:
        return None
    return replace(
        known[0],
        cases_before=sum(o.cases_before for o in known),
        cases_after=sum(o.cases_after for o in known),
        events_before=sum(o.events_before for o in known),
        events_after=sum(o.events_after for o in known),
    )


def _ns(values: pd.Series) -> Any:
    """Times as a datetime64[ns] array (NaT where missing)."""
    return values.astype("datetime64[ns]").to_numpy()


def _is_node(frame: pd.DataFrame, node: str) -> np.ndarray:
    return (frame["node"] == node).fillna(False).to_numpy(dtype=bool)


def _matches(frame: pd.DataFrame, m: BehaviourMeasure) -> np.ndarray:
    """The events a behaviour measure counts: by node, label or lane; every event without."""
    if not (m.nodes or m.labels or m.lanes):
        return np.ones(len(frame), dtype=bool)
    mask = np.zeros(len(frame), dtype=bool)
    if m.nodes:
        mask |= frame["node"].isin(m.nodes).to_numpy(dtype=bool)
    if m.labels:
        mask |= frame["label"].isin(m.labels).to_numpy(dtype=bool)
    if m.lanes:
        mask |= frame["lane"].isin(m.lanes).to_numpy(dtype=bool)
    return mask


def _emotion(ev: JourneyEvents, model: Model) -> tuple[Any, tuple[int, list[tuple[str, int, str]]]]:
    """The last answer per case in the log's emotion attribute, and the answers out of
    range (counted and named, not refused here: only the judging knows whether the
    attribute is the emotion's source)."""
    source = emotion_attribute(model)
    frame = ev.frame
    if source is None or source.attribute not in frame.columns:
        return None, (0, [])
    values = frame[source.attribute]
    numbers = score_numbers(values)
    low, high = SCORE_RANGES[source.scale]
    bad = (numbers.notna() & ((numbers < low) | (numbers > high))).to_numpy(dtype=bool)
    rows = np.flatnonzero(bad)
    cases = frame["case"].to_numpy()
    examples = [(str(ev.case_ids[cases[r]]), int(r), str(values.iloc[r])) for r in rows[:_EXAMPLES]]
    last = numbers.groupby(frame["case"]).last().reindex(range(ev.n_cases))
    return last.to_numpy(dtype=float), (len(rows), examples)


def _case_ends(frame: pd.DataFrame, n: int) -> np.ndarray:
    """The row of each case's last event (the frame is sorted by case code)."""
    cases = frame["case"].to_numpy()
    return np.searchsorted(cases, np.arange(n), side="right") - 1


def _variants(frame: pd.DataFrame, n: int) -> tuple[Any, list[tuple[str, ...]]]:
    """Per case a number into the distinct traces, and the traces (one Python object per
    distinct trace, none per event)."""
    codes = frame["label"].cat.codes.to_numpy().astype(np.int32)
    names = [str(c) for c in frame["label"].cat.categories]
    cases = frame["case"].to_numpy()
    starts = np.searchsorted(cases, np.arange(n), side="left")
    ends = np.searchsorted(cases, np.arange(n), side="right")
    raw, size = codes.tobytes(), codes.itemsize
    seen: dict[bytes, int] = {}
    sequences: list[tuple[str, ...]] = []
    variant = np.empty(n, dtype=np.int32)
    for i, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        key = raw[s * size : e * size]
        v = seen.get(key)
        if v is None:
            v = seen[key] = len(sequences)
            sequences.append(tuple(names[x] for x in codes[s:e]))
        variant[i] = v
    return variant, sequences
