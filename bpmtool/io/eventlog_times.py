"""Text times of CSV and Parquet logs as UTC: ISO 8601, numeric dates whose day/month order
is read from the data, or the strftime format the user gives.

A date such as ``07/01/2025`` is the 7th of January in most of the world and the 1st of
July in the USA.  Guessing is how a log silently goes wrong, so the order is decided by the
data: one value whose first field is above 12 (``13/01/2025``) makes the file day-first,
one whose second field is above 12 (``01/13/2025``) month-first.  When every value fits
both readings the read is refused, naming the first such value, unless the format is
given (``--date-format '%d/%m/%Y %H:%M'``).  Values that read the same either way
(``01/01/2025``) never need a decision.

The CSV reader hands over blocks of text as they stream by; a block that needs the order
before the file has shown it waits, as Arrow text, until a later block decides it.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bpmtool.errors import EventLogError, Problem

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

__all__ = ["DateOrder", "TimeColumn", "looks_like_times", "parse_time_text"]

#: a numeric date with the year last: day and month in an order the value does not tell
_NUMERIC_DATE = r"^\s*(?P<a>\d{1,2})[/.\-](?P<b>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})(?:\D|$)"
#: what a value must start with to count as a date when looking for the time column
_DATE_LIKE = re.compile(
    r"\s*(\d{4}-\d{1,2}-\d{1,2}|\d{4}/\d{1,2}/\d{1,2}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2,4}"
    r"|\d{1,2}[ \-][A-Za-z]{3,9}\.?[ \-,]+\d{2,4}|[A-Za-z]{3,9}\.? \d{1,2},? \d{4})"
)
_EXAMPLE = "timestamps such as 2024-03-01 09:30:00 or 2024-03-01T09:30:00+01:00"


def looks_like_times(values: list[str]) -> bool:
    """Whether a sample of a column's values are all dates or times (blank cells aside),
    and there is at least one.

    >>> looks_like_times(["07/01/2025 09:30", "", "13/01/2025 10:00"])
    True
    >>> looks_like_times(["12", "7.5"]), looks_like_times(["Kickoff"]), looks_like_times([])
    (False, False, False)
    """
    import pandas as pd

    filled = [v for v in values if v is not None and str(v).strip()]
    if not filled or not all(_DATE_LIKE.match(str(v)) for v in filled):
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(
            pd.Series(filled, dtype=object), format="mixed", utc=True, errors="coerce"
        )
    return bool(parsed.notna().all())


@dataclass
class DateOrder:
    """The day/month order of one file's numeric dates, as the values seen so far tell it.

    Shared by the time columns of a file: a start time that says ``13/01`` decides the
    order of the end times too.  ``date_format``, when given, decides everything.
    """

    filename: str
    date_format: str | None = None
    day_first: bool | None = None
    #: (column, row, value) of the value that decided the order
    decided_by: tuple[str, int, str] | None = None
    #: (column, row, value) of the first value that fits both orders
    undecided: tuple[str, int, str] | None = None
    notes: list[Problem] = field(default_factory=list)

    def observe(self, values: pa.Array, column: str, first_row: int) -> bool:
        """Learn from a block of text; True when it holds values that need the order."""
        import pyarrow as pa
        import pyarrow.compute as pc

        fields = pc.extract_regex(values, _NUMERIC_DATE)
        if fields.null_count == len(fields):
            return False
        a = pc.cast(pc.struct_field(fields, "a"), pa.int8())  # null where no match
        b = pc.cast(pc.struct_field(fields, "b"), pa.int8())
        day = _first(pc.greater(a, 12))
        month = _first(pc.greater(b, 12))
        if self.day_first is None and (day is not None or month is not None):
            first_day = day is not None and (month is None or day < month)
            at = day if first_day else month
            assert at is not None
            self.day_first = first_day
            self.decided_by = (column, first_row + at, values[at].as_py())
            self.notes.append(
                Problem(
                    f"column {column!r} holds {self._order_words()} dates, as row "
                    f"{first_row + at + 1} ({values[at].as_py()!r}) shows",
                    file=self.filename,
                    line=first_row + at + 2,
                    key=column,
                )
            )
        against = month if self.day_first else day
        if self.day_first is not None and against is not None:
            self._contradiction(values[against].as_py(), column, first_row + against)
        both = _first(
            pc.and_(pc.not_equal(a, b), pc.and_(pc.less_equal(a, 12), pc.less_equal(b, 12)))
        )
        if both is not None and self.undecided is None:
            self.undecided = (column, first_row + both, values[both].as_py())
        return both is not None

    def _order_words(self) -> str:
        return "day-first (day/month/year)" if self.day_first else "month-first (month/day/year)"

    def _contradiction(self, value: str, column: str, row: int) -> None:
        """A value that fits only the other order: no reading is right for the whole file."""
        assert self.decided_by is not None
        _, earlier_row, earlier = self.decided_by
        other = "month-first" if self.day_first else "day-first"
        raise EventLogError.single(
            f"row {row + 1}: {column} {value!r} can only be {other}, but row "
            f"{earlier_row + 1} ({earlier!r}) is {self._order_words().split()[0]}: the file "
            "mixes both date orders",
            file=self.filename,
            line=row + 2,
            key=column,
            expected="one date order in the whole file",
        )

    def refuse_if_undecided(self) -> None:
        """The error for a file whose dates all fit both orders."""
        if self.day_first is not None or self.undecided is None:
            return
        column, row, value = self.undecided
        day, month = _both_readings(value)
        raise EventLogError.single(
            f"row {row + 1}: {column} {value!r} could be {day} (day first) or {month} "
            "(month first), and no date in the file has a day above 12 to tell",
            file=self.filename,
            line=row + 2,
            key=column,
            expected="the format, e.g. --date-format "
            f"'{_guess(value, True) or '%d/%m/%Y'}' or "
            f"'{_guess(value, False) or '%m/%d/%Y'}'",
        )


class TimeColumn:
    """One time column as UTC nanoseconds (NaT for blank cells), fed block by block."""

    def __init__(self, column: str, order: DateOrder) -> None:
        self.column = column
        self.order = order
        #: parsed blocks, or (text, first row) of blocks that wait for the date order
        self.chunks: list[np.ndarray | tuple[pa.Array, int]] = []
        #: False once a block was no ISO 8601: a failing Arrow cast costs ~5 ms a block
        self.iso = True
        #: the format that read the last block in the decided order, tried first on the next
        self.format: str | None = None

    def add(self, values: pa.Array, first_row: int) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        if self.order.date_format is not None:
            self.chunks.append(self._by_format(values, first_row))
            return
        for target in (pa.timestamp("ns", "UTC"), pa.timestamp("ns")) if self.iso else ():
            try:
                parsed = pc.cast(values, target)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                continue
            self.chunks.append(parsed.cast(pa.int64()).fill_null(np.iinfo(np.int64).min).to_numpy())
            return
        self.iso = False
        if self.format is not None:
            # a value of the other order has month 13+ and fails here, so it still meets
            # observe() below and is refused
            fast = _strptime(values, self.format)
            if fast is not None:
                self.chunks.append(fast)
                return
        if self.order.observe(values, self.column, first_row) and self.order.day_first is None:
            self.chunks.append((values, first_row))
        else:
            self.chunks.append(self._by_order(values, first_row))

    def nanoseconds(self) -> np.ndarray:
        """The whole column; refuses when some dates fit both orders and nothing decided."""
        import numpy as np

        if any(isinstance(c, tuple) for c in self.chunks):
            self.order.refuse_if_undecided()
            self.chunks = [self._by_order(*c) if isinstance(c, tuple) else c for c in self.chunks]
        parts = [c for c in self.chunks if not isinstance(c, tuple)]
        return np.concatenate(parts) if parts else np.zeros(0, np.int64)

    def series(self) -> pd.Series:
        import pandas as pd

        return pd.Series(self.nanoseconds().view("datetime64[ns]")).dt.tz_localize("UTC")

    @property
    def waiting(self) -> bool:
        """Whether some block still waits for the date order."""
        return any(isinstance(c, tuple) for c in self.chunks)

    def drain(self) -> pd.Series:
        """The blocks parsed since the last drain, and forget them (a streaming reader's
        way to hand times on); like :meth:`series`, refuses undecided dates."""
        out = self.series()
        self.chunks = []
        return out

    def _by_order(self, values: pa.Array, first_row: int) -> np.ndarray:
        """Parse with the decided day/month order: by one format guessed from the first
        value (Arrow, fast), else value by value."""
        day_first = bool(self.order.day_first)
        first = values.drop_null()
        fmt = None
        if len(first):
            value = first[0].as_py()
            # the order is for dates with the year last: 2025-01-07 stays the 7th of January
            fmt = _guess(value, day_first and re.match(_NUMERIC_DATE, value) is not None)
        fast = _strptime(values, fmt) if fmt is not None else None
        if fast is not None:
            if self.order.day_first is not None:
                self.format = fmt
            return fast
        return _ns(
            parse_time_text(
                _text(values), self.column, self.order.filename, first_row, day_first=day_first
            )
        )

    def _by_format(self, values: pa.Array, first_row: int) -> np.ndarray:
        import pandas as pd

        fmt = self.order.date_format
        assert fmt is not None
        fast = _strptime(values, fmt)
        if fast is not None:
            return fast
        # pandas knows every directive Python's strptime does, and where a value fails
        text = _text(values)
        try:
            parsed = pd.to_datetime(text, format=fmt, utc=True, errors="coerce")
        except ValueError as exc:  # a format pandas cannot use
            raise EventLogError.single(
                f"--date-format {fmt!r} is not a usable format: {exc}",
                file=self.order.filename,
                key=self.column,
                expected="a strftime format such as '%d/%m/%Y %H:%M'",
            ) from None
        _refuse_unparsed(
            parsed,
            text,
            self.column,
            self.order.filename,
            first_row,
            f"dates in the format {fmt!r} (--date-format)",
        )
        return _ns(parsed)


def _strptime(values: pa.Array, fmt: str) -> np.ndarray | None:
    """UTC nanoseconds of a block that all matches ``fmt`` (blank cells: NaT), read by
    Arrow; None when some value does not match or Arrow cannot use the format."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        parsed = pc.strptime(values, format=fmt, unit="ns", error_is_null=True)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    blank = pc.or_kleene(pc.is_null(values), pc.equal(pc.utf8_trim_whitespace(values), ""))
    if pc.any(pc.and_(pc.is_null(parsed), pc.invert(blank))).as_py():
        return None
    return parsed.cast(pa.int64()).fill_null(np.iinfo(np.int64).min).to_numpy()


