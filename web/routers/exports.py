"""Findings as CSV and Excel, and reports as PDF: of a model (its lint findings) and of a
finished run (its check's or journey's findings and its stored report)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from bpmtool import api
from bpmtool.web import features
from bpmtool.web.deps import WorkspaceDep
from bpmtool.web.routers.downloads import download_response
from bpmtool.web.views import cached
from bpmtool.web.workspace import Workspace

__all__ = ["MEDIA", "pdf_or_503", "router"]

router = APIRouter(tags=["exports"])

MEDIA = {
    "findings.csv": "text/csv; charset=utf-8",
    "findings.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "report.pdf": "application/pdf",
}
#: said when the server has no browser to print with; nothing about the server's files
NO_PDF = (
    "this server cannot make PDFs (it has no Chromium or Chrome installed); download the "
    "HTML report and print it from your browser, or ask whoever runs the server to "
    "install Chromium"
)


def pdf_or_503(html: str) -> bytes:
    """The PDF of a report's HTML; 503 with :data:`NO_PDF` when the server cannot print."""
    try:
        return api.html_to_pdf(html)
    except api.PdfUnavailable:
        raise HTTPException(503, NO_PDF) from None


def _run_findings(ws: Workspace, run_id: str) -> list[dict[str, Any]]:
    run = ws.read_run(run_id)
    if run.get("status") != "done":
        raise HTTPException(
            409, f"the run is {run.get('status')}; its findings come when it is done"
        )
    result = json.loads(ws.run_file(run_id, "result").read_text("utf-8"))
    findings: list[dict[str, Any]] = result.get("findings") or []
    return findings


@router.get(
    "/runs/{run_id}/findings.{fmt}",
    responses={200: {"content": {MEDIA["findings.csv"]: {}, MEDIA["findings.xlsx"]: {}}}},
)
def run_findings(ws: WorkspaceDep, run_id: str, fmt: str) -> Response:
    """A finished run's findings as ``csv`` or ``xlsx``: one row per finding, numbered as
    on the run's page, with the cases and days each cost."""
    if fmt not in api.FINDINGS_FORMATS:
        raise HTTPException(404, "findings come as findings.csv or findings.xlsx")
    data = api.findings_table(_run_findings(ws, run_id), fmt)
    what = f"findings.{fmt}"
    return download_response(data, f"{run_id}.{what}", MEDIA[what])


@router.get("/runs/{run_id}/report.pdf", responses={200: {"content": {"application/pdf": {}}}})
async def run_report_pdf(ws: WorkspaceDep, run_id: str) -> Response:
    """A finished run's report as a PDF (its HTML report printed by headless Chromium)."""
    ws.read_run(run_id)
    path = ws.run_file(run_id, "report")
    if not path.exists():
        raise HTTPException(404, "this run has no report (it is not finished, or it failed)")
    data = await run_in_threadpool(pdf_or_503, path.read_text("utf-8"))
    return download_response(data, f"{run_id}.report.pdf", MEDIA["report.pdf"])


@router.get(
    "/models/{name}/findings.{fmt}",
    responses={200: {"content": {MEDIA["findings.csv"]: {}, MEDIA["findings.xlsx"]: {}}}},
)
def model_findings(ws: WorkspaceDep, name: str, fmt: str) -> Response:
    """A model's lint findings as ``csv`` or ``xlsx``."""
    if fmt not in api.FINDINGS_FORMATS:
        raise HTTPException(404, "findings come as findings.csv or findings.xlsx")
    data = cached(
        ws, name, f"findings.{fmt}", lambda ld: api.findings_table(api.lint(ld.model), fmt)
    )
    stem = name.rsplit(".", 1)[0]
    return download_response(data, f"{stem}.findings.{fmt}", MEDIA[f"findings.{fmt}"])


@router.get("/models/{name}/report.pdf", responses={200: {"content": {"application/pdf": {}}}})
async def model_report_pdf(ws: WorkspaceDep, name: str) -> Response:
    """A model's report (without a log) as a PDF."""
    html = cached(ws, name, "download:report.html", lambda ld: features.report(ld.model))
    data = await run_in_threadpool(
        lambda: cached(ws, name, "report.pdf", lambda _: pdf_or_503(html))
    )
    stem = name.rsplit(".", 1)[0]
    return download_response(data, f"{stem}.report.pdf", MEDIA["report.pdf"])
