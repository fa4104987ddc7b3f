"""The rows of a case list: per case its id, start, end, duration, lanes and events.

:func:`case_rows` computes them from a mapped frame sorted by case (a whole log, or one
partition of it: a case never straddles two), with the cases of each observed handoff
between lanes; :func:`merge_case_rows` joins the rows of a log's pieces in the order of
their case ids, the order of the single-process log.  :func:`event_frame` gives the events
of a timeline, with a note where an event leaves the model's lanes or activities.
:func:`build_case_index` builds a case index from the rows and the check's variants and
findings — for a log in memory (:func:`bpmtool.mining.cases.check_case_index`) and for a
partitioned one (:mod:`bpmtool.distributed.case_index`) alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bpmtool.log_schema import ACTIVITY, CASE, RESOURCE, TIMESTAMP
from bpmtool.mining.cases import CaseIndex, Deviation
from bpmtool.mining.mapping import LANE, NODE

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from bpmtool.findings import Finding
    from bpmtool.mining.conformance import Variant
    from bpmtool.model import Model

__all__ = ["CaseRows", "build_case_index", "case_rows", "event_frame", "merge_case_rows"]

NAT = -(2**63)  # numpy's NaT as int64


@dataclass
class CaseRows:
    """One row per case, in the order of the sorted case ids ``names``."""

    names: Any  # object array of case ids
    start: Any  # int64 ns of the first and last known time (NaT as the minimum int64)
    end: Any
    events: Any  # int64
    lanes: Any  # object array: the case's lanes by name, as one text
    #: "A>B" (lane ids) → sorted int32 codes of the cases in which work passed from A to B
    handoffs: dict[str, Any]
    #: the piece each case came from (a partition's number; 0 for a whole log)
    piece: Any = None


def case_rows(model: Model, df: pd.DataFrame, piece: int = 0) -> CaseRows:
    """The case rows of a mapped frame sorted by case (``piece``: its partition)."""
    import numpy as np
    import pandas as pd

    from bpmtool.graph import ProcessGraph
    from bpmtool.mining.handoff_events import Events, handoff_events

    case_col = df[CASE].astype("category")
    names = np.asarray(case_col.cat.categories.astype(str), dtype=object)
    codes = case_col.cat.codes.to_numpy()
    n = len(names)
    offsets = np.searchsorted(codes, np.arange(n + 1)).astype(np.int64)
    times = df[TIMESTAMP] if TIMESTAMP in df.columns else pd.Series(pd.NaT, index=df.index)
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        times = times.dt.tz_convert(None)
    ns = times.to_numpy(dtype="datetime64[ns]").view(np.int64)
    first = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(n, NAT, dtype=np.int64)
    known = ns != NAT
    np.minimum.at(first, codes[known], ns[known])
    np.maximum.at(last, codes[known], ns[known])
    first[first == np.iinfo(np.int64).max] = NAT
    lane_col = df[LANE].astype("category")
    lane_names = [str(c) for c in lane_col.cat.categories]
    label_of = {lane.id: lane.label for lane in model.lanes}
    lanes = _lanes_per_case(codes, lane_col.cat.codes.to_numpy(), n, lane_names, label_of)
    ev = Events.of(df)
    to, since = handoff_events(ProcessGraph(model), ev)
    h_case, h_from, h_to = ev.case[to], ev.lane[since], ev.lane[to]
    pair = h_from.astype(np.int64) * (len(lane_names) + 1) + h_to
    handoffs = {}
    for key in np.unique(pair).tolist():
        a, b = divmod(key, len(lane_names) + 1)
        handoffs[f"{lane_names[a]}>{lane_names[b]}"] = np.unique(h_case[pair == key]).astype(
            np.int32
        )
    return CaseRows(
        names, first, last, np.diff(offsets), lanes, handoffs, np.full(n, piece, dtype=np.int32)
    )


def merge_case_rows(parts: list[CaseRows]) -> CaseRows:
    """The rows of a log's pieces (each case in one piece) as the rows of the whole."""
    import numpy as np

    if len(parts) == 1:
        return parts[0]
    names = np.concatenate([p.names for p in parts])
    order = np.argsort(names, kind="stable")
    rank = np.empty(len(order), dtype=np.int32)
    rank[order] = np.arange(len(order), dtype=np.int32)
    offsets = np.cumsum([0] + [len(p.names) for p in parts])
    found: dict[str, list[Any]] = {}
    for p, at in zip(parts, offsets[:-1].tolist(), strict=True):
        for key, codes in p.handoffs.items():
            found.setdefault(key, []).append(rank[at + codes])
    handoffs = {key: np.sort(np.concatenate(codes)) for key, codes in sorted(found.items())}

    def joined(name: str) -> Any:
        return np.concatenate([getattr(p, name) for p in parts])[order]

    return CaseRows(
        names[order],
        joined("start"),
        joined("end"),
        joined("events"),
        joined("lanes"),
        handoffs,
        joined("piece"),
    )


def build_case_index(
    model: Model,
    rows: CaseRows,
    variants: list[Variant],
    findings: list[Finding],
    flow_walks: dict[str, list[Variant]] | None = None,
    events: pd.DataFrame | None = None,
) -> CaseIndex:
    """The case index of a log's case rows (:func:`~bpmtool.mining.case_rows.case_rows`)
    and its check's variants and findings; ``flow_walks`` are the variants that walked each
    modelled flow, ``events`` the log's :func:`~bpmtool.mining.case_rows.event_frame`
    (without: none, a subclass reads a case's events when asked)."""
    import numpy as np
    import pandas as pd

    from bpmtool.mining.check import variant_ranks

    n = len(rows.names)
    offsets = np.concatenate(([0], np.cumsum(rows.events))).astype(np.int64)
    first, last = rows.start, rows.end
    duration = np.where((first != NAT) & (last != NAT), (last - first) / 86_400e9, np.nan).round(3)
    open_ = np.zeros(n, dtype=bool)
    fitting = np.full(n, np.nan)
    numbers = np.zeros(n, dtype=np.int32)
    rank = variant_ranks(variants)
    deviations: dict[int, Deviation] = {}
    for v in variants:
        at = np.asarray(v.case_codes, dtype=np.int64)
        number = rank[v.labels]
        numbers[at] = number
        open_[at] = v.open
        fit, ok = _outcome(v)
        if ok is not None:
            fitting[at] = float(ok)
        if len(at) and not v.open:
            a = v.alignment
            deviations[number] = Deviation(fit, a.skipped if a else (), a.inserted if a else ())
    table = pd.DataFrame(
        {
            "case": rows.names,
            "start": first.view("datetime64[ns]"),
            "end": last.view("datetime64[ns]"),
            "duration_days": duration,
            "variant": numbers,
            "lanes": rows.lanes,
            "events": rows.events,
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
    for key, codes in rows.handoffs.items():
        selections[f"handoff:{key}"] = codes
    for flow, walked in (flow_walks or {}).items():
        if walked:
            selections[f"flow:{flow}"] = np.sort(
                np.concatenate([np.asarray(v.case_codes, dtype=np.int32) for v in walked])
            )
    if events is None:
        events = pd.DataFrame(columns=["activity", "lane", "resource", "time", "note"])
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


def event_frame(model: Model, df: pd.DataFrame) -> pd.DataFrame:
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
