"""Uploads streamed to disk chunk by chunk, with a size limit: never whole in memory.

A request carries the file either as ``multipart/form-data`` (a browser form, ``curl -F``)
or as the raw body with its name in ``?filename=`` or an ``X-Filename`` header
(``curl --data-binary @model.yaml``).  The file lands in the workspace's upload folder;
the caller validates it and moves it into place.
"""

from __future__ import annotations

import gzip
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from fastapi import HTTPException, Request
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header

from bpmtool.api import InflatedTooLarge, LimitedReader
from bpmtool.errors import InputError

__all__ = ["FORM_SLACK", "Upload", "UploadTooLarge", "check_inflated", "receive_upload"]

#: room for the multipart headers and the small form fields beside the file
FORM_SLACK = 64 * 1024
_MAX_FIELD = 16 * 1024
#: the longest multipart boundary accepted (the standard allows 70; the parser 256)
MAX_BOUNDARY = 256
_MAX_FIELDS = 50


class UploadTooLarge(HTTPException):
    """413: the file is larger than the configured limit."""

    def __init__(self, limit: int, what: str = "the file is larger") -> None:
        super().__init__(413, f"{what} than the limit of {_size(limit)}")


def check_inflated(path: Path, filename: str, limit: int) -> int:
    """For a compressed upload (``filename`` ends in ``.gz``): its decompressed size, counted
    while it streams, or 413 once it passes ``limit`` (the upload limit holds for what the
    file inflates to); a damaged gzip file is an :class:`~bpmtool.errors.InputError`."""
    if not filename.lower().endswith(".gz"):
        return path.stat().st_size
    try:
        with path.open("rb") as raw:
            inflated: IO[bytes] = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
            with LimitedReader(inflated, limit, filename) as reader:
                while reader.read(1 << 20):
                    pass
                return reader.count
    except InflatedTooLarge:
        raise UploadTooLarge(limit, "the log inflates to more when decompressed") from None
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError.single(
            f"the file is cut short or damaged ({exc})",
            file=filename,
            expected="a complete gzip file",
        ) from None


@dataclass
class Upload:
    """A file received into ``path`` (a temporary name), with the form's other fields."""

    path: Path | None
    filename: str
    size: int
    fields: dict[str, str] = field(default_factory=dict)

    def discard(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)


async def receive_upload(request: Request, target: Path, *, limit: int) -> Upload:
    """Stream the request's file into ``target``; 413 past ``limit`` bytes, 400 when malformed.

    Without a file part (or with an empty one) the upload's ``path`` is ``None``.
    """
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + FORM_SLACK:
        raise UploadTooLarge(limit)
    ctype, params = parse_options_header(request.headers.get("content-type"))
    try:
        if ctype == b"multipart/form-data":
            boundary = params.get(b"boundary")
            if not boundary:
                raise HTTPException(400, "a multipart body needs a boundary")
            if len(boundary) > MAX_BOUNDARY:
                raise HTTPException(
                    400,
                    f"the multipart boundary is {len(boundary):,} "
                    f"characters long; at most {MAX_BOUNDARY} are accepted",
                )
            return await _multipart(request, target, boundary, limit)
        return await _raw(request, target, limit)
    except BaseException:
        target.unlink(missing_ok=True)
        raise


async def _raw(request: Request, target: Path, limit: int) -> Upload:
    name = request.query_params.get("filename") or request.headers.get("x-filename") or ""
    size = 0
    with open(target, "wb") as fh:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise UploadTooLarge(limit)
            fh.write(chunk)
        _sync(fh)
    if size == 0:
        target.unlink(missing_ok=True)
        return Upload(None, name, 0)
    return Upload(target, name, size)


class _Parts:
    """The multipart callbacks: one file part to disk, small fields to memory."""

    def __init__(self, target: Path, limit: int) -> None:
        self.target, self.limit = target, limit
        self.fh: IO[bytes] | None = None
        self.filename = ""
        self.size = 0
        self.fields: dict[str, str] = {}
        self._headers: dict[bytes, bytes] = {}
        self._hname = b""
        self._hvalue = b""
        self._kind = "skip"
        self._name = ""
        self._value = bytearray()
        self._done_file = False

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self._headers, self._kind, self._value = {}, "skip", bytearray()

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._hname += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._hvalue += data[start:end]

    def header_end(self) -> None:
        self._headers[self._hname.lower()] = self._hvalue
        self._hname, self._hvalue = b"", b""

    def headers_finished(self) -> None:
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        self._name = params.get(b"name", b"").decode("utf-8", "replace")
        filename = params.get(b"filename")
        if filename is None:
            if len(self.fields) >= _MAX_FIELDS:
                raise HTTPException(400, "too many form fields")
            self._kind = "field"
        elif filename and not self._done_file:
            self._kind = "file"
            self.filename = filename.decode("utf-8", "replace")
            self.fh = open(self.target, "wb")  # noqa: SIM115  (closed in part_end / finish)

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._kind == "file" and self.fh is not None:
            self.size += end - start
            if self.size > self.limit:
                raise UploadTooLarge(self.limit)
            self.fh.write(data[start:end])
        elif self._kind == "field":
            self._value += data[start:end]
            if len(self._value) > _MAX_FIELD:
                raise HTTPException(400, f"the form field {self._name!r} is too long")

    def part_end(self) -> None:
        if self._kind == "file" and self.fh is not None:
            _sync(self.fh)
            self.fh.close()
            self._done_file = True
        elif self._kind == "field":
            self.fields[self._name] = self._value.decode("utf-8", "replace")

    def close(self) -> None:
        if self.fh is not None and not self.fh.closed:
            self.fh.close()


async def _multipart(request: Request, target: Path, boundary: bytes, limit: int) -> Upload:
    parts = _Parts(target, limit)
    parser = MultipartParser(boundary, parts.callbacks())  # type: ignore[arg-type]
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except FormParserError as exc:
        raise HTTPException(400, f"the upload is not a well-formed form: {exc}") from None
    finally:
        parts.close()
    if not parts._done_file or parts.size == 0:
        target.unlink(missing_ok=True)
        return Upload(None, parts.filename, 0, parts.fields)
    return Upload(target, parts.filename, parts.size, parts.fields)


def _sync(fh: IO[bytes]) -> None:
    fh.flush()
    os.fsync(fh.fileno())


def _size(n: int) -> str:
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"
