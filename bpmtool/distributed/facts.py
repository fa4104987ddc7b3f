"""A check of a partitioned log, partition by partition: facts on the workers, merged here.

Each partition is read, mapped to the model and reduced to its check facts
(:func:`bpmtool.mining.check_facts.gather_frame`) where it is read — on a cluster's worker,
or here one after another without a cluster — and only the facts travel: their size
follows the partition's cases and handoffs, never its events.  The client merges them
(:func:`bpmtool.mining.check_facts.merge`) and runs the check on the merged facts, so the
client never holds the log's events, and a worker holds one partition at a time.

The lanes' source must be the log's, not a partition's: when some partitions have
``org:group`` values and others none, those others are gathered again with the lanes
taken from that column (as the whole log would have them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bpmtool.distributed.cluster import Cluster
    from bpmtool.errors import Problem
    from bpmtool.mining.check_facts import CheckFacts
    from bpmtool.mining.mapping import LaneMap
    from bpmtool.model import Model

__all__ = ["gather_partitioned", "partition_facts"]

GROUP_SOURCE = "org:group"


def partition_facts(
    path: str,
    model: Model,
    columns: dict[str, str] | None,
    date_format: str | None,
    lane_map: LaneMap | None,
    lane_source: str | None,
    model_lanes: bool = True,
) -> CheckFacts:
    """One partition read, mapped and reduced to its check facts (runs on a worker)."""
    from bpmtool.distributed.frames import read_one
    from bpmtool.mining.check_facts import gather_frame

    df = read_one(path, columns, date_format)
    return gather_frame(
        model,
        df,
        lane_map=lane_map,
        filename=path,
        lane_source=lane_source,
        model_lanes=model_lanes,
    )


def gather_partitioned(
    path: str,
    model: Model,
    cluster: Cluster | None,
    *,
    columns: dict[str, str] | None = None,
    date_format: str | None = None,
    lane_map: LaneMap | None = None,
    progress: Callable[[int, int | None], None] | None = None,
    model_lanes: bool = True,
) -> tuple[CheckFacts, list[Problem]]:
    """The merged check facts of a partitioned log (folder, glob or fsspec address), and
    what its reader noted (``model_lanes``: see :func:`~bpmtool.mining.handoff_facts.
    gather_handoffs`)."""
    from bpmtool.distributed.partitions import find_partitions, read_notes
    from bpmtool.mining.check_facts import merge

    files = find_partitions(path)

    def run(chosen: list[str], source: str | None) -> list[CheckFacts]:
        if cluster is not None:
            # the model travels with each task (a few kB), not scattered: a task's input
            # held only by workers is lost with them when one dies, and the task with it
            return cluster.map(
                partition_facts,
                chosen,
                model,
                columns,
                date_format,
                lane_map,
                source,
                model_lanes,
                progress=progress,
            )
        out = []
        for i, f in enumerate(chosen, start=1):
            out.append(
                partition_facts(f, model, columns, date_format, lane_map, source, model_lanes)
            )
            if progress is not None:
                progress(i, len(chosen))
        return out

    parts = run(files, None)
    sources = {p.lane_source for p in parts}
    if GROUP_SOURCE in sources and len(sources) > 1:
        redo = [i for i, p in enumerate(parts) if p.lane_source != GROUP_SOURCE]
        for i, again in zip(redo, run([files[i] for i in redo], GROUP_SOURCE), strict=True):
            parts[i] = again
    return merge(parts), read_notes(path)
