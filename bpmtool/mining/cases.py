"""The cases behind every number of a check: case lists and case timelines.

A :class:`CaseIndex` is built once from a check's mapped log and its variants.  It holds one
row per case (id, start, end, duration, variant, lanes, events, open, fitting) as columns
of a frame, and each selection — a finding, a variant, an observed handoff, a modelled
flow — as an int32 array of case codes (the row numbers), never as lists of ids, so its
memory follows the number of cases, not of findings × cases.

Selections are named by keys:

* ``finding:N`` — the N-th finding of the check (0-based, in the check's order);
* ``variant:N`` — variant N (1: the most frequent activity sequence);
* ``handoff:A>B`` — the cases in which work passed from lane A to lane B;
* ``flow:KEY`` — the cases that walked a modelled flow (``a -> b``).

A case's timeline lists its events with where it left the model: an activity the model
does not have, a lane that does not own the activity, a step its alignment inserts
(a log move); the steps the model expected and the case skipped (model moves) come with it.

The rows and the timelines' events are built from the mapped log by
:mod:`bpmtool.mining.case_rows`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bpmtool.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from bpmtool.mining.check import CheckResult
    from bpmtool.mining.conformance import Variant
    from bpmtool.mining.journey_result import JourneyResult
    from bpmtool.model import Model

__all__ = [
    "CASE_COLUMNS",
    "CaseIndex",
    "Deviation",
    "add_journey_selections",
    "check_case_index",
    "flow_walks",
]

#: the columns of a case list, in order
CASE_COLUMNS = ("case", "start", "end", "duration_days", "variant", "lanes", "events")


@dataclass(frozen=True)
class Deviation:
    """How one variant leaves the model: its fitness and the steps it skips and inserts."""

    fitness: float | None
    skipped: tuple[str, ...]
    inserted: tuple[str, ...]


@dataclass
class CaseIndex:
    """Per-case rows, the event frame's row offsets per case, and the named selections."""

    #: one row per case code: CASE_COLUMNS plus ``open`` and ``fitting``
    table: pd.DataFrame
    #: the row of each case's first event in ``events`` (and one past the last case)
    offsets: np.ndarray
    #: the mapped events, sorted by case: activity, lane, resource, time, note
    events: pd.DataFrame
    #: key → sorted int32 case codes
    selections: dict[str, np.ndarray]
    #: variant number → how it leaves the model
    deviations: dict[int, Deviation]

    def select(self, key: str) -> np.ndarray:
        """The case codes of a selection; an unknown key is an input error naming it."""
        import numpy as np

        if "|" in key:
            parts = [self.select(k) for k in key.split("|")]
            return np.unique(np.concatenate(parts)).astype(np.int32)
        if key.startswith("variant:") and key not in self.selections:
            number = key.partition(":")[2]
            if number.isdigit():
                codes = np.flatnonzero(self.table["variant"].to_numpy() == int(number))
                if len(codes):
                    return codes.astype(np.int32)
        found = self._selection(key)
        if found is None and key.startswith(
            ("finding:", "flow:", "handoff:", "variant:", "ctq:", "reason:")
        ):
            return np.zeros(0, dtype=np.int32)  # a number of the check that has no case
        if found is None:
            raise InputError.single(
                f"no selection {key!r} in this check",
                key="selection",
                expected="finding:N, variant:N, handoff:A>B, flow:KEY, ctq:ID or reason:R",
            )
        return found

    def _selection(self, key: str) -> np.ndarray | None:
        return self.selections.get(key)

    def case_rows(
        self, key: str | None = None, *, offset: int = 0, limit: int | None = None
    ) -> tuple[pd.DataFrame, int]:
        """A page of the case list of a selection (all cases without ``key``), sorted by
        start, and how many cases the selection has."""
        import numpy as np

        codes = self.select(key) if key else np.arange(len(self.table), dtype=np.int32)
        starts = self.table["start"].to_numpy()[codes]
        order = np.argsort(starts, kind="stable")
        end = len(codes) if limit is None else offset + limit
        page = codes[order[offset:end]]
        return self.table.iloc[page].reset_index(drop=True), len(codes)

    def code_of(self, case_id: str) -> int:
        """The code of a case id; an unknown id is an input error naming it."""
        import numpy as np

        hits = np.flatnonzero(self.table["case"].to_numpy() == case_id)
        if not len(hits):
            raise InputError.single(
                f"no case {case_id!r} in this log (after its filter)",
                key="case",
                expected="a case id of the log",
            )
        return int(hits[0])

    def selections_of(self, code: int, prefix: str = "finding:") -> list[str]:
        """The keys of the selections (with ``prefix``) that hold case ``code``."""
        import numpy as np

        out = []
        for key, codes in self.selections.items():
            if key.startswith(prefix) and len(codes):
                at = int(np.searchsorted(codes, code))
                if at < len(codes) and codes[at] == code:
                    out.append(key)
        return out

    def events_of(self, code: int) -> pd.DataFrame:
        """The events of case ``code``: activity, lane, resource, time, note."""
        return self.events.iloc[self.offsets[code] : self.offsets[code + 1]].reset_index(drop=True)

    def timeline(self, case_id: str) -> tuple[dict[str, Any], pd.DataFrame, Deviation | None]:
        """A case's row, its events (activity, lane, resource, time, note) and how its
        variant leaves the model."""
        code = self.code_of(case_id)
        row = self.table.iloc[code].to_dict()
        events = self.events_of(code)
        deviation = self.deviations.get(int(row["variant"]))
        if deviation is not None and deviation.inserted:
            events = _mark_inserted(events, deviation.inserted)
        return row, events, deviation


