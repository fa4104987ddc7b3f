"""Partitioned Parquet logs: every case in exactly one file, chosen by a hash of its id.

A partitioned log is a folder of ``part-NNNNN.parquet`` files (or any folder or glob of
Parquet files whose cases do not straddle two files) with pm4py's standard columns.
:func:`write_partitioned` writes one from a read log; the cluster reads each file on a
worker (:mod:`bpmtool.distributed.frames`).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpmtool.errors import EventLogError, Problem
from bpmtool.log_schema import CASE

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "EVENTS_PER_PARTITION",
    "find_partitions",
    "finish_folder",
    "is_partitioned",
    "is_url",
    "partition_of",
    "read_notes",
    "start_folder",
    "write_partitioned",
]

#: the default partition size: a worker holds one partition's frame at a time
EVENTS_PER_PARTITION = 1_000_000
#: what the reader noted about the source log, kept beside the partitions
_NOTES = "_bpmtool-notes.json"
_GLOB = ("*", "?", "[")


def is_url(path: str | Path) -> bool:
    """An address on a file system of fsspec's (``s3://bucket/log``, ``file:///data/log``)."""
    return isinstance(path, str) and "://" in path


def is_partitioned(path: str | Path) -> bool:
    """A folder or a glob pattern: a log in several Parquet files; or an fsspec address."""
    text = str(path)
    return is_url(path) or Path(text).is_dir() or any(c in text for c in _GLOB)


def _file_system(url: str) -> tuple[Any, str]:
    """The fsspec file system of an address and the path on it; a clear error for a
    protocol fsspec does not know or whose package is missing."""
    import fsspec

    try:
        return fsspec.core.url_to_fs(url)
    except ImportError as exc:
        raise EventLogError.single(
            f"the file system of {url.split('://')[0]!r} needs a package that is not "
            f"installed ({exc})",
            file=url,
            expected="its fsspec package installed (e.g. s3fs for s3://, gcsfs for gs://)",
        ) from None
    except ValueError as exc:
        raise EventLogError.single(
            f"not an address bpmtool can read: {exc}",
            file=url,
            expected="a folder or glob of Parquet files on a file system fsspec knows",
        ) from None


def _find_remote(url: str) -> list[str]:
    fs, root = _file_system(url)
    try:
        if any(c in root for c in _GLOB):
            found = fs.glob(root)
        elif fs.isdir(root):
            found = [
                p for p in fs.find(root, maxdepth=1) if p.lower().endswith((".parquet", ".pq"))
            ]
        else:
            found = [root] if fs.isfile(root) else []
    except OSError as exc:  # unreachable, refused, no such bucket
        raise EventLogError.single(f"cannot list the partitions: {exc}", file=url) from None
    return sorted(fs.unstrip_protocol(p) for p in found)


def find_partitions(path: str | Path) -> list[str]:
    """The Parquet files of a partitioned log, sorted by name (addresses for an fsspec
    address)."""
    text = str(path)
    if is_url(path):
        found = _find_remote(text)
    elif Path(text).is_dir():
        found = sorted(
            str(p)
            for p in Path(text).iterdir()
            if p.suffix.lower() in (".parquet", ".pq") and p.is_file()
        )
    else:
        found = sorted(p for p in glob.glob(text) if Path(p).is_file())
    if not found:
        raise EventLogError.single(
            "no Parquet files found",
            file=text,
            expected="a folder of .parquet files (bpmtool log LOG "
            "--to-parquet DIR writes one) or a glob of them",
        )
    return found


def partition_of(case_names: pd.Index, partitions: int) -> object:
    """The partition of each case id: a stable hash (the same on every machine and run)."""
    import numpy as np
    import pandas as pd

    hashes = pd.util.hash_array(np.asarray(case_names.astype(str), dtype=object))
    return (hashes % np.uint64(partitions)).astype(np.int32)


def write_partitioned(
    df: pd.DataFrame,
    out_dir: str | Path,
    *,
    partitions: int | None = None,
    notes: list[Problem] | None = None,
) -> list[Path]:
    """Write a read log (standard columns, sorted by case) as partitioned Parquet.

    ``partitions`` defaults to one per :data:`EVENTS_PER_PARTITION` events.  The folder is
    written beside its final place and renamed into it, so a reader never sees half of it;
    an existing folder is replaced only if it holds nothing but Parquet files and notes.
    Returns the files written (empty partitions are left out)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = Path(out_dir)
    if partitions is None:
        partitions = max(1, -(-len(df) // EVENTS_PER_PARTITION))
    if partitions < 1:
        raise EventLogError.single(f"partitions must be at least 1, not {partitions}")
    tmp = start_folder(out)
    cases = df[CASE].astype("category")
    part = np.asarray(partition_of(cases.cat.categories, partitions))[cases.cat.codes.to_numpy()]
    order = np.argsort(part, kind="stable")  # keeps each case's events in their order
    bounds = np.searchsorted(part[order], np.arange(partitions + 1))
    written = []
    try:
        for p in range(partitions):
            rows = order[bounds[p] : bounds[p + 1]]
            if not len(rows):
                continue
            piece = df.iloc[rows]
            piece.attrs = {}  # the notes go beside the files (finish_folder), not into each
            table = pa.Table.from_pandas(piece, preserve_index=False)
            name = f"part-{p:05d}.parquet"
            pq.write_table(table, tmp / name)
            written.append(out / name)
        finish_folder(tmp, out, notes or [])
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return written


def start_folder(out: Path) -> Path:
    """A new folder beside ``out`` to write a partitioned log in; refuses an ``out`` that
    exists and holds anything but a partitioned log (it is never replaced)."""
    if out.exists() and (
        not out.is_dir()
        or any(
            p.suffix.lower() not in (".parquet", ".pq") and p.name != _NOTES for p in out.iterdir()
        )
    ):
        raise EventLogError.single(
            "exists and is not a partitioned log; not replacing it",
            file=str(out),
            expected="a new folder",
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # a folder like any other, not mkdtemp's private one
    return tmp


def finish_folder(tmp: Path, out: Path, notes: list[Problem]) -> None:
    """Write the reader's notes into ``tmp`` and rename it to ``out`` (replacing an old
    partitioned log there), so a reader never sees half a log."""
    (tmp / _NOTES).write_text(json.dumps([n.to_dict() for n in notes]), encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)


def read_notes(path: str | Path) -> list[Problem]:
    """What the reader noted about the log a partitioned folder was written from."""
    try:
        if is_url(path):
            fs, root = _file_system(str(path))
            folder = root if fs.isdir(root) else find_partitions(path)[0].rsplit("/", 1)[0]
            folder = folder.split("://", 1)[-1]
            data = json.loads(fs.cat_file(f"{folder.rstrip('/')}/{_NOTES}").decode("utf-8"))
        else:
            local = Path(path) if Path(path).is_dir() else Path(find_partitions(path)[0]).parent
            data = json.loads((local / _NOTES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    fields = set(Problem.__dataclass_fields__)
    return [Problem(**{k: v for k, v in d.items() if k in fields}) for d in data]
