"""What is in a log: cases, events, activities, variants, time span, lanes and resources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bpmtool.log_schema import ACTIVITY, CASE, GROUP, RESOURCE, TIMESTAMP

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["LogSummary", "log_summary", "variant_ids"]


@dataclass(frozen=True)
class LogSummary:
    cases: int
    events: int
    activities: int
    variants: int
    start: str | None
    end: str | None
    lanes: tuple[str, ...]
    resources: int
    top_activities: tuple[tuple[str, int], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "events": self.events,
            "activities": self.activities,
            "variants": self.variants,
            "start": self.start,
            "end": self.end,
            "lanes": list(self.lanes),
            "resources": self.resources,
            "top_activities": [{"activity": a, "events": n} for a, n in self.top_activities],
        }


def variant_ids(df: pd.DataFrame) -> pd.Series:
    """A variant number per case (cases with the same activity sequence share it)."""
    import numpy as np
    import pandas as pd

    codes = df[ACTIVITY].astype("category").cat.codes.to_numpy()
    case_codes = df[CASE].astype("category").cat.codes.to_numpy()
    # the log is sorted by case: each case's codes form one contiguous run
    bounds = np.flatnonzero(np.diff(case_codes)) + 1
    runs = np.split(codes, bounds)
    keys = [r.tobytes() for r in runs]
    ids, _ = pd.factorize(pd.Series(keys, dtype=object))
    cases = df[CASE].iloc[np.concatenate(([0], bounds))] if len(df) else df[CASE]
    return pd.Series(ids, index=pd.Index(cases.astype(str), name=CASE), name="variant")


def log_summary(df: pd.DataFrame) -> LogSummary:
    """Count what a log holds (on the standard frame of :func:`bpmtool.io.eventlog.read_log`)."""
    times = df[TIMESTAMP].dropna()
    lanes = (
        tuple(sorted(str(x) for x in df[GROUP].dropna().unique())) if GROUP in df.columns else ()
    )
    top = df[ACTIVITY].value_counts().head(10)
    return LogSummary(
        cases=int(df[CASE].nunique()),
        events=len(df),
        activities=int(df[ACTIVITY].nunique()),
        variants=int(variant_ids(df).nunique()) if len(df) else 0,
        start=times.min().isoformat() if len(times) else None,
        end=times.max().isoformat() if len(times) else None,
        lanes=lanes,
        resources=int(df[RESOURCE].nunique()) if RESOURCE in df.columns else 0,
        top_activities=tuple((str(a), int(n)) for a, n in top.items()),
    )
