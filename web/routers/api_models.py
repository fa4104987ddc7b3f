"""``/api/models``: the workspace's models as files, with versions (ETag), history and lint."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Header, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from bpmtool.api import loads_model
from bpmtool.errors import InputError
from bpmtool.web.deps import SettingsDep, UserDep, WorkspaceDep
from bpmtool.web.names import MAX_STEM, MODEL_SUFFIXES, is_clean
from bpmtool.web.routers.downloads import DOWNLOADS, produce
from bpmtool.web.routers.upload_pages import accept_model
from bpmtool.web.schemas import ErrorOut, HistoryItem, ModelInfo, SavedModel, SaveItem
from bpmtool.web.uploads import receive_upload
from bpmtool.web.views import cached, lint_json

__all__ = ["UPLOAD_BODY", "router"]

router = APIRouter(
    prefix="/api/models",
    tags=["models"],
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)

#: the OpenAPI description of an upload (the route streams the body itself)
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            },
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
        "description": "a file as a form field, or the raw body with ?filename=…",
    }
}


def _unquote(etag: str | None) -> str | None:
    if etag is None:
        return None
    value = etag.strip()
    if value.startswith("W/"):
        value = value[2:]
    return value.strip('"')


@router.get("", response_model=list[ModelInfo])
def list_models(ws: WorkspaceDep) -> list[ModelInfo]:
    """The models in the workspace."""
    return [
        ModelInfo(name=f.name, format=f.format, size=f.size, modified=f.modified)
        for f in ws.list_models()
    ]


@router.post("", response_model=SavedModel, status_code=201, openapi_extra=UPLOAD_BODY)
async def upload_model(
    request: Request, ws: WorkspaceDep, settings: SettingsDep, user: UserDep
) -> SavedModel:
    """Add a model (YAML, JSON or BPMN); a taken name gets a number (``x-2.yaml``)."""
    upload = await receive_upload(
        request, ws.new_upload_path(".part"), limit=settings.max_model_bytes
    )
    if upload.path is None:
        raise HTTPException(400, "no file was sent")
    name, loaded = await run_in_threadpool(accept_model, ws, upload, user.name)
    _, version = ws.read_model(name)
    return SavedModel(name=name, version=version, warnings=[p.to_dict() for p in loaded.warnings])  # type: ignore[misc]


@router.get("/{name}", responses={200: {"content": {"application/yaml": {}}}})
def get_model(ws: WorkspaceDep, name: str) -> Response:
    """The model file as stored; its ``ETag`` is the version to send back with a save."""
    data, version = ws.read_model(name)
    media = (
        "application/xml"
        if name.lower().endswith((".bpmn", ".bpmn2", ".xml"))
        else "application/yaml; charset=utf-8"
    )
    return Response(data, media_type=media, headers={"ETag": f'"{version}"'})


@router.put(
    "/{name}",
    response_model=SavedModel,
    openapi_extra=UPLOAD_BODY,
    responses={409: {"model": ErrorOut}, 428: {"model": ErrorOut}},
)
async def put_model(
    request: Request,
    ws: WorkspaceDep,
    settings: SettingsDep,
    user: UserDep,
    name: str,
    if_match: str | None = Header(default=None),
    message: str = Query("", max_length=500, description="why: kept in the history"),
) -> Response:
    """Save a new version of a YAML model.  Send ``If-Match: "<version>"`` (from the
    ETag) to change an existing model; a stale version is refused with 409 Conflict and
    nothing is written.  Without an existing file the model is created (201).  The
    history records the user who saved and ``?message=``."""
    if not name.lower().endswith((".yaml", ".yml", ".json")):
        raise HTTPException(
            400,
            "only YAML or JSON models are saved this way; upload a BPMN file with POST /api/models",
        )
    if not is_clean(name, MODEL_SUFFIXES):
        shown = name if len(name) <= 60 else f"{name[:40]}…{name[-12:]} ({len(name)} characters)"
        raise InputError.single(
            f"{shown!r} is not a usable model file name",
            key="name",
            expected=f"at most {MAX_STEM} letters, digits, - or _ before .yaml, .yml or .json",
        )
    upload = await receive_upload(
        request, ws.new_upload_path(".part"), limit=settings.max_model_bytes
    )
    try:
        data = upload.path.read_bytes() if upload.path else b""
    finally:
        upload.discard()
    exists = ws.model_exists(name)
    if exists and if_match is None:
        raise HTTPException(428, "send If-Match with the version (ETag) you changed")
    await run_in_threadpool(loads_model, data, name)
    version = await run_in_threadpool(
        ws.save_model,
        name,
        data,
        expected=_unquote(if_match) if exists else None,
        create=not exists,
        author=user.name,
        message=message or ("saved through the API" if exists else "created through the API"),
    )
    body = SavedModel(name=name, version=version).model_dump()
    return JSONResponse(
        body, status_code=status.HTTP_200_OK if exists else 201, headers={"ETag": f'"{version}"'}
    )


@router.get("/{name}/history", response_model=list[HistoryItem])
def model_history(ws: WorkspaceDep, name: str) -> list[HistoryItem]:
    """The previous versions of a model, newest first."""
    return [
        HistoryItem(
            id=e.id,
            saved=e.saved,
            version=e.version,
            size=e.size,
            author=e.author,
            message=e.message,
        )
        for e in ws.history(name)
    ]


@router.get("/{name}/saves", response_model=list[SaveItem])
def model_saves(ws: WorkspaceDep, name: str) -> list[SaveItem]:
    """Every change of a model, newest first: version made, author, message, action."""
    return [SaveItem(**r.to_dict()) for r in ws.saves(name)]  # type: ignore[arg-type]


@router.get("/{name}/history/{entry}")
def model_history_entry(ws: WorkspaceDep, name: str, entry: str) -> Response:
    """One previous version as it was saved."""
    return Response(ws.history_bytes(name, entry), media_type="text/plain; charset=utf-8")


@router.post(
    "/{name}/history/{entry}/restore",
    response_model=SavedModel,
    responses={409: {"model": ErrorOut}},
)
def restore_model(
    ws: WorkspaceDep,
    user: UserDep,
    name: str,
    entry: str,
    if_match: str | None = Header(default=None),
) -> SavedModel:
    """Make a previous version current again; the current one joins the history."""
    _, current = ws.read_model(name)
    version = ws.restore(name, entry, expected=_unquote(if_match) or current, author=user.name)
    return SavedModel(name=name, version=version)


@router.get("/{name}/lint")
def lint_model(ws: WorkspaceDep, name: str) -> dict[str, Any]:
    """The same JSON as ``bpmtool lint --format json``."""
    return cached(ws, name, "lint.json", lambda ld: lint_json(ld, name))


@router.get("/{name}/sipoc")
def sipoc_model(ws: WorkspaceDep, name: str) -> Any:
    """The same JSON as ``bpmtool sipoc --format json``."""
    from bpmtool import api

    return json.loads(cached(ws, name, "sipoc.json", lambda ld: api.sipoc_table(ld.model, "json")))


@router.get("/{name}/render", responses={200: {"content": {"image/svg+xml": {}}}})
def render_model(ws: WorkspaceDep, name: str) -> Response:
    """The swimlane SVG with the lint findings marked."""
    return _download(ws, name, "svg")


@router.get("/{name}/convert")
def convert_model(
    ws: WorkspaceDep, name: str, to: str = Query("yaml", pattern="^(yaml|bpmn)$")
) -> Response:
    """The model in another format: ``yaml`` or ``bpmn`` (BPMN 2.0 with diagram)."""
    return _download(ws, name, to)


def _download(ws: WorkspaceDep, name: str, what: str) -> Response:
    data = produce(ws, name, what)
    return Response(data, media_type=DOWNLOADS[what][1])
