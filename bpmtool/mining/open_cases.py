"""Which cases are still running: open only on evidence, never because a step is missing.

A case whose last activity cannot end the process has either not finished yet (open) or
finished without its last step(s) (a deviation).  The log alone cannot tell the two apart,
so a case counts as open only when something says so:

* ``--open-cases FILE``: the cases named in the file are open, whatever their last step;
* ``--open-after D``: an unfinished case is open when its last event is less than ``D``
  before the log's last event;
* by default, the same with ``D`` = the 95th percentile of the durations (first to last
  event) of the cases that did finish — a case that is younger than that since its last
  event may still be under way.  Without timestamps or without any finished case there is
  no evidence, and no case is open.

Every other case counts in fitness and skips, so a skipped last step is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpmtool.durations import days_label, format_duration
from bpmtool.errors import EventLogError

if TYPE_CHECKING:
    import numpy as np

__all__ = ["OpenCaseRule", "OpenCases", "judge_open", "read_case_list"]

#: the share of finished cases whose duration the automatic window covers
QUANTILE = 0.95


@dataclass(frozen=True)
class OpenCaseRule:
    """What the user said about open cases: a window, a list of case ids, or nothing."""

    after: timedelta | None = None
    cases: frozenset[str] | None = None


@dataclass(frozen=True)
class OpenCases:
    """How many cases were judged open, by which rule, and why."""

    rule: str  # "list", "open-after", "finished-durations" or "no-evidence"
    open: int
    #: cases whose last activity cannot end the process (open or not)
    unfinished: int
    window: timedelta | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "open": self.open,
            "unfinished": self.unfinished,
            "window": format_duration(self.window) if self.window is not None else None,
            "reason": self.reason,
        }


def judge_open(
    unfinished: np.ndarray,
    first: np.ndarray | None,
    last: np.ndarray | None,
    names: Any,
    rule: OpenCaseRule,
) -> tuple[np.ndarray, OpenCases]:
    """Per case (in the order of ``names``): open or not, and the account of the decision.

    ``unfinished`` marks cases whose last activity cannot end the process; ``first`` and
    ``last`` are the cases' first and last event times in nanoseconds (int64, NaT as the
    minimum int64), or ``None`` when the log has no times.
    """
    import numpy as np

    n_unfinished = int(unfinished.sum())
    if rule.cases is not None:
        is_open = np.fromiter((str(c) in rule.cases for c in names), dtype=bool, count=len(names))
        n = int(is_open.sum())
        return is_open, OpenCases(
            "list",
            n,
            n_unfinished,
            None,
            f"{n:,} case(s) named in the open-cases list; every other case counts as finished",
        )
    if last is None or first is None or not n_unfinished:
        why = (
            "no case stops before an end of the process"
            if not n_unfinished
            else "the log has no times, so nothing shows a case is still running"
        )
        return np.zeros(len(unfinished), dtype=bool), OpenCases(
            "no-evidence",
            0,
            n_unfinished,
            None,
            f"{why}; {n_unfinished:,} case(s) that stop early count as finished",
        )
    nat = np.iinfo(np.int64).min
    timed = last != nat
    if not timed.any():
        return np.zeros(len(unfinished), dtype=bool), OpenCases(
            "no-evidence",
            0,
            n_unfinished,
            None,
            f"the log has no times; {n_unfinished:,} case(s) that stop early count as finished",
        )
    end = int(last[timed].max())
    if rule.after is not None:
        window, name = rule.after, "open-after"
        source = (
            f"last event less than {format_duration(window)} before the log's end (--open-after)"
        )
    else:
        done = ~unfinished & timed & (first != nat)
        if not done.any():
            return np.zeros(len(unfinished), dtype=bool), OpenCases(
                "no-evidence",
                0,
                n_unfinished,
                None,
                "no case reaches an end of the process, so there is no duration to judge by; "
                f"{n_unfinished:,} case(s) that stop early count as finished",
            )
        ns = float(np.quantile((last[done] - first[done]).astype(np.float64), QUANTILE))
        window, name = timedelta(microseconds=ns / 1000), "finished-durations"
        source = (
            f"last event less than {days_label(window / timedelta(days=1))} before the log's "
            f"end — the {QUANTILE * 100:.0f}th percentile of the durations of the "
            f"{int(done.sum()):,} finished cases"
        )
    is_open = unfinished & timed & (end - last < window / timedelta(microseconds=1) * 1000)
    n = int(is_open.sum())
    return is_open, OpenCases(
        name,
        n,
        n_unfinished,
        window,
        f"{n:,} of the {n_unfinished:,} case(s) whose last activity cannot end the process "
        f"are open: {source}; the other {n_unfinished - n:,} count as finished, their missing "
        "steps as skips",
    )


def read_case_list(path: Path, what: str = "the list of open cases") -> frozenset[str]:
    """Case ids, one per line (a CSV's first column; a header ``case`` is skipped);
    ``what`` names the list in errors."""
    import csv

    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise EventLogError.single(f"cannot read {what}: {exc}", file=str(path)) from None
    ids = []
    for i, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or not row[0].strip():
            continue
        if i == 1 and row[0].strip().lower() in ("case", "case_id", "case id", "case:concept:name"):
            continue
        ids.append(row[0].strip())
    if not ids:
        raise EventLogError.single(
            f"{what} names no case", file=str(path), expected="one case id per line"
        )
    return frozenset(ids)
