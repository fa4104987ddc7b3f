"""Two windows of one log side by side: checked (``check --compare``) or as customer
journeys (``journey --compare``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bpmtool.api.analysis import _judged, _refuse_empty, check, journey
from bpmtool.api.logs import _frame_of, _partitioned
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

    from bpmtool.distributed import Cluster
    from bpmtool.io.eventlog import Progress
    from bpmtool.mining.check import CheckResult

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
    latest = None
    if frame is not None and TIMESTAMP in frame.columns and not frame[TIMESTAMP].isna().all():
        latest = frame[TIMESTAMP].max()
        if getattr(latest, "tzinfo", None) is not None:
            latest = latest.tz_convert(None)
    return _periods_at(periods, latest)


def _by_unit(periods: Sequence[str]) -> bool:
    """The comparison is of a unit (``quarter``…): its windows follow the log's last time."""
    return len(periods) == 1 and periods[0].strip().lower() in PERIOD_UNITS


def _periods_at(
    periods: Sequence[str], latest: pd.Timestamp | None
) -> list[tuple[str, datetime, datetime]]:
    """:func:`comparison_periods` of a log whose last event is at ``latest`` (zone-less
    UTC; ``None``: the log has no times)."""
    if _by_unit(periods):
        if latest is None:
            raise InputError.single(
                f"--compare {periods[0]} needs the log's times, and this log has none",
                key="compare",
                expected="a log with times, or two explicit periods",
            )
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
    slow_after: timedelta | None = None,
    lanes_from_log: bool = False,
    cluster: Cluster | None = None,
    read_progress: Progress | None = None,
) -> WindowComparison:
    """Check two windows of a log (:func:`comparison_periods`; how a case must stand in
    one: ``window``, as in :class:`LogFilter`) and put their KPIs and finding counts side by
    side.  ``log_filter`` (without a time window of its own) applies to both.  A
    partitioned log is checked partition by partition for each window (on the
    ``cluster``'s workers, or here one after another), never joined here; a comparison of
    units first asks each partition for its last event time."""

    def run(source: pd.DataFrame | str, chosen: LogFilter, **reading: Any) -> CheckResult:
        return check(
            model,
            source,
            method=method,
            lanes_from=lanes_from,
            open_rule=open_rule,
            budget=budget,
            precision=precision,
            slow_after=slow_after,
            lanes_from_log=lanes_from_log,
            log_filter=chosen,
            **reading,
        )

    if isinstance(log, (str, Path)) and _partitioned(log):
        from bpmtool.distributed.journeys import latest_time

        _no_window_of_its_own(log_filter)
        path = str(log)
        latest = (
            latest_time(path, cluster, roles=columns, date_format=date_format)
            if _by_unit(periods)
            else None
        )
        labels, chosen = _windows(_periods_at(periods, latest), window, log_filter)
        a, b = (
            run(
                path,
                one,
                columns=columns,
                date_format=date_format,
                cluster=cluster,
                read_progress=read_progress,
            )
            for one in chosen
        )
        return compare_results(labels, (a, b))
    labels, (a, b) = _each_window(
        log,
        periods,
        window,
        log_filter,
        columns,
        date_format,
        run,
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
    cluster: Cluster | None = None,
    read_progress: Progress | None = None,
) -> WindowComparison:
    """The customer journey of two windows of a log (:func:`comparison_periods`, ``window``
    as in :class:`LogFilter`) side by side: success, each stage's conversion and time, each
    milestone's time, each CTQ's compliance, the struggling customers and the findings.
    Each window is what ``bpmtool journey --from START --to END`` shows for it alone: its
    open cases measured at its own last event.  A partitioned log is analysed partition by
    partition (on the ``cluster``'s workers, or here one after another): each partition is
    read once and reduced to the journey facts of both windows, never joined here."""
    if isinstance(log, (str, Path)) and _partitioned(log):
        return _journey_windows_in_pieces(
            model,
            str(log),
            periods,
            window,
            log_filter,
            columns,
            date_format,
            surveys,
            cluster,
            read_progress,
        )
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


def _journey_windows_in_pieces(
    model: Model,
    path: str,
    periods: Sequence[str],
    window: str,
    log_filter: LogFilter | None,
    roles: dict[str, str] | None,
    date_format: str | None,
    surveys: pd.DataFrame | str | Path | None,
    cluster: Cluster | None,
    read_progress: Progress | None,
) -> WindowComparison:
    """:func:`compare_journey_windows` of a partitioned log: a comparison of units first
    asks each partition for its last event time (the windows follow the log's)."""
    from bpmtool.distributed.journeys import gather_journeys, latest_time

    _no_window_of_its_own(log_filter)
    latest = (
        latest_time(path, cluster, roles=roles, date_format=date_format)
        if _by_unit(periods)
        else None
    )
    (first, second), chosen = _windows(_periods_at(periods, latest), window, log_filter)
    both, notes = gather_journeys(
        path,
        model,
        cluster,
        roles=roles,
        date_format=date_format,
        filters=chosen,
        progress=read_progress,
    )
    results = []
    for facts in both:
        assert facts.filtered is not None
        _refuse_empty(facts.filtered, path)
        results.append(replace(_judged(model, facts, surveys, None), notes=notes))
    return compare_journeys((first, second), (results[0], results[1]))


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
    _no_window_of_its_own(log_filter)
    frame = _frame_of(log, log_filter, columns=columns, date_format=date_format)
    labels, (a, b) = _windows(comparison_periods(periods, frame), window, log_filter)
    return labels, (analyse(frame, a), analyse(frame, b))


def _windows(
    periods: list[tuple[str, datetime, datetime]], window: str, log_filter: LogFilter | None
) -> tuple[tuple[str, str], tuple[LogFilter, LogFilter]]:
    """The two windows' labels, and the shared filter narrowed to each window."""
    _no_window_of_its_own(log_filter)
    base = log_filter or LogFilter()
    (first, s1, e1), (second, s2, e2) = periods
    return (first, second), (
        replace(base, since=s1, until=e1, window=window),
        replace(base, since=s2, until=e2, window=window),
    )


def _no_window_of_its_own(log_filter: LogFilter | None) -> None:
    """A comparison's shared filter may not set times: the comparison sets the windows."""
    if log_filter is not None and (log_filter.since or log_filter.until):
        raise InputError.single(
            "--compare sets the time windows itself: leave out --from and --to",
            key="compare",
            expected="other filters only (--where, --in-lane, --variant, --case-ids)",
        )
