"""Files kept beside a log (:mod:`bpmtool.web.log_attachments`): survey answers and a
resource → lane map — upload on the log's page and the API, what is stored, remove — and
the models ranked by how well they match the log."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from bpmtool.web.deps import SettingsDep, WorkspaceDep
from bpmtool.web.log_attachments import LANE_MAP, SURVEYS, Attachment
from bpmtool.web.log_match import rank_models
from bpmtool.web.routers.api_models import UPLOAD_BODY
from bpmtool.web.schemas import ErrorOut
from bpmtool.web.uploads import receive_upload

__all__ = ["router"]

router = APIRouter(
    tags=["log files"], responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}}
)


async def _upload(
    request: Request, ws: WorkspaceDep, settings: SettingsDep, name: str, kind: Attachment
) -> dict[str, object]:
    ws.log_path(name)
    upload = await receive_upload(
        request, ws.new_upload_path(".part"), limit=3 * settings.max_model_bytes
    )
    if upload.path is None:
        raise HTTPException(400, f"no file was sent; choose the {kind.noun} to upload")
    return await run_in_threadpool(kind.accept, ws, name, upload)


def _stored(ws: WorkspaceDep, name: str, kind: Attachment) -> dict[str, object]:
    info = kind.info(ws, name)
    if info is None:
        raise HTTPException(404, f"{name} has no {kind.noun}")
    return info


def _remove(ws: WorkspaceDep, name: str, kind: Attachment) -> Response:
    ws.log_path(name)
    if not kind.delete(ws, name):
        raise HTTPException(404, f"{name} has no {kind.noun}")
    return Response(status_code=204)


@router.post("/api/logs/{name}/surveys", status_code=201, openapi_extra=UPLOAD_BODY)
async def upload_surveys(
    request: Request, ws: WorkspaceDep, settings: SettingsDep, name: str
) -> dict[str, object]:
    """Keep a survey table (CSV or Parquet: ``case_id`` and ``nps``/``csat`` answers) for a
    log; its journey and full-report runs then show behaviour × emotion.  It replaces an
    earlier one; a bad answer is refused with its row and line."""
    return await _upload(request, ws, settings, name, SURVEYS)


@router.get("/api/logs/{name}/surveys")
def get_surveys(ws: WorkspaceDep, name: str) -> dict[str, object]:
    """What is stored for the log: file name, rows, cases, score columns."""
    return _stored(ws, name, SURVEYS)


@router.delete("/api/logs/{name}/surveys", status_code=204)
def remove_surveys(ws: WorkspaceDep, name: str) -> Response:
    """Forget the log's surveys."""
    return _remove(ws, name, SURVEYS)


@router.post("/api/logs/{name}/lanes", status_code=201, openapi_extra=UPLOAD_BODY)
async def upload_lane_map(
    request: Request, ws: WorkspaceDep, settings: SettingsDep, name: str
) -> dict[str, object]:
    """Keep a resource → lane map for a log (what ``--lanes-from`` reads: ``resource,lane``
    CSV rows or a YAML mapping ``resource: lane``): its checks, comparisons and the as-is
    discovery then give each event the lane of its resource.  It replaces an earlier one; a
    bad line is refused with its number."""
    return await _upload(request, ws, settings, name, LANE_MAP)


@router.get("/api/logs/{name}/lanes")
def get_lane_map(ws: WorkspaceDep, name: str) -> dict[str, object]:
    """What is stored for the log: file name, resources, lanes."""
    return _stored(ws, name, LANE_MAP)


@router.delete("/api/logs/{name}/lanes", status_code=204)
def remove_lane_map(ws: WorkspaceDep, name: str) -> Response:
    """Forget the log's lane map."""
    return _remove(ws, name, LANE_MAP)


@router.post("/logs/{name}/surveys", include_in_schema=False)
async def upload_surveys_page(
    request: Request, ws: WorkspaceDep, settings: SettingsDep, name: str
) -> Response:
    await _upload(request, ws, settings, name, SURVEYS)
    return RedirectResponse(f"/logs/{name}?surveys=1", status_code=303)


@router.post("/logs/{name}/surveys/delete", include_in_schema=False)
def remove_surveys_page(ws: WorkspaceDep, name: str) -> Response:
    ws.log_path(name)
    SURVEYS.delete(ws, name)
    return RedirectResponse(f"/logs/{name}", status_code=303)


@router.post("/logs/{name}/lanes", include_in_schema=False)
async def upload_lane_map_page(
    request: Request, ws: WorkspaceDep, settings: SettingsDep, name: str
) -> Response:
    await _upload(request, ws, settings, name, LANE_MAP)
    return RedirectResponse(f"/logs/{name}?lanes=1#lanes", status_code=303)


@router.post("/logs/{name}/lanes/delete", include_in_schema=False)
def remove_lane_map_page(ws: WorkspaceDep, name: str) -> Response:
    ws.log_path(name)
    LANE_MAP.delete(ws, name)
    return RedirectResponse(f"/logs/{name}#lanes", status_code=303)


@router.get("/api/logs/{name}/models")
def log_models(ws: WorkspaceDep, name: str) -> list[dict[str, object]]:
    """The workspace's models, best match for this log first: how many of the log's events
    each knows and how many of its activities the log shows (a check without a model
    uses the first)."""
    return [
        {"model": r.name, "match": r.match.to_dict() if r.match else None}
        for r in rank_models(ws, name)
    ]
