"""A CSV log read in blocks with Arrow: text columns become category codes as they stream by.

Each block of the file is parsed by Arrow, its text columns dictionary-encoded, and only
the codes (plus one table of distinct values per column) are kept; timestamps become
nanoseconds.  So the peak memory follows the columns' codes and the distinct values, not
the file's text: a 69 MB file of a million events is held in 18 MB.

Timestamps are parsed per block by :mod:`bpmtool.io.eventlog_times`: ISO 8601 with or without
a zone offset by Arrow, numeric dates in the day/month order the file shows (or the
``date_format`` given), and a value that is no time is reported at its row.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpmtool.errors import EventLogError
from bpmtool.io.eventlog_times import DateOrder, TimeColumn
from bpmtool.io.limits import open_log_bytes

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

__all__ = ["read_csv_blocks"]

# 256 KiB of text per block (~4k events of a typical log). Arrow reads some blocks ahead:
# reading a 69 MB file alone rose 13 MB above its start with these, 45 MB with 1 MiB blocks
# and 94 MB with 4 MiB, in the same 0.5-0.6 s.
_BLOCK = 1 << 18
#: with a sink, the events handed on at a time (one frame's worth of categories and times)
_HAND_ON_ROWS = 200_000


class _Codes:
    """One text column as int32 codes into a table of distinct values that grows per block."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.chunks: list[np.ndarray] = []
        self.values: list[str] = []  # the values in code order, for drain()

    def add(self, column: pa.Array) -> None:
        import numpy as np
        import pyarrow.compute as pc

        local = column.dictionary.to_pylist()
        index = self.index
        known = len(index)
        # the last slot is for nulls (empty cells)
        remap = np.fromiter(
            (index.setdefault(v, len(index)) for v in local), dtype=np.int32, count=len(local)
        )
        if len(index) > known:
            self.values += [
                v for v, code in zip(local, remap.tolist(), strict=True) if code >= known
            ]
        remap = np.append(remap, np.int32(-1))
        indices = pc.fill_null(column.indices, len(local)).to_numpy(zero_copy_only=False)
        self.chunks.append(remap[indices])

    def drain(self) -> pd.Categorical:
        """The blocks added since the last drain as a categorical, and forget them."""
        import numpy as np
        import pandas as pd

        codes = np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int32)
        self.chunks = []
        # only the values these blocks use: the table of all values may be a million ids
        used, local = np.unique(codes, return_inverse=True)
        local = local.astype(np.int32)
        if len(used) and used[0] == -1:  # blank cells
            local -= 1
            used = used[1:]
        values = [self.values[i] for i in used.tolist()]
        return pd.Categorical.from_codes(local, categories=pd.Index(values, dtype=object))

    def column(self, numeric: bool) -> pd.Categorical | pd.Series:
        """The categorical; with ``numeric``, numbers instead where every value is one."""
        import numpy as np
        import pandas as pd

        codes = np.concatenate(self.chunks) if self.chunks else np.zeros(0, np.int32)
        values = list(self.index)
        if numeric and values:
            numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
            if numbers.notna().all():
                return pd.Series(np.append(numbers.to_numpy(dtype=float), np.nan)[codes])
        return pd.Categorical.from_codes(codes, categories=pd.Index(values, dtype=object))


def read_csv_blocks(
    path: Path,
    *,
    delimiter: str,
    encoding: str,
    rename: dict[str, str],
    time_columns: Collection[str],
    attribute_columns: Collection[str] = (),
    order: DateOrder | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    sink: Callable[[pd.DataFrame, float], None] | None = None,
) -> pd.DataFrame:
    """Read the columns named in ``rename`` (file name → standard name) block by block.

    Columns whose standard name is in ``time_columns`` are parsed as times, the others
    become categoricals; those in ``attribute_columns`` become numbers where every value
    is one (a case attribute such as ``case:nps``).  ``order`` reads the day/month order of
    numeric dates (see :mod:`bpmtool.io.eventlog_times`) and collects what it decided.

    With ``sink``, nothing is kept: the blocks read so far are handed to it as a frame
    (text as categories, attributes as text) with the share of the file read, as soon as
    their times can be parsed; a block whose dates wait for the day/month order is held
    until a later block decides it.  The frame returned is then empty.
    """
    import pyarrow as pa
    import pyarrow.csv as pacsv

    wanted = list(rename)
    types = {
        c: pa.string() if rename[c] in time_columns else pa.dictionary(pa.int32(), pa.string())
        for c in wanted
    }
    codes = {c: _Codes() for c in wanted if rename[c] not in time_columns}
    order = order if order is not None else DateOrder(str(path))
    times = {c: TimeColumn(c, order) for c in wanted if rename[c] in time_columns}
    total = path.stat().st_size
    # a .csv.gz is inflated by Python under the limit of bpmtool.io.limits (Arrow's own
    # decompressor could not be stopped at it); ``raw`` is the file on disk, for progress
    source = open_log_bytes(path)
    raw = source.raw
    rows = handed = 0
    reader = None
    try:
        reader = pacsv.open_csv(
            pa.PythonFile(source, mode="r"),
            read_options=pacsv.ReadOptions(block_size=_BLOCK, encoding=_arrow_encoding(encoding)),
            parse_options=pacsv.ParseOptions(delimiter=delimiter),
            convert_options=pacsv.ConvertOptions(
                include_columns=wanted, column_types=types, strings_can_be_null=True
            ),
            # the system allocator hands each block back when it is done with; Arrow's
            # default pool would keep them for reuse and so hold the largest read-ahead
            memory_pool=pa.system_memory_pool(),
        )
        for batch in reader:
            for name, column in zip(batch.schema.names, batch.columns, strict=True):
                if name in codes:
                    codes[name].add(column)
                else:
                    times[name].add(column, rows)
            rows += batch.num_rows
            if progress is not None:
                progress(min(raw.tell(), total), total)
            if (
                sink is not None
                and rows - handed >= _HAND_ON_ROWS
                and not any(t.waiting for t in times.values())
            ):
                _hand_on(sink, rename, codes, times, min(raw.tell(), total) / max(total, 1))
                handed = rows
    except (pa.ArrowInvalid, pa.ArrowTypeError, OSError, EOFError) as exc:
        raise _unreadable(
            path, "utf-8" if "invalid UTF8" in str(exc) else None, exc, rows, (delimiter, encoding)
        ) from None
    except UnicodeDecodeError as exc:  # from transcoding another encoding
        raise _unreadable(path, encoding, exc, rows) from None
    finally:
        # stop Arrow's read-ahead before the file under it closes: a read-ahead thread left
        # calling into Python while the interpreter exits aborts the process
        if reader is not None:
            reader.close()
        source.close()
    if sink is not None:
        _hand_on(sink, rename, codes, times, 1.0)
        import pandas as pd

        return pd.DataFrame(columns=[rename[c] for c in wanted])
    data: dict[str, Any] = {
        rename[c]: codes[c].column(rename[c] in attribute_columns) for c in codes
    }
    data.update({rename[c]: times[c].series() for c in times})
    import pandas as pd

    return pd.DataFrame(data)[[rename[c] for c in wanted]]


