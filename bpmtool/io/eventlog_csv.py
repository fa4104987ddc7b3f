"""CSV event logs: delimiter and encoding sniffed, columns found by their names (the time
column, failing that, by its values: :mod:`bpmtool.io.eventlog_columns`), text times read by
:mod:`bpmtool.io.eventlog_times`; what was found or assumed is in ``df.attrs["notes"]``.
Parquet logs are read by :mod:`bpmtool.io.eventlog_parquet`."""

from __future__ import annotations

import codecs
import csv
import zlib
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING

from bpmtool.errors import EventLogError
from bpmtool.io.eventlog_columns import (
    SAMPLE_ROWS,
    find_time_column,
    refuse_duplicates,
    standard_names,
)
from bpmtool.io.eventlog_times import DateOrder
from bpmtool.log_schema import CASE, START, TIMESTAMP, ColumnMap

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["csv_sample", "guess_delimiter", "read_csv", "sniff"]

_SAMPLE = 256 * 1024


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
    assumed about its times is in ``df.attrs["notes"]`` (see
    :func:`~bpmtool.io.eventlog_columns.find_time_column`).
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
    rename = standard_names(path, list(header), columns)
    notes = find_time_column(
        path, list(header), rename, lambda wanted: csv_sample(path, delimiter, encoding, wanted)
    )
    # case attributes (e.g. case:nps for the journey's emotion score) come along
    rename.update({c: c for c in header if c.startswith("case:") and c not in rename})
    wanted = {k.casefold() for k in keep} | {f"case:{k}".casefold() for k in keep}
    kept = {c for c in header if c.casefold() in wanted and c not in rename}
    rename.update({c: c for c in kept})
    refuse_duplicates(path, [str(c) for c in header], rename)
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


def csv_sample(
    path: Path, delimiter: str, encoding: str, wanted: list[str]
) -> dict[str, list[str]]:
    """The first rows' text of some columns (to tell which holds times)."""
    import pandas as pd

    try:
        rows = pd.read_csv(
            path,
            sep=delimiter,
            encoding=encoding,
            nrows=SAMPLE_ROWS,
            dtype=str,
            keep_default_na=False,
            usecols=wanted,
        )
    except (ValueError, UnicodeDecodeError, pd.errors.ParserError):
        return {}  # the full read says what is wrong, at its line
    return {str(c): rows[c].tolist() for c in rows.columns}
