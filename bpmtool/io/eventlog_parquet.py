"""Parquet event logs: columns found by their names (:mod:`bpmtool.io.eventlog_columns`),
time columns as UTC — datetimes converted, text read by :mod:`bpmtool.io.eventlog_times`;
what was found or assumed is in ``df.attrs["notes"]``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bpmtool.errors import EventLogError
from bpmtool.io.eventlog_columns import SAMPLE_ROWS, find_time_column, standard_names
from bpmtool.io.eventlog_times import DateOrder, TimeColumn
from bpmtool.log_schema import START, TIMESTAMP, ColumnMap

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["parquet_sample", "read_parquet"]


def read_parquet(path: Path, *, columns: ColumnMap, date_format: str | None = None) -> pd.DataFrame:
    """Read a Parquet log and rename its columns to the standard names (times as with
    :func:`~bpmtool.io.eventlog_csv.read_csv`)."""
    import pandas as pd

    try:
        df = pd.read_parquet(path)
        _validate_arrow_text(df)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise EventLogError.single(
            f"not a readable Parquet file: {exc}", file=str(path), expected="an Apache Parquet file"
        ) from None
    header = [str(c) for c in df.columns]
    rename = standard_names(path, header, columns)
    notes = find_time_column(path, header, rename, lambda wanted: parquet_sample(df, wanted))
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


def parquet_sample(df: pd.DataFrame, wanted: list[str]) -> dict[str, list[str]]:
    """The first values of some columns as text; a column of datetimes is times as such."""
    import pandas as pd

    out = {}
    for name in wanted:
        column = df[name]
        if pd.api.types.is_datetime64_any_dtype(column):
            out[name] = ["2000-01-01"]  # a real time column, whatever its name
        elif column.dtype == object or pd.api.types.is_string_dtype(column):
            out[name] = [str(v) for v in column.dropna().head(SAMPLE_ROWS)]
    return out


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
