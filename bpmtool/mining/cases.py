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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bpmtool.errors import InputError
from bpmtool.log_schema import ACTIVITY, CASE, RESOURCE, TIMESTAMP
from bpmtool.mining.filter_cases import variant_numbers
from bpmtool.mining.mapping import LANE, NODE

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from bpmtool.findings import Finding
    from bpmtool.mining.check import CheckResult
    from bpmtool.mining.conformance import Variant
    from bpmtool.mining.journey_result import JourneyResult
    from bpmtool.model import Model

__all__ = [
    "CASE_COLUMNS",
    "CaseIndex",
    "Deviation",
    "add_journey_selections",
    "build_case_index",
    "check_case_index",
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


def build_case_index(
    model: Model,
    df: pd.DataFrame,
    variants: list[Variant],
    findings: list[Finding],
    handoff_pairs: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    flow_walks: dict[str, list[Variant]] | None = None,
) -> CaseIndex:
    """The case index of a mapped log (sorted by case) and its check's variants and
    findings; ``handoff_pairs`` are the observed handoffs as (case codes, source lane,
    target lane) arrays, ``flow_walks`` the variants that walked each modelled flow."""
    import numpy as np
    import pandas as pd

    case_col = df[CASE].astype("category")
    names = np.asarray(case_col.cat.categories.astype(str), dtype=object)
    codes = case_col.cat.codes.to_numpy()
    n = len(names)
    offsets = np.searchsorted(codes, np.arange(n + 1)).astype(np.int64)
    times = df[TIMESTAMP] if TIMESTAMP in df.columns else pd.Series(pd.NaT, index=df.index)
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        times = times.dt.tz_convert(None)
    ns = times.to_numpy(dtype="datetime64[ns]").view(np.int64)
    nat = np.iinfo(np.int64).min
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(n, nat, dtype=np.int64)
    known = ns != nat
    np.minimum.at(first, codes[known], ns[known])
    np.maximum.at(last, codes[known], ns[known])
    first[first == np.iinfo(np.int64).max] = nat
    start = first.view("datetime64[ns]")
    end = last.view("datetime64[ns]")
    duration = np.where((first != nat) & (last != nat), (last - first) / 86_400e9, np.nan).round(3)
    lane_col = df[LANE].astype("category")
    lane_names = [str(c) for c in lane_col.cat.categories]
    label_of = {lane.id: lane.label for lane in model.lanes}
    lanes = _lanes_per_case(codes, lane_col.cat.codes.to_numpy(), n, lane_names, label_of)
    open_ = np.zeros(n, dtype=bool)
    fitting = np.full(n, np.nan)
    numbers = variant_numbers(df)
    deviations: dict[int, Deviation] = {}
    for v in variants:
        at = np.asarray(v.case_codes, dtype=np.int64)
        open_[at] = v.open
        fit, ok = _outcome(v)
        if ok is not None:
            fitting[at] = float(ok)
        if len(at) and not v.open:
            number = int(numbers[at[0]])
            a = v.alignment
            deviations[number] = Deviation(fit, a.skipped if a else (), a.inserted if a else ())
    table = pd.DataFrame(
        {
            "case": names,
            "start": start,
            "end": end,
            "duration_days": duration,
            "variant": numbers,
            "lanes": lanes,
            "events": np.diff(offsets),
            "open": open_,
            "fitting": pd.array(
                [None if np.isnan(x) else bool(x) for x in fitting], dtype="boolean"
            ),
        }
    )
    selections: dict[str, np.ndarray] = {}
    for i, f in enumerate(findings):
        if f.case_codes is not None:
            selections[f"finding:{i}"] = np.asarray(f.case_codes, dtype=np.int32)
    if handoff_pairs is not None:
        h_case, h_from, h_to = handoff_pairs
        pair = h_from.astype(np.int64) * (len(lane_names) + 1) + h_to
        for key in np.unique(pair).tolist():
            a, b = divmod(key, len(lane_names) + 1)
            selections[f"handoff:{lane_names[a]}>{lane_names[b]}"] = np.unique(
                h_case[pair == key]
            ).astype(np.int32)
    for flow, walked in (flow_walks or {}).items():
        if walked:
            selections[f"flow:{flow}"] = np.sort(
                np.concatenate([np.asarray(v.case_codes, dtype=np.int32) for v in walked])
            )
    events = _event_frame(model, df)
    return CaseIndex(table, offsets, events, selections, deviations)


def _outcome(v: Variant) -> tuple[float | None, bool | None]:
    if v.alignment is not None:
        return v.alignment.fitness, v.alignment.fitness >= 1.0
    if v.replay is not None:
        return v.replay.fitness, v.replay.fit
    return None, None


def _lanes_per_case(
    codes: np.ndarray, lanes: np.ndarray, n: int, names: list[str], label_of: dict[str, str]
) -> np.ndarray:
    """Each case's lanes, by name, in the order of the lane codes, as one text."""
    import numpy as np

    known = lanes >= 0
    pairs = np.unique(codes[known].astype(np.int64) * (len(names) + 1) + lanes[known])
    case_of, lane_of = np.divmod(pairs, len(names) + 1)
    out = np.full(n, "", dtype=object)
    if not len(pairs):
        return out
    if len(names) <= 62:  # each case's lanes as a bit mask: one text per distinct mask
        mask = np.zeros(n, dtype=np.int64)
        np.bitwise_or.at(mask, case_of, np.left_shift(1, lane_of))
        kinds, inverse = np.unique(mask, return_inverse=True)
        texts = [
            ", ".join(
                label_of.get(names[x], names[x]) for x in range(len(names)) if int(k) >> x & 1
            )
            for k in kinds.tolist()
        ]
        return np.asarray(texts, dtype=object)[inverse]
    bounds = np.flatnonzero(np.diff(case_of)) + 1
    text_of: dict[tuple[int, ...], str] = {}
    for group in np.split(np.arange(len(pairs)), bounds):
        key = tuple(lane_of[group].tolist())
        text = text_of.get(key)
        if text is None:
            text = text_of[key] = ", ".join(label_of.get(names[x], names[x]) for x in key)
        out[case_of[group[0]]] = text
    return out


def _event_frame(model: Model, df: pd.DataFrame) -> pd.DataFrame:
    """The events for timelines, with a note where an event leaves the model's lanes or
    activities (computed per distinct node × lane, then spread by codes)."""
    import numpy as np
    import pandas as pd

    node = df[NODE].astype("category")
    lane = df[LANE].astype("category")
    owner = {n.id: n.lane for n in model.nodes}
    label_of = {x.id: x.label for x in model.lanes}
    n_lanes = len(lane.cat.categories)
    pair = (node.cat.codes.to_numpy().astype(np.int64) + 1) * (n_lanes + 1) + (
        lane.cat.codes.to_numpy() + 1
    )
    kinds, inverse = np.unique(pair, return_inverse=True)
    texts = []
    for k in kinds.tolist():
        x, y = divmod(k, n_lanes + 1)
        if x == 0:
            texts.append("activity not in the model")
            continue
        node_id = str(node.cat.categories[x - 1])
        lane_id = str(lane.cat.categories[y - 1]) if y else None
        own = owner.get(node_id)
        if lane_id is not None and own is not None and lane_id != own:
            texts.append(
                f"done by {label_of.get(lane_id, lane_id)}; the model gives it to "
                f"{label_of.get(own, own)}"
            )
        else:
            texts.append("")
    notes = _categorical(texts, inverse)
    lane_labels = _categorical(
        [label_of.get(str(x), str(x)) for x in lane.cat.categories], lane.cat.codes.to_numpy()
    )
    return pd.DataFrame(
        {
            "activity": df[ACTIVITY].astype("category").array,
            "lane": lane_labels,
            "resource": df[RESOURCE].astype("category").array if RESOURCE in df.columns else None,
            "time": _naive(df[TIMESTAMP]) if TIMESTAMP in df.columns else None,
            "note": notes,
        }
    )


def _naive(times: pd.Series) -> np.ndarray:
    """Times as naive UTC datetime64 (a tz-aware column's values would be objects)."""
    import pandas as pd

    if isinstance(times.dtype, pd.DatetimeTZDtype):
        times = times.dt.tz_convert(None)
    return times.to_numpy(dtype="datetime64[ns]")


def _categorical(texts: list[str], codes: np.ndarray) -> pd.Categorical:
    """``texts[codes]`` as a categorical (code -1: missing), texts that repeat merged."""
    import numpy as np
    import pandas as pd

    unique = list(dict.fromkeys(texts))
    at = {t: i for i, t in enumerate(unique)}
    remap = np.asarray([at[t] for t in texts] + [-1], dtype=np.int32)
    return pd.Categorical.from_codes(remap[codes], categories=pd.Index(unique, dtype=object))


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
    """The case index of a check (:func:`bpmtool.mining.check.run_check`): its findings,
    variants, observed handoffs and modelled flows as selections."""
    from bpmtool.graph import ProcessGraph
    from bpmtool.mining.flow_counts import walked_flows
    from bpmtool.mining.handoff_events import Events, handoff_events

    df = result.mapping.df
    ev = Events.of(df)
    to, since = handoff_events(ProcessGraph(model), ev)
    pairs = (ev.case[to], ev.lane[since], ev.lane[to])
    found = result.conformance.variants
    matched = result.mapping.matched
    walks = walked_flows(model, [tuple(matched.get(x) for x in v.labels) for v in found])
    keys = [f.key for f in model.flows]
    by_flow: dict[str, list[Variant]] = {}
    for v, flows in zip(found, walks, strict=True):
        for i in flows:
            by_flow.setdefault(keys[i], []).append(v)
    return build_case_index(model, df, found, result.findings, pairs, by_flow)
