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
from dataclasses import dataclass, field
from pathlib import Path

from bpmtool.errors import InputError
from bpmtool.log_schema import COLUMN_ROLES, ROLE_COLUMNS, ColumnMap, detect_columns

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
    from bpmtool.io.eventlog_csv import time_column_notes

    if not {"case", "activity"} <= set(chosen):
        return []
    try:
        used, notes = time_column_notes(path, ColumnMap(**chosen), date_format)
    except InputError as err:
        return [p.message for p in err.problems]
    if used:
        chosen["timestamp"] = used
    return [n.message for n in notes]


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
    from bpmtool.io.eventlog_csv import sniff

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
