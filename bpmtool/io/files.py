"""Safe file writing: every write goes to a temporary file first, then is renamed."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from bpmtool.errors import InputError

__all__ = ["temp_owner", "write_atomic"]

_TEMP_NAME = re.compile(r"^\..+\.(\d{1,10})-[A-Za-z0-9_]+\.tmp$")


def temp_owner(path: Path) -> int | None:
    """The id of the process writing the temporary file ``path`` (``.<name>.<pid>-<random>
    .tmp``, made by :func:`write_atomic`), or ``None`` for a name without one."""
    match = _TEMP_NAME.match(path.name)
    return int(match.group(1)) if match else None


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
    >>> _ = write_atomic(p, "hello")
    >>> p.read_text()
    'hello'
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    directory = path.parent if str(path.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # the writer's process id in the name lets a sweep remove at once what a killed
        # writer left (see temp_owner)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{path.name}.{os.getpid()}-", suffix=".tmp", dir=directory
        )
    except OSError as exc:
        raise InputError.single(
            f"cannot write here: {exc.strerror or exc}", file=str(path)
        ) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600; keep the mode of the file we replace, else an ordinary 0644
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError.single(
            f"cannot write the file: {exc.strerror or exc}", file=str(path)
        ) from None
    return path
