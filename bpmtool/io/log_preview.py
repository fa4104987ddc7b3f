"""The columns of a log file, for a column-mapping form: its header, a few rows, and the
column the event-log reader would take for each role.

Which column plays which role is decided by the reader's own rules
(:func:`bpmtool.log_schema.detect_columns`) and the one role map
(:data:`bpmtool.log_schema.ROLE_COLUMNS`); this module only reads a file's header and a
few rows to show them.  The web app's form reaches it through :func:`bpmtool.api.log_columns`.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bpmtool.errors import EventLogError, InputError, Problem
from bpmtool.io.eventlog_columns import SAMPLE_ROWS, find_time_column, standard_names
from bpmtool.io.eventlog_csv import csv_sample, sniff
from bpmtool.io.eventlog_parquet import parquet_sample
from bpmtool.io.eventlog_times import DateOrder
from bpmtool.log_schema import COLUMN_ROLES, ROLE_COLUMNS, TIMESTAMP, ColumnMap, detect_columns

__all__ = ["LogColumns", "log_columns"]

#: role → standard column, for the roles the form asks for
_STANDARD = {role: ROLE_COLUMNS[role] for role in COLUMN_ROLES}


@dataclass
class LogColumns:
    """A log's columns, a preview of its first rows, and the column chosen per role."""

    columns: list[str]
    preview: list[list[str]] = field(default_factory=list)
    chosen: dict[str, str] = field(default_factory=dict)
    mappable: bool = True
    #: what reading would find or assume about the time column (the reader's own notes)
    notes: list[str] = field(default_factory=list)


def log_columns(path: Path, saved: dict[str, str], date_format: str | None = None) -> LogColumns:
    """Read the header (CSV: and five rows; Parquet: the schema); XES needs no mapping."""
    name = path.name.lower()
    if name.endswith((".xes", ".xes.gz")):
        return LogColumns([], mappable=False)
    if name.endswith((".parquet", ".pq")):
        header = _parquet_header(path)
        rows: list[list[str]] = []
    else:
        header, rows = _csv_head(path)
    given = ColumnMap(**{k: v for k, v in saved.items() if v in header and k in _STANDARD})
    try:
        found = detect_columns(header, given)
    except KeyError:
        found = detect_columns(header, ColumnMap())
    by_standard = {std: src for src, std in found.items()}
    chosen = {role: by_standard[std] for role, std in _STANDARD.items() if std in by_standard}
    return LogColumns(header, rows, chosen, notes=_time_notes(path, chosen, date_format))


def _time_notes(path: Path, chosen: dict[str, str], date_format: str | None) -> list[str]:
    """The reader's notes on the time column; with no usual time name, the column it would
    pick by its values becomes the form's choice."""
    if not {"case", "activity"} <= set(chosen):
        return []
    try:
        used, notes = _time_column_notes(path, ColumnMap(**chosen), date_format)
    except InputError as err:
        return [p.message for p in err.problems]
    if used:
        chosen["timestamp"] = used
    return [n.message for n in notes]


def _time_column_notes(
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

        first = next(pq.ParquetFile(path).iter_batches(batch_size=SAMPLE_ROWS), None)
        head = first.to_pandas() if first is not None else pd.DataFrame()
        header = [str(c) for c in head.columns]

        def sample(wanted: list[str]) -> dict[str, list[str]]:
            return parquet_sample(head, wanted)
    else:
        encoding, delimiter = sniff(path)
        header = [
            str(c) for c in pd.read_csv(path, sep=delimiter, encoding=encoding, nrows=0).columns
        ]

        def sample(wanted: list[str]) -> dict[str, list[str]]:
            return csv_sample(path, delimiter, encoding, wanted)

    rename = standard_names(path, header, columns)
    notes = find_time_column(path, header, rename, sample)
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


def _parquet_header(path: Path) -> list[str]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return list(pq.read_schema(path).names)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError.single(
            f"this is not a readable Parquet file ({str(exc)[:200]})",
            file=path.name,
            expected="a Parquet file",
        ) from None


def _csv_head(path: Path) -> tuple[list[str], list[list[str]]]:
    encoding, delimiter = sniff(path)
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="")
        reader = csv.reader(text, delimiter=delimiter)
        try:
            header = next(reader)
            rows = [row for _, row in zip(range(5), reader, strict=False)]
        except StopIteration:
            raise InputError.single("the file is empty", file=path.name) from None
        except csv.Error as exc:  # a field past the csv module's limit (128 KB), a NUL
            raise InputError.single(
                f"this line cannot be read as CSV: {exc}",
                file=path.name,
                line=reader.line_num or 1,
                expected=f"fields of at most {csv.field_size_limit():,} characters",
            ) from None
    return header, rows
