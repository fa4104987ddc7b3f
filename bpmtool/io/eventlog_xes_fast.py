"""The fast way into an XES log: rustxes, the Rust reader pm4py offers as its fastest importer.

Used only when its frame is the one the streaming lxml reader (:mod:`eventlog_xes`) would
give: as many rows as ``<event>`` tags, every trace named, a real timestamp column.  The
``<global>`` declarations are taken out of the header rustxes reads, so it fills no defaults
into events that lack an attribute (the lxml reader, like pm4py's standard importer, leaves
them empty).  Otherwise — or when rustxes is not installed, or fails — the caller falls back
to the lxml reader, which also gives the located error messages.  Entity declarations are
refused before either reader runs.
"""

from __future__ import annotations

import contextlib
import gzip
import re
import tempfile
import zlib
from collections.abc import Callable, Generator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from bpmtool.io.eventlog_columns import CASE, TIMESTAMP

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_xes_fast"]

_CHUNK = 16 << 20  # XML per piece that rustxes reads at once (8 MB: slower, 32 MB: +110 MB)
_READ = 4 << 20
# a <global> declaration, self-closing or with its default attributes inside
_GLOBAL = re.compile(rb"<(?:\w+:)?global\b[^>]*/>|<(?:\w+:)?global\b[^>]*>.*?</(?:\w+:)?global\s*>",
                     re.S)


def _without_globals(header: bytes) -> bytes:
    """The log's header without its ``<global>`` declarations, whose defaults rustxes would
    write into every event that lacks the attribute (the lxml reader, like pm4py's standard
    importer, leaves it empty)."""
    header = _GLOBAL.sub(b"", header)
    if re.search(rb"<(?:\w+:)?global\b", header):
        raise _CannotTell  # a declaration the pattern did not take apart
    return header


def read_xes_fast(path: Path,
                  progress: Callable[[int, int | None], None] | None = None,
                  chunk_bytes: int = _CHUNK) -> pd.DataFrame | None:
    """The log as the lxml reader would give it, or ``None`` when this way cannot tell.

    The file (gunzipped) is cut between traces into pieces of about ``chunk_bytes`` that
    each keep the log's header, and rustxes reads them one by one into category codes: its
    peak follows the piece, not the file."""
    try:
        import polars  # noqa: F401  (rustxes returns polars frames)
        import rustxes  # noqa: F401
    except ImportError:
        return None
    frames: list[pd.DataFrame] = []
    try:
        with contextlib.closing(_pieces(path, chunk_bytes, progress)) as pieces:
            for piece, events in pieces:
                frame = _read_piece(piece, events)
                if frame is None:
                    return None
                frames.append(frame)
    except _CannotTell:
        return None
    except (OSError, EOFError, zlib.error):
        return None  # the lxml reader says what is damaged, and where
    if not frames:
        return None
    frame = _concat(frames)
    return frame[sorted(frame.columns)]  # rustxes orders columns by a hash, not the file


class _CannotTell(Exception):
    """The file is not laid out as the splitter expects (the lxml reader takes over)."""


def _pieces(path: Path, chunk_bytes: int,
            progress: Callable[[int, int | None], None] | None
            ) -> Generator[tuple[Path, int], None, None]:
    """Temporary XES files of whole traces, each with the log's header, and the number of
    ``<event`` tags each holds (rustxes must give as many rows: it silently drops events
    that stand outside a trace, where the lxml reader refuses the file)."""
    total = path.stat().st_size
    with path.open("rb") as raw, tempfile.TemporaryDirectory(prefix="bpmtool-xes-") as tmp:
        source: IO[bytes] = gzip.GzipFile(fileobj=raw) \
            if path.name.lower().endswith(".gz") else raw  # type: ignore[assignment]
        buffer = b""
        header: bytes | None = None
        piece = Path(tmp) / "piece.xes"
        while True:
            block = source.read(min(_READ, chunk_bytes))
            buffer += block
            if header is None:
                at = buffer.find(b"<trace")
                if at < 0:
                    if not block:
                        raise _CannotTell  # no trace at all, or prefixed tags
                    continue
                header, buffer = _without_globals(buffer[:at]), buffer[at:]
            if block and len(buffer) < chunk_bytes:
                continue
            cut = buffer.rfind(b"</trace>") + len(b"</trace>") if block else len(buffer)
            if block and cut < len(b"</trace>"):
                continue  # one trace longer than a piece: read on
            body, buffer = buffer[:cut], buffer[cut:]
            if not block:  # the end: what follows the last trace must be the log's end
                end = body.rfind(b"</log>")
                last = body.rfind(b"</trace>")
                after = body[last + len(b"</trace>"):] if last >= 0 else body
                if end < 0 or b"<event" in after:  # events outside any trace
                    raise _CannotTell
                body = body[:end]
            if b"<trace" in body:
                piece.write_bytes(header + body + b"</log>\n")
                yield piece, body.count(b"<event")
            if progress is not None:
                progress(min(raw.tell(), total), total)
            if not block:
                return


def _read_piece(path: Path, events: int) -> pd.DataFrame | None:
    import polars as pl
    import rustxes

    try:
        df, _ = rustxes.import_xes(str(path))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a Rust panic is a BaseException; on any failure the exact
        return None        # reader will say what is wrong, and where
    schema = df.schema
    if df.height != events or df.height == 0 or schema.get(CASE) != pl.String \
            or df[CASE].null_count():
        return None
    if TIMESTAMP in schema and not isinstance(schema[TIMESTAMP], pl.Datetime):
        return None
    casts: list[Any] = []
    for name, dtype in schema.items():
        if isinstance(dtype, (pl.List, pl.Struct, pl.Object)):
            casts.append(pl.lit(None).alias(name))  # nested values: the lxml reader skips them
        elif dtype == pl.String:
            casts.append(pl.col(name).cast(pl.Categorical))
        elif isinstance(dtype, pl.Datetime):
            column = pl.col(name).dt.cast_time_unit("us")
            if dtype.time_zone is None:
                column = column.dt.replace_time_zone("UTC")
            casts.append(column)
    nested = [n for n, d in schema.items() if isinstance(d, (pl.List, pl.Struct, pl.Object))]
    return df.with_columns(casts).drop(nested).to_pandas()


def _concat(pieces: list[pd.DataFrame]) -> pd.DataFrame:
    """One frame from the pieces' frames: categoricals joined by their codes, columns in
    the order they first appear, a column a piece lacks empty there."""
    import pandas as pd
    from pandas.api.types import union_categoricals

    if len(pieces) == 1:
        return pieces[0]
    columns = list(dict.fromkeys(c for p in pieces for c in p.columns))
    data: dict[str, Any] = {}
    for column in columns:
        parts = [p[column] if column in p.columns else None for p in pieces]
        kind = next(part.dtype for part in parts if part is not None)
        if isinstance(kind, pd.CategoricalDtype):
            data[column] = union_categoricals(
                [part if part is not None else pd.Categorical([None] * len(p))
                 for part, p in zip(parts, pieces, strict=True)], ignore_order=True)
        else:
            data[column] = pd.concat(
                [part if part is not None else pd.Series(None, index=range(len(p)), dtype=kind)
                 for part, p in zip(parts, pieces, strict=True)], ignore_index=True)
    return pd.DataFrame(data)
