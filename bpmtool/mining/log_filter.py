"""Which cases an analysis looks at: one filter, applied once to the event frame.

A :class:`LogFilter` keeps whole cases (never parts of them, except a ``trim`` window):
an analysis of a case with its events cut out would report skips that never happened.
Its tests are ANDed:

* a **time window** ``[since, until)`` and how a case must stand in it: ``started`` (its
  first event is in the window, the default: each case counts in one period only),
  ``completed`` (its last event), ``contained`` (all its events), ``intersecting`` (any
  event), or ``trim`` (cases with an event in the window, cut to their events in it);
* **attribute values** (``Region=EMEA,APAC`` or ``Region!=EMEA``): a case is kept when one
  of its events has (or, for ``!=``, none has) one of the values; a case attribute
  (``case:Region``) is found by its short name too;
* **variants** by number: 1 is the most frequent activity sequence, ties by sequence;
* **lanes**: cases with an event in one of the lanes (a lane's id or name);
* **case ids**: cases named in a list.

>>> f = LogFilter(where=(AttributeTest("Region", ("EMEA",)),), variants=(1,))
>>> f.describe()
'Region = EMEA; variant 1'
>>> parse_period("2026-Q3")
(datetime.datetime(2026, 7, 1, 0, 0), datetime.datetime(2026, 10, 1, 0, 0))
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from bpmtool.errors import InputError
from bpmtool.log_schema import ACTIVITY, CASE, GROUP, TIMESTAMP

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = [
    "WINDOWS",
    "AttributeTest",
    "FilterOutcome",
    "LogFilter",
    "apply_filter",
    "parse_moment",
    "parse_period",
    "parse_where",
    "variant_numbers",
]

WINDOWS = ("started", "completed", "contained", "intersecting", "trim")
#: the lane column of a log mapped to a model (bpmtool.mining.mapping.LANE)
_MAPPED_LANE = "bpmtool:lane"


@dataclass(frozen=True)
class AttributeTest:
    """``column`` has one of ``values`` (or, ``negate``, none of them)."""

    column: str
    values: tuple[str, ...]
    negate: bool = False

    def describe(self) -> str:
        return f"{self.column} {'!=' if self.negate else '='} {','.join(self.values)}"


@dataclass(frozen=True)
class LogFilter:
    """The cases an analysis keeps; an empty filter keeps all of them."""

    since: datetime | None = None
    until: datetime | None = None
    window: str = "started"
    where: tuple[AttributeTest, ...] = ()
    variants: tuple[int, ...] = ()
    lanes: tuple[str, ...] = ()
    case_ids: frozenset[str] | None = None
    #: how the case-id list was given (a file name), for :meth:`describe`
    case_ids_from: str | None = None

    def __post_init__(self) -> None:
        if self.window not in WINDOWS:
            raise InputError.single(
                f"unknown time window {self.window!r}",
                key="window",
                expected="one of " + ", ".join(WINDOWS),
            )
        if self.since and self.until and self.since >= self.until:
            raise InputError.single(
                f"the time window is empty: {self.since:%Y-%m-%d %H:%M} is not before "
                f"{self.until:%Y-%m-%d %H:%M}",
                key="from",
                expected="a start before the end",
            )
        bad = [v for v in self.variants if v < 1]
        if bad:
            raise InputError.single(
                f"variant numbers start at 1, not {bad[0]}", key="variant", expected="1, 2, …"
            )

    def columns(self) -> tuple[str, ...]:
        """The attribute columns the filter reads, for a reader to keep."""
        return tuple(dict.fromkeys(t.column for t in self.where))

    @property
    def empty(self) -> bool:
        return not (
            self.since
            or self.until
            or self.where
            or self.variants
            or self.lanes
            or self.case_ids is not None
        )

    def describe(self) -> str:
        """The filter in words, e.g. ``cases started 2026-07-01 … 2026-09-30; Region = EMEA``."""
        parts = []
        if self.since or self.until:
            start = _day(self.since) if self.since else "the start"
            end = _day(self.until - timedelta(microseconds=1)) if self.until else "the end"
            what = "events" if self.window == "trim" else f"cases {self.window}"
            parts.append(f"{what} {start} … {end}")
        parts += [t.describe() for t in self.where]
        if self.variants:
            parts.append(
                ("variant " if len(self.variants) == 1 else "variants ")
                + ", ".join(str(v) for v in self.variants)
            )
        if self.lanes:
            parts.append("lane " + " or ".join(self.lanes))
        if self.case_ids is not None:
            source = f" from {self.case_ids_from}" if self.case_ids_from else ""
            parts.append(f"{len(self.case_ids):,} listed case id(s){source}")
        return "; ".join(parts) or "no filter"

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": self.since.isoformat() if self.since else None,
            "until": self.until.isoformat() if self.until else None,
            "window": self.window,
            "where": [
                {"column": t.column, "values": list(t.values), "negate": t.negate}
                for t in self.where
            ],
            "variants": list(self.variants),
            "lanes": list(self.lanes),
            "case_ids": len(self.case_ids) if self.case_ids is not None else None,
        }


@dataclass(frozen=True)
class FilterOutcome:
    """What a filter kept: the filter in words, and cases and events before and after."""

    filter: LogFilter
    cases_before: int
    cases_after: int
    events_before: int
    events_after: int
    description: str = field(default="")

    def to_dict(self) -> dict[str, Any]:
        return {
            "description": self.description or self.filter.describe(),
            "filter": self.filter.to_dict(),
            "cases_before": self.cases_before,
            "cases_after": self.cases_after,
            "events_before": self.events_before,
            "events_after": self.events_after,
        }

    def text(self) -> str:
        """One line for a report, e.g. ``filter: Region = EMEA — kept 412 of 1,000 cases``."""
        return (
            f"filter: {self.description or self.filter.describe()} — kept "
            f"{self.cases_after:,} of {self.cases_before:,} cases, "
            f"{self.events_after:,} of {self.events_before:,} events"
        )


def apply_filter(
    df: pd.DataFrame, f: LogFilter, *, lane_keys: Callable[[str], str | None] | None = None
) -> tuple[pd.DataFrame, FilterOutcome]:
    """The events of the cases ``f`` keeps (a frame sorted by case, as the readers give it),
    and what it kept.  ``lane_keys`` turns a lane as the user named it into the value of the
    log's lane column (``bpmtool:lane`` of a mapped log, else ``org:group``)."""
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
        numbers = variant_numbers(df)
        keep &= np.isin(numbers, np.asarray(f.variants))
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


