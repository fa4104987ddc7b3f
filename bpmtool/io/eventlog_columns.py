"""An event log's columns: which column of a CSV or Parquet file plays which role.

Columns are found by their names (:func:`bpmtool.log_schema.detect_columns`, or as the user
named them); a log whose header names no time column gets one found by its values — one
column whose first rows are all dates or times — with a note saying so.  A header that
names a column it reads twice is refused.

>>> from pathlib import Path
>>> from bpmtool.log_schema import ColumnMap
>>> standard_names(Path("log.csv"), ["Case ID", "Activity", "When"], ColumnMap())
{'Case ID': 'case:concept:name', 'Activity': 'concept:name'}
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bpmtool.errors import EventLogError, Problem
from bpmtool.io.eventlog_times import looks_like_times
from bpmtool.log_schema import ACTIVITY, CASE, TIMESTAMP, ColumnMap, detect_columns, usual_names

__all__ = [
    "SAMPLE_ROWS",
    "find_time_column",
    "no_times_message",
    "refuse_duplicates",
    "standard_names",
]

#: rows looked at to tell which column holds times
SAMPLE_ROWS = 200


def standard_names(path: Path, header: list[str], columns: ColumnMap) -> dict[str, str]:
    """The header's columns that play a role → their standard names; a log without a case
    or an activity column, or a column given that the header lacks, is refused."""
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


def refuse_duplicates(path: Path, header: list[str], rename: dict[str, str]) -> None:
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


def find_time_column(
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


def no_times_message(why: str) -> str:
    """What a log without times means for the user."""
    return (
        f"{why}: events keep their order in the file, and there are no waiting times, "
        "durations or time checks (CTQs, deadlines); name the time column with "
        "--timestamp"
    )
