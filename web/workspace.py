"""The workspace folder: models as files, logs as uploaded, run results as JSON.

Layout::

    models/            the models (.yaml, .bpmn, …), so git works on them
    logs/              event logs as uploaded
    runs/              one JSON file per check run (status, progress, result)
    .bpmtool/history/  every saved model's previous versions
    .bpmtool/saves/    who saved each version, when and why (:mod:`bpmtool.web.history`)
    .bpmtool/logs/     per-log settings (the column mapping)
    .bpmtool/surveys/  a log's survey answers (:mod:`bpmtool.web.log_attachments`)
    .bpmtool/lanes/    a log's resource → lane map
    .bpmtool/uploads/  uploads while they stream in (``<pid>-<random>.part``)
    .bpmtool/locks/    one lock file per model, held while a save compares and writes

Every write goes through :func:`bpmtool.io.files.write_atomic` (or an atomic rename of a
finished upload); every save keeps the previous version; a save based on an old version
raises :class:`VersionConflict` and changes nothing.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bpmtool import api
from bpmtool.api import write_file as write_atomic
from bpmtool.errors import InputError
from bpmtool.web.history import SaveRecord, read_records, write_record
from bpmtool.web.housekeeping import STALE_TMP_SECONDS, Housekeeping
from bpmtool.web.names import (
    LOG_SUFFIXES,
    MODEL_SUFFIXES,
    NotFound,
    is_clean,
    split_suffix,
)
from bpmtool.web.run_store import RunStore

__all__ = [
    "STALE_TMP_SECONDS",
    "HistoryEntry",
    "NotFound",
    "StoredFile",
    "VersionConflict",
    "Workspace",
    "version_of",
]


def version_of(data: bytes) -> str:
    """The version (and ETag) of a file's content: the start of its SHA-256."""
    return hashlib.sha256(data).hexdigest()[:16]


class VersionConflict(Exception):
    """A save was based on a version that is no longer the current one."""

    def __init__(self, name: str, current: str | None) -> None:
        super().__init__(f"{name} was changed by someone else (now version {current})")
        self.name = name
        self.current = current


@dataclass(frozen=True)
class StoredFile:
    """A model or log in the workspace, as the lists show it."""

    name: str
    size: int
    modified: datetime

    @property
    def format(self) -> str:
        return self.name.rsplit(".", 1)[-1].lower()


@dataclass(frozen=True)
class HistoryEntry:
    """One previous version of a model."""

    id: str
    saved: datetime
    version: str
    size: int
    #: who saved this version and why (empty for versions saved before the journal)
    author: str = ""
    message: str = ""


