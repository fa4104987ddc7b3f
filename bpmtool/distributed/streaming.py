"""A CSV or XES log written as partitioned Parquet while it is read, without holding it.

The readers hand their events on in pieces of about 200,000 events
(:func:`bpmtool.io.eventlog_csv.read_csv` and :func:`bpmtool.io.eventlog_xes.read_xes` with
a ``sink``); :class:`PartitionWriter` sends each event to the partition of its case (the
same stable hash as :func:`~bpmtool.distributed.partitions.partition_of`), keeps up to
:data:`FLUSH_ROWS` events per partition in memory and writes them out as a piece. At the
end each partition's pieces become its one file, read back one partition at a time. So the
memory follows the number of partitions and one partition, not the log. A partition's
events are in file order; whoever reads it sorts by case and time, as for any Parquet log.

The number of partitions must be known before the first event is written: without
``partitions`` it is estimated from the first piece (its events per byte of the file), one
partition per :data:`~bpmtool.distributed.partitions.EVENTS_PER_PARTITION` events.
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bpmtool.distributed.partitions import (
    EVENTS_PER_PARTITION,
    finish_folder,
    partition_of,
    start_folder,
)
from bpmtool.errors import EventLogError, Problem
from bpmtool.log_schema import CASE

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

__all__ = ["FLUSH_ROWS", "PartitionWriter", "stream_to_partitions"]

#: events of one partition kept in memory before they are written as a piece
FLUSH_ROWS = 100_000


class PartitionWriter:
    """Receives a log in pieces (a sink for the readers) and writes its partitions."""

    def __init__(self, out: Path, partitions: int | None = None) -> None:
        if partitions is not None and partitions < 1:
            raise EventLogError.single(f"partitions must be at least 1, not {partitions}")
        self.out = out
        self.partitions = partitions
        self.tmp = start_folder(out)
        self.buffers: dict[int, list[pa.Table]] = {}
        self.buffered: dict[int, int] = {}
        self.pieces: dict[int, list[Path]] = {}
        self.events = 0
        self.waiting: list[pd.DataFrame] = []  # the first pieces, until partitions is known
        self.cases = 0  # counted per partition when it is written (no case straddles two)
        #: text columns, kept dictionary-encoded in the files (read back as categories)
        self.text: set[str] = set()

    def __call__(self, frame: pd.DataFrame, share: float) -> None:
        if CASE not in frame.columns:
            return  # the reader of the partitions names the missing column
        if self.partitions is None:
            # wait for a partition's worth of events (or the end) to estimate the total well
            self.waiting.append(frame)
            seen = sum(len(f) for f in self.waiting)
            if seen < EVENTS_PER_PARTITION and share < 1.0:
                return
            expected = seen / max(share, 1e-9)
            self.partitions = max(1, math.ceil(expected / EVENTS_PER_PARTITION))
            waiting, self.waiting = self.waiting, []
            for f in waiting:
                self._split(f)
            return
        self._split(frame)

    def _split(self, frame: pd.DataFrame) -> None:
        import numpy as np
        import pyarrow as pa

        assert self.partitions is not None
        cases = frame[CASE].astype("category")
        names = cases.cat.categories
        part = np.asarray(partition_of(names, self.partitions))[cases.cat.codes.to_numpy()]
        part[cases.cat.codes.to_numpy() < 0] = 0  # events without a case id: dropped on reading
        table = pa.Table.from_pandas(frame, preserve_index=False)
        self.text.update(f.name for f in table.schema if pa.types.is_dictionary(f.type))
        table = _plain(table)
        order = np.argsort(part, kind="stable")
        bounds = np.searchsorted(part[order], np.arange(self.partitions + 1))
        for p in range(self.partitions):
            rows = order[bounds[p] : bounds[p + 1]]
            if not len(rows):
                continue
            self.buffers.setdefault(p, []).append(table.take(pa.array(rows)))
            self.buffered[p] = self.buffered.get(p, 0) + len(rows)
            if self.buffered[p] >= FLUSH_ROWS:
                self._flush(p)
        self.events += len(frame)

    def _flush(self, p: int) -> None:
        import pyarrow.parquet as pq

        tables = self.buffers.pop(p, [])
        self.buffered.pop(p, None)
        if not tables:
            return
        folder = self.tmp / f".pieces-{p:05d}"
        folder.mkdir(exist_ok=True)
        piece = folder / f"{len(self.pieces.get(p, [])):06d}.parquet"
        pq.write_table(_concat(tables), piece)
        self.pieces.setdefault(p, []).append(piece)

    def settle(self) -> None:
        """Split what waits for the number of partitions (the reader has ended)."""
        if self.waiting:
            self(self.waiting.pop(), 1.0)

    def finish(self, notes: list[Problem]) -> list[Path]:
        """Write each partition's file and put the folder in its place; the files written."""
        import pyarrow.compute as pc
        import pyarrow.parquet as pq

        self.settle()
        for p in list(self.buffers):
            self._flush(p)
        written = []
        for p in sorted(self.pieces):
            name = f"part-{p:05d}.parquet"
            table = _concat([pq.read_table(f) for f in self.pieces[p]])
            self.cases += pc.count_distinct(table.column(CASE)).as_py()
            table = _encoded(table, self.text)
            pq.write_table(table, self.tmp / name)
            del table
            shutil.rmtree(self.tmp / f".pieces-{p:05d}")
            written.append(self.out / name)
        finish_folder(self.tmp, self.out, notes)
        return written

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)


