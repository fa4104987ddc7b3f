"""CSV and Parquet event logs: delimiter and encoding sniffed, columns found by their names."""

from __future__ import annotations

import codecs
import csv
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bpmtool.errors import EventLogError
from bpmtool.io.eventlog_columns import (
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


def sniff(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """The encoding and delimiter of a CSV file, read from its first 256 KB."""
    import gzip

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            head = fh.read(_SAMPLE)
    except (OSError, EOFError, zlib.error) as exc:
        raise EventLogError.single(f"the file is cut short or damaged ({exc})", file=str(path),
                                   expected="a complete file") from None
    if not head.strip():
        raise EventLogError.single("the file is empty", file=str(path),
                                   expected="a header line and at least one event")
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise EventLogError.single("this is a binary file, not CSV", file=str(path), line=1,
                                   expected="a text file with one event per line")
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
                        file=str(path), line=line,
                        expected="UTF-8 text, or say the encoding, e.g. --encoding cp1252"
                    ) from None
    text = head.decode(encoding, errors="replace")
    lines = text.splitlines()[:50]
    try:
        delimiter = csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = max(",;\t|", key=lambda d: lines[0].count(d)) if lines else ","
    return encoding, delimiter


def read_csv(path: Path, *, columns: ColumnMap, encoding: str | None = None,
             progress: Callable[[int, int | None], None] | None = None) -> pd.DataFrame:
    """Read a CSV log and rename its columns to the standard names."""
    import pandas as pd

    encoding, delimiter = sniff(path, encoding)
    try:
        header = pd.read_csv(path, sep=delimiter, encoding=encoding, nrows=0).columns
    except (UnicodeDecodeError, LookupError) as exc:
        raise EventLogError.single(f"cannot decode the file as {encoding}: {exc}",
                                   file=str(path), expected="a valid --encoding") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise EventLogError.single(f"not a readable CSV: {exc}", file=str(path)) from None
    rename = _rename(path, list(header), columns)
    # case attributes (e.g. case:nps for the journey's emotion score) come along
    rename.update({c: c for c in header if c.startswith("case:") and c not in rename})
    from bpmtool.io.eventlog_csv_stream import read_csv_blocks

    df = read_csv_blocks(path, delimiter=delimiter, encoding=encoding, rename=rename,
                         time_columns={TIMESTAMP, START},
                         attribute_columns={s for s in rename.values()
                                            if s.startswith("case:") and s != CASE},
                         progress=progress)
    return df


def read_parquet(path: Path, *, columns: ColumnMap) -> pd.DataFrame:
    """Read a Parquet log and rename its columns to the standard names."""
    import pandas as pd

    try:
        df = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a damaged file
        raise EventLogError.single(f"not a readable Parquet file: {exc}", file=str(path),
                                   expected="an Apache Parquet file") from None
    df = df.rename(columns=_rename(path, [str(c) for c in df.columns], columns))
    for column in (TIMESTAMP, START):
        if column in df.columns and not isinstance(df[column].dtype, pd.DatetimeTZDtype):
            if str(df[column].dtype).startswith("datetime64"):
                df[column] = df[column].dt.tz_localize("UTC")
            else:
                df[column] = df[column].astype("string")
    return _parquet_times(df, str(path))


def _rename(path: Path, header: list[str], columns: ColumnMap) -> dict[str, str]:
    try:
        rename = detect_columns(header, columns)
    except KeyError as exc:
        role = exc.args[0]
        raise EventLogError.single(
            f"there is no column {getattr(columns, role)!r} (given for the {role})",
            file=str(path), line=1, expected=f"one of the columns: {', '.join(header)}"
        ) from None
    found = set(rename.values())
    for role, standard in (("case", CASE), ("activity", ACTIVITY)):
        if standard not in found:
            raise EventLogError.single(
                f"no {role} column: found {', '.join(header)}; tried "
                f"{', '.join(usual_names(role)[:8])}, …", file=str(path), line=1,
                expected=f"a {role} column, or name it with --{role} COLUMN")
    return rename


def _parquet_times(df: pd.DataFrame, filename: str) -> pd.DataFrame:
    """Parquet's time columns as UTC: datetimes converted, text parsed."""
    import pandas as pd

    from bpmtool.io.eventlog_csv_stream import parse_time_text

    for column in (TIMESTAMP, START):
        if column not in df.columns or isinstance(df[column].dtype, pd.DatetimeTZDtype):
            continue
        if pd.api.types.is_datetime64_any_dtype(df[column]):
            stamps = pd.to_datetime(df[column])
            df[column] = (stamps.dt.tz_localize("UTC") if stamps.dt.tz is None
                          else stamps.dt.tz_convert("UTC")).astype("datetime64[us, UTC]")
            continue
        df[column] = parse_time_text(df[column].astype("string"), column, filename)
    return df
