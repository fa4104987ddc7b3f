"""What a workspace does to stay tidy: fresh names for uploads streaming in, and removing
what a killed server left behind (uploads of dead processes, stale temporary files)."""

from __future__ import annotations

import contextlib
import os
import secrets
import time
from pathlib import Path

from bpmtool import api

__all__ = ["STALE_TMP_SECONDS", "Housekeeping"]

#: an atomic write's temporary file older than this was left by a process that died
STALE_TMP_SECONDS = 600.0


class Housekeeping:
    """Mixed into :class:`~bpmtool.web.workspace.Workspace` (which sets the folders)."""

    uploads: Path
    models: Path
    logs: Path
    runs: Path
    meta: Path

    def new_upload_path(self, suffix: str) -> Path:
        """A fresh name in the upload folder; it starts with this process's id, so a later
        start can tell an upload left by a dead server from one still streaming in."""
        return self.uploads / f"{os.getpid()}-{secrets.token_hex(8)}{suffix}"

    def sweep_leftovers(self, *, tmp_age: float = STALE_TMP_SECONDS) -> list[Path]:
        """Remove what a killed process left behind; the paths removed.

        Uploads (``.part``) and temporary files of atomic writes
        (``.<name>.<pid>-<random>.tmp``) of a process that no longer runs, or of an earlier
        process that had this one's id, go at once; those of another live process are
        kept.  A temporary file named without a process id (from an older version) goes
        once ``tmp_age`` seconds old: a live write replaces its file within a moment.
        """
        removed = []
        now = time.time()
        for path in self.uploads.glob("*"):
            pid = path.name.split("-", 1)[0]
            owner = int(pid) if pid.isdigit() else None
            if owner is None or owner == os.getpid() or not _alive(owner):
                removed.append(path)
        for folder in (self.models, self.logs, self.runs, self.meta):
            for path in folder.rglob(".*.tmp"):
                owner = api.temp_file_owner(path)
                if owner is not None:
                    if owner == os.getpid() or not _alive(owner):
                        removed.append(path)
                    continue
                with contextlib.suppress(OSError):
                    if now - path.stat().st_mtime > tmp_age:
                        removed.append(path)
        for path in removed:
            with contextlib.suppress(OSError):
                path.unlink()
        return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True
