"""Beyond one machine: partitioned logs read on a Dask ``distributed`` cluster.

The single-process engine stays what it is; this package only changes *where* the heavy
steps run when the user names a cluster (``--scheduler tcp://HOST:8786``,
``BPMTOOL_SCHEDULER``) or asks for local worker processes (``--workers N``):

* :mod:`~bpmtool.distributed.partitions` writes a log as partitioned Parquet, every case in
  exactly one partition (chosen by a hash of its id), and finds the partitions of a folder
  or glob;
* :mod:`~bpmtool.distributed.frames` reads each partition on a worker into compact
  category codes and joins the pieces into the very frame the single-process reader gives;
* :mod:`~bpmtool.distributed.alignments` aligns each distinct variant once, the variants
  spread over the workers;
* :mod:`~bpmtool.distributed.cluster` connects to a scheduler or starts a
  ``LocalCluster`` of processes, and turns an unreachable scheduler into a clear error.

Every analysis after the reading (mapping, variants, replay, precision, handoffs, the
journey) is the single-process code on the joined frame, so the results are the same to
the last digit.  How far this scales, and what it costs, is in ``docs/scale.md``.
"""

from bpmtool.distributed.cluster import Cluster, ClusterError, connect

__all__ = ["Cluster", "ClusterError", "connect"]
