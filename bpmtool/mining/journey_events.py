"""An event log made ready for the journey analysis: sorted, integer-coded, mapped to the model.

Every journey function works on a :class:`JourneyEvents`: one row per event,
sorted by case and time, with the case as an integer code (``0 … n_cases-1``),
the model node and lane of each event, and the index of the journey stage the
node belongs to.  Building it is the only place the raw log columns are read,
so the rest of the journey code is plain vectorised pandas/numpy.

>>> import pandas as pd
>>> from bpmtool.model import Model
>>> m = Model.model_validate({"id": "t", "lanes": [{"id": "a"}],
...     "nodes": [{"id": "x", "name": "Do x", "lane": "a"}],
...     "stages": [{"id": "s", "nodes": ["x"]}]})
>>> log = pd.DataFrame({"case:concept:name": ["c2", "c1"], "concept:name": ["Do x", "Do x"],
...     "time:timestamp": pd.to_datetime(["2024-01-02", "2024-01-01"], utc=True)})
>>> ev = prepare_events(m, log)
>>> list(ev.case_ids), ev.frame["node"].tolist(), ev.frame["stage"].tolist()
(['c1', 'c2'], ['x', 'x'], [0, 0])
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from bpmtool.errors import EventLogError, InputError, Problem
from bpmtool.mining.labels import LabelMatcher
from bpmtool.model import Model

if TYPE_CHECKING:
    from bpmtool.mining.journey_facts import JourneyFacts

__all__ = [
    "ACTIVITY",
    "CASE",
    "LANE",
    "NODE",
    "TIMESTAMP",
    "JourneyCases",
    "JourneyEvents",
    "days",
    "empty_times",
    "first_after",
    "first_time",
    "journey_now",
    "prepare_events",
    "utc",
]

CASE = "case:concept:name"
ACTIVITY = "concept:name"
TIMESTAMP = "time:timestamp"
NODE = "bpmtool:node"
LANE = "bpmtool:lane"

_DAY = pd.Timedelta(days=1)


@dataclass(frozen=True)
class JourneyEvents:
    """A log sorted by case and time, with integer case codes and model columns.

    ``frame`` has the columns ``case`` (int code), ``label`` (the log's activity),
    ``node`` (model node id or missing), ``lane``, ``stage`` (stage index, -1 when
    the node is in no stage), ``time`` and any extra columns asked for.  Times are
    UTC *without* a time zone inside (numpy datetime64 compares and subtracts fast; a
    tz-aware column turns into Python objects on the way to numpy); :func:`utc` puts
    the zone back on what a result shows.
    """

    frame: pd.DataFrame
    case_ids: pd.Index
    now: pd.Timestamp
    start: pd.Series  # first event time per case code
    end: pd.Series  # last event time per case code

    @property
    def n_cases(self) -> int:
        return len(self.case_ids)


@dataclass(frozen=True)
class JourneyCases:
    """The cases of a journey as the judging sees them: their merged facts
    (:class:`~bpmtool.mining.journey_facts.JourneyFacts`) and the moment ``now`` open cases
    are measured at.  Series are indexed by case code (``0 … n_cases-1``), times zone-less
    UTC as in :class:`JourneyEvents`."""

    facts: JourneyFacts
    case_ids: pd.Index
    now: pd.Timestamp
    start: pd.Series
    end: pd.Series

    @classmethod
    def of(cls, facts: JourneyFacts, now: object = None) -> JourneyCases:
        """The facts judged at ``now`` (default: the last event of the merged log)."""
        n = facts.n_cases
        return cls(
            facts,
            pd.Index(facts.case_ids, name="case", dtype=object),
            journey_now(now, facts.latest),
            pd.Series(facts.start, index=range(n)),
            pd.Series(facts.end, index=range(n)),
        )

    @property
    def n_cases(self) -> int:
        return len(self.case_ids)

    def time(self, key: str) -> pd.Series:
        """A per-case time of the facts (see :attr:`JourneyFacts.times`), by case code."""
        return pd.Series(self.facts.times[key], index=range(self.n_cases))


def days(values: pd.Series | pd.Timedelta) -> pd.Series | float:
    """Durations in days (floats), the unit every journey table reports in."""
    return values / _DAY


def prepare_events(
    model: Model, log: pd.DataFrame, *, now: object = None, extra_columns: Iterable[str] = ()
) -> JourneyEvents:
    """Sort, code and map a pm4py-style log for the journey analysis.

    Uses the ``bpmtool:node`` / ``bpmtool:lane`` columns when the log has been
    mapped, otherwise maps activity labels to nodes as the check does
    (:class:`~bpmtool.mining.labels.LabelMatcher`: name, id or alias, ignoring case and
    spacing; an ambiguous label is an error).
    ``now`` (default: the log's last timestamp) is the moment open cases are
    measured against.  Raises :class:`~bpmtool.errors.EventLogError` when a
    standard column is missing or a timestamp cannot be read.
    """
    missing = [c for c in (CASE, ACTIVITY, TIMESTAMP) if c not in log.columns]
    if missing:
        raise EventLogError(
            problems=[
                Problem(
                    message=f"the log has no column {c!r}",
                    key=c,
                    expected="pm4py's standard columns",
                )
                for c in missing
            ],
            summary=f"the event log lacks {', '.join(missing)}",
        )
    time = _utc(log[TIMESTAMP]).dt.tz_localize(None).to_numpy()
    codes, case_ids = _factorize(log[CASE])
    label_codes, label_values = _factorize(log[ACTIVITY])
    node_ids = [n.id for n in model.nodes]
    if NODE in log.columns:
        node_codes = pd.Categorical(log[NODE], categories=node_ids).codes
    else:  # map the few distinct labels, then spread by code: no per-event lookups
        index = {nid: i for i, nid in enumerate(node_ids)}
        present = np.unique(label_codes[label_codes >= 0])
        mapping = LabelMatcher.of(model).match(label_values[present].tolist())
        per_label = np.array(
            [index.get(mapping.get(str(lab)) or "", -1) for lab in label_values] + [-1],
            dtype=np.int64,
        )
        node_codes = per_label[label_codes]
    lane_ids = [lane.id for lane in model.lanes]
    if LANE in log.columns:
        lane = pd.Categorical(log[LANE], categories=lane_ids)
    else:
        lane_index = {lid: i for i, lid in enumerate(lane_ids)}
        per_node = np.array(
            [lane_index.get(n.lane or "", -1) for n in model.nodes] + [-1], dtype=np.int64
        )
        lane = pd.Categorical.from_codes(per_node[node_codes], categories=lane_ids)
    # a node listed in two stages belongs to the first (as in the static rules)
    stage_of = {nid: i for i, st in reversed(list(enumerate(model.stages))) for nid in st.nodes}
    stage = np.array([stage_of.get(nid, -1) for nid in node_ids] + [-1], dtype=np.int64)[node_codes]
    order = np.lexsort((time.view("int64"), codes))
    frame = pd.DataFrame(
        {
            "case": codes.astype("int64")[order],
            "label": pd.Categorical.from_codes(label_codes[order], categories=label_values),
            "node": pd.Categorical.from_codes(np.asarray(node_codes)[order], categories=node_ids),
            "lane": pd.Categorical.from_codes(np.asarray(lane.codes)[order], categories=lane_ids),
            "stage": stage[order],
            "time": time[order],
        }
    )
    for column in extra_columns:
        if column in log.columns and column not in frame.columns:
            frame[column] = log[column].to_numpy()[order]
    grouped = frame.groupby("case", sort=True)["time"]
    start = grouped.min().reindex(range(len(case_ids)))
    end = grouped.max().reindex(range(len(case_ids)))
    moment = journey_now(now, pd.Timestamp(frame["time"].max()) if len(frame) else None)
    # object dtype: picking case ids by code stays a numpy take, not an Arrow round trip
    ids = pd.Index(np.asarray(case_ids, dtype=object), name="case", dtype=object)
    return JourneyEvents(frame, ids, moment, start, end)


def _factorize(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of the values as text, and the distinct texts, sorted.  The distinct
    values of a categorical column come back as a plain index of their values: a
    ``CategoricalIndex`` given as the categories of ``Categorical.from_codes`` stands for its
    *categories*, unused ones included, and the codes would point at the wrong labels."""
    codes, uniques = pd.factorize(_text(values), sort=True)
    if isinstance(uniques, pd.CategoricalIndex):
        uniques = uniques.astype(uniques.categories.dtype)
    return codes, uniques


def _text(values: pd.Series) -> pd.Series:
    return values if pd.api.types.is_string_dtype(values) else values.astype(str)


def _utc(values: pd.Series) -> pd.Series:
    try:
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            return values.dt.tz_convert("UTC")
        return pd.to_datetime(values, utc=True)
    except (ValueError, TypeError) as exc:
        raise EventLogError.single(f"cannot read the timestamps: {exc}", key=TIMESTAMP) from None


def journey_now(now: object, latest: pd.Timestamp | None) -> pd.Timestamp:
    """The moment open cases are measured at: ``now`` (any time pandas reads, refused
    naming ``now`` otherwise), by default the ``latest`` event of the log."""
    if now is None:
        return pd.Timestamp("1970-01-01") if latest is None else latest
    try:
        moment = pd.Timestamp(now)  # type: ignore[arg-type]
    except (ValueError, TypeError):
        raise InputError.single(
            f"{now!r} is not a time",
            key="now",
            expected="an ISO 8601 time such as 2025-07-01 or 2025-07-01T09:30",
        ) from None
    return moment if moment.tzinfo is None else moment.tz_convert("UTC").tz_localize(None)


def utc(values: pd.Series) -> pd.Series:
    """Internal (zone-less UTC) times as tz-aware UTC times, for results."""
    return values.dt.tz_localize("UTC")


def empty_times(n: int) -> pd.Series:
    """A series of ``n`` missing timestamps (for cases that never did something)."""
    return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns]")


def first_time(ev: JourneyEvents, mask: np.ndarray | pd.Series) -> pd.Series:
    """Per case code, the first time of an event selected by ``mask`` (NaT if none)."""
    sel = ev.frame.loc[np.asarray(mask, dtype=bool), ["case", "time"]]
    out = sel.groupby("case", sort=True)["time"].min()
    return out.reindex(range(ev.n_cases))


def first_after(ev: JourneyEvents, node: str, since: pd.Series) -> pd.Series:
    """Per case code, the first time ``node`` happened at or after ``since`` (NaT if never)."""
    frame = ev.frame
    hits = frame.loc[(frame["node"] == node).fillna(False).to_numpy(dtype=bool), ["case", "time"]]
    floor = since.to_numpy()[hits["case"].to_numpy()]
    hits = hits[(hits["time"].to_numpy() >= floor) & ~pd.isna(floor)]
    return hits.groupby("case", sort=True)["time"].min().reindex(range(ev.n_cases))
