"""Which cases an analysis looks at: what a filter is, and how it is written.

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

How a filter is applied to the events (once to a log's frame, or partition by partition to
a partitioned log) is :mod:`bpmtool.mining.filter_cases`.

>>> f = LogFilter(where=(AttributeTest("Region", ("EMEA",)),), variants=(1,))
>>> f.describe()
'Region = EMEA; variant 1'
>>> parse_period("2026-Q3")
(datetime.datetime(2026, 7, 1, 0, 0), datetime.datetime(2026, 10, 1, 0, 0))
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bpmtool.errors import InputError

__all__ = [
    "WINDOWS",
    "AttributeTest",
    "FilterOutcome",
    "LogFilter",
    "parse_moment",
    "parse_period",
    "parse_where",
]

WINDOWS = ("started", "completed", "contained", "intersecting", "trim")


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
