"""``/api/check``, ``/api/journey`` and ``/api/runs``: background runs and their results."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse

from bpmtool import api
from bpmtool.errors import InputError
from bpmtool.web.deps import JobsDep, WorkspaceDep
from bpmtool.web.log_match import best_model
from bpmtool.web.schemas import CheckRequest, ErrorOut, JourneyRequest, RunStatus

__all__ = ["router"]

router = APIRouter(
    prefix="/api", tags=["runs"], responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}}
)


def _accepted(ws: WorkspaceDep, run_id: str) -> JSONResponse:
    return JSONResponse(
        ws.read_run(run_id), status_code=202, headers={"Location": f"/api/runs/{run_id}"}
    )


@router.post("/check", status_code=202, response_model=RunStatus)
def check(body: CheckRequest, ws: WorkspaceDep, jobs: JobsDep) -> JSONResponse:
    """Start a conformance check in the background; poll ``/api/runs/{id}`` for progress
    and fetch ``/api/runs/{id}/result`` (the JSON of ``bpmtool check --format json``).
    Without ``model`` the log is checked against the model that matches it best."""
    return _submit("check", body, ws, jobs)


@router.post("/report", status_code=202, response_model=RunStatus)
def full_report(body: CheckRequest, ws: WorkspaceDep, jobs: JobsDep) -> JSONResponse:
    """Check and customer journey in one run, with the log's surveys: its report
    (``/runs/{id}/report.html`` or ``.pdf``) has both; its result is the check's JSON with
    the journey's findings added and the journey's JSON under ``journey``."""
    return _submit("report", body, ws, jobs)


def _submit(kind: str, body: CheckRequest, ws: WorkspaceDep, jobs: JobsDep) -> JSONResponse:
    columns = body.columns if body.columns is not None else ws.log_columns(body.log)
    fields = _filter_fields(body.filter)
    run_id = jobs.submit(
        kind,
        model=body.model or _best(ws, body.log),
        log=body.log,
        method=body.method,
        columns=columns,
        log_filter=fields,
    )
    return _accepted(ws, run_id)


@router.post("/journey", status_code=202, response_model=RunStatus)
def journey(body: JourneyRequest, ws: WorkspaceDep, jobs: JobsDep) -> JSONResponse:
    """Analyse the customer journey of a log in the background (``bpmtool journey``)."""
    columns = body.columns if body.columns is not None else ws.log_columns(body.log)
    run_id = jobs.submit(
        "journey",
        model=body.model,
        log=body.log,
        columns=columns,
        log_filter=_filter_fields(body.filter),
    )
    return _accepted(ws, run_id)


def _best(ws: WorkspaceDep, log: str) -> str:
    best = best_model(ws, log)
    if best is None:
        raise HTTPException(
            422, f"no model knows any activity of {log}; choose the model to check it against"
        )
    return best.name


def _filter_fields(fields: dict[str, str] | None) -> dict[str, str] | None:
    """The filter's fields as given, checked before the run is queued (422 naming a bad one)."""
    if not fields:
        return None
    unknown = sorted(set(fields) - set(api.FILTER_FIELDS))
    if unknown:
        raise InputError.single(
            f"unknown filter field {unknown[0]!r}",
            key=f"filter.{unknown[0]}",
            expected="one of " + ", ".join(api.FILTER_FIELDS),
        )
    return fields if api.filter_from_fields(fields) is not None else None


@router.get("/runs", response_model=list[RunStatus])
def runs(ws: WorkspaceDep) -> list[dict[str, Any]]:
    """Every run, newest first."""
    return ws.list_runs()


@router.get("/runs/{run_id}", response_model=RunStatus)
def run_status(ws: WorkspaceDep, run_id: str) -> dict[str, Any]:
    """A run's status, with its progress while it works."""
    return ws.read_run(run_id)


@router.get("/runs/{run_id}/result", responses={409: {"model": ErrorOut}})
def run_result(ws: WorkspaceDep, run_id: str) -> Any:
    """The result of a finished run: the same JSON as the CLI's ``--format json``."""
    run = ws.read_run(run_id)
    if run.get("status") != "done":
        raise HTTPException(409, f"run {run_id} is {run.get('status')}, not done")
    return json.loads(ws.run_file(run_id, "result").read_text("utf-8"))
