"""A partitioned log as pieces: every task reads its partition where it runs.

An analysis that works piece by piece (:class:`bpmtool.discovery.pieces.Pieces`) is given
:class:`Partitions`: ``map(task, *args)`` sends ``task`` with the address of each partition
to a cluster's workers — or, without a cluster, runs it here one partition after another —
and the task reads its partition, reduces it to facts and returns only those.  No task's
input is held by the workers (a task whose worker dies is simply run again), and a worker
holds one partition at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from bpmtool.distributed.cluster import Cluster

__all__ = ["Partitions", "on_partition"]


def on_partition(
    path: str,
    task: Callable[..., Any],
    columns: dict[str, str] | None,
    date_format: str | None,
    *args: Any,
) -> Any:
    """``task(frame, *args)`` on one partition read where this runs (on a worker); the
    partition's memory is handed back before the next one is read."""
    from bpmtool.distributed.frames import read_one
    from bpmtool.memory import give_back_freed_memory

    df: pd.DataFrame = read_one(path, columns, date_format)
    df.attrs["source"] = path  # problems name the partition
    try:
        return task(df, *args)
    finally:
        del df
        give_back_freed_memory()


@dataclass
class Partitions:
    """The partitions of a log as the pieces of an analysis (see the module)."""

    files: list[str]
    cluster: Cluster | None = None
    columns: dict[str, str] | None = None
    date_format: str | None = None
    #: how many times the analysis reads every partition (for the progress)
    passes: int = 1
    progress: Callable[[int, int | None], None] | None = None
    done: int = field(default=0, init=False)

    @classmethod
    def of(
        cls,
        path: str,
        cluster: Cluster | None,
        *,
        columns: dict[str, str] | None = None,
        date_format: str | None = None,
        passes: int = 1,
        progress: Callable[[int, int | None], None] | None = None,
    ) -> Partitions:
        """The partitions of a folder, glob or fsspec address (refused when it has none)."""
        from bpmtool.distributed.partitions import find_partitions

        return cls(find_partitions(path), cluster, columns, date_format, passes, progress)

    def map(self, task: Callable[..., Any], *args: Any) -> list[Any]:
        total = len(self.files) * max(self.passes, 1)
        start = self.done

        def step(done: int, _: int | None) -> None:
            self.done = start + done
            if self.progress is not None:
                self.progress(self.done, max(total, self.done))

        if self.cluster is not None:
            return self.cluster.map(
                on_partition,
                self.files,
                task,
                self.columns,
                self.date_format,
                *args,
                progress=step,
            )
        out = []
        for i, path in enumerate(self.files, start=1):
            out.append(on_partition(path, task, self.columns, self.date_format, *args))
            step(i, None)
        return out
