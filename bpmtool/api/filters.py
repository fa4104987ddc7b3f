"""Filters: which cases of a log an analysis looks at (see :mod:`bpmtool.mining.log_filter`)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from bpmtool.errors import InputError
from bpmtool.mining.log_filter import (
    WINDOWS,
    AttributeTest,
    FilterOutcome,
    LogFilter,
    parse_moment,
    parse_period,
    parse_where,
)
from bpmtool.model import Model

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FILTER_FIELDS",
    "WINDOWS",
    "AttributeTest",
    "FilterOutcome",
    "LogFilter",
    "case_id_list",
    "filter_from_fields",
    "filter_log",
    "parse_moment",
    "parse_period",
    "parse_where",
]


def filter_log(
    df: pd.DataFrame,
    log_filter: LogFilter,
    *,
    model: Model | None = None,
) -> tuple[pd.DataFrame, FilterOutcome]:
    """The events of the cases ``log_filter`` keeps, and what it kept (cases and events
    before and after, the filter in words).  A lane is named by its id or name in the
    ``model``; the lane of an event is the frame's ``bpmtool:lane`` (a mapped log), else its
    ``org:group``."""
    from bpmtool.mining.filter_cases import apply_filter, lane_resolver

    keys = lane_resolver({lane.id: lane.label for lane in model.lanes}) if model else None
    return apply_filter(df, log_filter, lane_keys=keys)


def case_id_list(path: str | Path) -> frozenset[str]:
    """The case ids of a file, one per line (a CSV's first column; a header ``case`` is
    skipped), for :attr:`LogFilter.case_ids`."""
    from bpmtool.mining.open_cases import read_case_list

    return read_case_list(Path(path), "the list of case ids")


#: the fields of a filter form (the web's, or any text source): name → what it holds
FILTER_FIELDS = {
    "from": "a date or period: the window's start",
    "to": "a date or period: the window's end, inclusive",
    "window": "started, completed, contained, intersecting or trim",
    "where": "ATTR=VALUE[,VALUE…] or ATTR!=VALUE, one per line",
    "variant": "variant numbers, e.g. 1, 2",
    "lane": "lane ids or names, comma-separated",
    "case_ids": "case ids, one per line or comma-separated",
}


def filter_from_fields(fields: Mapping[str, str]) -> LogFilter | None:
    """A filter from text fields (:data:`FILTER_FIELDS`; blank ones left out), as a web form
    sends them; ``None`` when no field is filled.  A bad value raises an ``InputError``
    naming the field."""
    import re

    def text(name: str) -> str:
        return str(fields.get(name) or "").strip()

    def bad(name: str, message: object) -> InputError:
        return InputError.single(str(message), key=name, expected=FILTER_FIELDS[name])

    try:
        since = parse_moment(text("from")) if text("from") else None
    except ValueError as exc:
        raise bad("from", exc) from None
    try:
        until = parse_moment(text("to"), end=True) if text("to") else None
    except ValueError as exc:
        raise bad("to", exc) from None
    tests = []
    for line in text("where").splitlines():
        if line.strip():
            try:
                tests.append(parse_where(line))
            except ValueError as exc:
                raise bad("where", exc) from None
    numbers = [v for v in re.split(r"[\s,;]+", text("variant")) if v]
    if not all(v.isdigit() for v in numbers):
        raise bad("variant", f"{text('variant')!r} is not a list of variant numbers")
    lanes = tuple(v.strip() for v in text("lane").split(",") if v.strip())
    ids = [v.strip() for v in re.split(r"[\n,;]+", text("case_ids")) if v.strip()]
    found = LogFilter(
        since,
        until,
        text("window") or "started",
        tuple(tests),
        tuple(int(v) for v in numbers),
        lanes,
        frozenset(ids) if ids else None,
    )
    return None if found.empty else found
