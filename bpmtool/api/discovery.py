"""As-is discovery from a log, and the comparison of two models."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpmtool.api.logs import _frame_of, _partitioned, _source, log_notes
from bpmtool.api.models import lint
from bpmtool.errors import InputError
from bpmtool.model import Model

if TYPE_CHECKING:
    import pandas as pd

    from bpmtool.discovery.compare import Comparison
    from bpmtool.discovery.discover import Discovery
    from bpmtool.distributed import Cluster
    from bpmtool.io.eventlog import Progress
    from bpmtool.mining.log_filter import LogFilter

__all__ = ["compare", "discover", "parse_share"]


def parse_share(value: str | float, *, key: str = "share") -> float:
    """A share in (0, 1] from ``80%``, ``0.8`` or ``80`` (a number above 1 is a percentage)."""
    text = str(value).strip()
    try:
        number = float(text.rstrip("%").strip())
    except ValueError:
        raise InputError.single(
            f"{text[:40]!r} is not a share", key=key, expected="a percentage such as 80%"
        ) from None
    if text.endswith("%") or number > 1:
        number /= 100
    if not 0 < number <= 1:
        raise InputError.single(
            f"{text[:40]!r} is outside 0–100%",
            key=key,
            expected="a percentage above 0% and at most 100%",
        )
    return number


def discover(
    log: pd.DataFrame | str | Path,
    *,
    activities: str | float = 1.0,
    paths: str | float = 0.8,
    columns: dict[str, str] | None = None,
    lanes_from: str | Path | None = None,
    date_format: str | None = None,
    model_id: str = "as-is",
    name: str = "",
    log_filter: LogFilter | None = None,
    cluster: Cluster | None = None,
    progress: Progress | None = None,
) -> Discovery:
    """The as-is swimlane model of an event log, from the log alone (``docs/discover.md``).

    Lanes come from ``lanes_from`` (a resource → lane map), else the log's ``org:group``
    (``columns={"lane": "Team"}`` reads it from any column); each activity stands in the
    lane that does most of its events.  ``activities`` keeps that share of the activities
    (the most frequent, by cases), ``paths`` that share of the paths (the inductive miner's
    noise threshold is ``1 - paths``) — ``80%``, ``0.8`` and ``80`` say the same.  The result
    holds the model, each activity's lanes and share, each flow's cases and median time,
    the observed handoffs with their count and median/p90 wait, and the findings: the
    model's lint plus what the log shows (e.g. SHARED-ACTIVITY).  ``log_filter`` keeps the
    cases it selects first (a lane is one of the lanes above; the result's ``filtered`` says
    what it kept).

    A partitioned log (a folder, glob or fsspec address of Parquet files) is discovered
    partition by partition — on the ``cluster``'s workers (:func:`cluster`), or one after
    another here without one — and its events are never joined; the result is the same as
    for the whole log (``docs/scale.md``).  ``progress(done, total)`` follows the partitions.
    """
    from bpmtool.discovery.pieces import WholeLog, discover_pieces
    from bpmtool.findings import sort_findings

    share_a = parse_share(activities, key="activities")
    share_p = parse_share(paths, key="paths")
    filename = str(log) if isinstance(log, (str, Path)) else _source(log)
    pairs = None
    if lanes_from is not None:
        from bpmtool.io.lane_map import read_lane_pairs

        pairs = read_lane_pairs(Path(lanes_from))
    if isinstance(log, (str, Path)) and _partitioned(log):
        from bpmtool.distributed.partitions import read_notes
        from bpmtool.distributed.pieces import Partitions

        variants = log_filter is not None and bool(log_filter.variants)
        pieces: Any = Partitions.of(
            str(log),
            cluster,
            columns=columns,
            date_format=date_format,
            passes=3 if variants else 2,
            progress=progress,
        )
        notes = read_notes(str(log))
    else:
        frame = _frame_of(log, log_filter, columns=columns, date_format=date_format)
        pieces, notes = WholeLog(frame), log_notes(frame)
    found = discover_pieces(
        pieces,
        activities=share_a,
        paths=share_p,
        lane_pairs=pairs,
        log_filter=log_filter,
        model_id=model_id,
        name=name,
        filename=filename,
    )
    found = replace(found, findings=sort_findings([*lint(found.model), *found.findings]))
    found.notes = notes
    return found


def compare(a: Model, b: Model) -> Comparison:
    """What differs between two models: activities, lanes and handoffs in one only, and
    activities the two put in different lanes."""
    from bpmtool.discovery.compare import compare_models

    return compare_models(a, b)
