"""The run files of a workspace: one status JSON per run and what the run wrote beside it.

``runs/<id>.json`` is the status (queued, running, done, failed) with the run's settings; a
running job's progress is in ``<id>.progress.json`` and is merged into the status on read.
"""

from __future__ import annotations

import contextlib
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bpmtool.api import write_file as write_atomic
from bpmtool.web.names import NotFound

__all__ = ["RunStore"]

_RUN_ID_CHARS = frozenset("0123456789abcdef-")


class RunStore:
    """Mixed into :class:`~bpmtool.web.workspace.Workspace` (which sets the folders)."""

    runs: Path

    def new_run_id(self) -> str:
        return datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(3)

    def run_file(self, run_id: str, part: str = "status") -> Path:
        """``runs/<id>.json`` (status), ``<id>.result.json``, ``<id>.svg``, ``<id>.report.html``,
        ``<id>.charts.json`` (a journey's charts), ``<id>.cases.parquet``,
        ``<id>.case-events.parquet`` and ``<id>.case-sets.parquet`` (a check's case index)."""
        if not _RUN_ID_CHARS.issuperset(run_id) or not 8 <= len(run_id) <= 40:
            raise NotFound(run_id)
        suffix = {
            "status": ".json",
            "result": ".result.json",
            "progress": ".progress.json",
            "svg": ".svg",
            "report": ".report.html",
            "charts": ".charts.json",
            # a check's case index (bpmtool.api.write_case_index): cases, events, selections
            "cases": ".cases.parquet",
            "case_events": ".case-events.parquet",
            "case_sets": ".case-sets.parquet",
        }[part]
        return self.runs / f"{run_id}{suffix}"

    def read_run(self, run_id: str) -> dict[str, Any]:
        path = self.run_file(run_id)
        if not path.exists():
            raise NotFound(run_id)
        status: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        progress = self.run_file(run_id, "progress")
        if status.get("status") in ("queued", "running") and progress.exists():
            # replaced between exists() and the read: the next poll sees it
            with contextlib.suppress(OSError, ValueError):
                status["progress"] = json.loads(progress.read_text(encoding="utf-8"))
        return status

    def write_run(self, run_id: str, status: dict[str, Any]) -> None:
        write_atomic(self.run_file(run_id), json.dumps(status, indent=2, default=str) + "\n")

    def list_runs(self) -> list[dict[str, Any]]:
        runs = []
        for path in sorted(self.runs.glob("*.json"), reverse=True):
            if path.name.count(".") != 1:
                continue
            try:
                runs.append(self.read_run(path.stem))
            except (NotFound, ValueError, OSError):
                continue
        return runs
