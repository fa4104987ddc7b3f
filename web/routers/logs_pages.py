"""Pages about event logs: the list, a log's column mapping, and starting a check."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bpmtool.api import COLUMN_ROLES as ROLES
from bpmtool.api import LogColumns, log_columns
from bpmtool.errors import InputError
from bpmtool.web.deps import WorkspaceDep
from bpmtool.web.log_attachments import LANE_MAP, SURVEYS
from bpmtool.web.log_match import Ranked, rank_models
from bpmtool.web.templating import page

__all__ = ["router"]

router = APIRouter(tags=["pages: logs"], include_in_schema=False)


@router.get("/logs", response_class=HTMLResponse)
def logs_list(request: Request, ws: WorkspaceDep) -> Response:
    return page(request, "logs.html", {"logs": ws.list_logs(), "models": ws.list_models()})


@router.get("/logs/{name}", response_class=HTMLResponse)
def log_page(request: Request, ws: WorkspaceDep, name: str) -> Response:
    path = ws.log_path(name)
    problems = []
    try:
        cols = _columns(path, ws.log_columns(name), ws.log_date_format(name))
    except InputError as err:
        cols, problems = LogColumns([], mappable=False), err.problems
    runs = [r for r in ws.list_runs() if r.get("log") == name][:10]
    ranked = [] if problems else _ranked(ws, name)
    return page(
        request,
        "log.html",
        {
            "name": name,
            "size": path.stat().st_size,
            "cols": cols,
            "roles": ROLES,
            "problems": problems,
            "models": ws.list_models(),
            "ranked": ranked,
            "surveys": SURVEYS.info(ws, name),
            "lane_map": LANE_MAP.info(ws, name),
            "runs": runs,
            "date_format": ws.log_date_format(name) or "",
            "saved": request.query_params.get("saved"),
            "uploaded": request.query_params.get("uploaded"),
        },
        status_code=422 if problems else 200,
    )  # the page, with what is wrong with the file


#: (file, size, mtime, mapping, date format) → the columns and preview the page shows
_previews: dict[tuple[object, ...], LogColumns] = {}


def _columns(path: Path, chosen: dict[str, str], date_format: str | None) -> LogColumns:
    """:func:`bpmtool.api.log_columns`, remembered until the file or its mapping changes
    (the page is visited far more often than a log is replaced)."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns, tuple(sorted(chosen.items())), date_format)
    hit = _previews.get(key)
    if hit is None:
        hit = log_columns(path, chosen, date_format)
        if len(_previews) > 64:
            _previews.clear()
        _previews[key] = hit
    return hit


def _ranked(ws: WorkspaceDep, name: str) -> list[Ranked]:
    """The models, best match for this log first; none when the log cannot be read yet
    (the mapping form says why)."""
    try:
        return rank_models(ws, name)
    except InputError:
        return []


@router.post("/logs/{name}/columns")
async def save_columns(request: Request, ws: WorkspaceDep, name: str) -> Response:
    path = ws.log_path(name)
    form = await request.form()
    header = log_columns(path, {}).columns
    chosen = {role: str(form.get(role) or "") for role in ROLES}
    bad = [f"{role}: {col!r}" for role, col in chosen.items() if col and col not in header]
    if bad:
        raise InputError.single(
            "these columns are not in the log: " + ", ".join(bad),
            file=name,
            expected="one of " + ", ".join(header),
        )
    for required in ("case", "activity", "timestamp"):
        if not chosen[required]:
            raise InputError.single(
                f"choose the column that holds the {required}", file=name, key=required
            )
    date_format = str(form.get("date_format") or "").strip()
    if date_format and "%" not in date_format:
        raise InputError.single(
            f"{date_format!r} is not a date format",
            file=name,
            key="date_format",
            expected="a strftime format such as %d/%m/%Y %H:%M",
        )
    ws.save_log_columns(name, chosen, date_format or None)
    return RedirectResponse(f"/logs/{name}?saved=1", status_code=303)
