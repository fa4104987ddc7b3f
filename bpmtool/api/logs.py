"""Event logs: read, map to the model, summarise, partition."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bpmtool.errors import InputError, Problem
from bpmtool.io.log_preview import LogColumns
from bpmtool.model import Model

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    import pandas as pd

    from bpmtool.distributed import Cluster
    from bpmtool.io.eventlog import Progress
    from bpmtool.mining.log_filter import LogFilter
    from bpmtool.mining.log_summary import LogSummary
    from bpmtool.mining.mapping import LaneMap, MappedLog
    from bpmtool.mining.model_match import ModelMatch


# --- event logs (io/eventlog, mining/mapping) ---


def log_columns(
    path: str | Path, saved: dict[str, str] | None = None, date_format: str | None = None
) -> LogColumns:
    """A log file's columns for a column-mapping form: its header, its first rows, the
    column the reader takes for each of :data:`COLUMN_ROLES` (``saved`` choices first, where
    the file has them) and the reader's notes on the time column (read with
    ``date_format`` when given)."""
    from bpmtool.io.log_preview import log_columns as preview

    return preview(Path(path), saved or {}, date_format)


def read_log(
    path: str | Path,
    *,
    columns: dict[str, str] | None = None,
    encoding: str | None = None,
    date_format: str | None = None,
    progress: Progress | None = None,
    cluster: Cluster | None = None,
    keep: Collection[str] = (),
) -> pd.DataFrame:
    """Read an event log (XES, XES.gz, CSV, Parquet) into pm4py's standard columns.

    A folder or glob of Parquet files is a partitioned log (:func:`write_partitioned_log`):
    its files are read on the ``cluster``'s workers (see :func:`cluster`), or one after
    another here without one; the frame is the same either way.

    ``columns`` names the source columns by role (``case``, ``activity``, ``timestamp``,
    ``resource``, ``lane``, ``start_timestamp``, ``lifecycle``); roles not given are found
    by their usual names, and the time column, failing that, by its values.
    ``date_format`` (strftime, e.g. ``%d/%m/%Y %H:%M``) reads text times; without it the
    day/month order of dates like ``07/01/2025`` is read from the data, and a file whose
    dates fit both orders is refused.  What was found or assumed: :func:`log_notes`.
    ``progress(done, total)`` is called during long reads.  ``keep`` names attribute
    columns (e.g. ``Region``) a CSV log keeps besides the standard ones and ``case:``
    columns, for a filter on them (:meth:`LogFilter.columns`).
    """
    from bpmtool.io.eventlog import read_log as read

    if _partitioned(path):
        from bpmtool.distributed.frames import read_partitioned

        return read_partitioned(
            str(path), cluster, columns=columns, date_format=date_format, progress=progress
        )
    try:
        frame = read(
            path,
            columns=columns,
            encoding=encoding,
            date_format=date_format,
            progress=progress,
            keep=keep,
        )
    except LookupError:  # an encoding Python does not know
        raise InputError.single(
            f"unknown text encoding {encoding!r}",
            file=str(path),
            key="encoding",
            expected="a Python codec name such as utf-8, cp1252 or latin-1",
        ) from None
    frame.attrs["source"] = str(path)  # so later problems can name the file
    return frame


def _frame_of(
    log: pd.DataFrame | str | Path,
    log_filter: LogFilter | None,
    *,
    columns: dict[str, str] | None = None,
    date_format: str | None = None,
    progress: Progress | None = None,
    cluster: Cluster | None = None,
) -> pd.DataFrame:
    """The log as a frame: a path read with :func:`read_log`, keeping the attribute
    columns ``log_filter`` tests; a frame as it is."""
    if not isinstance(log, (str, Path)):
        return log
    return read_log(
        log,
        columns=columns,
        progress=progress,
        date_format=date_format,
        cluster=cluster,
        keep=log_filter.columns() if log_filter else (),
    )


def _partitioned(path: str | Path) -> bool:
    from bpmtool.distributed.partitions import is_partitioned

    return is_partitioned(path)


def cluster(
    scheduler: str | None = None, workers: int | None = None, *, memory_limit: str | None = None
) -> AbstractContextManager[Cluster | None]:
    """The Dask cluster to run on, as a context manager: a scheduler's address (default:
    the ``BPMTOOL_SCHEDULER`` environment variable), or ``workers`` local worker
    processes; ``None`` inside when neither is given (everything runs in this process).
    A scheduler that cannot be reached within a few seconds raises an ``InputError``.
    Give the cluster to :func:`read_log`, :func:`check`, :func:`journey` and
    :func:`~bpmtool.api.discovery.discover`."""
    from bpmtool.distributed import connect

    return connect(scheduler, workers, memory_limit=memory_limit)


def write_partitioned_log(
    df: pd.DataFrame, out_dir: str | Path, *, partitions: int | None = None
) -> list[Path]:
    """Write a read log as partitioned Parquet (each case in one file, by a hash of its
    id) for a cluster to read; returns the files written."""
    from bpmtool.distributed.partitions import write_partitioned

    return write_partitioned(df, out_dir, partitions=partitions, notes=log_notes(df))


@dataclass(frozen=True)
class WrittenPartitions:
    """What :func:`stream_log_to_parquet` wrote."""

    files: list[Path]
    events: int
    cases: int
    #: what reading the log found or assumed (its time column, date order, no times)
    notes: list[Problem]


def streams_to_parquet(path: str | Path) -> bool:
    """Whether :func:`stream_log_to_parquet` reads this log (CSV and XES) as it streams by."""
    return str(path).lower().endswith((".xes", ".xes.gz", ".csv", ".csv.gz", ".tsv", ".txt"))


def stream_log_to_parquet(
    path: str | Path,
    out_dir: str | Path,
    *,
    columns: dict[str, str] | None = None,
    encoding: str | None = None,
    date_format: str | None = None,
    partitions: int | None = None,
    progress: Progress | None = None,
) -> WrittenPartitions:
    """Write a CSV or XES log as partitioned Parquet while reading it, without holding the
    log in memory (see :mod:`bpmtool.distributed.streaming`)."""
    from bpmtool.distributed.streaming import stream_to_partitions

    files, events, cases, notes = stream_to_partitions(
        Path(path),
        Path(out_dir),
        columns=columns,
        encoding=encoding,
        date_format=date_format,
        partitions=partitions,
        progress=progress,
    )
    return WrittenPartitions(files, events, cases, notes)


def log_notes(df: pd.DataFrame) -> list[Problem]:
    """What reading a log found or assumed, for the user to see: the time column chosen by
    its values, the day/month order of its dates, or that it has no times (and so no
    waits).  Empty for a frame that was not read by :func:`read_log`."""
    from bpmtool.io.eventlog import log_notes as notes

    return notes(df)


def inflated_size(path: str | Path, *, limit: int | None = -1) -> int:
    """The size a log will have once decompressed (``.gz``: measured as it streams, in
    bounded memory; else the file's size), or :class:`~bpmtool.io.limits.InflatedTooLarge`
    (an ``InputError``) as soon as it passes ``limit`` bytes.  ``-1`` takes the limit the
    readers use (``BPMTOOL_MAX_INFLATED``, default 2 GiB); ``None``: no limit.  For an
    upload, pass the upload limit so that it also holds for what a compressed log inflates to.
    """
    from bpmtool.io.limits import check_inflated_size

    return check_inflated_size(path, limit)


def log_summary(df: pd.DataFrame) -> LogSummary:
    """Cases, events, activities, variants, time span, lanes and resources of a log."""
    from bpmtool.mining.log_summary import log_summary as summarise

    return summarise(df)


def map_log(
    model: Model,
    df: pd.DataFrame,
    *,
    lanes_from: str | Path | None = None,
    filename: str | None = None,
) -> MappedLog:
    """Match a log's activity labels to the model's nodes and give every event a lane.
    Problems name ``filename``, by default the file :func:`read_log` read the frame from."""
    from bpmtool.mining.mapping import map_log as mapping

    return mapping(model, df, lane_map=lane_map(lanes_from), filename=filename or _source(df))


def lane_map(lanes_from: str | Path | None) -> LaneMap | None:
    """The resource → lane map of a file (CSV or YAML), or None without one."""
    if lanes_from is None:
        return None
    from bpmtool.io.lane_map import read_lane_pairs
    from bpmtool.mining.mapping import LaneMap

    return LaneMap(read_lane_pairs(Path(lanes_from)), str(lanes_from))


def is_partitioned_log(path: str | Path) -> bool:
    """Whether ``path`` names a partitioned log (a folder or glob of Parquet files, local
    or an fsspec address): :func:`check` then checks it partition by partition."""
    return _partitioned(path)


def lane_map_entries(path: str | Path) -> list[tuple[int, str, str]]:
    """The ``(line, resource, lane)`` entries of a resource → lane map (``--lanes-from``: CSV
    ``resource,lane`` rows or a YAML mapping); a bad file is refused at its line."""
    from bpmtool.io.lane_map import read_lane_pairs

    return read_lane_pairs(Path(path))


def _source(df: pd.DataFrame) -> str:
    return str(df.attrs.get("source") or "the log")


def activity_counts(
    path: str | Path, *, columns: dict[str, str] | None = None, date_format: str | None = None
) -> dict[str, int]:
    """Each activity label of a log with its number of events (most frequent first)."""
    from bpmtool.log_schema import ACTIVITY

    frame = read_log(path, columns=columns, date_format=date_format)
    counts = frame[ACTIVITY].astype(str).value_counts()
    return {str(k): int(v) for k, v in counts.items()}


def model_match(model: Model, counts: dict[str, int]) -> ModelMatch:
    """How well ``model``'s activities match a log's (:func:`activity_counts`): the share
    of events it knows, of its activities the log shows, and a score to rank models by."""
    from bpmtool.mining.model_match import model_match as match

    return match(model, counts)
