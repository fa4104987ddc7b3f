"""The fast way into an XES log: rustxes, the Rust reader pm4py offers as its fastest importer.

Used only when its frame is the one the streaming lxml reader (:mod:`eventlog_xes`) would
give: as many rows as ``<event>`` tags, every trace named, a real timestamp column.  The
``<global>`` declarations are taken out of the header rustxes reads, so it fills no defaults
into events that lack an attribute (the lxml reader, like pm4py's standard importer, leaves
them empty).  Otherwise — or when rustxes is not installed, or fails — the caller falls back
to the lxml reader, which also gives the located error messages.  Entity declarations are
refused before either reader runs.

Native code sees only what it is known to survive: a piece with a NUL (a raw byte or a
``&#0;`` reference: rustxes panics on it), ``<list>``/``<container>`` nested deeper than
:data:`MAX_NESTING` (rustxes recurses until its stack overflows), or one trace longer than
:data:`MAX_TRACE_BYTES` (its memory would follow the trace) goes to the lxml reader instead,
which refuses or reads it within libxml2's limits.  A panic that still happens is caught.
Pieces live in an anonymous in-memory file (``memfd``) where the system has one, so a killed
process leaves nothing behind; elsewhere in a ``bpmtool-xes-<pid>-`` folder, and folders of
processes that no longer run are removed when the next read starts.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import zlib
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpmtool.io.limits import MAX_XML_TOKEN, open_log_bytes
from bpmtool.log_schema import CASE, TIMESTAMP

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["MAX_NESTING", "MAX_TRACE_BYTES", "read_xes_fast", "remove_stale_pieces"]

#: deepest ``<list>``/``<container>`` nesting handed to rustxes (real logs use 1-3 levels)
MAX_NESTING = 32
#: longest single trace (XML bytes) handed to rustxes; longer ones stream through lxml
MAX_TRACE_BYTES = 64 << 20
_TEMP_PREFIX = "bpmtool-xes-"
_NUL_REFERENCE = re.compile(rb"&#(?:0+|[xX]0+);")
_NESTING_TAG = re.compile(rb"<(/?)(?:\w+:)?(?:list|container)\b[^>]*?(/?)>")
#: an attribute key longer than the lxml reader accepts (it refuses it at its line); the
#: literal ``key`` comes first so the regex engine scans for it (a leading ``\b`` made it try
#: every byte: 0.34 s per 16 MB piece, 0.07 s this way) and the look-behind checks the boundary
_LONG_KEY = re.compile(rb"""key(?<=\bkey)\s*=\s*(?:"[^"]{%d}|'[^']{%d})""" % (100_001, 100_001))

_CHUNK = 16 << 20  # XML per piece that rustxes reads at once (8 MB: slower, 32 MB: +110 MB)
_READ = 4 << 20
# a <global> declaration, self-closing or with its default attributes inside
_GLOBAL = re.compile(
    rb"<(?:\w+:)?global\b[^>]*/>|<(?:\w+:)?global\b[^>]*>.*?</(?:\w+:)?global\s*>", re.S
)


def _without_globals(header: bytes) -> bytes:
    """The log's header without its ``<global>`` declarations, whose defaults rustxes would
    write into every event that lacks the attribute (the lxml reader, like pm4py's standard
    importer, leaves it empty)."""
    header = _GLOBAL.sub(b"", header)
    if re.search(rb"<(?:\w+:)?global\b", header):
        raise _CannotTell  # a declaration the pattern did not take apart
    return header


def read_xes_fast(
    path: Path, progress: Callable[[int, int | None], None] | None = None, chunk_bytes: int = _CHUNK
) -> pd.DataFrame | None:
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


def _pieces(
    path: Path, chunk_bytes: int, progress: Callable[[int, int | None], None] | None
) -> Generator[tuple[Path, int], None, None]:
    """Temporary XES files of whole traces, each with the log's header, and the number of
    ``<event`` tags each holds (rustxes must give as many rows: it silently drops events
    that stand outside a trace, where the lxml reader refuses the file)."""
    total = path.stat().st_size
    with open_log_bytes(path, max_token=MAX_XML_TOKEN) as source, _piece_file() as write_piece:
        raw = source.raw
        buffer = b""
        header: bytes | None = None
        while True:
            block = source.read(min(_READ, chunk_bytes))
            buffer += block
            if header is None:
                at = buffer.find(b"<trace")
                if at < 0:
                    if not block or len(buffer) > MAX_TRACE_BYTES:
                        raise _CannotTell  # no trace at all, prefixed tags, a huge header
                    continue
                header, buffer = _without_globals(buffer[:at]), buffer[at:]
                _refuse_native_hazards(header)
            if block and len(buffer) < chunk_bytes:
                continue
            cut = buffer.rfind(b"</trace>") + len(b"</trace>") if block else len(buffer)
            if block and cut < len(b"</trace>"):
                if len(buffer) > max(chunk_bytes, MAX_TRACE_BYTES):
                    raise _CannotTell  # one huge trace: lxml streams it in bounded memory
                continue  # one trace longer than a piece: read on
            body, buffer = buffer[:cut], buffer[cut:]
            if not block:  # the end: what follows the last trace must be the log's end
                end = body.rfind(b"</log>")
                last = body.rfind(b"</trace>")
                after = body[last + len(b"</trace>") :] if last >= 0 else body
                if end < 0 or b"<event" in after:  # events outside any trace
                    raise _CannotTell
                body = body[:end]
            if b"<trace" in body:
                _refuse_native_hazards(body)
                yield write_piece(header + body + b"</log>\n"), body.count(b"<event")
            if progress is not None:
                progress(min(raw.tell(), total), total)
            if not block:
                return


def _refuse_native_hazards(body: bytes) -> None:
    """Raise :class:`_CannotTell` for what makes rustxes crash or balloon (see the module)."""
    if b"\x00" in body or (b"&#" in body and _NUL_REFERENCE.search(body)):
        raise _CannotTell
    if _LONG_KEY.search(body):
        raise _CannotTell
    if b"<list" in body or b"<container" in body or b":list" in body or b":container" in body:
        depth = 0
        for match in _NESTING_TAG.finditer(body):
            if match.group(2):  # <list/>: opens and closes
                continue
            depth += -1 if match.group(1) else 1
            if depth > MAX_NESTING:
                raise _CannotTell


@contextlib.contextmanager
def _piece_file() -> Iterator[Callable[[bytes], Path]]:
    """A writer that stores a piece where rustxes can open it by name and returns that name."""
    if hasattr(os, "memfd_create") and Path("/proc/self/fd").is_dir():
        fd = os.memfd_create(_TEMP_PREFIX + "piece", getattr(os, "MFD_CLOEXEC", 0))
        try:

            def write_memory(data: bytes) -> Path:
                os.ftruncate(fd, 0)
                os.lseek(fd, 0, os.SEEK_SET)
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view) :]
                return Path(f"/proc/self/fd/{fd}")

            yield write_memory
        finally:
            os.close(fd)
        return
    remove_stale_pieces()
    with tempfile.TemporaryDirectory(prefix=f"{_TEMP_PREFIX}{os.getpid()}-") as tmp:
        piece = Path(tmp) / "piece.xes"

        def write_file(data: bytes) -> Path:
            piece.write_bytes(data)
            return piece

        yield write_file


def remove_stale_pieces(directory: Path | None = None) -> list[Path]:
    """Remove ``bpmtool-xes-<pid>-*`` folders whose process no longer runs (a reader that was
    killed cannot clean up after itself); returns what was removed.  Folders of running
    processes, and folders named otherwise, are left alone."""
    directory = Path(directory or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        candidates = list(directory.glob(f"{_TEMP_PREFIX}*"))
    except OSError:
        return removed
    for folder in candidates:
        pid_text = folder.name[len(_TEMP_PREFIX) :].split("-", 1)[0]
        if not pid_text.isdigit() or not folder.is_dir() or folder.is_symlink():
            continue
        if _running(int(pid_text)):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or cannot tell: keep its folder
    return True


def _read_piece(path: Path, events: int) -> pd.DataFrame | None:
    try:
        return _convert_piece(path, events)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a Rust panic (rustxes, polars) is a BaseException; on any
        return None  # failure the exact reader says what is wrong, and where


def _convert_piece(path: Path, events: int) -> pd.DataFrame | None:
    import polars as pl
    import rustxes

    df, _ = rustxes.import_xes(str(path))
    schema = df.schema
    if (
        df.height != events
        or df.height == 0
        or schema.get(CASE) != pl.String
        or df[CASE].null_count()
    ):
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
                [
                    part if part is not None else pd.Categorical([None] * len(p))
                    for part, p in zip(parts, pieces, strict=True)
                ],
                ignore_order=True,
            )
        else:
            data[column] = pd.concat(
                [
                    part if part is not None else pd.Series(None, index=range(len(p)), dtype=kind)
                    for part, p in zip(parts, pieces, strict=True)
                ],
                ignore_index=True,
            )
    return pd.DataFrame(data)