def variant_numbers(df: pd.DataFrame) -> np.ndarray:
    """Each case's variant number (by the case's code, in category order): 1 for the most
    frequent activity sequence, ties broken by the sequence's labels."""
    import numpy as np

    codes, names = _case_codes(df)
    labels = df[ACTIVITY].astype("category")
    label_names = [str(c) for c in labels.cat.categories]
    acts = labels.cat.codes.to_numpy().astype(np.int32)
    if not len(codes):
        return np.zeros(0, dtype=np.int32)
    bounds = np.flatnonzero(codes[1:] != codes[:-1]) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [len(codes)]))
    raw = acts.tobytes()
    size = acts.itemsize
    index: dict[bytes, int] = {}
    of_run = np.empty(len(starts), dtype=np.int32)
    for i, (s, e) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        of_run[i] = index.setdefault(raw[s * size : e * size], len(index))
    counts = np.bincount(of_run, minlength=len(index))
    keys = list(index)
    seqs = [tuple(label_names[x] for x in np.frombuffer(k, dtype=np.int32)) for k in keys]
    order = sorted(range(len(keys)), key=lambda i: (-counts[i], seqs[i]))
    rank = np.empty(len(keys), dtype=np.int32)
    rank[order] = np.arange(1, len(keys) + 1, dtype=np.int32)
    out = np.zeros(len(names), dtype=np.int32)
    out[codes[starts]] = rank[of_run]
    return out


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


