"""Drill-down from a check run: the cases behind a number (paged on the server) and one
case's timeline; the same as JSON under ``/api/runs/{id}/cases``."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bpmtool import api
from bpmtool.web.deps import WorkspaceDep
from bpmtool.web.routers.downloads import download_response
from bpmtool.web.templating import page

__all__ = ["router", "selection_title"]

router = APIRouter(tags=["cases"])

PAGE_SIZES = (50, 100, 500)
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _paths(ws: WorkspaceDep, run_id: str) -> tuple[Path, Path, Path]:
    return (
        ws.run_file(run_id, "cases"),
        ws.run_file(run_id, "case_events"),
        ws.run_file(run_id, "case_sets"),
    )


def _index(ws: WorkspaceDep, run_id: str) -> api.CaseIndex:
    run = ws.read_run(run_id)  # an unknown run is a 404
    paths = _paths(ws, run_id)
    if run.get("status") != "done" or not all(p.exists() for p in paths):
        raise HTTPException(404, f"run {run_id} has no case list (it is not a finished check)")
    return _open(*paths, paths[0].stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _open(cases: Path, events: Path, sets: Path, stamp: int) -> api.CaseIndex:
    """The case index of a run, kept for the next page (``stamp``: its file's version)."""
    return api.open_case_index(cases, events, sets)


def _result(ws: WorkspaceDep, run_id: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(ws.run_file(run_id, "result").read_text("utf-8"))
    return doc


def selection_title(result: dict[str, Any], key: str | None) -> str:
    """What a selection is, in words, for a page heading."""
    if not key:
        return "All cases"
    parts = []
    for k in key.split("|"):
        kind, _, what = k.partition(":")
        if kind == "finding" and what.isdigit() and int(what) < len(result.get("findings", [])):
            f = result["findings"][int(what)]
            parts.append(f"{f['code']} {' '.join(f['subject'])}")
        elif kind == "handoff":
            a, _, b = what.partition(">")
            parts.append(f"Handoff {a} → {b}")
        elif kind == "flow":
            parts.append(f"Flow {what}")
        elif kind == "variant":
            parts.append(f"Variant {what}")
        elif kind == "ctq":
            # a full report keeps the journey under "journey", a journey run is one
            ctqs = (result.get("journey") or result).get("ctqs") or []
            names = {c["ctq"]: c["name"] for c in ctqs}
            parts.append(f"CTQ breached: {names.get(what, what)}")
        elif kind == "reason":
            parts.append(f"Struggling customers: {what}")
        else:
            parts.append(k)
    return "; ".join(parts)


def _rows(index: api.CaseIndex, key: str | None, offset: int, limit: int | None) -> Any:
    rows, total = index.case_rows(key or None, offset=offset, limit=limit)
    return rows, total


@router.get("/runs/{run_id}/cases", response_class=HTMLResponse, include_in_schema=False)
def cases_page(
    request: Request,
    ws: WorkspaceDep,
    run_id: str,
    sel: str = "",
    page_no: Annotated[int, Query(alias="page", ge=1)] = 1,
    size: Annotated[int, Query(ge=1, le=1000)] = 100,
    format: str = "",
) -> Response:
    index = _index(ws, run_id)
    if format:
        if format not in _MEDIA:
            raise HTTPException(404, f"no case list format {format!r}: csv, xlsx or json")
        rows, _ = _rows(index, sel, 0, None)
        data = api.case_table_bytes(rows, format)
        name = f"{run_id}-cases.{format}"
        return download_response(data, name, _MEDIA[format])
    rows, total = _rows(index, sel, (page_no - 1) * size, size)
    pages = max(1, -(-total // size))
    result = _result(ws, run_id)

    def link(**change: Any) -> str:
        query = {"sel": sel, "page": page_no, "size": size, **change}
        return f"/runs/{run_id}/cases?" + urlencode({k: v for k, v in query.items() if v})

    return page(
        request,
        "cases.html",
        {
            "run": ws.read_run(run_id),
            "title": selection_title(result, sel),
            "rows": json.loads(api.case_table_bytes(rows, "json")) if len(rows) else [],
            "total": total,
            "page": page_no,
            "pages": pages,
            "size": size,
            "sizes": PAGE_SIZES,
            "first": (page_no - 1) * size + 1,
            "prev": link(page=page_no - 1) if page_no > 1 else None,
            "next": link(page=page_no + 1) if page_no < pages else None,
            "download": {f: link(format=f, page=None, size=None) for f in ("csv", "xlsx", "json")},
            "filter": result.get("filter"),
        },
    )


@router.get("/runs/{run_id}/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
def case_page(request: Request, ws: WorkspaceDep, run_id: str, case_id: str) -> Response:
    index = _index(ws, run_id)
    result = _result(ws, run_id)
    doc = api.case_timeline(result.get("findings", []), index, case_id)
    return page(request, "case.html", {"run": ws.read_run(run_id), "doc": doc})


@router.get("/api/runs/{run_id}/cases")
def cases_json(
    ws: WorkspaceDep,
    run_id: str,
    sel: str = "",
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> JSONResponse:
    """A page of a check's case list: all cases, or a selection (``finding:N``,
    ``variant:N``, ``handoff:A>B``, ``flow:KEY``), sorted by start."""
    rows, total = _rows(_index(ws, run_id), sel, offset, limit)
    records = json.loads(api.case_table_bytes(rows, "json")) if len(rows) else []
    return JSONResponse(
        {"selection": sel or None, "total": total, "offset": offset, "cases": records}
    )


@router.get("/api/runs/{run_id}/cases/{case_id}")
def case_json(ws: WorkspaceDep, run_id: str, case_id: str) -> JSONResponse:
    """One case's timeline: its row, its events with where they leave the model, its
    variant's deviations and the findings it is in."""
    index = _index(ws, run_id)
    doc = api.case_timeline(_result(ws, run_id).get("findings", []), index, case_id)
    return JSONResponse(json.loads(json.dumps(doc, default=str)))
