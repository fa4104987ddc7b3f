"""Files kept beside a log for its runs: survey answers and a resource → lane map.

``.bpmtool/<kind>/<log>.<suffix>`` holds the file as uploaded and ``<log>.json`` what the
log's page shows of it (the file's name and a few counts).  Runs of the log read them:

- **surveys** (NPS/CSAT by case id, CSV or Parquet): the journey's behaviour × emotion;
- **lanes** (``resource,lane`` CSV or a YAML mapping, what ``--lanes-from`` reads): each
  event's lane from its resource, for logs that do not say which team did the work.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bpmtool import api
from bpmtool.api import write_file as write_atomic
from bpmtool.errors import InputError
from bpmtool.web.uploads import Upload
from bpmtool.web.workspace import Workspace

__all__ = ["ATTACHMENTS", "LANE_MAP", "SURVEYS", "Attachment"]


@dataclass(frozen=True)
class Attachment:
    """One kind of file kept beside a log."""

    kind: str  # the folder under .bpmtool/, and the name in routes
    noun: str  # what the page calls it
    suffixes: tuple[str, ...]
    expected: str  # what a good file is, for the error about a wrong one
    #: reads the stored file (raising a located InputError) and says what the page shows
    describe: Callable[[Path], dict[str, Any]]

    def folder(self, ws: Workspace) -> Path:
        folder = ws.meta / self.kind
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def path(self, ws: Workspace, log: str) -> Path | None:
        """The stored file of a log, or None."""
        ws.log_path(log)
        for suffix in self.suffixes:
            path = self.folder(ws) / f"{log}{suffix}"
            if path.is_file():
                return path
        return None

    def info(self, ws: Workspace, log: str) -> dict[str, Any] | None:
        """What the page shows of the stored file (``filename`` and counts), or None."""
        meta = self.folder(ws) / f"{log}.json"
        if self.path(ws, log) is None or not meta.is_file():
            return None
        with contextlib.suppress(ValueError):
            doc = json.loads(meta.read_text(encoding="utf-8"))
            if isinstance(doc, dict) and "filename" in doc:
                return doc
        return None

    def accept(self, ws: Workspace, log: str, upload: Upload) -> dict[str, Any]:
        """Check an uploaded file and keep it for ``log`` (replacing an earlier one)."""
        assert upload.path is not None
        ws.log_path(log)
        shown = Path(upload.filename or f"{self.kind}.csv").name or f"{self.kind}.csv"
        suffix = Path(shown).suffix.lower()
        try:
            if suffix not in self.suffixes:
                raise InputError.single(
                    f"{shown!r} is not a {self.noun}",
                    file=shown,
                    expected=self.expected,
                )
            typed = upload.path.with_suffix(suffix)
            upload.path.rename(typed)
            upload.path = typed
            try:
                info = {"filename": shown, **self.describe(typed)}
            except InputError as err:  # name the file as the user knows it, never our temp name
                raise type(err)(
                    problems=[
                        p if p.file != str(typed) else replace(p, file=shown) for p in err.problems
                    ],
                    summary=err.summary.replace(str(typed), shown),
                ) from None
            for old in self.suffixes:
                with contextlib.suppress(FileNotFoundError):
                    (self.folder(ws) / f"{log}{old}").unlink()
            os.replace(typed, self.folder(ws) / f"{log}{suffix}")
            write_atomic(self.folder(ws) / f"{log}.json", json.dumps(info) + "\n")
            return info
        finally:
            upload.discard()

    def delete(self, ws: Workspace, log: str) -> bool:
        """Remove a log's file; whether there was one."""
        found = False
        for name in (*(f"{log}{s}" for s in self.suffixes), f"{log}.json"):
            with contextlib.suppress(FileNotFoundError):
                (self.folder(ws) / name).unlink()
                found = True
        return found

    def move(self, ws: Workspace, old: str, new: str) -> None:
        """Follow a log's rename."""
        for name in (*self.suffixes, ".json"):
            with contextlib.suppress(FileNotFoundError):
                os.replace(self.folder(ws) / f"{old}{name}", self.folder(ws) / f"{new}{name}")


def _surveys(path: Path) -> dict[str, Any]:
    table = api.read_surveys(path)
    return {
        "rows": len(table),
        "cases": int(table["case_id"].nunique()),
        "scores": [c for c in ("nps", "csat") if c in table.columns],
    }


def _lanes(path: Path) -> dict[str, Any]:
    entries = api.lane_map_entries(path)
    if not entries:
        raise InputError.single(
            "the lane map is empty",
            file=str(path),
            expected="one resource and its lane per line (CSV) or 'resource: lane' (YAML)",
        )
    return {"resources": len({r for _, r, _ in entries}), "lanes": sorted({n for *_, n in entries})}


SURVEYS = Attachment(
    "surveys",
    "survey table",
    (".csv", ".parquet", ".pq"),
    "a .csv or .parquet file with a case_id column and nps/csat answers",
    _surveys,
)
LANE_MAP = Attachment(
    "lanes",
    "lane map",
    (".csv", ".yaml", ".yml"),
    "resource,lane rows in a .csv file, or 'resource: lane' lines in a .yaml file",
    _lanes,
)
#: every kind, for renames and removals of a log
ATTACHMENTS = (SURVEYS, LANE_MAP)
