"""Partitions read on the workers, joined into the frame the single-process reader gives.

A worker reads one partition with :func:`bpmtool.io.eventlog.read_log` (so every rule of
reading a log applies unchanged) and sends back its frame, whose text columns are already
category codes.  :func:`join` puts the pieces together: each categorical column gets the
sorted union of the pieces' categories, and the events are put in the order of their case
ids, which is the order of the single-process frame (cases never straddle partitions, and a
case keeps the order its own partition gave its events).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpmtool.log_schema import CASE

if TYPE_CHECKING:
    import pandas as pd

    from bpmtool.distributed.cluster import Cluster

__all__ = ["join", "read_one", "read_partition", "read_partitioned"]


def read_partition(
    path: str, columns: dict[str, str] | None, date_format: str | None
) -> tuple[pd.DataFrame, list[str]]:
    """One partition as the standard frame (runs on a worker), and its text columns: they
    travel as categories (the reader keeps a case attribute as text, one string per event)
    and become text again in :func:`join`."""
    import pandas as pd

    df = read_one(path, columns, date_format)
    df.attrs.clear()
    text = [c for c in df.columns if isinstance(df[c].dtype, pd.StringDtype)]
    for column in text:
        df[column] = df[column].astype("category")
    return df, text


def read_one(path: str, columns: dict[str, str] | None, date_format: str | None) -> pd.DataFrame:
    """One partition (a local file or an fsspec address) as the standard frame."""
    from bpmtool.distributed.partitions import is_url
    from bpmtool.io.eventlog import read_log

    if is_url(path):
        return _read_remote(path, columns, date_format)
    return read_log(path, columns=columns, date_format=date_format)


def _read_remote(url: str, columns: dict[str, str] | None, date_format: str | None) -> pd.DataFrame:
    """A partition on an fsspec file system: copied to a local temporary file and read
    like any Parquet log; problems name the address, not the copy."""
    import shutil
    import tempfile
    from dataclasses import replace

    import fsspec

    from bpmtool.errors import EventLogError
    from bpmtool.io.eventlog import read_log

    with tempfile.TemporaryDirectory(prefix="bpmtool-partition-") as folder:
        local = Path(folder) / "partition.parquet"
        try:
            with fsspec.open(url, "rb") as src, local.open("wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
        except OSError as exc:
            raise EventLogError.single(f"cannot read the partition: {exc}", file=url) from None
        try:
            return read_log(local, columns=columns, date_format=date_format)
        except EventLogError as exc:
            exc.problems = [
                replace(
                    p,
                    file=url if p.file == str(local) else p.file,
                    message=p.message.replace(str(local), url),
                )
                for p in exc.problems
            ]
            exc.summary = exc.summary.replace(str(local), url)
            raise


def read_partitioned(
    path: str,
    cluster: Cluster | None,
    *,
    columns: dict[str, str] | None = None,
    date_format: str | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> pd.DataFrame:
    """A partitioned log (folder or glob) read on the cluster's workers, or one partition
    after another in this process without a cluster."""
    from bpmtool.distributed.partitions import find_partitions, read_notes

    files = find_partitions(path)
    if cluster is None:
        pieces = []
        for i, f in enumerate(files, start=1):
            pieces.append(read_partition(f, columns, date_format))
            if progress is not None:
                progress(i, len(files))
    else:
        pieces = cluster.map(read_partition, files, columns, date_format, progress=progress)
    df = join([p for p, _ in pieces], text={c for _, t in pieces for c in t})
    df.attrs["notes"] = read_notes(path)
    return df


def join(pieces: list[pd.DataFrame], *, text: set[str] | None = None) -> pd.DataFrame:
    """The pieces as one frame: unified categories, events in the order of their case ids;
    the columns named in ``text`` as text (not categories)."""
    import numpy as np
    import pandas as pd

    names: list[str] = []
    for piece in pieces:
        names += [c for c in piece.columns if c not in names]
    joined: dict[str, Any] = {}
    for name in names:
        parts = [p[name] if name in p.columns else pd.Series(pd.NA, index=p.index) for p in pieces]
        present = [p for p in parts if isinstance(p.dtype, pd.CategoricalDtype)]
        if len(present) == len(parts):
            joined[name] = _categorical(parts, text=_is_text(present))
            if text and name in text:
                joined[name] = pd.Series(joined[name]).astype("string")
        else:
            joined[name] = pd.concat(parts, ignore_index=True)
        for piece in pieces:  # free each column of the pieces once it is joined
            if name in piece.columns:
                del piece[name]
    df = pd.DataFrame(joined)
    order = np.argsort(df[CASE].cat.codes.to_numpy(), kind="stable")
    if not (order[1:] > order[:-1]).all():
        df = df.iloc[order].reset_index(drop=True)
    return df


def _is_text(columns: list[pd.Series]) -> bool:
    import pandas as pd

    return all(
        isinstance(c.cat.categories.dtype, pd.StringDtype) or c.cat.categories.dtype == object
        for c in columns
    )


def _categorical(parts: list[pd.Series], *, text: bool) -> pd.Categorical:
    """Categorical columns of the pieces as one, with the sorted union of their categories."""
    import numpy as np
    import pandas as pd

    values = sorted(set().union(*(p.cat.categories.tolist() for p in parts)))
    categories = pd.Index(values, dtype="string" if text else None)
    codes = []
    for p in parts:
        remap = np.append(categories.get_indexer(p.cat.categories), -1).astype(np.int32)
        codes.append(remap[p.cat.codes.to_numpy()])
    return pd.Categorical.from_codes(
        np.concatenate(codes) if codes else np.array([], int), categories=categories
    )
