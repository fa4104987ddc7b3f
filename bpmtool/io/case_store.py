"""A check's case index on disk: three Parquet files a web page reads a slice of.

* ``cases``: one row per case (the case list's columns, ``open``, ``fitting``); the
  variants' deviations ride along in the file's metadata;
* ``events``: the events sorted by case code, in row groups, so one case's timeline reads
  only the row group(s) that hold it;
* ``sets``: the selections as (key, case code) rows sorted by key, so one selection reads
  only its rows.

Every file is written atomically (temporary file, then rename).
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpmtool.io.files import write_atomic
from bpmtool.mining.cases import CaseIndex, Deviation

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

__all__ = ["CasePaths", "StoredCases", "write_case_index"]

_ROW_GROUP = 65_536
_META = b"bpmtool:deviations"
_KEYS = b"bpmtool:keys"


@dataclass(frozen=True)
class CasePaths:
    """Where the three files of one case index live."""

    cases: Path
    events: Path
    sets: Path

    def exist(self) -> bool:
        return self.cases.exists() and self.events.exists() and self.sets.exists()


def write_case_index(index: CaseIndex, paths: CasePaths, *, row_group: int = _ROW_GROUP) -> None:
    """Write ``index`` to ``paths`` (each file atomically; ``row_group`` rows at most in a
    row group, the unit a timeline reads)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    deviations = {
        str(k): {"fitness": d.fitness, "skipped": list(d.skipped), "inserted": list(d.inserted)}
        for k, d in index.deviations.items()
    }
    table = pa.Table.from_pandas(index.table, preserve_index=False)
    meta = dict(table.schema.metadata or {})
    meta[_META] = json.dumps(deviations).encode()
    meta[_KEYS] = json.dumps(sorted(index.selections)).encode()
    _write(paths.cases, table.replace_schema_metadata(meta), row_group)
    events = index.events.copy()
    events.insert(
        0, "code", np.repeat(np.arange(len(index.table), dtype=np.int32), np.diff(index.offsets))
    )
    _write(paths.events, pa.Table.from_pandas(events, preserve_index=False), row_group)
    keys = sorted(index.selections)
    sizes = [len(index.selections[k]) for k in keys]
    sets = pd.DataFrame(
        {
            "key": pd.Categorical.from_codes(
                np.repeat(np.arange(len(keys), dtype=np.int32), sizes), categories=keys
            )
            if keys
            else pd.Categorical([]),
            "code": np.concatenate([index.selections[k] for k in keys]).astype(np.int32)
            if keys
            else np.zeros(0, dtype=np.int32),
        }
    )
    _write(paths.sets, pa.Table.from_pandas(sets, preserve_index=False), row_group)


def _write(path: Path, table: Any, row_group: int) -> None:
    import pyarrow.parquet as pq

    buffer = io.BytesIO()
    pq.write_table(table, buffer, row_group_size=row_group, compression="zstd")
    write_atomic(path, buffer.getvalue())


class StoredCases(CaseIndex):
    """A case index read from disk: the case table at once, a selection or a case's events
    only when asked for."""

    paths: CasePaths
    keys: frozenset[str]

    @classmethod
    def open(cls, paths: CasePaths) -> StoredCases:
        import numpy as np
        import pyarrow.parquet as pq

        table = pq.read_table(paths.cases)
        meta = table.schema.metadata or {}
        deviations = {
            int(k): Deviation(d["fitness"], tuple(d["skipped"]), tuple(d["inserted"]))
            for k, d in json.loads(meta.get(_META, b"{}")).items()
        }
        frame = table.to_pandas()
        offsets = np.concatenate(([0], np.cumsum(frame["events"].to_numpy()))).astype(np.int64)
        store = cls(frame, offsets, frame.iloc[0:0], {}, deviations)
        store.paths = paths
        store.keys = frozenset(json.loads(meta.get(_KEYS, b"[]")))
        return store

    def _selection(self, key: str) -> np.ndarray | None:
        import numpy as np
        import pyarrow.parquet as pq

        if key not in self.keys:
            return None
        if key not in self.selections:
            found = pq.read_table(self.paths.sets, columns=["code"], filters=[("key", "=", key)])
            self.selections[key] = np.sort(found.column("code").to_numpy()).astype(np.int32)
        return self.selections[key]

    def selections_of(self, code: int, prefix: str = "finding:") -> list[str]:
        import pyarrow.parquet as pq

        found = pq.read_table(self.paths.sets, filters=[("code", "=", code)])
        return sorted(
            {str(k) for k in found.column("key").to_pylist() if str(k).startswith(prefix)},
            key=lambda k: (len(k), k),
        )

    def events_of(self, code: int) -> pd.DataFrame:
        """Only the row groups that hold the case (events are stored in case order)."""
        import bisect

        import pyarrow.parquet as pq

        lo, hi = int(self.offsets[code]), int(self.offsets[code + 1])
        with pq.ParquetFile(self.paths.events) as f:
            starts = [0]
            for i in range(f.metadata.num_row_groups):
                starts.append(starts[-1] + f.metadata.row_group(i).num_rows)
            first = bisect.bisect_right(starts, lo) - 1
            last = max(first, bisect.bisect_left(starts, hi) - 1)
            table = f.read_row_groups(list(range(first, last + 1)))
        return table.slice(lo - starts[first], hi - lo).drop(["code"]).to_pandas()
