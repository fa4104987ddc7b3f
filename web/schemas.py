"""Request and response shapes of the JSON API (apart from the domain classes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = [
    "CheckRequest",
    "ColumnsOut",
    "ErrorOut",
    "HistoryItem",
    "JourneyRequest",
    "LogInfo",
    "ModelInfo",
    "ProblemOut",
    "RenameIn",
    "RunStatus",
    "SaveItem",
    "SavedModel",
    "ValidateOut",
]


class ProblemOut(BaseModel):
    """One located problem (``Problem.to_dict()``)."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    key: str | None = None
    message: str
    expected: str | None = None


class ErrorOut(BaseModel):
    """The body of every 4xx answer."""

    detail: str
    problems: list[ProblemOut] | None = None


class ModelInfo(BaseModel):
    name: str = Field(description="the file name in the workspace, e.g. saas-handoffs.yaml")
    format: str
    size: int
    modified: datetime


class SavedModel(BaseModel):
    name: str
    version: str = Field(description="the new version; send it as If-Match on the next save")
    warnings: list[ProblemOut] = []


class HistoryItem(BaseModel):
    id: str
    saved: datetime
    version: str
    size: int
    #: who saved this version and why ("" for versions older than the save journal)
    author: str = ""
    message: str = ""


class SaveItem(BaseModel):
    """One change of a model: the version it made, by whom, why."""

    saved: datetime
    version: str
    author: str
    message: str
    action: str


class RenameIn(BaseModel):
    """The new name of a model or log (the extension may be left out), or a run's title."""

    to: str = Field(min_length=1, max_length=200)


class LogInfo(BaseModel):
    name: str
    format: str
    size: int
    modified: datetime


class ColumnsOut(BaseModel):
    """A log's columns and the one used for each role (case, activity, timestamp, …)."""

    columns: list[str]
    chosen: dict[str, str]
    preview: list[list[str]]
    mappable: bool
    #: what reading would find or assume about the time column
    notes: list[str] = []
    #: the strftime format saved for the log's text times (None: read from the data)
    date_format: str | None = None


class ValidateOut(BaseModel):
    valid: bool
    #: the first 1,000 problems
    problems: list[ProblemOut]
    #: how many problems there are in all (more than listed for an error-heavy text)
    total: int = 0


class CheckRequest(BaseModel):
    """Check a workspace log against a workspace model."""

    model: str | None = Field(
        default=None,
        description="a model file name in the workspace; default: the model whose "
        "activities match the log's best (GET /api/logs/{log}/models)",
    )
    log: str = Field(description="a log file name in the workspace")
    method: Literal["both", "replay", "alignments"] = "both"
    columns: dict[str, str] | None = Field(
        default=None,
        description="role → column (case, activity, timestamp, resource, lane); "
        "default: the log's saved mapping",
    )
    filter: dict[str, str] | None = Field(
        default=None,
        description="which cases to keep: from, to, window, where, variant, lane, case_ids "
        "(the fields of the run form, as text; see docs/cases.md)",
    )


class JourneyRequest(BaseModel):
    model: str
    log: str
    columns: dict[str, str] | None = None
    filter: dict[str, str] | None = None


class RunStatus(BaseModel):
    """A background run: queued, running (with progress), done or failed."""

    id: str
    kind: str = "check"
    status: Literal["queued", "running", "done", "failed"]
    model: str
    log: str
    method: str | None = None
    created: str | None = None
    started: str | None = None
    finished: str | None = None
    progress: dict[str, Any] | None = None
    summary: dict[str, Any] | None = None
    error: str | None = None
    problems: list[ProblemOut] | None = None
    #: a name given to the run (renaming a run sets it; the id stays)
    title: str | None = None
