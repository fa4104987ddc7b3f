"""Beyond one machine: partitioned logs read on a Dask ``distributed`` cluster.

The single-process engine stays what it is; this package only changes *where* the heavy
steps run when the user names a cluster (``--scheduler tcp://HOST:8786``,
``BPMTOOL_SCHEDULER``) or asks for local worker processes (``--workers N``):

* :mod:`~bpmtool.distributed.partitions` writes a log as partitioned Parquet, every case in
  exactly one partition (chosen by a hash of its id), and finds the partitions of a folder
  or glob;
* :mod:`~bpmtool.distributed.facts` checks a partitioned log partition by partition: each
  partition is read, mapped and reduced to its check facts on a worker, and the client
  merges the facts exactly (:mod:`bpmtool.mining.check_facts`) — it never holds the events;
* :mod:`~bpmtool.distributed.pieces` hands a piece-by-piece analysis (the as-is
  discovery, :mod:`bpmtool.discovery.pieces`) the partitions: each task reads its partition
  where it runs and returns only its facts;
* :mod:`~bpmtool.distributed.journeys` runs the customer journey the same way: each
  partition reduced to one row of journey facts per case where it is read
  (:mod:`bpmtool.mining.journey_facts`), merged exactly and judged on the client;
* :mod:`~bpmtool.distributed.frames` reads each partition on a worker and joins the pieces
  into the very frame the single-process reader gives (``api.read_log`` of a partitioned
  log);
* :mod:`~bpmtool.distributed.alignments` aligns each distinct variant once, the variants
  spread over the workers;
* :mod:`~bpmtool.distributed.cluster` connects to a scheduler or starts a
  ``LocalCluster`` of processes, and turns an unreachable scheduler into a clear error.

The check and the journey run the same gather, merge and judge steps in one process, on
the whole log as one piece, so the results are the same to the last digit.  How far this
scales, and what it costs, is in ``docs/scale.md``.
"""

from bpmtool.distributed.cluster import Cluster, ClusterError, connect

__all__ = ["Cluster", "ClusterError", "connect"]