def _hand_on(
    sink: Callable[[pd.DataFrame, float], None],
    rename: dict[str, str],
    codes: dict[str, _Codes],
    times: dict[str, TimeColumn],
    share: float,
) -> None:
    """The blocks read since the last call as one frame, to ``sink``."""
    import pandas as pd

    data: dict[str, Any] = {rename[c]: codes[c].drain() for c in codes}
    data.update({rename[c]: times[c].drain() for c in times})
    frame = pd.DataFrame(data)[[rename[c] for c in rename]]
    if len(frame):
        sink(frame, share)


def _arrow_encoding(encoding: str) -> str:
    # Arrow reads UTF-8 itself (and skips a byte-order mark); other encodings are transcoded
    return "utf8" if codecs.lookup(encoding).name in ("utf-8", "utf-8-sig") else encoding


def _unreadable(
    path: Path,
    encoding: str | None,
    exc: BaseException,
    rows: int,
    dialect: tuple[str, str] | None = None,
) -> EventLogError:
    """The error for a file Arrow could not read; ``encoding`` when its text would not
    decode; ``dialect`` (delimiter, encoding) to find the line of a row with too many or too
    few fields."""
    message = str(exc)
    if encoding is not None:
        return EventLogError.single(
            f"the file is not {encoding} past its first lines",
            file=str(path),
            line=_first_undecodable_line(path, encoding),
            expected="one encoding for the whole file, e.g. --encoding cp1252",
        )
    if isinstance(exc, (OSError, EOFError)) or "gzip" in message.lower():
        return EventLogError.single(
            f"the file is cut short or damaged ({message})",
            file=str(path),
            expected="a complete file",
        )
    counted = re.search(r"Expected (\d+) columns, got (\d+)(?:: (.*))?", message, re.S)
    if counted and dialect is not None:
        line = _line_with_fields_other_than(path, *dialect, int(counted.group(1)))
        if line is not None:
            return EventLogError.single(
                f"this row has {counted.group(2)} fields, the header {counted.group(1)}"
                + (f": {row[:80]}" if (row := (counted.group(3) or "").strip()) else ""),
                file=str(path),
                line=line,
                expected="the same columns on every line (a delimiter inside a value must "
                "be quoted)",
            )
    where = f" after its first {rows:,} events" if rows else ""
    return EventLogError.single(
        f"not a readable CSV{where}: {message}",
        file=str(path),
        expected="one event per line, the same columns on every line",
    )


def _line_with_fields_other_than(
    path: Path, delimiter: str, encoding: str, fields: int
) -> int | None:
    """The line (1-based) where the first record with another number of fields ends."""
    import csv
    import gzip

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding=encoding, errors="replace", newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            for row in reader:
                if row and len(row) != fields:
                    return reader.line_num
    except (OSError, EOFError, csv.Error):
        return None
    return None


def _first_undecodable_line(path: Path, encoding: str) -> int | None:
    import gzip

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    decoder = codecs.getincrementaldecoder(encoding)()
    line = 1
    with opener(path, "rb") as fh:
        while block := fh.read(1 << 20):
            try:
                line += decoder.decode(block).count("\n")
            except UnicodeDecodeError as exc:
                good = decoder.decode(block[: exc.start]) if exc.start else ""
                return line + good.count("\n")
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return line  # cut inside a character at the very end
    return None