class Workspace(Housekeeping, RunStore):
    """A workspace folder and the operations the app performs on it."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.models = self.root / "models"
        self.logs = self.root / "logs"
        self.runs = self.root / "runs"
        self.meta = self.root / ".bpmtool"
        self.uploads = self.meta / "uploads"
        for folder in (
            self.models,
            self.logs,
            self.runs,
            self.meta / "history",
            self.meta / "saves",
            self.meta / "logs",
            self.uploads,
            self.meta / "locks",
        ):
            folder.mkdir(parents=True, exist_ok=True)
        self._cache: dict[str, tuple[tuple[int, int, int], api.Loaded]] = {}
        self._cache_lock = threading.Lock()

    # --- seeding ---

    def seed(self, model: Path | None, log: Path | None) -> list[str]:
        """Copy the reference model and example log into an empty workspace; the names added."""
        added: list[str] = []
        if model is not None and model.is_file() and not any(self.models.iterdir()):
            data = model.read_bytes()
            write_atomic(self.models / model.name, data)
            write_record(
                self.journal(model.name),
                version_of(data),
                author="bpmtool",
                message="the example model, added to the new workspace",
                action="created",
            )
            added.append(model.name)
        if log is not None and log.is_file() and not any(self.logs.iterdir()):
            write_atomic(self.logs / log.name, log.read_bytes())
            added.append(log.name)
        return added

    # --- models ---

    def list_models(self) -> list[StoredFile]:
        return self._list(self.models, MODEL_SUFFIXES)

    def model_path(self, name: str) -> Path:
        """The path of an existing model; :class:`NotFound` for any other name."""
        return self._existing(self.models, name, MODEL_SUFFIXES)

    def model_exists(self, name: str) -> bool:
        """True for the name of an existing model (never an error, whatever the name)."""
        return is_clean(name, MODEL_SUFFIXES) and (self.models / name).is_file()

    def read_model(self, name: str) -> tuple[bytes, str]:
        """A model's bytes and version."""
        data = self.model_path(name).read_bytes()
        return data, version_of(data)

    def load_model(self, name: str) -> api.Loaded:
        """The parsed model (cached until the file changes); raises the loader's InputError."""
        path = self.model_path(name)
        st = path.stat()
        key = (st.st_ino, st.st_mtime_ns, st.st_size)
        with self._cache_lock:
            hit = self._cache.get(name)
        if hit is not None and hit[0] == key:
            return hit[1]
        loaded = api.load_with_warnings(path)
        with self._cache_lock:
            self._cache[name] = (key, loaded)
        return loaded

    def save_model(
        self,
        name: str,
        data: bytes,
        *,
        expected: str | None,
        create: bool = False,
        author: str = "unknown",
        message: str = "",
        action: str | None = None,
    ) -> str:
        """Write a new version of a model and return it.

        ``expected`` is the version the change was based on; when the file holds another
        one, nothing is written and :class:`VersionConflict` is raised.  ``create`` allows
        a name that does not exist yet (then ``expected`` must be ``None``).  The journal
        records ``author`` and ``message`` with the new version.
        """
        if not is_clean(name, MODEL_SUFFIXES):
            raise InputError.single(f"{name!r} is not a usable model file name", key="name")
        path = self.models / name
        with self._lock(name):
            old = path.read_bytes() if path.exists() else None
            current = version_of(old) if old is not None else None
            if old is None and not create:
                raise NotFound(name)
            if current != expected:
                raise VersionConflict(name, current)
            if old is not None and current is not None:
                self._keep(name, old, current)
            write_atomic(path, data)
            write_record(
                self.journal(name),
                version_of(data),
                author=author,
                message=message,
                action=action or ("created" if old is None else "saved"),
            )
        return version_of(data)

    def journal(self, name: str) -> Path:
        """The folder of a model's save records."""
        return self.meta / "saves" / name

    def saves(self, name: str) -> list[SaveRecord]:
        """Who saved which version of a model and why, newest first."""
        self.model_path(name)
        return read_records(self.journal(name))

    def version_bytes(self, name: str, version: str) -> bytes:
        """The content of any version of a model: the current one or one in its history."""
        data, current = self.read_model(name)
        if version == current:
            return data
        for entry in self.history(name):
            if entry.version == version:
                return (self.meta / "history" / name / entry.id).read_bytes()
        raise NotFound(f"{name} has no version {version}")

    def add_model_file(self, upload: Path, name: str, *, author: str = "unknown") -> str:
        """Move a finished upload in as a new model; a taken name gets a number: ``x-2.yaml``."""
        parts = split_suffix(name, MODEL_SUFFIXES)
        assert parts is not None
        stem, suffix = parts
        for n in range(1, 1000):
            candidate = name if n == 1 else f"{stem}-{n}{suffix}"
            with self._lock(candidate):
                target = self.models / candidate
                if target.exists():
                    continue
                os.replace(upload, target)
                write_record(
                    self.journal(candidate),
                    version_of(target.read_bytes()),
                    author=author,
                    message=f"uploaded as {name}",
                    action="uploaded",
                )
                return candidate
        raise InputError.single(f"too many models called {name!r}", key="filename")

    def history(self, name: str) -> list[HistoryEntry]:
        """The previous versions of a model, newest first."""
        self.model_path(name)
        folder = self.meta / "history" / name
        entries = []
        records = read_records(self.journal(name))
        if folder.is_dir():
            for path in folder.iterdir():
                stamp, _, version = path.name.partition("-")
                try:
                    saved = datetime.strptime(stamp, "%Y%m%dT%H%M%S%fZ").replace(tzinfo=UTC)
                except ValueError:
                    continue
                # the save that made this version: the latest record of it before it was replaced
                made = next((r for r in records if r.version == version and r.stamp <= stamp), None)
                entries.append(
                    HistoryEntry(
                        path.name,
                        saved,
                        version,
                        path.stat().st_size,
                        made.author if made else "",
                        made.message if made else "",
                    )
                )
        return sorted(entries, key=lambda e: e.id, reverse=True)

    def history_bytes(self, name: str, entry: str) -> bytes:
        if entry not in {e.id for e in self.history(name)}:
            raise NotFound(entry)
        return (self.meta / "history" / name / entry).read_bytes()

    def restore(
        self, name: str, entry: str, *, expected: str | None, author: str = "unknown"
    ) -> str:
        """Make a previous version current again (the current one goes to the history)."""
        return self.save_model(
            name,
            self.history_bytes(name, entry),
            expected=expected,
            author=author,
            message=f"restored the version {entry.partition('-')[2][:8]}",
            action="restored",
        )

    def _keep(self, name: str, data: bytes, version: str) -> None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        write_atomic(self.meta / "history" / name / f"{stamp}-{version}", data)

    @contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Hold a model's (or log's) lock: other threads and server processes wait."""
        with self._lock(name):
            yield

    @contextmanager
    def _lock(self, name: str) -> Iterator[None]:
        # flock on a fresh open file: excludes other threads and other server processes
        with open(self.meta / "locks" / f"{name}.lock", "a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    # --- logs ---

    def list_logs(self) -> list[StoredFile]:
        return self._list(self.logs, LOG_SUFFIXES)

    def log_path(self, name: str) -> Path:
        return self._existing(self.logs, name, LOG_SUFFIXES)

    def add_log_file(self, upload: Path, name: str) -> str:
        parts = split_suffix(name, LOG_SUFFIXES)
        assert parts is not None
        stem, suffix = parts
        for n in range(1, 1000):
            candidate = name if n == 1 else f"{stem}-{n}{suffix}"
            target = self.logs / candidate
            try:  # link then unlink: never replaces a log someone else just added
                os.link(upload, target)
            except FileExistsError:
                continue
            upload.unlink()
            return candidate
        raise InputError.single(f"too many logs called {name!r}", key="filename")

    def log_columns(self, name: str) -> dict[str, str]:
        """The column mapping saved for a log (role → source column), or ``{}``."""
        self.log_path(name)
        path = self.meta / "logs" / f"{name}.json"
        if not path.exists():
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.get("columns", {}).items() if v}

    def log_date_format(self, name: str) -> str | None:
        """The strftime format saved for a log's text times, or None (read from the data)."""
        self.log_path(name)
        path = self.meta / "logs" / f"{name}.json"
        if not path.exists():
            return None
        return json.loads(path.read_text(encoding="utf-8")).get("date_format") or None

    def save_log_columns(
        self, name: str, columns: dict[str, str], date_format: str | None = None
    ) -> None:
        self.log_path(name)
        doc: dict[str, Any] = {"columns": {k: v for k, v in columns.items() if v}}
        if date_format:
            doc["date_format"] = date_format
        write_atomic(self.meta / "logs" / f"{name}.json", json.dumps(doc, indent=2) + "\n")

    def _list(self, folder: Path, suffixes: tuple[str, ...]) -> list[StoredFile]:
        out = []
        for path in folder.iterdir():
            if path.is_file() and is_clean(path.name, suffixes):
                st = path.stat()
                out.append(
                    StoredFile(path.name, st.st_size, datetime.fromtimestamp(st.st_mtime, UTC))
                )
        return sorted(out, key=lambda f: f.name.lower())

    def _existing(self, folder: Path, name: str, suffixes: tuple[str, ...]) -> Path:
        if not is_clean(name, suffixes):
            raise NotFound(name)
        path = folder / name
        if not path.is_file():
            raise NotFound(name)
        return path
