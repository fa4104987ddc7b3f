"""Pages about check runs: start one, watch its progress, read its result."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from bpmtool import api
from bpmtool.errors import InputError
from bpmtool.web.deps import JobsDep, WorkspaceDep
from bpmtool.web.routers.downloads import download_response
from bpmtool.web.templating import page
from bpmtool.web.workspace import NotFound

__all__ = ["handoff_matrix", "router"]

router = APIRouter(tags=["pages: runs"], include_in_schema=False)

METHODS = ("both", "replay", "alignments")
#: a check, a customer journey, or both with the log's surveys in one report
KINDS = ("check", "journey", "report", "compare", "journey-compare")
#: the kinds that put two windows side by side
COMPARES = ("compare", "journey-compare")


@router.post("/runs")
def start_run(
    ws: WorkspaceDep,
    jobs: JobsDep,
    model: Annotated[str, Form()],
    log: Annotated[str, Form()],
    method: Annotated[str, Form()] = "both",
    kind: Annotated[str, Form()] = "check",
    since: Annotated[str, Form(alias="from")] = "",
    until: Annotated[str, Form(alias="to")] = "",
    window: Annotated[str, Form()] = "",
    where: Annotated[str, Form()] = "",
    variant: Annotated[str, Form()] = "",
    lane: Annotated[str, Form()] = "",
    case_ids: Annotated[str, Form()] = "",
    compare_a: Annotated[str, Form()] = "",
    compare_b: Annotated[str, Form()] = "",
) -> Response:
    if method not in METHODS:
        raise HTTPException(400, f"the method must be one of {', '.join(METHODS)}")
    if kind not in KINDS:
        raise HTTPException(400, f"the kind of run must be one of {', '.join(KINDS)}")
    fields = {
        "from": since,
        "to": until,
        "window": window,
        "where": where,
        "variant": variant,
        "lane": lane,
        "case_ids": case_ids,
    }
    chosen = api.filter_from_fields(fields)  # a bad field is a 422 naming it, before queueing
    periods = [p.strip() for p in (compare_a, compare_b) if p.strip()]
    if kind in COMPARES:
        if len(periods) == 2 or (periods and periods[0].lower() not in api.PERIOD_UNITS):
            api.comparison_periods(periods)  # two bad or missing periods: a 422 now
        elif not periods:
            api.comparison_periods([])
    run_id = jobs.submit(
        kind,
        model=model,
        log=log,
        method=method,
        columns=ws.log_columns(log),
        log_filter={k: v.strip() for k, v in fields.items() if v.strip()}
        if chosen or kind in COMPARES
        else None,
        periods=periods if kind in COMPARES else None,
    )
    return RedirectResponse(f"/runs/{run_id}", status_code=303)


@router.get("/runs", response_class=HTMLResponse)
def runs_list(request: Request, ws: WorkspaceDep) -> Response:
    return page(request, "runs.html", {"runs": ws.list_runs()})


@router.get("/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, ws: WorkspaceDep, run_id: str) -> Response:
    run = ws.read_run(run_id)
    if run.get("status") in ("queued", "running"):
        return page(request, "run_progress.html", {"run": run})
    if run.get("status") != "done":
        return page(request, "run_failed.html", {"run": run})
    result: dict[str, Any] = json.loads(ws.run_file(run_id, "result").read_text("utf-8"))
    svg_path = ws.run_file(run_id, "svg")
    svg = Markup(svg_path.read_text("utf-8")) if svg_path.exists() else None
    if run.get("kind") in COMPARES:
        doc = json.loads(ws.run_file(run_id, "result").read_text("utf-8"))
        return page(request, "compare_result.html", {"run": run, "c": doc})
    journey = run.get("kind") == "journey"
    charts_path = ws.run_file(run_id, "charts")
    charts = (  # a journey's, or a full report's journey part
        {k: Markup(v) for k, v in json.loads(charts_path.read_text("utf-8")).items()}
        if charts_path.exists()
        else {}
    )
    return page(
        request,
        "journey_result.html" if journey else "run_result.html",
        {
            "run": run,
            "r": result,
            "svg": svg,
            "charts": charts,
            "matrix": {} if journey else handoff_matrix(result),
            "lane_names": _lane_names(ws, str(run.get("model", ""))),
            "has_report": ws.run_file(run_id, "report").exists(),
            # a full report's journey findings follow the check's, and have no case list
            "case_findings": len(result.get("findings") or [])
            - len((result.get("journey") or {}).get("findings") or []),
            "cases_url": f"/runs/{run_id}/cases" if ws.run_file(run_id, "cases").exists() else None,
        },
    )


def _lane_names(ws: WorkspaceDep, model: str) -> dict[str, str]:
    """Lane id → name, for headings; the ids alone when the model is gone or broken."""
    try:
        return {lane.id: lane.label for lane in ws.load_model(model).model.lanes}
    except (NotFound, InputError):
        return {}


@router.get("/runs/{run_id}/{what}")
def run_download(ws: WorkspaceDep, run_id: str, what: str) -> Response:
    parts = {
        "report.html": ("report", "text/html; charset=utf-8"),
        "result.json": ("result", "application/json"),
        "overlay.svg": ("svg", "image/svg+xml"),
    }
    if what not in parts:
        raise HTTPException(404, f"no download called {what!r}")
    part, media = parts[what]
    path = ws.run_file(run_id, part)
    if not path.exists():
        raise HTTPException(404, f"run {run_id} has no {what}")
    return download_response(path.read_bytes(), f"{run_id}.{what}", media)


def handoff_matrix(result: dict[str, Any]) -> dict[str, Any]:
    """Observed handoffs pivoted lane × lane for display (rows: from, columns: to)."""
    handoffs = result.get("handoffs") or []
    lanes: list[str] = []
    for h in handoffs:
        for lane in (h["source_lane"], h["target_lane"]):
            if lane not in lanes:
                lanes.append(lane)
    cells = {(h["source_lane"], h["target_lane"]): h for h in handoffs}
    top = max((h["count"] for h in handoffs), default=1) or 1
    return {"lanes": lanes, "cells": cells, "top": top}