def parse_time_text(
    raw: pd.Series, column: str, filename: str, first_row: int = 0, *, day_first: bool = False
) -> pd.Series:
    """Text times as UTC: ISO 8601 first, then value by value (``day_first`` for numeric
    dates); a value that is no time (blank cells stay empty) is an error naming its row and
    line, counted from ``first_row``."""
    import pandas as pd

    try:
        parsed = pd.to_datetime(raw, utc=True, format="ISO8601")
    except (ValueError, TypeError):
        parsed = _mixed(raw, day_first=False)
        if day_first:  # only for dates with the year last: pandas would turn 2025-01-07 too
            numeric = raw.str.match(_NUMERIC_DATE).fillna(False).astype(bool)
            if numeric.any():
                parsed[numeric] = _mixed(raw[numeric], day_first=True)
    _refuse_unparsed(parsed, raw, column, filename, first_row, _EXAMPLE)
    return parsed


def _mixed(raw: pd.Series, *, day_first: bool) -> pd.Series:
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pd.to_datetime(raw, utc=True, format="mixed", dayfirst=day_first, errors="coerce")


def _refuse_unparsed(
    parsed: pd.Series, raw: pd.Series, column: str, filename: str, first_row: int, expected: str
) -> None:
    import pandas as pd

    # times are kept as 64-bit nanoseconds, which span the years 1677 to 2262
    outside = parsed.notna() & (
        (parsed < pd.Timestamp("1678-01-01", tz="UTC"))
        | (parsed >= pd.Timestamp("2262-01-01", tz="UTC"))
    )
    if outside.any():
        at = int(outside.to_numpy().nonzero()[0][0])
        row = first_row + at
        raise EventLogError.single(
            f"row {row + 1}: {column} {str(raw.iloc[at])[:60]!r} is outside the years 1678 to 2261",
            file=filename,
            line=row + 2,
            key=column,
            expected=expected,
        )
    bad = parsed.isna() & raw.notna() & (raw.str.strip() != "")
    if bad.any():
        at = int(bad.to_numpy().nonzero()[0][0])
        row = first_row + at
        raise EventLogError.single(
            f"row {row + 1}: {column} {raw.iloc[at]!r} is not a date or time",
            file=filename,
            line=row + 2,
            key=column,
            expected=expected,
        )


def _text(values: pa.Array) -> pd.Series:
    import pandas as pd

    return pd.Series(values.to_pylist(), dtype="string")


def _ns(parsed: pd.Series) -> np.ndarray:
    return parsed.dt.as_unit("ns").to_numpy(dtype="datetime64[ns]").view("int64")


def _first(mask: Any) -> int | None:
    """The index of the first true value of an Arrow boolean array (nulls are false)."""
    import pyarrow.compute as pc

    at = pc.index(mask.fill_null(False), True).as_py()
    return None if at < 0 else at


def _guess(value: str, day_first: bool) -> str | None:
    """The strftime format of one value, day or month first."""
    from pandas.tseries.api import guess_datetime_format

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return guess_datetime_format(value.strip(), dayfirst=day_first)


def _both_readings(value: str) -> tuple[str, str]:
    """``07/01/2025`` → ("7 January 2025", "1 July 2025")."""
    import calendar

    m = re.match(_NUMERIC_DATE, value)
    assert m is not None
    a, b, year = int(m["a"]), int(m["b"]), m["y"]
    return (f"{a} {calendar.month_name[b]} {year}", f"{b} {calendar.month_name[a]} {year}")