def _mark_inserted(events: pd.DataFrame, inserted: tuple[str, ...]) -> pd.DataFrame:
    """Note the events the alignment inserts (log moves), matched in order by label."""
    events = events.copy()
    notes = events["note"].tolist()
    labels = events["activity"].tolist()
    at = 0
    for label in inserted:
        for i in range(at, len(labels)):
            if labels[i] == label:
                extra = "not where the model allows it (log move)"
                notes[i] = f"{notes[i]}; {extra}" if notes[i] else extra
                at = i + 1
                break
    events["note"] = notes
    return events


def add_journey_selections(index: CaseIndex, journey: JourneyResult) -> None:
    """Add the journey's numbers to a check's case index of the same log: ``ctq:ID`` (the
    cases that breached the CTQ: late or open overdue) and ``reason:R`` (the struggling
    customers flagged for reason R, e.g. ``stuck``)."""
    import numpy as np
    import pandas as pd

    ids = pd.Index(index.table["case"].astype(str))

    def codes(cases: Any) -> np.ndarray:
        at = ids.get_indexer(pd.Index([str(c) for c in cases]))
        return np.unique(at[at >= 0]).astype(np.int32)

    for c in journey.ctqs:
        index.selections[f"ctq:{c.ctq}"] = codes(c.breaching_cases)
    ex = journey.exceptions
    if len(ex):
        for reason, group in (
            ex.assign(reason=ex["reasons"].str.split(";")).explode("reason").groupby("reason")
        ):
            index.selections[f"reason:{reason}"] = codes(group["case"])


def check_case_index(model: Model, result: CheckResult) -> CaseIndex:
    """The case index of a check of a log in memory (:func:`bpmtool.mining.check.
    run_check`): its findings, variants, observed handoffs and modelled flows as
    selections."""
    from bpmtool.mining.case_rows import build_case_index, case_rows, event_frame

    df = result.mapping.df
    assert df is not None
    return build_case_index(
        model,
        case_rows(model, df),
        result.conformance.variants,
        result.findings,
        flow_walks(model, result),
        event_frame(model, df),
    )


def flow_walks(model: Model, result: CheckResult) -> dict[str, list[Variant]]:
    """The variants of a check that walked each modelled flow, by the flow's key."""
    from bpmtool.mining.flow_counts import walked_flows

    found = result.conformance.variants
    matched = result.mapping.matched
    walks = walked_flows(model, [tuple(matched.get(x) for x in v.labels) for v in found])
    keys = [f.key for f in model.flows]
    by_flow: dict[str, list[Variant]] = {}
    for v, flows in zip(found, walks, strict=True):
        for i in flows:
            by_flow.setdefault(keys[i], []).append(v)
    return by_flow
