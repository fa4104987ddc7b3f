"""``/api/lint``, ``/api/sipoc``, ``/api/render``, ``/api/convert``: the CLI's model commands
on an uploaded file (nothing is stored), and ``/api/validate`` for the browser editor."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from bpmtool import api
from bpmtool.api import loads_model
from bpmtool.errors import InputError, Problem
from bpmtool.web import features
from bpmtool.web.deps import SettingsDep, WorkspaceDep
from bpmtool.web.routers.api_models import UPLOAD_BODY
from bpmtool.web.routers.upload_pages import load_upload
from bpmtool.web.schemas import ErrorOut, ValidateOut
from bpmtool.web.uploads import receive_upload
from bpmtool.web.views import lint_json

__all__ = ["router"]

router = APIRouter(
    prefix="/api", tags=["tools"], responses={422: {"model": ErrorOut}, 413: {"model": ErrorOut}}
)


async def _with_model(
    request: Request,
    ws: WorkspaceDep,
    settings: SettingsDep,
    work: Callable[[str, api.Loaded], Any],
) -> Any:
    upload = await receive_upload(
        request, ws.new_upload_path(".part"), limit=settings.max_model_bytes
    )
    if upload.path is None:
        raise HTTPException(400, "no file was sent")

    def run() -> Any:
        try:
            name, loaded = load_upload(upload)
            return work(name, loaded)
        finally:
            upload.discard()

    return await run_in_threadpool(run)


@router.post("/lint", openapi_extra=UPLOAD_BODY)
async def lint(request: Request, ws: WorkspaceDep, settings: SettingsDep) -> Any:
    """Lint an uploaded model: the JSON of ``bpmtool lint --format json``."""
    return await _with_model(request, ws, settings, lambda name, ld: lint_json(ld, name))


@router.post("/sipoc", openapi_extra=UPLOAD_BODY)
async def sipoc(request: Request, ws: WorkspaceDep, settings: SettingsDep) -> Any:
    """The SIPOC table of an uploaded model: the JSON of ``bpmtool sipoc --format json``."""
    return await _with_model(
        request, ws, settings, lambda _, ld: json.loads(api.sipoc_table(ld.model, "json"))
    )


@router.post(
    "/render", openapi_extra=UPLOAD_BODY, responses={200: {"content": {"image/svg+xml": {}}}}
)
async def render(
    request: Request,
    ws: WorkspaceDep,
    settings: SettingsDep,
    orientation: str = Query("horizontal", pattern="^(horizontal|vertical)$"),
    diagram: str | None = Query(
        None, description="which of a BPMN file's diagrams: its number (from 1) or name"
    ),
) -> Response:
    """The swimlane SVG of an uploaded model, with its lint findings marked."""
    svg = await _with_model(
        request,
        ws,
        settings,
        lambda _, ld: features.render_svg(
            ld.model, findings=api.lint(ld.model), orientation=orientation, diagram=diagram
        ),
    )
    return Response(svg, media_type="image/svg+xml")


@router.post("/convert", openapi_extra=UPLOAD_BODY)
async def convert(
    request: Request,
    ws: WorkspaceDep,
    settings: SettingsDep,
    to: str = Query("yaml", pattern="^(yaml|bpmn)$"),
) -> Response:
    """Convert an uploaded model: YAML ↔ BPMN 2.0.  The header ``X-Bpmtool-Warnings`` holds
    a JSON list of the warnings ``bpmtool convert`` prints: the upload's own, and anything
    the converted text would not give back when read."""

    def work(_: str, ld: api.Loaded) -> tuple[str | bytes, list[Problem]]:
        data, lost = api.converted(ld.model, f"model.{to}")
        return data, [*ld.warnings, *lost]

    data, warnings = await _with_model(request, ws, settings, work)
    media = "application/yaml; charset=utf-8" if to == "yaml" else "application/xml"
    said = json.dumps([w.to_dict() for w in warnings], ensure_ascii=True)
    return Response(data, media_type=media, headers={"X-Bpmtool-Warnings": said})


@router.post(
    "/validate",
    response_model=ValidateOut,
    openapi_extra={
        "requestBody": {"required": True, "content": {"text/plain": {"schema": {"type": "string"}}}}
    },
)
async def validate(
    request: Request, settings: SettingsDep, filename: str = Query("model.yaml")
) -> ValidateOut:
    """Validate YAML model text (the editor calls this as you type); problems with lines."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > settings.max_model_bytes:
            raise HTTPException(413, "the text is larger than the model limit")

    def check() -> ValidateOut:
        try:
            loads_model(bytes(body), filename=filename)
        except InputError as err:
            return ValidateOut(
                valid=False,
                problems=[p.to_dict() for p in err.problems],  # type: ignore[misc]
                total=len(err.problems) + err.omitted,
            )
        return ValidateOut(valid=True, problems=[])

    return await run_in_threadpool(check)
