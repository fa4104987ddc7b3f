"""A filter applied to events: the cases it keeps, decided per case from the case's events.

:func:`apply_filter` cuts a frame (sorted by case, as the readers give it) to the cases a
:class:`~bpmtool.mining.log_filter.LogFilter` keeps.  Every test but one needs only a case's
own events (its times, attributes, lanes, id), so a partitioned log is filtered partition by
partition (a case never straddles two) and the outcomes added up.  The one that needs the
whole log is the variant number (1: the most frequent activity sequence of the log): a
partitioned log's sequences are counted per partition (:func:`sequence_counts`), added, and
numbered once (:func:`numbered_sequences`); each partition is then filtered with those
numbers (``numbers=``) — the same numbers :func:`variant_numbers` gives the whole log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from bpmtool.errors import InputError
from bpmtool.log_schema import ACTIVITY, CASE, GROUP, TIMESTAMP
from bpmtool.mining.log_filter import AttributeTest, FilterOutcome, LogFilter

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from bpmtool.mining.mapping import LaneMap
    from bpmtool.model import Model

__all__ = [
    "apply_filter",
    "cut_piece",
    "lane_resolver",
    "numbered_sequences",
    "sequence_counts",
    "variant_numbers",
]

#: the lane column of a log mapped to a model (bpmtool.mining.mapping.LANE)
_MAPPED_LANE = "bpmtool:lane"
#: an activity sequence, and a sequence → its variant number in the whole log
Sequence = tuple[str, ...]


def apply_filter(
    df: pd.DataFrame,
    f: LogFilter,
    *,
    lane_keys: Callable[[str], str | None] | None = None,
    numbers: Mapping[Sequence, int] | None = None,
) -> tuple[pd.DataFrame, FilterOutcome]:
    """The events of the cases ``f`` keeps (a frame sorted by case, as the readers give it),
    and what it kept.  ``lane_keys`` turns a lane as the user named it into the value of the
    log's lane column (``bpmtool:lane`` of a mapped log, else ``org:group``).  ``numbers``:
    the variant numbers of the whole log by activity sequence (at least those ``f`` asks
    for), when ``df`` is a piece of it; without, they are the frame's own."""
    import numpy as np

    codes, names = _case_codes(df)
    n_cases = len(names)
    keep = np.ones(n_cases, dtype=bool)
    events = None
    if f.since is not None or f.until is not None:
        keep, events = _window(df, f, codes, n_cases)
    for test in f.where:
        keep &= _attribute(df, test, codes, n_cases)
    if f.variants:
        found = variant_numbers(df) if numbers is None else _numbers_of(df, numbers)
        keep &= np.isin(found, np.asarray(f.variants))
    if f.lanes:
        keep &= _lanes(df, f.lanes, codes, n_cases, lane_keys)
    if f.case_ids is not None:
        keep &= np.isin(np.asarray(names.astype(str), dtype=object), list(f.case_ids))
    rows = keep[codes]
    if events is not None:
        rows &= events
    out = df if rows.all() else df[rows].reset_index(drop=True)
    if out is not df and hasattr(out[CASE], "cat"):
        out[CASE] = out[CASE].cat.remove_unused_categories()
    out.attrs = dict(df.attrs)
    kept = int(np.count_nonzero(np.bincount(codes[rows], minlength=n_cases)))
    outcome = FilterOutcome(f, n_cases, kept, len(df), int(rows.sum()), f.describe())
    return out, outcome


