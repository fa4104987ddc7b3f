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

import numpy as np
import pandas as pd

from bpmtool.errors import EventLogError, Problem
from bpmtool.model import Model

__all__ = [
    "ACTIVITY",
    "CASE",
    "LANE",
    "NODE",
    "TIMESTAMP",
    "JourneyEvents",
    "days",
    "empty_times",
    "first_time",
    "label_to_node",
    "prepare_events",
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
    the node is in no stage), ``time`` (tz-aware) and any extra columns asked for.
    """

    frame: pd.DataFrame
    case_ids: pd.Index
    now: pd.Timestamp
    start: pd.Series  # first event time per case code
    end: pd.Series  # last event time per case code

    @property
    def n_cases(self) -> int:
        return len(self.case_ids)


def label_to_node(model: Model) -> dict[str, str]:
    """Every label an activity may carry in a log (name, id, aliases) → its node id."""
    out: dict[str, str] = {}
    for node in model.nodes:
        for label in (node.id, *node.aliases, node.label):
            out[label] = node.id
    return out


def days(values: pd.Series | pd.Timedelta) -> pd.Series | float:
    """Durations in days (floats), the unit every journey table reports in."""
    return values / _DAY


def prepare_events(model: Model, log: pd.DataFrame, *, now: object = None,
                   extra_columns: Iterable[str] = ()) -> JourneyEvents:
    """Sort, code and map a pm4py-style log for the journey analysis.

    Uses the ``bpmtool:node`` / ``bpmtool:lane`` columns when the log has been
    mapped, otherwise maps activity labels to nodes by name, id and aliases.
    ``now`` (default: the log's last timestamp) is the moment open cases are
    measured against.  Raises :class:`~bpmtool.errors.EventLogError` when a
    standard column is missing or a timestamp cannot be read.
    """
    missing = [c for c in (CASE, ACTIVITY, TIMESTAMP) if c not in log.columns]
    if missing:
        raise EventLogError(
            problems=[Problem(message=f"the log has no column {c!r}", key=c,
                              expected="pm4py's standard columns") for c in missing],
            summary=f"the event log lacks {', '.join(missing)}")
    time = _utc(log[TIMESTAMP])
    codes, case_ids = pd.factorize(log[CASE].astype(str), sort=True)
    labels = log[ACTIVITY].astype(str)
    if NODE in log.columns:
        node = log[NODE].astype("string")
    else:
        node = labels.map(label_to_node(model)).astype("string")
    if LANE in log.columns:
        lane = log[LANE].astype("string")
    else:
        lane = node.map({n.id: n.lane for n in model.nodes if n.lane}).astype("string")
    # a node listed in two stages belongs to the first (as in the static rules)
    stage_of = {nid: i for i, st in reversed(list(enumerate(model.stages))) for nid in st.nodes}
    stage = node.map(stage_of).fillna(-1).astype("int64")
    frame = pd.DataFrame({"case": codes.astype("int64"), "label": labels.to_numpy(),
                          "node": node.to_numpy(), "lane": lane.to_numpy(),
                          "stage": stage.to_numpy(), "time": time.to_numpy()})
    frame["time"] = pd.to_datetime(frame["time"], utc=True)
    for column in extra_columns:
        if column in log.columns and column not in frame.columns:
            frame[column] = log[column].to_numpy()
    frame = frame.sort_values(["case", "time"], kind="stable").reset_index(drop=True)
    grouped = frame.groupby("case", sort=True)["time"]
    start = grouped.min().reindex(range(len(case_ids)))
    end = grouped.max().reindex(range(len(case_ids)))
    moment = _moment(now, frame["time"])
    return JourneyEvents(frame, pd.Index(case_ids, name="case"), moment, start, end)


def _utc(values: pd.Series) -> pd.Series:
    try:
        if isinstance(values.dtype, pd.DatetimeTZDtype):
            return values.dt.tz_convert("UTC")
        return pd.to_datetime(values, utc=True)
    except (ValueError, TypeError) as exc:
        raise EventLogError.single(f"cannot read the timestamps: {exc}", key=TIMESTAMP) from None


def _moment(now: object, times: pd.Series) -> pd.Timestamp:
    if now is None:
        if times.empty:
            return pd.Timestamp("1970-01-01", tz="UTC")
        return pd.Timestamp(times.max())
    moment = pd.Timestamp(now)  # type: ignore[arg-type]
    return moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")


def empty_times(n: int) -> pd.Series:
    """A series of ``n`` missing timestamps (for cases that never did something)."""
    return pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]")


def first_time(ev: JourneyEvents, mask: np.ndarray | pd.Series) -> pd.Series:
    """Per case code, the first time of an event selected by ``mask`` (NaT if none)."""
    sel = ev.frame.loc[np.asarray(mask, dtype=bool), ["case", "time"]]
    out = sel.groupby("case", sort=True)["time"].min()
    return out.reindex(range(ev.n_cases))
