"""``/api/logs``: upload event logs (streamed) and set their column mapping."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool

from bpmtool.api import COLUMN_ROLES as ROLES
from bpmtool.api import log_columns
from bpmtool.errors import InputError
from bpmtool.web.deps import SettingsDep, WorkspaceDep
from bpmtool.web.routers.api_models import UPLOAD_BODY
from bpmtool.web.routers.upload_pages import accept_log
from bpmtool.web.schemas import ColumnsOut, ErrorOut, LogInfo
from bpmtool.web.uploads import receive_upload

__all__ = ["router"]

router = APIRouter(
    prefix="/api/logs",
    tags=["logs"],
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)


@router.get("", response_model=list[LogInfo])
def list_logs(ws: WorkspaceDep) -> list[LogInfo]:
    """The event logs in the workspace."""
    return [
        LogInfo(name=f.name, format=f.format, size=f.size, modified=f.modified)
        for f in ws.list_logs()
    ]


@router.post(
    "",
    response_model=LogInfo,
    status_code=201,
    openapi_extra=UPLOAD_BODY,
    responses={413: {"model": ErrorOut}},
)
async def upload_log(request: Request, ws: WorkspaceDep, settings: SettingsDep) -> LogInfo:
    """Add an event log (CSV, XES, XES.gz, Parquet), streamed to disk up to the limit."""
    upload = await receive_upload(
        request, ws.new_upload_path(".part"), limit=settings.max_log_bytes
    )
    if upload.path is None:
        raise HTTPException(400, "no file was sent")
    name = await run_in_threadpool(accept_log, ws, upload, settings.max_log_bytes)
    stored = next(f for f in ws.list_logs() if f.name == name)
    return LogInfo(name=name, format=stored.format, size=stored.size, modified=stored.modified)


@router.get("/{name}/columns", response_model=ColumnsOut)
def get_columns(ws: WorkspaceDep, name: str) -> ColumnsOut:
    """The log's columns and which one is used for each role."""
    cols = log_columns(ws.log_path(name), ws.log_columns(name), ws.log_date_format(name))
    return ColumnsOut(
        columns=cols.columns,
        chosen=cols.chosen,
        preview=cols.preview,
        mappable=cols.mappable,
        notes=cols.notes,
        date_format=ws.log_date_format(name),
    )


@router.put("/{name}/columns", response_model=ColumnsOut)
def put_columns(ws: WorkspaceDep, name: str, body: dict[str, str]) -> ColumnsOut:
    """Say which column holds each role: ``{"case": "ticket", "activity": "step", …}``,
    and optionally ``"date_format"`` (strftime) for text times."""
    body = dict(body)
    date_format = body.pop("date_format", "") or None
    header = log_columns(ws.log_path(name), {}).columns
    unknown = sorted(set(body) - set(ROLES))
    if unknown:
        raise InputError.single(f"unknown role(s) {unknown}", expected=", ".join(ROLES))
    missing = [f"{role}={col!r}" for role, col in body.items() if col and col not in header]
    if missing:
        raise InputError.single(
            "not columns of this log: " + ", ".join(missing), file=name, expected=", ".join(header)
        )
    ws.save_log_columns(name, body, date_format)
    return get_columns(ws, name)
