"""``/api/check``, ``/api/journey`` and ``/api/runs``: background runs and their results."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse

from bpmtool.web.deps import JobsDep, WorkspaceDep
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
    and fetch ``/api/runs/{id}/result`` (the JSON of ``bpmtool check --format json``)."""
    columns = body.columns if body.columns is not None else ws.log_columns(body.log)
    run_id = jobs.submit(
        "check", model=body.model, log=body.log, method=body.method, columns=columns
    )
    return _accepted(ws, run_id)


@router.post("/journey", status_code=202, response_model=RunStatus)
def journey(body: JourneyRequest, ws: WorkspaceDep, jobs: JobsDep) -> JSONResponse:
    """Analyse the customer journey of a log in the background (``bpmtool journey``)."""
    columns = body.columns if body.columns is not None else ws.log_columns(body.log)
    run_id = jobs.submit("journey", model=body.model, log=body.log, columns=columns)
    return _accepted(ws, run_id)


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
