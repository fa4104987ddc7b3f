"""Rename and delete models, logs and runs (pages that ask first, and the JSON API), and
the diff between two versions of a model."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Header, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bpmtool.web import removal
from bpmtool.web.deps import UserDep, WorkspaceDep
from bpmtool.web.history import diff_texts
from bpmtool.web.schemas import ErrorOut, RenameIn
from bpmtool.web.templating import page
from bpmtool.web.workspace import Workspace

__all__ = ["api", "pages"]

api = APIRouter(prefix="/api", tags=["manage"], responses={404: {"model": ErrorOut}})
pages = APIRouter(tags=["pages: manage"], include_in_schema=False)

#: kind → (what it is called, list page)
_KINDS = {"models": ("model", "/models"), "logs": ("event log", "/logs"), "runs": ("run", "/runs")}


def _rename(ws: Workspace, kind: str, name: str, to: str, author: str) -> str:
    try:
        if kind == "models":
            return removal.rename_model(ws, name, to, author=author)
        if kind == "logs":
            return removal.rename_log(ws, name, to)
        removal.rename_run(ws, name, to)
        return name
    except removal.Taken as taken:
        raise HTTPException(409, str(taken)) from None


def _delete(ws: Workspace, kind: str, name: str, author: str, expected: str | None) -> None:
    if kind == "models":
        removal.delete_model(ws, name, author=author, expected=expected)
    elif kind == "logs":
        removal.delete_log(ws, name)
    else:
        removal.delete_run(ws, name)


def _exists(ws: Workspace, kind: str) -> Callable[[str], Any]:
    return {"models": ws.model_path, "logs": ws.log_path, "runs": ws.read_run}[kind]


# --- the JSON API ---


@api.post("/{kind}/{name}/rename", responses={409: {"model": ErrorOut}})
def rename(ws: WorkspaceDep, user: UserDep, kind: str, name: str, body: RenameIn) -> dict[str, str]:
    """Rename a model (with its history) or a log (with its column mapping), or give a
    run a title; a name in use is refused with 409."""
    if kind not in _KINDS:
        raise HTTPException(404, f"nothing called {kind}")
    return {"name": _rename(ws, kind, name, body.to, user.name)}


@api.delete("/{kind}/{name}", status_code=204, responses={409: {"model": ErrorOut}})
def delete(
    ws: WorkspaceDep,
    user: UserDep,
    kind: str,
    name: str,
    if_match: str | None = Header(default=None),
) -> Response:
    """Delete a model (its history is kept), a log (with its column mapping) or a finished
    run.  For a model, ``If-Match`` refuses the delete when someone saved in between."""
    if kind not in _KINDS:
        raise HTTPException(404, f"nothing called {kind}")
    expected = if_match.strip().removeprefix("W/").strip('"') if if_match else None
    _delete(ws, kind, name, user.name, expected)
    return Response(status_code=204)


@api.get("/models/{name}/diff")
def diff_api(
    ws: WorkspaceDep, name: str, a: str = Query(...), b: str | None = Query(None)
) -> dict[str, Any]:
    """The lines that changed from version ``a`` to version ``b`` (default: the current)."""
    d = _diff(ws, name, a, b)
    return {
        "a": a,
        "b": b or ws.read_model(name)[1],
        "added": d.added,
        "removed": d.removed,
        "rows": [{"kind": k, "old": o, "new": n, "text": t} for k, o, n, t in d.rows],
    }


def _diff(ws: Workspace, name: str, a: str, b: str | None) -> Any:
    old = ws.version_bytes(name, a).decode("utf-8", "replace")
    new = ws.version_bytes(name, b or ws.read_model(name)[1]).decode("utf-8", "replace")
    return diff_texts(old, new)


# --- the pages ---


@pages.get("/models/{name}/diff", response_class=HTMLResponse)
def diff_page(
    request: Request, ws: WorkspaceDep, name: str, a: str = Query(...), b: str | None = None
) -> Response:
    current = ws.read_model(name)[1]
    b = b or current
    by_version = {r.version: r for r in reversed(ws.saves(name))}
    return page(
        request,
        "diff.html",
        {
            "name": name,
            "a": a,
            "b": b,
            "current": current,
            "d": _diff(ws, name, a, b),
            "made_a": by_version.get(a),
            "made_b": by_version.get(b),
        },
    )


def _confirm(request: Request, ws: Workspace, kind: str, name: str, action: str) -> Response:
    if kind not in _KINDS:
        raise HTTPException(404, f"nothing called {kind}")
    found = _exists(ws, kind)(name)
    what, back = _KINDS[kind]
    shown = (found.get("title") or name) if kind == "runs" else name
    version = ws.read_model(name)[1] if kind == "models" else ""
    return page(
        request,
        "confirm.html",
        {
            "kind": kind,
            "what": what,
            "name": name,
            "shown": shown,
            "action": action,
            "back": f"{back}/{name}",
            "version": version,
        },
    )


@pages.get("/{kind}/{name}/delete", response_class=HTMLResponse)
def delete_form(request: Request, ws: WorkspaceDep, kind: str, name: str) -> Response:
    return _confirm(request, ws, kind, name, "delete")


@pages.get("/{kind}/{name}/rename", response_class=HTMLResponse)
def rename_form(request: Request, ws: WorkspaceDep, kind: str, name: str) -> Response:
    return _confirm(request, ws, kind, name, "rename")


@pages.post("/{kind}/{name}/delete")
def delete_confirmed(
    ws: WorkspaceDep,
    user: UserDep,
    kind: str,
    name: str,
    version: Annotated[str, Form()] = "",
) -> Response:
    if kind not in _KINDS:
        raise HTTPException(404, f"nothing called {kind}")
    _delete(ws, kind, name, user.name, version or None)
    return RedirectResponse(f"{_KINDS[kind][1]}?deleted={name}", status_code=303)


@pages.post("/{kind}/{name}/rename")
def rename_confirmed(
    ws: WorkspaceDep, user: UserDep, kind: str, name: str, to: Annotated[str, Form()]
) -> Response:
    if kind not in _KINDS:
        raise HTTPException(404, f"nothing called {kind}")
    new = _rename(ws, kind, name, to, user.name)
    return RedirectResponse(f"{_KINDS[kind][1]}/{new}?renamed=1", status_code=303)
