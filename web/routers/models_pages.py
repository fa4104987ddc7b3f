"""Pages about models: the list, a model's page, its YAML editor and its history."""

from __future__ import annotations

import difflib
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from markupsafe import Markup

from bpmtool import api
from bpmtool.api import dump_model, loads_model
from bpmtool.errors import InputError
from bpmtool.web.deps import UserDep, WorkspaceDep
from bpmtool.web.templating import page
from bpmtool.web.views import cached, model_view
from bpmtool.web.workspace import NotFound, VersionConflict, Workspace

__all__ = ["router"]

router = APIRouter(tags=["pages: models"], include_in_schema=False)

_NEW_MODEL = """\
id: new-process
name: A new process
lanes:
  - {id: sales, name: Sales}
  - {id: impl, name: Implementation}
artifacts:
  - {id: handover, name: Handover notes}
nodes:
  - {id: start, type: start, lane: sales}
  - {id: close, name: Close deal, lane: sales, outputs: [handover]}
  - {id: kickoff, name: Kickoff meeting, lane: impl, inputs: [handover]}
  - {id: end, type: end, lane: impl}
flows:
  - start -> close
  - close -> kickoff: {artifact: handover}
  - kickoff -> end
"""


@router.get("/")
def home() -> RedirectResponse:
    return RedirectResponse("/models", status_code=303)


@router.get("/models", response_class=HTMLResponse)
def models_list(request: Request, ws: WorkspaceDep) -> Response:
    rows: list[dict[str, Any]] = []
    for stored in ws.list_models():
        row: dict[str, Any] = {"file": stored, "label": None, "error": None, "counts": None}
        try:
            view = model_view(ws, stored.name)
            row.update(
                label=view.model.label,
                counts=view.counts(),
                lanes=len(view.model.lanes),
                nodes=len(view.model.nodes),
            )
        except InputError as err:
            row["error"] = err.summary
        rows.append(row)
    return page(request, "models.html", {"rows": rows, "logs": ws.list_logs()})


@router.get("/models/new", response_class=HTMLResponse)
def new_model_form(request: Request) -> Response:
    return page(
        request,
        "edit.html",
        {"name": "", "new": True, "text": _NEW_MODEL, "version": "", "problems": []},
    )


@router.post("/models/new", response_class=HTMLResponse)
def new_model(
    request: Request,
    ws: WorkspaceDep,
    user: UserDep,
    name: Annotated[str, Form()],
    text: Annotated[str, Form()],
    message: Annotated[str, Form()] = "",
) -> Response:
    from bpmtool.web.names import MODEL_SUFFIXES, clean_name

    ctx = {"name": name, "new": True, "text": text, "version": ""}
    try:
        filename = clean_name(
            name if name.lower().endswith((".yaml", ".yml")) else f"{name}.yaml", MODEL_SUFFIXES
        )
        loads_model(text, filename=filename)
        ws.save_model(
            filename,
            text.encode("utf-8"),
            expected=None,
            create=True,
            author=user.name,
            message=message or "created",
        )
    except InputError as err:
        return page(request, "edit.html", {**ctx, "problems": err.problems}, status_code=422)
    except VersionConflict:
        return page(request, "edit.html", {**ctx, "problems": [], "taken": True}, status_code=409)
    return RedirectResponse(f"/models/{filename}?saved=1", status_code=303)


@router.get("/models/{name}", response_class=HTMLResponse)
def model_page(
    request: Request,
    ws: WorkspaceDep,
    name: str,
    diagram: int | None = Query(None, ge=1, description="which of a BPMN file's diagrams"),
) -> Response:
    try:
        view = model_view(ws, name)
        if diagram is not None:
            count = len(api.diagram_names(view.model))
            if diagram > count:
                raise HTTPException(
                    404, f"{name} has {count} diagram(s): there is no diagram {diagram}"
                )
            view = model_view(ws, name, diagram)
    except InputError as err:  # a stored file that no longer loads: say why, offer the editor
        ws.model_path(name)
        return page(
            request,
            "model_broken.html",
            {
                "name": name,
                "problems": err.problems,
                "summary": err.summary,
                "editable": name.lower().endswith((".yaml", ".yml", ".json")),
            },
            status_code=200,
        )
    runs = [r for r in ws.list_runs() if r.get("model") == name][:10]
    return page(
        request,
        "model.html",
        {
            "v": view,
            "svg": Markup(view.svg) if view.svg else None,
            "runs": runs,
            "logs": ws.list_logs(),
            "saved": request.query_params.get("saved"),
        },
    )