def cut_piece(
    model: Model,
    df: pd.DataFrame,
    log_filter: LogFilter,
    *,
    numbers: Mapping[Sequence, int] | None = None,
    lane_map: LaneMap | None = None,
    filename: str = "the log",
    lane_source: str | None = None,
) -> tuple[pd.DataFrame, FilterOutcome, str | None]:
    """A log, or a piece of one holding whole cases, cut to the cases ``log_filter`` keeps,
    what it kept, and the lanes' source a lane filter judged the lanes by.  A lane is named
    by its id or name in ``model``; a lane filter tests each event's lane as the check maps
    it (``lane_source``, ``lane_map``); ``numbers`` are the whole log's variant numbers by
    sequence (:func:`numbered_sequences`) for a variant filter of a piece."""
    from bpmtool.mining.mapping import LANE, NODE, map_events

    source = None
    keys = lane_resolver({lane.id: lane.label for lane in model.lanes})
    if not log_filter.lanes:
        kept, outcome = apply_filter(df, log_filter, lane_keys=keys, numbers=numbers)
        return kept, outcome, source
    mapped, _, source, _ = map_events(
        model, df, lane_map=lane_map, filename=filename, lane_source=lane_source
    )
    kept, outcome = apply_filter(mapped, log_filter, lane_keys=keys, numbers=numbers)
    return kept.drop(columns=[NODE, LANE]), outcome, source


def variant_numbers(df: pd.DataFrame) -> np.ndarray:
    """Each case's variant number (by the case's code, in category order): 1 for the most
    frequent activity sequence, ties broken by the sequence's labels."""
    return _numbers_of(df, numbered_sequences([sequence_counts(df)]))


def sequence_counts(df: pd.DataFrame) -> Counter[Sequence]:
    """How many cases of a frame (sorted by case) follow each activity sequence."""
    import numpy as np

    seqs, of_case, _ = _sequences(df)
    return Counter(dict(zip(seqs, np.bincount(of_case, minlength=len(seqs)).tolist(), strict=True)))


def numbered_sequences(counts: Iterable[Mapping[Sequence, int]]) -> dict[Sequence, int]:
    """The variant number of each sequence from the case counts of a log's pieces: 1 for
    the most cases, ties broken by the sequence's labels."""
    total: Counter[Sequence] = Counter()
    for c in counts:
        total.update(c)
    order = sorted(total, key=lambda s: (-total[s], s))
    return {s: i for i, s in enumerate(order, start=1)}


def _numbers_of(df: pd.DataFrame, numbers: Mapping[Sequence, int]) -> np.ndarray:
    """Each case's number by its sequence (0 for a sequence ``numbers`` does not have)."""
    import numpy as np

    seqs, of_case, cases = _sequences(df)
    rank = np.asarray([numbers.get(s, 0) for s in seqs], dtype=np.int32)
    out = np.zeros(len(_case_codes(df)[1]), dtype=np.int32)
    out[cases] = rank[of_case]
    return out


def _sequences(df: pd.DataFrame) -> tuple[list[Sequence], np.ndarray, np.ndarray]:
    """The distinct activity sequences of a frame's cases, each case's sequence (an index
    into them) and the cases' codes (in the order of their events)."""
    import numpy as np

    codes, _ = _case_codes(df)
    if not len(codes):
        return [], np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.int64)
    labels = df[ACTIVITY].astype("category")
    label_names = [str(c) for c in labels.cat.categories]
    acts = labels.cat.codes.to_numpy().astype(np.int32)
    bounds = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(codes)]))
    raw = acts.tobytes()
    size = acts.itemsize
    index: dict[bytes, int] = {}
    of_run = np.empty(len(starts), dtype=np.int32)
    for i, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        of_run[i] = index.setdefault(raw[s * size : e * size], len(index))
    seqs = [tuple(label_names[x] for x in np.frombuffer(k, dtype=np.int32)) for k in index]
    return seqs, of_run, codes[starts]


def _case_codes(df: pd.DataFrame) -> tuple[np.ndarray, pd.Index]:
    col = df[CASE]
    cat = col if hasattr(col, "cat") else col.astype("category")
    return cat.cat.codes.to_numpy(), cat.cat.categories


