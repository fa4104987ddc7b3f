"""Alignments of the distinct variants, spread over a cluster's workers.

Each distinct variant is aligned exactly once in the whole cluster: the variants are dealt
round-robin, longest first, into a few batches per worker (so one long variant does not
hold up a batch of short ones), every worker aligns its batches with the single-process
code (:func:`bpmtool.mining.conformance.conformance`), and the check weights each
alignment by its variant's cases as it always does.

Aligning needs pm4py, a few seconds to import: :func:`warm_workers` asks each worker to
import it once the partitions are done, so the workers do so while the client merges their
facts and judges them, not when the first batch arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bpmtool.distributed.cluster import Cluster
    from bpmtool.mining.alignments import Aligned
    from bpmtool.mining.check import Aligner
    from bpmtool.model import Model

__all__ = ["BATCHES_PER_WORKER", "align_batch", "cluster_aligner", "warm_workers"]

#: batches per worker: enough to even out long and short variants, few enough that the
#: model's net is built only a few times per worker
BATCHES_PER_WORKER = 4


def align_batch(sequences: list[tuple[str, ...]], model: Model) -> list[Aligned | None]:
    """The alignments of some activity sequences against a model (runs on a worker)."""
    from bpmtool.mining.conformance import Variant, conformance
    from bpmtool.mining.petri import to_petri_net

    found = [Variant(seq, [0], open=False) for seq in sequences]
    conformance(to_petri_net(model), found, replay=False, alignments=True)
    return [v.alignment for v in found]


def ready_to_align() -> None:
    """Import what aligning needs: pm4py's alignments and Petri nets (runs on a worker)."""
    import importlib

    for name in (
        "bpmtool.mining.conformance",
        "bpmtool.mining.petri",
        "pm4py.algo.conformance.alignments.petri_net.algorithm",
        "pm4py.objects.petri_net.utils.align_utils",
        "pm4py.objects.log.obj",
    ):
        importlib.import_module(name)


def warm_workers(cluster: Cluster) -> list[Any]:
    """Ask every worker to import what aligning needs (:func:`ready_to_align`) now; the
    futures must be held until the alignments run (one nobody holds is forgotten)."""
    client = cluster.client
    return [
        client.submit(ready_to_align, pure=False, workers=[w])
        for w in client.scheduler_info(n_workers=-1).get("workers", {})
    ]


def cluster_aligner(
    cluster: Cluster, model: Model, progress: Callable[[int, int | None], None] | None = None
) -> Aligner:
    """An aligner for :func:`bpmtool.mining.check.run_check` that uses the workers."""

    def align(sequences: list[tuple[str, ...]]) -> dict[tuple[str, ...], Aligned]:
        if not sequences:
            return {}
        workers = max(1, len(cluster.client.scheduler_info(n_workers=-1).get("workers", {})))
        n = min(len(sequences), workers * BATCHES_PER_WORKER)
        ordered = sorted(sequences, key=len, reverse=True)
        batches = [ordered[i::n] for i in range(n)]
        # the model travels with each batch (a few kB), not scattered: data only workers
        # hold is lost with them when one dies, and the batches that need it with it
        results = cluster.map(align_batch, batches, model, progress=progress)
        return {
            seq: a
            for batch, done in zip(batches, results, strict=True)
            for seq, a in zip(batch, done, strict=True)
            if a is not None
        }

    return align
