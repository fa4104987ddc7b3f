"""The one way the CLI checks a log: read into a frame with its progress bar (or, a
partitioned log, passed on as its address to be checked partition by partition, never
joined here), then checked with the partitions' and the alignments' progress bars."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bpmtool import api
from bpmtool.cli.log_options import LogOptions, progress_bar, show_notes

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from bpmtool.api import CheckResult, Cluster, Model

__all__ = ["check_log"]


def check_log(
    model: Model,
    log: str | Path,
    options: LogOptions,
    *,
    quiet: bool,
    cluster: Cluster | None,
    log_filter: api.LogFilter | None,
    **check_options: Any,
) -> tuple[pd.DataFrame | str, CheckResult]:
    """The check of ``log`` (``check_options`` go to :func:`bpmtool.api.check`) and what was
    checked: the log read into one frame, or a partitioned log's address.  What the reader
    noted is said on stderr either way."""
    pieces = api.is_partitioned_log(log)
    source: pd.DataFrame | str = (
        str(log)
        if pieces
        else options.read(log, quiet=quiet, cluster=cluster, log_filter=log_filter)
    )
    with (
        progress_bar("checking partitions", quiet=quiet or not pieces, unit="part") as reading,
        progress_bar("aligning variants", quiet=quiet, unit="variant") as aligning,
    ):
        result = api.check(
            model,
            source,
            columns=options.columns() or None if pieces else None,
            date_format=options.date_format if pieces else None,
            read_progress=reading,
            progress=aligning,
            lanes_from=options.lanes_from,
            cluster=cluster,
            log_filter=log_filter,
            **check_options,
        )
    if pieces:
        show_notes(result.notes)
    return source, result
