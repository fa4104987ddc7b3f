"""Event logs in: XES (.xes, .xes.gz), CSV and Parquet → one pandas DataFrame.

The frame has pm4py's standard columns — ``case:concept:name``, ``concept:name``,
``time:timestamp`` (UTC; empty for a log without times, which keeps its file order),
and where the log has them ``org:resource``, ``org:group``,
``lifecycle:transition`` and ``start_timestamp`` — sorted by case and time, with
categorical text columns (memory follows the number of distinct values, not events).
What the reader found or assumed — a time column chosen by its values, the day/month order
of its dates, a log without times — rides along as ``df.attrs["notes"]`` (:func:`log_notes`).

Lifecycle: when a log uses the standard XES lifecycle (start/complete/…), only the
``complete`` events are kept for the control flow and a matching ``start`` event's time
becomes ``start_timestamp``; logs whose "lifecycle" holds their own states (e.g. ticket
states) are kept whole.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from bpmtool.categories import text_categories
from bpmtool.errors import EventLogError, Problem
from bpmtool.log_schema import (
    ACTIVITY,
    CASE,
    GROUP,
    LIFECYCLE,
    RESOURCE,
    START,
    TIMESTAMP,
    ColumnMap,
)
from bpmtool.memory import give_back_freed_memory

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["LOG_SUFFIXES", "Progress", "finish_log", "log_notes", "read_log"]

Progress = Callable[[int, int | None], None]
LOG_SUFFIXES = (".xes", ".xes.gz", ".csv", ".csv.gz", ".tsv", ".parquet", ".pq")

_STANDARD_LIFECYCLE = {
    "schedule",
    "assign",
    "reassign",
    "start",
    "suspend",
    "resume",
    "complete",
    "autoskip",
    "manualskip",
    "withdraw",
    "ate_abort",
    "pi_abort",
    "unknown",
    "abort_activity",
}


def read_log(
    path: str | Path,
    *,
    columns: ColumnMap | Mapping[str, str] | None = None,
    encoding: str | None = None,
    date_format: str | None = None,
    progress: Progress | None = None,
    keep: Collection[str] = (),
) -> pd.DataFrame:
    """Read an event log by its extension into the standard frame described above.

    ``keep`` names attribute columns a CSV log keeps besides the standard ones and its
    ``case:`` columns (e.g. ``Region`` for a filter); a name matches a column of any case,
    or the case attribute ``case:NAME``.

    ``date_format`` (a strftime format such as ``%d/%m/%Y %H:%M``) reads the text times of
    a CSV or Parquet log; without it their day/month order is read from the data.  What
    the reader found or assumed (the time column it chose, the date order, a log without
    times) comes with the frame: :func:`log_notes`.
    """
    path = Path(path)
    name = path.name.lower()
    if not path.exists():
        raise EventLogError.single("no such file", file=str(path))
    column_map = ColumnMap.of(columns, filename=str(path))
    if name.endswith((".xes", ".xes.gz")):
        from bpmtool.io.eventlog_xes import read_xes

        raw = read_xes(path, progress=progress)
    elif name.endswith((".csv", ".csv.gz", ".tsv", ".txt")):
        from bpmtool.io.eventlog_csv import read_csv

        raw = read_csv(
            path,
            columns=column_map,
            encoding=encoding,
            date_format=date_format,
            progress=progress,
            keep=keep,
        )
    elif name.endswith((".parquet", ".pq")):
        from bpmtool.io.eventlog_parquet import read_parquet

        raw = read_parquet(path, columns=column_map, date_format=date_format)
    else:
        raise EventLogError.single(
            f"cannot tell the format of {path.name!r} from its extension",
            file=str(path),
            expected="a log ending in " + ", ".join(LOG_SUFFIXES),
        )
    notes = list(raw.attrs.get("notes", []))
    df = finish_log(raw, str(path))
    del raw
    give_back_freed_memory()
    if df[TIMESTAMP].isna().all() and not any(n.key == TIMESTAMP for n in notes):
        from bpmtool.io.eventlog_columns import no_times_message

        notes.append(
            Problem(no_times_message("the log has no times"), file=str(path), key=TIMESTAMP)
        )
    df.attrs["notes"] = notes
    return df


def log_notes(df: pd.DataFrame) -> list[Problem]:
    """What the reader of a log found or assumed: the time column it chose by its values,
    the day/month order of its dates, or that the log has no times."""
    return list(df.attrs.get("notes", []))


def finish_log(df: pd.DataFrame, filename: str) -> pd.DataFrame:
    """Check and normalise a frame that already has the standard column names."""
    import pandas as pd

    if len(df) == 0:
        raise EventLogError.single(
            "the log has no events", file=filename, expected="at least one event"
        )
    missing = [c for c in (CASE, ACTIVITY) if c not in df.columns]
    if missing:
        raise EventLogError.single(
            f"missing column(s) {', '.join(missing)}; found {', '.join(map(str, df.columns))}",
            file=filename,
            expected="a case id and an activity per event",
        )
    if TIMESTAMP not in df.columns:
        # control flow can be checked without times; waiting times then stay empty
        empty = pd.Series(pd.NaT, index=df.index, dtype="datetime64[us, UTC]")
        df = df.assign(**{TIMESTAMP: empty})
    present = df[ACTIVITY].notna() & df[CASE].notna()
    if not present.all():
        df = df[present]
    if len(df) == 0:
        raise EventLogError.single("no event has both a case id and an activity", file=filename)
    df = _lifecycle(df)
    for column in (CASE, ACTIVITY, RESOURCE, GROUP, LIFECYCLE):
        if column in df.columns:
            df[column] = text_categories(df[column])
    if not isinstance(df[TIMESTAMP].dtype, pd.DatetimeTZDtype):
        raise EventLogError.single("the timestamp column is not parsed", file=filename)
    for column in [c for c in df.columns if c.startswith("case:") and c != CASE]:
        if df[column].dtype == object:
            df[column] = df[column].astype("string")
    order = _stable_order(
        df[CASE].cat.codes.to_numpy(),
        df[TIMESTAMP].dt.tz_convert(None).to_numpy(dtype="datetime64[ns]"),
    )
    if not (order[1:] > order[:-1]).all():  # most logs come sorted: no copy then
        df = df.iloc[order]
    df = df.reset_index(drop=True)
    first = [
        c for c in (CASE, ACTIVITY, TIMESTAMP, RESOURCE, GROUP, LIFECYCLE, START) if c in df.columns
    ]
    return df[first + [c for c in df.columns if c not in first]]


def _stable_order(case_codes: np.ndarray, times: np.ndarray) -> np.ndarray:
    import numpy as np

    # file order breaks ties (and orders logs without times); NaT sorts last within a case
    return np.lexsort((np.arange(len(case_codes), dtype=np.int32), times, case_codes))


def _lifecycle(df: pd.DataFrame) -> pd.DataFrame:
    """Keep complete events (with their start time) when the log uses the XES lifecycle."""
    if LIFECYCLE not in df.columns:
        return df.copy(deep=False)  # columns are replaced below, never written into
    import numpy as np

    states = df[LIFECYCLE].astype("category")
    codes = states.cat.codes.to_numpy()
    lowered = [str(c).lower() for c in states.cat.categories]
    used = np.bincount(codes[codes >= 0], minlength=len(lowered)) > 0
    seen = {state for state, u in zip(lowered, used, strict=True) if u}
    if not seen or not seen <= _STANDARD_LIFECYCLE or "complete" not in seen:
        return df.copy(deep=False)

    def events_in(state: str) -> np.ndarray:
        # judged per distinct value, then spread over the events by their codes
        return np.array([x == state for x in lowered] + [False])[codes]

    is_complete = events_in("complete")
    complete = df.copy(deep=False) if is_complete.all() else df[is_complete].copy()
    starts = df[events_in("start")]
    if len(starts) and START not in complete.columns:
        key = [CASE, ACTIVITY]
        complete["_n"] = complete.groupby(key, observed=True, sort=False).cumcount()
        s = starts[[*key, TIMESTAMP]].copy()
        s["_n"] = s.groupby(key, observed=True, sort=False).cumcount()
        s = s.rename(columns={TIMESTAMP: START})
        complete = complete.reset_index(drop=True).merge(s, on=[*key, "_n"], how="left")
        complete = complete.drop(columns="_n")
    return complete