def _window(
    df: pd.DataFrame, f: LogFilter, codes: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray | None]:
    import numpy as np
    import pandas as pd

    if TIMESTAMP not in df.columns or not str(df[TIMESTAMP].dtype).startswith("datetime64"):
        raise InputError.single(
            "a time window needs the log's times, and this log has none",
            file=str(df.attrs.get("source") or "the log"),
            key="from",
            expected="a log with a time column",
        )
    times = df[TIMESTAMP]
    if isinstance(times.dtype, pd.DatetimeTZDtype):
        times = times.dt.tz_convert(None)
    ns = times.to_numpy(dtype="datetime64[ns]").view(np.int64)
    nat = np.iinfo(np.int64).min
    known = ns != nat
    lo = _ns(f.since) if f.since else nat + 1
    hi = _ns(f.until) if f.until else np.iinfo(np.int64).max
    inside = known & (ns >= lo) & (ns < hi)
    if f.window in ("intersecting", "trim"):
        keep = np.bincount(codes[inside], minlength=n) > 0
        return keep, inside if f.window == "trim" else None
    big = np.iinfo(np.int64).max
    first = np.full(n, big, dtype=np.int64)
    last = np.full(n, nat, dtype=np.int64)
    np.minimum.at(first, codes[known], ns[known])
    np.maximum.at(last, codes[known], ns[known])
    has = last != nat
    if f.window == "started":
        return has & (first >= lo) & (first < hi), None
    if f.window == "completed":
        return has & (last >= lo) & (last < hi), None
    return has & (first >= lo) & (last < hi), None


def _ns(moment: datetime) -> int:
    import pandas as pd

    stamp = pd.Timestamp(moment)
    if stamp.tzinfo is not None:
        stamp = stamp.tz_convert(None)
    return int(stamp.value)


def _column(df: pd.DataFrame, name: str) -> str:
    if name in df.columns:
        return name
    folded = {str(c).lower(): str(c) for c in df.columns}
    for candidate in (name, f"case:{name}"):
        if candidate.lower() in folded:
            return folded[candidate.lower()]
    attributes = [str(c) for c in df.columns if not str(c).startswith("bpmtool:")]
    raise InputError.single(
        f"the log has no attribute {name!r}",
        file=str(df.attrs.get("source") or "the log"),
        key="where",
        expected="one of " + ", ".join(attributes[:20]),
    )


def _attribute(df: pd.DataFrame, test: AttributeTest, codes: np.ndarray, n: int) -> np.ndarray:
    import numpy as np

    cat = df[_column(df, test.column)].astype("category")
    wanted = {v.casefold() for v in test.values}
    hits = [i for i, c in enumerate(cat.cat.categories) if _text(c).casefold() in wanted]
    match = np.isin(cat.cat.codes.to_numpy(), hits)
    has = np.bincount(codes[match], minlength=n) > 0
    return ~has if test.negate else has


def _text(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _lanes(
    df: pd.DataFrame,
    lanes: tuple[str, ...],
    codes: np.ndarray,
    n: int,
    lane_keys: Callable[[str], str | None] | None,
) -> np.ndarray:
    import numpy as np

    column = _MAPPED_LANE if _MAPPED_LANE in df.columns else GROUP
    if column not in df.columns:
        raise InputError.single(
            "a lane filter needs the lane of each event, and this log has no team column",
            file=str(df.attrs.get("source") or "the log"),
            key="lane",
            expected="an org:group (team) column, a resource → lane map, or a model",
        )
    resolved = [lane_keys(x) for x in lanes] if lane_keys else []
    folded = {w.casefold() for w in (*lanes, *(r for r in resolved if r))}
    cat = df[column].astype("category")
    hits = [i for i, c in enumerate(cat.cat.categories) if str(c).casefold() in folded]
    match = np.isin(cat.cat.codes.to_numpy(), hits)
    return np.bincount(codes[match], minlength=n) > 0


def lane_resolver(lanes: Mapping[str, str]) -> Callable[[str], str | None]:
    """A lane as the user names it (id or name, any case) → the lane id of ``lanes``
    (``{id: name}``)."""
    keys: dict[str, str] = {}
    for lane_id, name in lanes.items():
        keys.setdefault(lane_id.casefold(), lane_id)
        keys.setdefault(name.casefold(), lane_id)
    return lambda text: keys.get(text.strip().casefold())