def stream_to_partitions(
    path: Path,
    out: Path,
    *,
    columns: object = None,
    encoding: str | None = None,
    date_format: str | None = None,
    partitions: int | None = None,
    progress: Callable[[int, int | None], None] | None = None,
) -> tuple[list[Path], int, int, list[Problem]]:
    """Read a CSV or XES log into partitioned Parquet at ``out`` as it streams by; returns
    the files, the events and cases written, and what the reader noted."""
    from bpmtool.log_schema import ColumnMap

    name = path.name.lower()
    if not path.exists():
        raise EventLogError.single("no such file", file=str(path))
    writer = PartitionWriter(out, partitions)
    try:
        if name.endswith((".xes", ".xes.gz")):
            from bpmtool.io.eventlog_xes import read_xes

            notes = list(read_xes(path, progress=progress, sink=writer).attrs.get("notes", []))
        else:
            from bpmtool.io.eventlog_csv import read_csv

            frame = read_csv(
                path,
                columns=ColumnMap.of(columns, filename=str(path)),  # type: ignore[arg-type]
                encoding=encoding,
                date_format=date_format,
                progress=progress,
                sink=writer,
            )
            notes = list(frame.attrs.get("notes", []))
        writer.settle()
        if writer.events == 0:
            raise EventLogError.single(
                "the log has no events", file=str(path), expected="at least one event"
            )
        files = writer.finish(notes)
    except BaseException:
        writer.abort()
        raise
    return files, writer.events, writer.cases, notes


def _plain(table: pa.Table) -> pa.Table:
    """Dictionary columns as their values: the pieces' dictionaries differ."""
    import pyarrow as pa

    for i, field in enumerate(table.schema):
        if pa.types.is_dictionary(field.type):
            column = table.column(i)
            table = table.set_column(
                i,
                field.name,
                pa.chunked_array(
                    [c.dictionary_decode() for c in column.chunks], type=field.type.value_type
                ),
            )
    return table


def _encoded(table: pa.Table, names: set[str]) -> pa.Table:
    """The text columns named as dictionaries again (as a read log's categories)."""
    import pyarrow as pa

    for i, field in enumerate(table.schema):
        if field.name in names and (
            pa.types.is_string(field.type) or pa.types.is_large_string(field.type)
        ):
            table = table.set_column(i, field.name, table.column(i).dictionary_encode())
    return table


def _concat(tables: list[pa.Table]) -> pa.Table:
    """Pieces as one table; a column typed differently in two pieces (numbers in one, text
    in another) becomes text."""
    import pyarrow as pa

    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        pass
    kinds: dict[str, set[pa.DataType]] = {}
    for t in tables:
        for f in t.schema:
            kinds.setdefault(f.name, set()).add(f.type)
    mixed = {n for n, k in kinds.items() if len(k - {pa.null()}) > 1}
    fixed = []
    for t in tables:
        for n in mixed & set(t.schema.names):
            i = t.schema.get_field_index(n)
            t = t.set_column(i, n, t.column(i).cast(pa.string()))
        fixed.append(t)
    return pa.concat_tables(fixed, promote_options="permissive")
