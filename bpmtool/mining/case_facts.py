"""Per-case facts of some events: each case's variant, end, first and last time, lead time.

A case's facts need only its own events, so they are gathered wherever the events are (a
whole log, or one partition of it on a cluster's worker: a case never straddles two) and
joined by :func:`merge_cases`, which puts the cases in the order of their ids — the order
the single-process log has.  :func:`judged_variants` then judges the open cases (which needs
every case: the log's end and the finished cases' durations) and groups the cases into
:class:`~bpmtool.mining.conformance.Variant` objects.  The single-process check runs the
same three steps on the whole log as one piece, so both give the same variants by
construction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bpmtool.graph import ProcessGraph
from bpmtool.log_schema import ACTIVITY, CASE, TIMESTAMP
from bpmtool.mining.mapping import NODE
from bpmtool.mining.model_order import final_activities

if TYPE_CHECKING:
    import pandas as pd

    from bpmtool.mining.conformance import Variant
    from bpmtool.mining.open_cases import OpenCaseRule, OpenCases

__all__ = ["CaseFacts", "case_facts", "judged_variants", "merge_cases"]

NAT = -(2**63)  # numpy's NaT as int64


@dataclass
class CaseFacts:
    """One row per case of some events, in the order of ``code``."""

    #: the case id table that ``code`` indexes (it may hold ids of no case here)
    names: Any
    #: the distinct activity sequences; ``variant`` indexes them
    sequences: list[tuple[str, ...]]
    code: Any  # int32
    variant: Any  # int32
    #: the case's last activity cannot end the process
    unfinished: Any
    first: Any  # int64 ns of the first and last event (NaT as the minimum int64)
    last: Any
    #: first to last event in days, missing times left out (NaN: none known)
    lead: Any
    #: the events have times at all (a datetime column)
    timed: bool


def case_facts(df: pd.DataFrame, graph: ProcessGraph | None) -> CaseFacts:
    """The facts of the cases of a frame sorted by case (a case's events together); with
    no ``graph`` every case counts as finished."""
    import numpy as np

    label_col = df[ACTIVITY].astype("category")
    label_names = [str(c) for c in label_col.cat.categories]
    labels = label_col.cat.codes.to_numpy()
    case_col = df[CASE].astype("category")
    case_codes = case_col.cat.codes.to_numpy()
    bounds = np.flatnonzero(case_codes[1:] != case_codes[:-1]) + 1
    starts = np.concatenate(([0], bounds)).astype(np.int64)
    ends = np.concatenate((bounds, [len(df)])).astype(np.int64)
    if not len(df):
        starts = ends = np.zeros(0, dtype=np.int64)
    unfinished = np.zeros(len(starts), dtype=bool)
    if graph is not None:
        final = final_activities(graph)
        if NODE in df.columns:
            node_col = df[NODE].astype("category")
            final_codes = [i for i, n in enumerate(node_col.cat.categories) if str(n) in final]
            unfinished = ~np.isin(node_col.cat.codes.to_numpy()[ends - 1], final_codes)
        else:
            unfinished = np.ones(len(starts), dtype=bool)
    first = last = np.full(len(starts), NAT, dtype=np.int64)
    lead = np.full(len(starts), np.nan)
    timed = TIMESTAMP in df.columns and str(df[TIMESTAMP].dtype).startswith("datetime64")
    if timed:
        col = df[TIMESTAMP]
        if getattr(col.dt, "tz", None) is not None:
            col = col.dt.tz_convert(None)
        ns = col.to_numpy().astype("datetime64[ns]").view(np.int64)
        if len(starts):
            first, last = ns[starts], ns[ends - 1]
            t = ns.astype(np.float64)
            t[ns == NAT] = np.nan
            lead = (np.fmax.reduceat(t, starts) - np.fmin.reduceat(t, starts)) / 86_400e9
    seen: dict[bytes, int] = {}
    sequences: list[tuple[str, ...]] = []
    variant = np.empty(len(starts), dtype=np.int32)
    label_bytes = labels.tobytes()
    size = labels.itemsize
    # integer codes all the way: one Python object per variant, none per event
    for i, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        key = label_bytes[s * size : e * size]
        v = seen.get(key)
        if v is None:
            v = seen[key] = len(sequences)
            sequences.append(tuple(label_names[x] for x in labels[s:e]))
        variant[i] = v
    return CaseFacts(
        np.asarray(case_col.cat.categories.astype(str), dtype=object),
        sequences,
        case_codes[starts].astype(np.int32),
        variant,
        unfinished,
        first,
        last,
        lead,
        timed,
    )


def merge_cases(parts: list[CaseFacts], names: Any, tables: list[Any]) -> CaseFacts:
    """The facts of several pieces as one, the cases in the order of the joint id table
    ``names`` (``tables[i]`` gives piece i's case codes in it)."""
    import numpy as np

    if len(parts) == 1:
        return parts[0]
    sequences: list[tuple[str, ...]] = []
    index: dict[tuple[str, ...], int] = {}
    variant = []
    for p in parts:
        to = np.asarray([index.setdefault(s, len(index)) for s in p.sequences], dtype=np.int32)
        variant.append(to[p.variant] if len(p.variant) else p.variant)
    sequences = list(index)
    code = np.concatenate([t[p.code] for p, t in zip(parts, tables, strict=True)])
    order = np.argsort(code, kind="stable")

    def joined(field: str) -> Any:
        return np.concatenate([getattr(p, field) for p in parts])[order]

    return CaseFacts(
        names,
        sequences,
        code[order].astype(np.int32),
        np.concatenate(variant)[order],
        joined("unfinished"),
        joined("first"),
        joined("last"),
        joined("lead"),
        any(p.timed for p in parts),
    )


def judged_variants(
    facts: CaseFacts, graph: ProcessGraph | None, rule: OpenCaseRule | None
) -> tuple[list[Variant], OpenCases | None]:
    """The variants (sorted by frequency), open cases apart from finished ones, and how
    the open cases were judged (:func:`bpmtool.mining.open_cases.judge_open`)."""
    import numpy as np

    from bpmtool.mining.conformance import Variant
    from bpmtool.mining.open_cases import OpenCaseRule, judge_open

    names = facts.names
    is_open = np.zeros(len(facts.code), dtype=bool)
    judgement = None
    if graph is not None:
        timed = facts.timed
        is_open, judgement = judge_open(
            facts.unfinished,
            facts.first if timed else None,
            facts.last if timed else None,
            names[facts.code],
            rule or OpenCaseRule(),
        )
    # the cases of each (open, variant) group as one int32 array, in the cases' order
    key = is_open.astype(np.int64) * max(len(facts.sequences), 1) + facts.variant
    order = np.argsort(key, kind="stable")
    key = key[order]
    cuts = np.flatnonzero(key[1:] != key[:-1]) + 1 if len(key) else np.zeros(0, dtype=np.int64)
    starts = np.r_[0, cuts].astype(np.int64) if len(key) else cuts
    ends = np.r_[cuts, len(key)].astype(np.int64) if len(key) else cuts
    codes = facts.code[order].astype(np.int32)
    groups: dict[tuple[bool, int], Variant] = {}
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        o, v = divmod(int(key[a]), max(len(facts.sequences), 1))
        groups[(bool(o), v)] = Variant(facts.sequences[v], codes[a:b], bool(o), names)
    ordered = sorted(groups.values(), key=lambda v: (-v.count, v.labels, v.open))
    return ordered, judgement
