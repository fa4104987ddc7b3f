"""Bounds on what a compressed input may inflate to, shared by every reader and the web upload.

A gzip file can inflate a thousandfold (a 4 MB "bomb" holds 4 GB), so the limit is on the
*decompressed* bytes, counted while they stream: the reader stops at the limit instead of
finding out after the memory is gone.  The limit is :data:`DEFAULT_MAX_INFLATED` (2 GiB),
or what the environment variable :data:`MAX_INFLATED_ENV` says (``BPMTOOL_MAX_INFLATED``:
a number of bytes, optionally with a ``K``, ``M`` or ``G`` suffix; ``0`` switches it off).

>>> parse_size("512M")
536870912
>>> parse_size("1500")
1500
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from pathlib import Path
from typing import IO

from bpmtool.errors import EventLogError, InputError

__all__ = [
    "DEFAULT_MAX_INFLATED",
    "MAX_INFLATED_ENV",
    "MAX_XML_TOKEN",
    "InflatedTooLarge",
    "LimitedReader",
    "check_inflated_size",
    "max_inflated_bytes",
    "open_log_bytes",
    "parse_size",
]

MAX_INFLATED_ENV = "BPMTOOL_MAX_INFLATED"
DEFAULT_MAX_INFLATED = 2 << 30
#: longest stretch of XML without a ``<`` or ``>`` (an attribute value, a text, a comment):
#: libxml2's own limit on one value, enforced while the bytes stream so that a huge value
#: is refused before it is buffered whole
MAX_XML_TOKEN = 10_000_000

_SIZE = re.compile(r"\s*(\d{1,15})\s*([kmgt]?)i?b?\s*", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_size(text: str) -> int:
    """Bytes from ``"2G"``, ``"512M"``, ``"64k"`` or a plain number; ``ValueError`` otherwise."""
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ValueError(f"not a size: {text!r}")
    return int(match.group(1)) * _UNITS[match.group(2).lower()]


def max_inflated_bytes() -> int | None:
    """The decompressed-size limit in force (``None``: no limit), from the environment."""
    text = os.environ.get(MAX_INFLATED_ENV)
    if text is None or not text.strip():
        return DEFAULT_MAX_INFLATED
    try:
        limit = parse_size(text)
    except ValueError:
        raise InputError.single(
            f"{MAX_INFLATED_ENV}={text[:40]!r} is not a size",
            key=MAX_INFLATED_ENV,
            expected="a number of bytes, optionally with K, M or G (e.g. 4G); 0 for no limit",
        ) from None
    return limit or None


class InflatedTooLarge(EventLogError):
    """A compressed input inflates past the limit."""


def _too_large(filename: str, limit: int) -> InflatedTooLarge:
    return InflatedTooLarge.single(
        f"the file inflates to more than {_human(limit)} when decompressed; refused to protect "
        f"memory (raise the limit with {MAX_INFLATED_ENV}, e.g. {MAX_INFLATED_ENV}=8G)",
        file=filename,
        expected=f"at most {_human(limit)} of decompressed data",
    )


def _human(n: int) -> str:
    for unit, size in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size} {unit}"
    return f"{n:,} bytes"


class LimitedReader:
    """A binary stream that raises :class:`InflatedTooLarge` once more than ``limit`` bytes
    came out of it (``limit`` ``None``: no limit).  ``raw`` is the file on disk under it,
    whose position tells the progress through a compressed file."""

    def __init__(
        self,
        stream: IO[bytes],
        limit: int | None,
        filename: str,
        raw: IO[bytes] | None = None,
        max_token: int | None = None,
    ) -> None:
        self._stream = stream
        self.raw = raw if raw is not None else stream
        self._limit = limit
        self._filename = filename
        self._max_token = max_token
        self._run = 0  # bytes since the last '<' or '>'
        self._lines = 1
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        if self._limit is not None and (size is None or size < 0):
            size = self._limit + 1 - self.count  # never pull an unbounded read into memory
        data = self._stream.read(size)
        self.count += len(data)
        if self._limit is not None and self.count > self._limit:
            raise _too_large(self._filename, self._limit)
        if self._max_token is not None and data:
            self._watch_tokens(data)
        return data

    def _watch_tokens(self, data: bytes) -> None:
        assert self._max_token is not None
        last = max(data.rfind(b"<"), data.rfind(b">"))
        if last < 0:
            self._run += len(data)
        else:
            first = min(i for i in (data.find(b"<"), data.find(b">")) if i >= 0)
            if self._run + first > self._max_token:
                self._refuse_token(data[:first])
            if last - first > self._max_token:  # a read longer than a token: look inside
                inner = max(map(len, re.split(rb"[<>]", data[first + 1 : last])))
                if inner > self._max_token:
                    self._refuse_token(data[:last])
            self._run = len(data) - last - 1
        if self._run > self._max_token:
            self._refuse_token(data)
        self._lines += data.count(b"\n")

    def _refuse_token(self, seen: bytes) -> None:
        assert self._max_token is not None
        line = self._lines + seen.count(b"\n")
        raise EventLogError.single(
            f"an attribute value, text or comment is longer than {_human(self._max_token)}; "
            "refused to protect memory",
            file=self._filename,
            line=line,
            expected=f"values of at most {_human(self._max_token)}",
        )

    def close(self) -> None:
        self._stream.close()
        if self.raw is not self._stream:
            self.raw.close()

    @property
    def closed(self) -> bool:
        return bool(self._stream.closed)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def writable(self) -> bool:
        return False

    def tell(self) -> int:
        return self.count

    def __enter__(self) -> LimitedReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_log_bytes(
    path: Path, limit: int | None = -1, max_token: int | None = None
) -> LimitedReader:
    """``path`` opened for reading its (gunzipped, for ``.gz``) bytes under the limit.

    ``limit`` ``-1`` takes :func:`max_inflated_bytes`; plain files are not limited (their
    size on disk is what the user chose to hand over).  ``max_token`` bounds a stretch
    without ``<`` or ``>`` (see :data:`MAX_XML_TOKEN`)."""
    compressed = path.name.lower().endswith(".gz")
    if limit == -1:
        limit = max_inflated_bytes() if compressed else None
    raw = path.open("rb")
    stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if compressed else raw  # type: ignore[assignment]
    return LimitedReader(
        stream, limit if compressed else None, str(path), raw=raw, max_token=max_token
    )


def check_inflated_size(path: str | Path, limit: int | None = -1) -> int:
    """The decompressed size of a ``.gz`` file (the file's size otherwise), or
    :class:`InflatedTooLarge` as soon as it passes ``limit`` (``-1``: :func:`max_inflated_bytes`).

    For callers that accept uploads: a compressed log is measured as it streams, in
    bounded memory, before any reader touches it."""
    path = Path(path)
    if not path.name.lower().endswith(".gz"):
        return path.stat().st_size
    if limit == -1:
        limit = max_inflated_bytes()
    try:
        with open_log_bytes(path, limit) as reader:
            while reader.read(1 << 20):
                pass
            return reader.count
    except (OSError, EOFError, zlib.error) as exc:
        raise EventLogError.single(
            f"the file is cut short or damaged ({exc})",
            file=str(path),
            expected="a complete gzip file",
        ) from None
