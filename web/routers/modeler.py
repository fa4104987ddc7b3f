"""The diagram editor: its page, the model as a BPMN diagram, saving a diagram back.

A BPMN model is edited as itself.  A YAML or JSON model is opened as bpmtool's BPMN export
(laid out like the swimlane, every field kept in the ``bpmtool`` extensions) and saved back in
its own format: the diagram is read through :func:`bpmtool.api.loads_bpmn` and written with
:func:`bpmtool.api.model_text`.  Every save goes through the workspace's versioned save, so
the previous version lands in the history and a save based on an old version gets 409.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bpmtool import api
from bpmtool.web.assets import BUILD_HINT, built_assets
from bpmtool.web.deps import SettingsDep, UserDep, WorkspaceDep
from bpmtool.web.routers.downloads import produce
from bpmtool.web.schemas import ErrorOut, SavedModel
from bpmtool.web.templating import page

__all__ = ["router"]

router = APIRouter(tags=["diagram editor"])

_XML = "application/xml"


def _is_bpmn(name: str) -> bool:
    return name.lower().endswith(api.BPMN_SUFFIXES)


def _unquote(etag: str | None) -> str | None:
    if etag is None:
        return None
    value = etag.strip().removeprefix("W/")
    return value.strip('"')


@router.get("/models/{name}/diagram", response_class=HTMLResponse, include_in_schema=False)
def diagram_page(request: Request, ws: WorkspaceDep, name: str) -> Response:
    """The diagram editor of one model."""
    _, version = ws.read_model(name)
    return page(
        request,
        "modeler.html",
        {
            "name": name,
            "version": version,
            "bpmn": _is_bpmn(name),
            "assets": built_assets(),
            "build_hint": BUILD_HINT,
        },
    )


@router.get(
    "/api/models/{name}/diagram",
    responses={200: {"content": {_XML: {}}}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def get_diagram(ws: WorkspaceDep, name: str) -> Response:
    """The model as a BPMN 2.0 diagram; its ``ETag`` is the stored file's version (send it
    back as ``If-Match`` with the save).  A BPMN file comes as stored; a YAML or JSON model,
    or a BPMN file without a diagram, as bpmtool's laid-out export (then the header
    ``X-Bpmtool-Laid-Out: 1`` says so)."""
    data, version = ws.read_model(name)
    headers = {"ETag": f'"{version}"', "Cache-Control": "no-store"}
    if _is_bpmn(name) and b"BPMNShape" in data:  # drawn by its tool: keep its layout
        return Response(data, media_type=_XML, headers=headers)
    if _is_bpmn(name):
        exported = api.export_bpmn(ws.load_model(name).model)
        headers["X-Bpmtool-Laid-Out"] = "1"
        return Response(exported, media_type=_XML, headers=headers)
    return Response(produce(ws, name, "bpmn"), media_type=_XML, headers=headers)


@router.put(
    "/api/models/{name}/diagram",
    response_model=SavedModel,
    openapi_extra={
        "requestBody": {"required": True, "content": {_XML: {"schema": {"type": "string"}}}}
    },
    responses={
        404: {"model": ErrorOut},
        409: {"model": ErrorOut},
        413: {"model": ErrorOut},
        422: {"model": ErrorOut},
        428: {"model": ErrorOut},
    },
)
async def put_diagram(
    request: Request,
    ws: WorkspaceDep,
    settings: SettingsDep,
    user: UserDep,
    name: str,
    if_match: str | None = Header(default=None),
    message: str = Query("", max_length=500, description="why: kept in the history"),
) -> Response:
    """Save an edited diagram as the model's next version: a BPMN file as sent, a YAML or
    JSON model converted back to its own format.  Send ``If-Match: "<version>"``; a stale
    version is refused with 409 (``current_version`` in the body) and nothing is written."""
    ws.model_path(name)
    if if_match is None:
        raise HTTPException(428, "send If-Match with the version (ETag) you changed")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > settings.max_model_bytes:
            raise HTTPException(413, "the diagram is larger than the model limit")
    if not body:
        raise HTTPException(400, "no diagram was sent")

    def save() -> dict[str, Any]:
        shown = name if _is_bpmn(name) else f"{name.rsplit('.', 1)[0]}.bpmn"
        loaded = api.loads_bpmn(bytes(body), shown)
        text = bytes(body) if _is_bpmn(name) else api.model_text(loaded.model, name)
        data = text.encode("utf-8") if isinstance(text, str) else text
        version = ws.save_model(
            name,
            data,
            expected=_unquote(if_match),
            author=user.name,
            message=message or "edited in the diagram editor",
        )
        saved = SavedModel(
            name=name,
            version=version,
            warnings=[p.to_dict() for p in loaded.warnings],  # type: ignore[misc]
        )
        return saved.model_dump()

    result = await run_in_threadpool(save)
    return JSONResponse(result, headers={"ETag": f'"{result["version"]}"'})


@router.get("/api/schema/model")
def model_schema() -> dict[str, Any]:
    """The JSON Schema of the YAML/JSON model format (what ``bpmtool schema`` prints); the
    YAML editor completes keys and values from it."""
    return api.json_schema()
