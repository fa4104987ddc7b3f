"""Survey answers for a log (upload on the page and the API, what is stored, remove), and
the models ranked by how well they match the log."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from bpmtool.web.deps import SettingsDep, WorkspaceDep
from bpmtool.web.log_match import rank_models
from bpmtool.web.routers.api_models import UPLOAD_BODY
from bpmtool.web.schemas import ErrorOut
from bpmtool.web.survey_store import accept_surveys, delete_surveys, survey_info
from bpmtool.web.uploads import receive_upload

__all__ = ["router"]

router = APIRouter(tags=["surveys"], responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}})


async def _upload(
    request: Request, ws: WorkspaceDep, settings: SettingsDep, name: str
) -> dict[str, object]:
    ws.log_path(name)
    upload = await receive_upload(
        request, ws.new_upload_path(".part"), limit=3 * settings.max_model_bytes
    )
    if upload.path is None:
        raise HTTPException(400, "no file was sent; choose the survey table to upload")
    info = await run_in_threadpool(accept_surveys, ws, name, upload)
    return info.to_dict()


@router.post("/api/logs/{name}/surveys", status_code=201, openapi_extra=UPLOAD_BODY)
async def upload_surveys(
    request: Request, ws: WorkspaceDep, settings: SettingsDep, name: str
) -> dict[str, object]:
    """Keep a survey table (CSV or Parquet: ``case_id`` and ``nps``/``csat`` answers) for a
    log; its journey and full-report runs then show behaviour × emotion.  It replaces an
    earlier one; a bad answer is refused with its row and line."""
    return await _upload(request, ws, settings, name)


@router.get("/api/logs/{name}/surveys")
def get_surveys(ws: WorkspaceDep, name: str) -> dict[str, object]:
    """What is stored for the log: file name, rows, cases, score columns."""
    info = survey_info(ws, name)
    if info is None:
        raise HTTPException(404, f"{name} has no surveys")
    return info.to_dict()


@router.delete("/api/logs/{name}/surveys", status_code=204)
def remove_surveys(ws: WorkspaceDep, name: str) -> Response:
    """Forget the log's surveys."""
    ws.log_path(name)
    if not delete_surveys(ws, name):
        raise HTTPException(404, f"{name} has no surveys")
    return Response(status_code=204)


@router.post("/logs/{name}/surveys", include_in_schema=False)
async def upload_surveys_page(
    request: Request, ws: WorkspaceDep, settings: SettingsDep, name: str
) -> Response:
    await _upload(request, ws, settings, name)
    return RedirectResponse(f"/logs/{name}?surveys=1", status_code=303)


@router.post("/logs/{name}/surveys/delete", include_in_schema=False)
def remove_surveys_page(ws: WorkspaceDep, name: str) -> Response:
    ws.log_path(name)
    delete_surveys(ws, name)
    return RedirectResponse(f"/logs/{name}", status_code=303)


@router.get("/api/logs/{name}/models")
def log_models(ws: WorkspaceDep, name: str) -> list[dict[str, object]]:
    """The workspace's models, best match for this log first: how many of the log's events
    each knows and how many of its activities the log shows (a check without a model
    uses the first)."""
    return [
        {"model": r.name, "match": r.match.to_dict() if r.match else None}
        for r in rank_models(ws, name)
    ]
