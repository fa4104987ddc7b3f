"""Two windows of one log side by side: checked (``check --compare``) or as customer
journeys (``journey --compare``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bpmtool.api.analysis import check, journey
from bpmtool.api.logs import read_log
from bpmtool.errors import InputError
from bpmtool.log_schema import TIMESTAMP
from bpmtool.mining.alignments import AlignmentBudget
from bpmtool.mining.compare_windows import (
    PERIOD_UNITS,
    WindowComparison,
    compare_results,
    last_periods,
)
from bpmtool.mining.journey_compare import compare_journeys
from bpmtool.mining.log_filter import LogFilter, parse_period
from bpmtool.mining.open_cases import OpenCaseRule
from bpmtool.model import Model

if TYPE_CHECKING:
    import pandas as pd

T = TypeVar("T")

__all__ = [
    "PERIOD_UNITS",
    "WindowComparison",
    "compare_journey_windows",
    "compare_windows",
    "comparison_periods",
]


def comparison_periods(
    periods: Sequence[str], frame: pd.DataFrame | None = None
) -> list[tuple[str, datetime, datetime]]:
    """The two windows of a comparison, earlier (or first given) first: two periods
    (``2026-Q2``, ``2026-04-01..2026-06-30``…), or one unit (``quarter``, ``month``,
    ``week``, ``year``): the latest such period of the log's times and the one before."""
    if len(periods) == 1 and periods[0].strip().lower() in PERIOD_UNITS:
        if frame is None or TIMESTAMP not in frame.columns or frame[TIMESTAMP].isna().all():
            raise InputError.single(
                f"--compare {periods[0]} needs the log's times, and this log has none",
                key="compare",
                expected="a log with times, or two explicit periods",
            )
        latest = frame[TIMESTAMP].max()
        if getattr(latest, "tzinfo", None) is not None:
            latest = latest.tz_convert(None)
        now, before = last_periods(periods[0].strip().lower(), latest.to_pydatetime())
        return [before, now]
    if len(periods) != 2:
        raise InputError.single(
            f"a comparison needs two periods, or one of {', '.join(PERIOD_UNITS)}; got "
            f"{len(periods)}",
            key="compare",
            expected="e.g. --compare 2026-Q2 --compare 2026-Q3, or --compare quarter",
        )
    out = []
    for text in periods:
        try:
            start, end = parse_period(text)
        except ValueError as exc:
            raise InputError.single(str(exc), key="compare", expected="a period") from None
        out.append((text.strip(), start, end))
    return out


def compare_windows(
    model: Model,
    log: pd.DataFrame | str | Path,
    periods: Sequence[str],
    *,
    window: str = "started",
    log_filter: LogFilter | None = None,
    method: str = "both",
    columns: dict[str, str] | None = None,
    lanes_from: str | Path | None = None,
    date_format: str | None = None,
    open_rule: OpenCaseRule | None = None,
    budget: AlignmentBudget | None = None,
    precision: bool = True,
) -> WindowComparison:
    """Check two windows of a log (:func:`comparison_periods`; how a case must stand in
    one: ``window``, as in :class:`LogFilter`) and put their KPIs and finding counts side by
    side.  ``log_filter`` (without a time window of its own) applies to both."""
    labels, (a, b) = _each_window(
        log,
        periods,
        window,
        log_filter,
        columns,
        date_format,
        lambda frame, chosen: check(
            model,
            frame,
            method=method,
            lanes_from=lanes_from,
            open_rule=open_rule,
            budget=budget,
            precision=precision,
            log_filter=chosen,
        ),
    )
    return compare_results(labels, (a, b))


def compare_journey_windows(
    model: Model,
    log: pd.DataFrame | str | Path,
    periods: Sequence[str],
    *,
    window: str = "started",
    log_filter: LogFilter | None = None,
    columns: dict[str, str] | None = None,
    date_format: str | None = None,
    surveys: pd.DataFrame | str | Path | None = None,
) -> WindowComparison:
    """The customer journey of two windows of a log (:func:`comparison_periods`, ``window``
    as in :class:`LogFilter`) side by side: success, each stage's conversion and time, each
    milestone's time, each CTQ's compliance, the struggling customers and the findings.
    Each window is what ``bpmtool journey --from START --to END`` shows for it alone: its
    open cases measured at its own last event."""
    labels, (a, b) = _each_window(
        log,
        periods,
        window,
        log_filter,
        columns,
        date_format,
        lambda frame, chosen: journey(model, frame, surveys=surveys, log_filter=chosen),
    )
    return compare_journeys(labels, (a, b))


def _each_window(
    log: pd.DataFrame | str | Path,
    periods: Sequence[str],
    window: str,
    log_filter: LogFilter | None,
    columns: dict[str, str] | None,
    date_format: str | None,
    analyse: Callable[[pd.DataFrame, LogFilter], T],
) -> tuple[tuple[str, str], tuple[T, T]]:
    """The two windows' labels and ``analyse`` of each: the log read once, the shared
    filter (which may not set times: a comparison sets the windows itself) narrowed to each
    window in turn."""
    if log_filter is not None and (log_filter.since or log_filter.until):
        raise InputError.single(
            "--compare sets the time windows itself: leave out --from and --to",
            key="compare",
            expected="other filters only (--where, --in-lane, --variant, --case-ids)",
        )
    frame = (
        read_log(
            log,
            columns=columns,
            date_format=date_format,
            keep=log_filter.columns() if log_filter else (),
        )
        if isinstance(log, (str, Path))
        else log
    )
    base = log_filter or LogFilter()
    (first, s1, e1), (second, s2, e2) = comparison_periods(periods, frame)
    return (first, second), (
        analyse(frame, replace(base, since=s1, until=e1, window=window)),
        analyse(frame, replace(base, since=s2, until=e2, window=window)),
    )
