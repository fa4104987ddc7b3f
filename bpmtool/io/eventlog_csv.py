"""CSV and Parquet event logs: delimiter and encoding sniffed, columns found by their names
(the time column, failing that, by its values), text times read by
:mod:`bpmtool.io.eventlog_times`; what was found or assumed is in ``df.attrs["notes"]``."""

from __future__ import annotations

import codecs
import csv
import zlib
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING

from bpmtool.errors import EventLogError, Problem
from bpmtool.io.eventlog_times import DateOrder, TimeColumn, looks_like_times
from bpmtool.log_schema import (
    ACTIVITY,
    CASE,
    START,
    TIMESTAMP,
    ColumnMap,
    detect_columns,
    usual_names,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_csv", "read_parquet", "sniff"]

_SAMPLE = 256 * 1024
_SAMPLE_ROWS = 200  # rows looked at to tell which column holds times


def sniff(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """The encoding and delimiter of a CSV file, read from its first 256 KB."""
    import gzip

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            head = fh.read(_SAMPLE)
    except (OSError, EOFError, zlib.error) as exc:
        raise EventLogError.single(
            f"the file is cut short or damaged ({exc})", file=str(path), expected="a complete file"
        ) from None
    if not head.strip():
        raise EventLogError.single(
            "the file is empty", file=str(path), expected="a header line and at least one event"
        )
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise EventLogError.single(
            "this is a binary file, not CSV",
            file=str(path),
            line=1,
            expected="a text file with one event per line",
        )
    if encoding is None:
        if head.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        else:
            encoding = "utf-8"
            try:
                head.decode("utf-8")
            except UnicodeDecodeError as exc:
                if exc.start < len(head) - 4:  # not just a character cut at the sample's end
                    line = head[: exc.start].count(b"\n") + 1
                    raise EventLogError.single(
                        f"byte 0x{head[exc.start]:02x} on line {line} is not UTF-8",
                        file=str(path),
                        line=line,
                        expected="UTF-8 text, or say the encoding, e.g. --encoding cp1252",
                    ) from None
    text = head.decode(encoding, errors="replace")
    lines = text.splitlines()[:50]
    return encoding, guess_delimiter(lines)


#: the delimiters a log may use, in the order a tie is broken
DELIMITERS = ",;\t|"


def guess_delimiter(lines: list[str]) -> str:
    """The delimiter that splits the header into the most columns while (nearly) every
    other line splits into as many; failing that, the one the header holds most of.

    The lines are parsed as CSV (quotes respected) once per candidate, so the guess takes
    time in proportion to the sample.  (The csv module's ``Sniffer`` took 17 s on 64 KB of
    ``<list key='l'>`` and 93 s on 128 KB: its quote patterns backtrack.)
    """
    if not lines:
        return ","
    best: tuple[bool, int, int] | None = None
    chosen = max(DELIMITERS, key=lambda d: (lines[0].count(d), -DELIMITERS.index(d)))
    for rank, delimiter in enumerate(DELIMITERS):
        try:
            counts = [len(row) for row in csv.reader(lines, delimiter=delimiter) if row]
        except csv.Error:  # a field over the csv module's limit, a NUL
            continue
        if not counts or counts[0] < 2:
            continue
        agree = sum(c == counts[0] for c in counts[1:])
        consistent = agree >= 0.8 * (len(counts) - 1)
        score = (consistent, counts[0] if consistent else agree, -rank)
        if best is None or score > best:
            best, chosen = score, delimiter
    return chosen


def read_csv(
    path: Path,
    *,
    columns: ColumnMap,
    encoding: str | None = None,
    date_format: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    keep: Collection[str] = (),
    sink: Callable[[pd.DataFrame, float], None] | None = None,
) -> pd.DataFrame:
    """Read a CSV log and rename its columns to the standard names; what was found or
    assumed about its times is in ``df.attrs["notes"]`` (see :func:`_time_column`).
    Columns named in ``keep`` (any case, or as ``case:NAME``) come along as attributes.
    With ``sink``, the events go to it in pieces as they are read (see
    :func:`~bpmtool.io.eventlog_csv_stream.read_csv_blocks`) and the frame is empty."""
    import pandas as pd

    encoding, delimiter = sniff(path, encoding)
    try:
        header = pd.read_csv(path, sep=delimiter, encoding=encoding, nrows=0).columns
    except (UnicodeDecodeError, LookupError) as exc:
        raise EventLogError.single(
            f"cannot decode the file as {encoding}: {exc}",
            file=str(path),
            expected="a valid --encoding",
        ) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise EventLogError.single(f"not a readable CSV: {exc}", file=str(path)) from None
    except (OSError, EOFError, zlib.error) as exc:  # a damaged .csv.gz
        raise EventLogError.single(
            f"the file is cut short or damaged ({exc})", file=str(path), expected="a complete file"
        ) from None
    rename = _rename(path, list(header), columns)
    notes = _time_column(
        path, list(header), rename, lambda wanted: _csv_sample(path, delimiter, encoding, wanted)
    )
    # case attributes (e.g. case:nps for the journey's emotion score) come along
    rename.update({c: c for c in header if c.startswith("case:") and c not in rename})
    wanted = {k.casefold() for k in keep} | {f"case:{k}".casefold() for k in keep}
    kept = {c for c in header if c.casefold() in wanted and c not in rename}
    rename.update({c: c for c in kept})
    _refuse_duplicates(path, [str(c) for c in header], rename)
    from bpmtool.io.eventlog_csv_stream import read_csv_blocks

    order = DateOrder(str(path), date_format)
    df = read_csv_blocks(
        path,
        delimiter=delimiter,
        encoding=encoding,
        rename=rename,
        time_columns={TIMESTAMP, START},
        attribute_columns={
            s for s in rename.values() if (s.startswith("case:") and s != CASE) or s in kept
        },
        order=order,
        progress=progress,
        sink=sink,
    )
    df.attrs["notes"] = notes + order.notes
    return df


def _csv_sample(
    path: Path, delimiter: str, encoding: str, wanted: list[str]
) -> dict[str, list[str]]:
    """The first rows' text of some columns (to tell which holds times)."""
    import pandas as pd

    try:
        rows = pd.read_csv(
            path,
            sep=delimiter,
            encoding=encoding,
            nrows=_SAMPLE_ROWS,
            dtype=str,
            keep_default_na=False,
            usecols=wanted,
        )
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
        return {}  # the full read says what is wrong, at its line
    return {str(c): rows[c].tolist() for c in rows.columns}


def _time_column(
    path: Path,
    header: list[str],
    rename: dict[str, str],
    sample: Callable[[list[str]], dict[str, list[str]]],
) -> list[Problem]:
    """Find the time column by its values when no column has a usual time name.

    One column whose first rows are all dates or times becomes the event time (added to
    ``rename``), with a note saying so; several are refused (which is the event's time is
    the user's call); none leaves the log without times, with a note saying what that
    means.
    """
    if TIMESTAMP in rename.values():
        return []
    others = [c for c in header if c not in rename]
    samples = sample(others) if others else {}
    timely = [c for c in others if looks_like_times(samples.get(c, []))]
    if len(timely) > 1:
        raise EventLogError.single(
            f"no column has a usual time name, and several hold dates: "
            f"{', '.join(map(repr, timely))}",
            file=str(path),
            line=1,
            expected="the event's time column named with --timestamp COLUMN",
        )
    if timely:
        rename[timely[0]] = TIMESTAMP
        return [
            Problem(
                f"no column has a usual time name; column {timely[0]!r} holds dates "
                "and times, so it is read as the time of each event (name another "
                "with --timestamp)",
                file=str(path),
                line=1,
                key=timely[0],
            )
        ]
    return [
        Problem(
            no_times_message(f"no column holds times (columns: {', '.join(header)})"),
            file=str(path),
            line=1,
            key=TIMESTAMP,
        )
    ]


def time_column_notes(
    path: Path, columns: ColumnMap, date_format: str | None = None
) -> tuple[str | None, list[Problem]]:
    """For a preview (the web's column mapping): the time column a read would use and the
    notes it would give about it, from the header and the first rows only — so the day/month
    order is what those rows show, and the read may still find it in later rows.  Raises
    what the read would raise for the columns (e.g. several date columns without a usual
    time name).  With a ``date_format`` the order needs no telling."""
    import pandas as pd

    sample: Callable[[list[str]], dict[str, list[str]]]
    if path.name.lower().endswith((".parquet", ".pq")):
        import pyarrow.parquet as pq

        first = next(pq.ParquetFile(path).iter_batches(batch_size=_SAMPLE_ROWS), None)
        head = first.to_pandas() if first is not None else pd.DataFrame()
        header = [str(c) for c in head.columns]

        def sample(wanted: list[str]) -> dict[str, list[str]]:
            return _parquet_sample(head, wanted)
    else:
        encoding, delimiter = sniff(path)
        header = [
            str(c) for c in pd.read_csv(path, sep=delimiter, encoding=encoding, nrows=0).columns
        ]

        def sample(wanted: list[str]) -> dict[str, list[str]]:
            return _csv_sample(path, delimiter, encoding, wanted)

    rename = _rename(path, header, columns)
    notes = _time_column(path, header, rename, sample)
    used = next((src for src, std in rename.items() if std == TIMESTAMP), None)
    if used is not None and date_format is None:
        notes += _order_notes(path, used, sample([used]).get(used, []))
    return used, notes


def _order_notes(path: Path, column: str, values: list[str]) -> list[Problem]:
    """What the first rows tell of the day/month order of a time column."""
    import pyarrow as pa

    order = DateOrder(str(path))
    try:
        order.observe(pa.array(values, type=pa.string()), column, 0)
    except EventLogError as err:  # both orders already
        return list(err.problems)
    if order.day_first is None and order.undecided is not None:
        return [
            Problem(
                f"the first {len(values)} dates of column {column!r} fit both "
                f"day-first and month-first (e.g. {order.undecided[2]!r}); unless a "
                "later one has a day above 12, reading will ask for the date format",
                file=str(path),
                key=column,
            )
        ]
    return order.notes


def no_times_message(why: str) -> str:
    """What a log without times means for the user."""
    return (
        f"{why}: events keep their order in the file, and there are no waiting times, "
        "durations or time checks (CTQs, deadlines); name the time column with "
        "--timestamp"
    )


def read_parquet(path: Path, *, columns: ColumnMap, date_format: str | None = None) -> pd.DataFrame:
    """Read a Parquet log and rename its columns to the standard names (times as with
    :func:`read_csv`)."""
    import pandas as pd

    try:
        df = pd.read_parquet(path)
        _validate_arrow_text(df)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise EventLogError.single(
            f"not a readable Parquet file: {exc}", file=str(path), expected="an Apache Parquet file"
        ) from None
    header = [str(c) for c in df.columns]
    rename = _rename(path, header, columns)
    notes = _time_column(path, header, rename, lambda wanted: _parquet_sample(df, wanted))
    df = df.rename(columns=rename)
    order = DateOrder(str(path), date_format)
    df = _parquet_times(df, {std: src for src, std in rename.items()}, order)
    df.attrs["notes"] = notes + order.notes
    return df


def _validate_arrow_text(df: pd.DataFrame) -> None:
    """Check the text columns Arrow handed over unchecked (invalid UTF-8 in a damaged file
    would otherwise fail far from the reader, e.g. when categories are made)."""
    import pyarrow as pa

    for name in df.columns:
        column = df[name].array
        if hasattr(column, "__arrow_array__"):
            try:
                pa.chunked_array(column.__arrow_array__()).validate(full=True)
            except pa.ArrowInvalid as exc:
                raise ValueError(f"column {str(name)[:80]!r}: {exc}") from None


def _parquet_sample(df: pd.DataFrame, wanted: list[str]) -> dict[str, list[str]]:
    """The first values of some columns as text; a column of datetimes is times as such."""
    import pandas as pd

    out = {}
    for name in wanted:
        column = df[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            out[name] = ["2000-01-01"]  # a real time column, whatever its name
        elif column.dtype == object or pd.api.types.is_string_dtype(column):
            out[name] = [str(v) for v in column.dropna().head(_SAMPLE_ROWS)]
    return out


def _refuse_duplicates(path: Path, header: list[str], rename: dict[str, str]) -> None:
    """Refuse a header that names a column it reads twice (pandas calls the second
    ``name.1``; which of the two is meant cannot be told)."""
    names = set(header)
    for position, name in enumerate(header):
        base, dot, number = name.rpartition(".")
        if dot and number.isdigit() and base in names and (base in rename or name in rename):
            first = header.index(base)
            raise EventLogError.single(
                f"the column {base!r} appears more than once in the header (columns "
                f"{first + 1} and {position + 1})",
                file=str(path),
                line=1,
                key=base,
                expected="each column name once",
            )


def _rename(path: Path, header: list[str], columns: ColumnMap) -> dict[str, str]:
    try:
        rename = detect_columns(header, columns)
    except KeyError as exc:
        role = exc.args[0]
        raise EventLogError.single(
            f"there is no column {getattr(columns, role)!r} (given for the {role})",
            file=str(path),
            line=1,
            expected=f"one of the columns: {', '.join(header)}",
        ) from None
    found = set(rename.values())
    for role, standard in (("case", CASE), ("activity", ACTIVITY)):
        if standard not in found:
            raise EventLogError.single(
                f"no {role} column: found {', '.join(header)}; tried "
                f"{', '.join(usual_names(role)[:8])}, …",
                file=str(path),
                line=1,
                expected=f"{'an' if role[0] in 'aeiou' else 'a'} {role} column, or name it "
                f"with --{role} COLUMN",
            )
    return rename


def _parquet_times(df: pd.DataFrame, source: dict[str, str], order: DateOrder) -> pd.DataFrame:
    """Parquet's time columns as UTC: datetimes converted, text parsed (``source`` gives a
    column's name in the file, for messages)."""
    import pandas as pd
    import pyarrow as pa

    texts: dict[str, TimeColumn] = {}
    for column in (TIMESTAMP, START):
        if column not in df.columns or isinstance(df[column].dtype, pd.DatetimeTZDtype):
            continue
        if pd.api.types.is_datetime64_any_dtype(df[column]):
            stamps = pd.to_datetime(df[column])
            df[column] = (
                stamps.dt.tz_localize("UTC")
                if stamps.dt.tz is None
                else stamps.dt.tz_convert("UTC")
            ).astype("datetime64[us, UTC]")
            continue
        texts[column] = TimeColumn(source.get(column, column), order)
        texts[column].add(pa.array(df[column].astype("string"), type=pa.string()), 0)
    # parsed once all are seen: one column's dates may decide the other's day/month order
    for column, times in texts.items():
        df[column] = pd.Series(times.series().array, index=df.index)
    return df
