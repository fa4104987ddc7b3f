"""The customer journey of a partitioned log, partition by partition: facts on the workers,
merged here.

Each partition is read, cut to the cases of a filter (when one is given) and reduced to its
journey facts (:func:`bpmtool.mining.journey_facts.gather`) where it is read — on a
cluster's worker, or here one partition after another without a cluster
(:class:`~bpmtool.distributed.pieces.Partitions`) — and only the
facts travel: their size follows the partition's cases, never its events.  The client
merges them (:func:`bpmtool.mining.journey_facts.merge`) and judges the journey on the
merged facts, so it never holds the log's events, and a worker holds one partition at a
time.  Several filters (the two windows of ``journey --compare``) are applied to one read
of each partition.

A filter runs on each partition before its facts are gathered, as for the check
(:mod:`bpmtool.distributed.facts`): a variant number is the whole log's, so a variant filter
first counts each partition's sequences and numbers them here; a lane filter that judged
some partitions' lanes by the model while others have teams is run on those again with the
teams' lanes, as the whole log has them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

    from bpmtool.distributed.cluster import Cluster
    from bpmtool.errors import Problem
    from bpmtool.mining.journey_facts import JourneyFacts
    from bpmtool.mining.log_filter import LogFilter
    from bpmtool.model import Model

__all__ = ["gather_journeys", "journey_facts_of", "last_time", "latest_time"]


def journey_facts_of(
    df: pd.DataFrame,
    model: Model,
    renames: dict[str, str] | None,
    filters: Sequence[LogFilter | None],
    numbers: dict[tuple[str, ...], int] | None = None,
    filter_source: str | None = None,
) -> list[JourneyFacts]:
    """One partition's events reduced to their journey facts, once per filter (runs where
    the partition is read); ``numbers`` and ``filter_source``: see
    :func:`~bpmtool.mining.filter_cases.cut_piece`."""
    from bpmtool.mining.filter_cases import cut_piece
    from bpmtool.mining.journey_facts import gather

    source = str(df.attrs.get("source") or "the log")
    if renames:
        df = df.rename(columns=renames)
    out = []
    for chosen in filters:
        if chosen is None or chosen.empty:
            out.append(gather(model, df))
            continue
        kept, outcome, lanes = cut_piece(
            model, df, chosen, numbers=numbers, filename=source, lane_source=filter_source
        )
        facts = gather(model, kept, outcome)
        facts.filter_source = lanes
        out.append(facts)
    return out


def gather_journeys(
    path: str,
    model: Model,
    cluster: Cluster | None,
    *,
    roles: dict[str, str] | None = None,
    renames: dict[str, str] | None = None,
    date_format: str | None = None,
    filters: Sequence[LogFilter | None] = (None,),
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[list[JourneyFacts], list[Problem]]:
    """The merged journey facts of a partitioned log (folder, glob or fsspec address), one
    per filter, and what its reader noted.  ``roles`` names the source columns by role (as
    :func:`~bpmtool.io.eventlog.read_log` takes them), ``renames`` renames other columns."""
    from bpmtool.distributed.facts import GROUP_SOURCE, _wanted_numbers
    from bpmtool.distributed.partitions import read_notes
    from bpmtool.distributed.pieces import Partitions
    from bpmtool.mining.journey_facts import merge

    pieces = Partitions.of(path, cluster, columns=roles, date_format=date_format, progress=progress)
    numbers = None
    by_variant = [f for f in filters if f is not None and f.variants]
    if by_variant:  # the filters share their variants (a comparison's windows)
        numbers = _wanted_numbers(pieces.files, cluster, roles, date_format, by_variant[0])
    args = (model, renames, list(filters), numbers)
    parts = pieces.map(journey_facts_of, *args)
    sources = {f.filter_source for p in parts for f in p}
    if GROUP_SOURCE in sources and len(sources) > 1:
        # a lane filter judged some partitions' lanes by the model: as the whole log's
        # lanes come from its teams, so do theirs
        redo = [i for i, p in enumerate(parts) if any(f.filter_source != GROUP_SOURCE for f in p)]
        again = Partitions([pieces.files[i] for i in redo], cluster, roles, date_format)
        for i, facts in zip(redo, again.map(journey_facts_of, *args, GROUP_SOURCE), strict=True):
            parts[i] = facts
    merged = [merge([p[i] for p in parts]) for i in range(len(filters))]
    return merged, read_notes(path)


def last_time(df: pd.DataFrame) -> pd.Timestamp | None:
    """The last event time of one partition, zone-less UTC (``None`` without times)."""
    import pandas as pd

    from bpmtool.log_schema import TIMESTAMP

    if TIMESTAMP not in df.columns or df[TIMESTAMP].isna().all():
        return None
    latest = pd.Timestamp(df[TIMESTAMP].max())
    return latest.tz_convert(None) if latest.tzinfo is not None else latest


def latest_time(
    path: str,
    cluster: Cluster | None,
    *,
    roles: dict[str, str] | None = None,
    date_format: str | None = None,
) -> pd.Timestamp | None:
    """The last event time of a partitioned log (zone-less UTC), ``None`` without times:
    each partition read where it is, only its last time sent back."""
    from bpmtool.distributed.pieces import Partitions

    pieces = Partitions.of(path, cluster, columns=roles, date_format=date_format)
    found = [t for t in pieces.map(last_time) if t is not None]
    return max(found) if found else None
