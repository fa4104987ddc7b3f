"""A log's survey answers (NPS/CSAT by case id), stored beside it for the journey.

``.bpmtool/surveys/<log>.csv`` (or ``.parquet``) holds the table as uploaded and
``<log>.json`` what the page shows of it: the file's name, its rows and score columns.
Journey and full-report runs of the log read it, so behaviour × emotion is filled.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

from bpmtool import api
from bpmtool.api import write_file as write_atomic
from bpmtool.errors import InputError
from bpmtool.web.uploads import Upload
from bpmtool.web.workspace import Workspace

__all__ = ["SURVEY_SUFFIXES", "SurveyInfo", "accept_surveys", "delete_surveys", "survey_info"]

SURVEY_SUFFIXES = (".csv", ".parquet", ".pq")


@dataclass(frozen=True)
class SurveyInfo:
    """What the log's page says about its surveys."""

    filename: str
    rows: int
    cases: int
    scores: list[str]

    def to_dict(self) -> dict[str, object]:
        return {
            "filename": self.filename,
            "rows": self.rows,
            "cases": self.cases,
            "scores": self.scores,
        }


def _folder(ws: Workspace) -> Path:
    folder = ws.meta / "surveys"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def survey_path(ws: Workspace, log: str) -> Path | None:
    """The stored survey table of a log, or None."""
    ws.log_path(log)
    for suffix in SURVEY_SUFFIXES:
        path = _folder(ws) / f"{log}{suffix}"
        if path.is_file():
            return path
    return None


def survey_info(ws: Workspace, log: str) -> SurveyInfo | None:
    meta = _folder(ws) / f"{log}.json"
    if survey_path(ws, log) is None or not meta.is_file():
        return None
    with contextlib.suppress(ValueError, KeyError, TypeError):
        doc = json.loads(meta.read_text(encoding="utf-8"))
        return SurveyInfo(
            str(doc["filename"]), int(doc["rows"]), int(doc["cases"]), list(doc["scores"])
        )
    return None


def accept_surveys(ws: Workspace, log: str, upload: Upload) -> SurveyInfo:
    """Check an uploaded survey table and keep it for ``log`` (replacing an earlier one)."""
    assert upload.path is not None
    ws.log_path(log)
    shown = Path(upload.filename or "surveys.csv").name or "surveys.csv"
    suffix = Path(shown).suffix.lower()
    try:
        if suffix not in SURVEY_SUFFIXES:
            raise InputError.single(
                f"{shown!r} is not a survey table",
                file=shown,
                expected="a .csv or .parquet file with a case_id column and nps/csat answers",
            )
        typed = upload.path.with_suffix(suffix)
        upload.path.rename(typed)
        upload.path = typed
        try:
            table = api.read_surveys(typed)
        except InputError as err:  # name the file as the user knows it, never our temp name
            raise type(err)(
                problems=[
                    p if p.file != str(typed) else replace(p, file=shown) for p in err.problems
                ],
                summary=err.summary.replace(str(typed), shown),
            ) from None
        scores = [c for c in ("nps", "csat") if c in table.columns]
        info = SurveyInfo(shown, len(table), int(table["case_id"].nunique()), scores)
        for old in SURVEY_SUFFIXES:
            with contextlib.suppress(FileNotFoundError):
                (_folder(ws) / f"{log}{old}").unlink()
        os.replace(typed, _folder(ws) / f"{log}{suffix}")
        write_atomic(_folder(ws) / f"{log}.json", json.dumps(info.to_dict()) + "\n")
        return info
    finally:
        upload.discard()


def delete_surveys(ws: Workspace, log: str) -> bool:
    """Remove a log's surveys; whether there were any."""
    found = False
    for name in (*(f"{log}{s}" for s in SURVEY_SUFFIXES), f"{log}.json"):
        with contextlib.suppress(FileNotFoundError):
            (_folder(ws) / name).unlink()
            found = True
    return found


def move_surveys(ws: Workspace, old: str, new: str) -> None:
    """Follow a log's rename."""
    for name in (*SURVEY_SUFFIXES, ".json"):
        with contextlib.suppress(FileNotFoundError):
            os.replace(_folder(ws) / f"{old}{name}", _folder(ws) / f"{new}{name}")