def _day(moment: datetime) -> str:
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0) or (
        moment.hour,
        moment.minute,
        moment.second,
    ) == (23, 59, 59):
        return f"{moment:%Y-%m-%d}"
    return f"{moment:%Y-%m-%d %H:%M}"


_PERIOD = re.compile(r"^(\d{4})(?:-(?:Q([1-4])|(\d{2}))(?:-(\d{2}))?)?$", re.IGNORECASE)


def parse_moment(text: str, *, end: bool = False) -> datetime:
    """A date or date-time; with ``end``, a bare date or period means its end (the first
    moment after it), so ``--to 2026-09-30`` includes that day."""
    start, stop = _period_or_moment(text.strip())
    return stop if end else start


def parse_period(text: str) -> tuple[datetime, datetime]:
    """A period as ``[start, end)``: ``2026``, ``2026-Q3``, ``2026-07``, ``2026-07-15`` or
    ``FROM..TO`` (each end a date or period, the end inclusive)."""
    text = text.strip()
    if ".." in text:
        a, _, b = text.partition("..")
        start = parse_moment(a) if a.strip() else None
        stop = parse_moment(b, end=True) if b.strip() else None
        if start is None or stop is None:
            raise ValueError(f"{text!r}: give both ends, e.g. 2026-07-01..2026-09-30")
        if start >= stop:
            raise ValueError(f"{text!r}: the start is not before the end")
        return start, stop
    return _period_or_moment(text)


def _period_or_moment(text: str) -> tuple[datetime, datetime]:
    m = _PERIOD.match(text)
    if m:
        year, quarter, month, day = m.groups()
        y = int(year)
        try:
            if quarter:
                if day:
                    raise ValueError
                q = int(quarter)
                return datetime(y, 3 * q - 2, 1), _next_month(datetime(y, 3 * q, 1))
            if month and day:
                start = datetime(y, int(month), int(day))
                return start, start + timedelta(days=1)
            if month:
                start = datetime(y, int(month), 1)
                return start, _next_month(start)
            return datetime(y, 1, 1), datetime(y + 1, 1, 1)
        except ValueError:
            raise ValueError(f"{text!r} is not a valid date or period") from None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r} is not a date or period; use e.g. 2026-07-01, 2026-07-01T09:00, "
            "2026-07, 2026-Q3 or 2026"
        ) from None
    if moment.tzinfo is not None:
        from datetime import UTC

        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment, moment + timedelta(microseconds=1)


def _next_month(moment: datetime) -> datetime:
    return datetime(moment.year + moment.month // 12, moment.month % 12 + 1, 1)


def parse_where(text: str) -> AttributeTest:
    """``COLUMN=V1,V2`` or ``COLUMN!=V``; raises ``ValueError`` saying what is expected."""
    negate = "!=" in text
    column, sep, values = text.partition("!=" if negate else "=")
    column = column.strip()
    items = tuple(v.strip() for v in values.split(",") if v.strip())
    if not sep or not column or not items:
        raise ValueError(f"{text!r}: expected COLUMN=VALUE[,VALUE…] or COLUMN!=VALUE")
    return AttributeTest(column, items, negate)


def lane_resolver(lanes: Mapping[str, str]) -> Callable[[str], str | None]:
    """A lane as the user names it (id or name, any case) → the lane id of ``lanes``
    (``{id: name}``)."""
    keys: dict[str, str] = {}
    for lane_id, name in lanes.items():
        keys.setdefault(lane_id.casefold(), lane_id)
        keys.setdefault(name.casefold(), lane_id)
    return lambda text: keys.get(text.strip().casefold())