@router.get("/models/{name}/edit", response_class=HTMLResponse)
def edit_form(request: Request, ws: WorkspaceDep, name: str) -> Response:
    data, version = ws.read_model(name)
    if not name.lower().endswith((".yaml", ".yml", ".json")):  # a BPMN file: its diagram
        return RedirectResponse(f"/models/{quote(name)}/diagram", status_code=303)
    return page(
        request,
        "edit.html",
        {"name": name, "text": data.decode("utf-8", "replace"), "version": version, "problems": []},
    )


@router.post("/models/{name}/edit", response_class=HTMLResponse)
def edit_save(
    request: Request,
    ws: WorkspaceDep,
    user: UserDep,
    name: str,
    text: Annotated[str, Form()],
    version: Annotated[str, Form()],
    message: Annotated[str, Form()] = "",
) -> Response:
    ws.model_path(name)
    ctx: dict[str, Any] = {
        "name": name,
        "text": text,
        "version": version,
        "problems": [],
        "message": message,
    }
    try:
        loads_model(text, filename=name)
        ws.save_model(
            name,
            text.encode("utf-8"),
            expected=version,
            author=user.name,
            message=message or "edited in the YAML editor",
        )
    except InputError as err:
        return page(request, "edit.html", {**ctx, "problems": err.problems}, status_code=422)
    except VersionConflict as conflict:
        theirs = ws.read_model(name)[0].decode("utf-8", "replace")
        diff = "".join(
            difflib.unified_diff(
                theirs.splitlines(True), text.splitlines(True), "saved by someone else", "your text"
            )
        )
        return page(
            request,
            "edit.html",
            {**ctx, "version": conflict.current, "conflict": True, "diff": diff},
            status_code=409,
        )
    return RedirectResponse(f"/models/{name}?saved=1", status_code=303)


@router.get("/models/{name}/history", response_class=HTMLResponse)
def history_page(request: Request, ws: WorkspaceDep, name: str) -> Response:
    _, version = ws.read_model(name)
    return page(
        request,
        "history.html",
        {
            "name": name,
            "version": version,
            "entries": ws.history(name),
            "saves": ws.saves(name),
            "restored": request.query_params.get("restored"),
        },
    )


@router.get("/models/{name}/history/{entry}", response_class=PlainTextResponse)
def history_entry(ws: WorkspaceDep, name: str, entry: str) -> Response:
    return PlainTextResponse(ws.history_bytes(name, entry).decode("utf-8", "replace"))


@router.post("/models/{name}/history/{entry}/restore")
def restore(
    ws: WorkspaceDep, user: UserDep, name: str, entry: str, version: Annotated[str, Form()]
) -> Response:
    ws.restore(name, entry, expected=version, author=user.name)
    return RedirectResponse(f"/models/{name}/history?restored=1", status_code=303)


@router.post("/models/{name}/yaml-copy")
def yaml_copy(ws: WorkspaceDep, user: UserDep, name: str) -> Response:
    """Save an imported (BPMN) model as a YAML model that can be edited here."""
    text = cached(ws, name, "yaml", lambda ld: dump_model(ld.model))
    stem = name.rsplit(".", 1)[0]
    new = _add_text_model(ws, f"{stem}.yaml", text, author=user.name, source=name)
    return RedirectResponse(f"/models/{new}?saved=1", status_code=303)


def _add_text_model(ws: Workspace, name: str, text: str, *, author: str, source: str) -> str:
    for n in range(1, 1000):
        candidate = name if n == 1 else name.replace(".yaml", f"-{n}.yaml")
        try:
            ws.save_model(
                candidate,
                text.encode("utf-8"),
                expected=None,
                create=True,
                author=author,
                message=f"YAML copy of {source}",
            )
            return candidate
        except VersionConflict:
            continue
    raise NotFound(name)
