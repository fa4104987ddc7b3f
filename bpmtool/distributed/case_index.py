"""The cases behind a check of a partitioned log, read partition by partition.

A check that ran partition by partition (:mod:`bpmtool.distributed.facts`) never held the
log's events, and its case index does not either.  Each partition is read again where it
is read (a worker, or here without a cluster), filtered and mapped as the check saw it
(:class:`~bpmtool.distributed.facts.PartitionedRead`), and reduced to its case rows — per
case its id, start, end, events and lanes, and the cases of each observed handoff
(:func:`~bpmtool.mining.case_rows.case_rows`); only the rows travel.  Merged here in the
order of the case ids, they are the rows the single-process check's index has, and the
index is built from them by the same function (:func:`~bpmtool.mining.case_rows.
build_case_index`).  A case's timeline reads only its partition, and of it only that case's
events.  The numbers an overlay writes on flows and boxes (:func:`partitioned_flow_numbers`)
are read the same way: each partition reduced to its flow facts (variants as node
sequences, events and cases per node, every time between two consecutive events), merged
exactly (:func:`~bpmtool.mining.flow_numbers.merge_flow_facts`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bpmtool.errors import InputError
from bpmtool.mining.cases import CaseIndex

if TYPE_CHECKING:
    from collections.abc import Callable

    import pandas as pd

    from bpmtool.distributed.cluster import Cluster
    from bpmtool.distributed.facts import PartitionedRead
    from bpmtool.mining.case_rows import CaseRows
    from bpmtool.mining.check import CheckResult
    from bpmtool.mining.flow_numbers import FlowFacts, FlowNumbers
    from bpmtool.model import Model

__all__ = [
    "PartitionedCases",
    "partition_case_events",
    "partition_case_rows",
    "partition_flow_facts",
    "partitioned_flow_numbers",
    "partitioned_index",
]


def partition_case_rows(i: int, read: PartitionedRead, model: Model) -> CaseRows:
    """The case rows of partition ``i`` as the check saw it (runs on a worker)."""
    from bpmtool.mining.case_rows import case_rows

    return case_rows(model, read.frame(model, i), piece=i)


def partition_case_events(i: int, read: PartitionedRead, model: Model, case: str) -> pd.DataFrame:
    """The timeline events of one case of partition ``i`` (runs on a worker)."""
    from bpmtool.mining.case_rows import event_frame

    return event_frame(model, read.frame(model, i, case))


@dataclass
class PartitionedCases(CaseIndex):
    """A case index whose events stay in the partitions: a case's events are read from its
    partition when asked for (on the cluster's workers while the cluster runs)."""

    read: Any = field(default=None, repr=False)
    model: Any = field(default=None, repr=False)
    cluster: Any = field(default=None, repr=False)
    #: each case's partition (an index into ``read.files``)
    piece: Any = field(default=None, repr=False)

    def events_of(self, code: int) -> pd.DataFrame:
        i, case = int(self.piece[code]), str(self.table["case"].iat[code])
        if self.cluster is not None:
            found = self.cluster.map(partition_case_events, [i], self.read, self.model, case)
            return found[0]  # type: ignore[no-any-return]
        return partition_case_events(i, self.read, self.model, case)


def partitioned_index(
    model: Model, result: CheckResult, cluster: Cluster | None = None
) -> PartitionedCases:
    """The case index of a check of a partitioned log (``result.pieces``), its rows read
    partition by partition (on the ``cluster``'s workers, else here)."""
    import numpy as np

    from bpmtool.mining.case_rows import build_case_index, merge_case_rows
    from bpmtool.mining.cases import flow_walks

    read: PartitionedRead = result.pieces
    chosen = list(range(len(read.files)))
    if cluster is not None:
        parts = cluster.map(partition_case_rows, chosen, read, model)
    else:
        parts = [partition_case_rows(i, read, model) for i in chosen]
    rows = merge_case_rows(parts)
    variants = result.conformance.variants
    checked = variants[0].case_names if variants else np.zeros(0, dtype=object)
    if len(checked) != len(rows.names) or not np.array_equal(checked, rows.names):
        raise InputError.single(
            f"the log's partitions hold other cases than when it was checked "
            f"({len(rows.names):,} now, {len(checked):,} then)",
            file=result.source,
            expected="the partitions the check read, unchanged",
        )
    index = build_case_index(model, rows, variants, result.findings, flow_walks(model, result))
    return PartitionedCases(
        index.table,
        index.offsets,
        index.events,
        index.selections,
        index.deviations,
        read=read,
        model=model,
        cluster=cluster,
        piece=rows.piece,
    )


def partition_flow_facts(i: int, read: PartitionedRead, model: Model) -> FlowFacts:
    """The flow facts of partition ``i`` as the check saw it (runs on a worker)."""
    from bpmtool.mining.flow_numbers import flow_facts

    return flow_facts(read.frame(model, i))


def partitioned_flow_numbers(
    model: Model,
    result: CheckResult,
    cluster: Cluster | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> FlowNumbers:
    """The flow numbers of a check of a partitioned log (``result.pieces``), read partition
    by partition (on the ``cluster``'s workers, else here); ``progress(done, total)``
    follows the partitions."""
    from bpmtool.mining.flow_numbers import merge_flow_facts, numbers_of_facts

    read: PartitionedRead = result.pieces
    chosen = list(range(len(read.files)))
    if cluster is not None:
        parts = cluster.map(partition_flow_facts, chosen, read, model, progress=progress)
    else:
        parts = []
        for i in chosen:
            parts.append(partition_flow_facts(i, read, model))
            if progress is not None:
                progress(i + 1, len(chosen))
    return numbers_of_facts(model, merge_flow_facts(parts))
