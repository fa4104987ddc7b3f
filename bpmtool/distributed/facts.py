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

A filter (``log_filter``) runs on each partition before its facts are gathered: all its
tests decide a case from the case's own events, except the variant numbers, which are the
whole log's — a variant filter first counts each partition's activity sequences (a first,
lighter pass: read and count), numbers them here, and sends each partition the numbers
of the sequences it asks for.  The partitions' cases and events before and after the
filter are added up into the same outcome the single-process filter reports.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from bpmtool.distributed.cluster import Cluster
    from bpmtool.errors import Problem
    from bpmtool.mining.check_facts import CheckFacts
    from bpmtool.mining.log_filter import LogFilter
    from bpmtool.mining.mapping import LaneMap
    from bpmtool.model import Model

__all__ = ["PartitionedRead", "gather_partitioned", "partition_facts", "partition_sequences"]

#: a partition's lanes' sources: the filter's (a lane filter) and the check's
Sources = tuple[str | None, str | None]


@dataclass
class PartitionedRead:
    """How a check read a partitioned log, so that a drill-down (the case index, a case's
    events) reads its partitions again exactly as the check saw them: filtered, with the
    same variant numbers and each partition's lanes from the same source."""

    files: list[str]
    columns: dict[str, str] | None
    date_format: str | None
    lane_map: LaneMap | None
    log_filter: LogFilter | None
    numbers: dict[tuple[str, ...], int] | None
    #: per file, the lanes' sources its facts were gathered with (filter's, check's)
    sources: list[Sources]

    def frame(self, model: Model, i: int, case: str | None = None) -> pd.DataFrame:
        """Partition ``i`` (only the events of ``case``, if given) filtered and mapped as
        the check saw it (runs where the partition is read)."""
        from bpmtool.distributed.frames import read_one
        from bpmtool.log_schema import CASE
        from bpmtool.mining.check_facts import prepare_frame

        df = read_one(self.files[i], self.columns, self.date_format)
        if case is not None:
            df = df[df[CASE].astype(str).to_numpy() == case].reset_index(drop=True)
        fsource, source = self.sources[i]
        mapped, _, _, _ = prepare_frame(
            model,
            df,
            lane_map=self.lane_map,
            filename=self.files[i],
            lane_source=source,
            log_filter=self.log_filter,
            numbers=self.numbers,
            filter_source=fsource,
        )
        assert mapped.df is not None
        return mapped.df


GROUP_SOURCE = "org:group"


def partition_facts(
    path: str,
    model: Model,
    columns: dict[str, str] | None,
    date_format: str | None,
    lane_map: LaneMap | None,
    lane_source: str | None,
    model_lanes: bool = True,
    log_filter: LogFilter | None = None,
    numbers: dict[tuple[str, ...], int] | None = None,
    filter_source: str | None = None,
) -> CheckFacts:
    """One partition read, filtered, mapped and reduced to its check facts (runs on a
    worker)."""
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
        log_filter=log_filter,
        numbers=numbers,
        filter_source=filter_source,
    )


def partition_sequences(
    path: str, columns: dict[str, str] | None, date_format: str | None
) -> Counter[tuple[str, ...]]:
    """How many cases of one partition follow each activity sequence (runs on a worker)."""
    from bpmtool.distributed.frames import read_one
    from bpmtool.mining.filter_cases import sequence_counts

    return sequence_counts(read_one(path, columns, date_format))


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
    log_filter: LogFilter | None = None,
) -> tuple[CheckFacts, list[Problem], PartitionedRead]:
    """The merged check facts of a partitioned log (folder, glob or fsspec address), what
    its reader noted and how it was read (``model_lanes``: see :func:`~bpmtool.mining.
    handoff_facts.gather_handoffs`); with a ``log_filter``, of the cases it keeps (the
    facts' ``filter_counts`` say how many of how many)."""
    from bpmtool.distributed.partitions import find_partitions, read_notes
    from bpmtool.memory import give_back_freed_memory
    from bpmtool.mining.check_facts import merge

    files = find_partitions(path)
    numbers = None
    if log_filter is not None and log_filter.variants:
        numbers = _wanted_numbers(files, cluster, columns, date_format, log_filter)

    def run(chosen: list[str], sources: Sources) -> list[CheckFacts]:
        args = (
            model,
            columns,
            date_format,
            lane_map,
            sources[1],
            model_lanes,
            log_filter,
            numbers,
            sources[0],
        )
        if cluster is not None:
            # the model travels with each task (a few kB), not scattered: a task's input
            # held only by workers is lost with them when one dies, and the task with it
            return cluster.map(partition_facts, chosen, *args, progress=progress)
        out = []
        for i, f in enumerate(chosen, start=1):
            out.append(partition_facts(f, *args))
            if progress is not None:
                progress(i, len(chosen))
        return out

    def again(
        parts: list[CheckFacts], sources: Sources, which: Callable[[CheckFacts], bool]
    ) -> None:
        redo = [i for i, p in enumerate(parts) if which(p)]
        for i, facts in zip(redo, run([files[i] for i in redo], sources), strict=True):
            parts[i] = facts

    parts = run(files, (None, None))
    chosen: Sources = (None, None)
    if log_filter is not None and log_filter.lanes and _mixed(p.filter_source for p in parts):
        # the lane filter judged some partitions' lanes by the model: as the whole log's
        # lanes come from its groups, so do theirs
        chosen = (GROUP_SOURCE, None)
        again(parts, chosen, lambda p: p.filter_source != GROUP_SOURCE)
    if _mixed(p.lane_source for p in parts):
        again(parts, (chosen[0], GROUP_SOURCE), lambda p: p.lane_source != GROUP_SOURCE)
    # each partition's sources as resolved: a drill-down into one case of it must take
    # its lanes from where the partition's did, whatever that one case's events have
    sources: list[Sources] = [(p.filter_source, p.lane_source) for p in parts]
    read = PartitionedRead(files, columns, date_format, lane_map, log_filter, numbers, sources)
    merged = merge(parts)
    del parts
    give_back_freed_memory()  # the pieces' arrays, released by the merge
    return merged, read_notes(path), read


def _mixed(sources: Iterable[str | None]) -> bool:
    """Some partitions took their lanes from the groups and others not."""
    found = set(sources)
    return GROUP_SOURCE in found and len(found) > 1


def _wanted_numbers(
    files: list[str],
    cluster: Cluster | None,
    columns: dict[str, str] | None,
    date_format: str | None,
    log_filter: LogFilter,
) -> dict[tuple[str, ...], int]:
    """The variant numbers of the whole log for the sequences ``log_filter`` asks for."""
    from bpmtool.mining.filter_cases import numbered_sequences

    if cluster is not None:
        counts = cluster.map(partition_sequences, files, columns, date_format)
    else:
        counts = [partition_sequences(f, columns, date_format) for f in files]
    wanted = set(log_filter.variants)
    return {s: n for s, n in numbered_sequences(counts).items() if n in wanted}
