"""The as-is process of a log (discovery with activity and path sliders) and the comparison
of two models; the pages and their JSON twins."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from markupsafe import Markup

from bpmtool import api
from bpmtool.errors import InputError
from bpmtool.web.deps import UserDep, WorkspaceDep
from bpmtool.web.log_attachments import LANE_MAP
from bpmtool.web.names import MODEL_SUFFIXES, clean_name
from bpmtool.web.templating import page
from bpmtool.web.workspace import VersionConflict

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["router"]

router = APIRouter(tags=["as-is discovery"])

_FILTER_FIELDS = ("from", "to", "window", "where", "variant", "lane", "case_ids")


def _percent(value: str | None, default: int, key: str) -> int:
    """A slider's value, 1–100."""
    if value is None or not str(value).strip():
        return default
    return round(
        api.parse_share(str(value) + ("" if str(value).endswith("%") else "%"), key=key) * 100
    )


#: the last log read for discovery, so moving a slider does not read the file again
_LAST: dict[str, tuple[tuple[Any, ...], pd.DataFrame]] = {}
_LAST_LOCK = threading.Lock()


def _log_frame(ws: WorkspaceDep, name: str, keep: tuple[str, ...]) -> pd.DataFrame:
    """The stored log as a frame: the one read last when neither the file, its column
    mapping nor the columns a filter needs have changed since."""
    path = ws.log_path(name)
    st = path.stat()
    columns = ws.log_columns(name)
    date_format = ws.log_date_format(name)
    key = (
        str(path),
        st.st_ino,
        st.st_mtime_ns,
        st.st_size,
        tuple(sorted(columns.items())),
        date_format,
        keep,
    )
    with _LAST_LOCK:
        hit = _LAST.get("log")
    if hit is not None and hit[0] == key:
        return hit[1]
    frame = api.read_log(path, columns=columns or None, date_format=date_format, keep=keep)
    with _LAST_LOCK:
        _LAST["log"] = (key, frame)
    return frame


def _discover(
    ws: WorkspaceDep, name: str, params: Any
) -> tuple[api.Discovery, int, int, dict[str, str]]:
    activities = _percent(params.get("activities"), 100, "activities")
    paths = _percent(params.get("paths"), 80, "paths")
    fields = {k: str(params.get(k) or "") for k in _FILTER_FIELDS if params.get(k)}
    chosen = api.filter_from_fields(fields)
    found = api.discover(
        _log_frame(ws, name, tuple(sorted(chosen.columns())) if chosen else ()),
        activities=activities / 100,
        paths=paths / 100,
        name=f"As-is of {name}",
        log_filter=chosen,
        lanes_from=LANE_MAP.path(ws, name),
    )
    return found, activities, paths, fields


@router.get("/logs/{name}/discover", response_class=HTMLResponse, include_in_schema=False)
def discover_page(request: Request, ws: WorkspaceDep, name: str) -> Response:
    found, activities, paths, fields = _discover(ws, name, request.query_params)
    doc = found.to_dict()
    compare_with = request.query_params.get("compare") or ""
    comparison = None
    if compare_with:
        comparison = api.compare(found.model, ws.load_model(compare_with).model).to_dict()
    return page(
        request,
        "discover.html",
        {
            "name": name,
            "d": doc,
            "activities": activities,
            "paths": paths,
            "fields": fields,
            "svg": Markup(api.render_svg(found.model, discovery=found)),
            "sipoc": found.sipoc.to_dict() if found.sipoc is not None else None,
            "models": ws.list_models(),
            "compare_with": compare_with,
            "comparison": comparison,
            "r": {"filter": doc["filtered"]},
        },
    )


@router.get("/api/logs/{name}/discover")
def discover_json(request: Request, ws: WorkspaceDep, name: str) -> JSONResponse:
    """The as-is model of a stored log: ``activities`` and ``paths`` (1–100, the sliders)
    and the filter fields of a check (``from``, ``to``, ``window``, ``where``, ``variant``,
    ``lane``, ``case_ids``) as query parameters; the result as ``bpmtool discover -f json``
    gives it (the model as data under ``model``), and the model as YAML under ``model_yaml``."""
    found, _, _, _ = _discover(ws, name, request.query_params)
    return JSONResponse({**found.to_dict(), "model_yaml": api.dump_model(found.model)})


@router.post("/logs/{name}/discover/save", include_in_schema=False)
async def save_discovered(request: Request, ws: WorkspaceDep, user: UserDep, name: str) -> Response:
    form = await request.form()
    found, _, _, _ = _discover(ws, name, form)
    wanted = str(form.get("model_name") or "").strip() or f"as-is-{name.rsplit('.', 1)[0]}"
    filename = clean_name(
        wanted if wanted.lower().endswith((".yaml", ".yml")) else f"{wanted}.yaml", MODEL_SUFFIXES
    )
    try:
        ws.save_model(
            filename,
            api.dump_model(found.model).encode("utf-8"),
            expected=None,
            create=True,
            author=user.name,
            message=f"discovered from {name}",
        )
    except VersionConflict:
        raise InputError.single(
            f"a model called {filename!r} exists already", key="model_name", expected="a new name"
        ) from None
    return RedirectResponse(f"/models/{filename}?saved=1", status_code=303)


@router.get("/compare", response_class=HTMLResponse, include_in_schema=False)
def compare_page(request: Request, ws: WorkspaceDep) -> Response:
    a, b = request.query_params.get("a") or "", request.query_params.get("b") or ""
    comparison = None
    if a and b:
        comparison = api.compare(ws.load_model(a).model, ws.load_model(b).model).to_dict()
    return page(
        request,
        "compare.html",
        {"a": a, "b": b, "models": ws.list_models(), "comparison": comparison},
    )


@router.get("/api/compare")
def compare_json(ws: WorkspaceDep, a: str, b: str) -> JSONResponse:
    """What differs between two stored models (``bpmtool compare A B -f json``)."""
    return JSONResponse(api.compare(ws.load_model(a).model, ws.load_model(b).model).to_dict())
