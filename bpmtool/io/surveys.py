"""Survey tables in: CSV or Parquet with a case id column and NPS/CSAT answers.

Every error names the file, and for a bad answer its row and line: a header that repeats a
column name is refused before pandas renames the copies (which takes quadratic time for
thousands of copies), and the answers in the score columns are checked against their scale
while the file is still known.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import TYPE_CHECKING

from bpmtool.errors import InputError
from bpmtool.survey_schema import SCORE_RANGES, score_numbers

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["SCORE_RANGES", "read_surveys", "score_numbers"]

_HEADER_LIMIT = 1 << 20  # bytes read to find the header line


def read_surveys(
    path: str | Path, *, case_column: str = "case_id", scores: dict[str, str] | None = None
) -> pd.DataFrame:
    """Read a survey table; ``scores`` maps score columns to their scale (``nps``/``csat``),
    by default the columns named ``nps`` and ``csat``.  Case ids are text."""
    import pandas as pd

    path = Path(path)
    filename = str(path)
    try:
        if path.suffix.lower() in (".parquet", ".pq"):
            table = pd.read_parquet(path)
            table.columns = [str(c) for c in table.columns]
        else:
            _refuse_repeated_names(path)
            table = pd.read_csv(path, dtype=str, keep_default_na=True)
    except InputError:
        raise
    except (OSError, ValueError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError.single(
            f"cannot read the survey file: {_first_line(exc)}", file=filename
        ) from None
    except Exception as exc:  # pyarrow raises many types for a damaged Parquet file
        raise InputError.single(
            f"cannot read the survey file: {_first_line(exc)}",
            file=filename,
            expected="a CSV or Parquet table",
        ) from None
    found = ", ".join(map(str, table.columns[:20])) or "none"
    if case_column not in table.columns:
        raise InputError.single(
            f"the survey file has no case id column {case_column!r}",
            file=filename,
            line=1,
            expected=f"it among the columns ({found})",
        )
    table[case_column] = table[case_column].astype(str)
    wanted = scores or {c: c for c in SCORE_RANGES if c in table.columns}
    if not wanted or any(c not in table.columns for c in wanted):
        names = " or ".join(repr(c) for c in (scores or SCORE_RANGES))
        raise InputError.single(
            f"the survey file has no answer column {names}",
            file=filename,
            line=1,
            expected=f"it among the columns ({found})",
        )
    for column, scale in wanted.items():
        _check_answers(table[column], column, scale, filename)
    return table


def _check_answers(values: pd.Series, column: str, scale: str, filename: str) -> None:
    low, high = SCORE_RANGES[scale]
    numbers = score_numbers(values)
    bad = (numbers.notna() & ((numbers < low) | (numbers > high))).to_numpy()
    if bad.any():
        row = int(bad.nonzero()[0][0])
        shown = str(values.iloc[row])
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        raise InputError.single(
            f"row {row + 1}: {scale.upper()} answer {shown!r} in {column!r} is out of range"
            f" ({int(bad.sum())} such answer(s))",
            file=filename,
            line=row + 2,
            key=column,
            expected=f"{low:g} to {high:g}",
        )


def _refuse_repeated_names(path: Path) -> None:
    """Refuse a header that names one column twice, with both positions."""
    import gzip

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        head = fh.read(_HEADER_LIMIT)
    text = head.decode("utf-8-sig", errors="replace")
    reader = csv.reader(io.StringIO(text))  # the separator pandas reads with
    limit = csv.field_size_limit()
    csv.field_size_limit(max(limit, len(text) + 1))
    try:
        header = next(reader, [])
    finally:
        csv.field_size_limit(limit)
    seen: dict[str, int] = {}
    for position, name in enumerate(header):
        if name in seen:
            raise InputError.single(
                f"the column {name[:60]!r} appears more than once in the header (columns "
                f"{seen[name] + 1} and {position + 1})",
                file=str(path),
                line=1,
                key=name[:60],
                expected="each column name once",
            )
        seen[name] = position


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
