"""``/docs``: the API reference rendered from ``/openapi.json`` on the server (no CDN)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bpmtool.web.templating import page

__all__ = ["router"]

router = APIRouter(tags=["pages: docs"], include_in_schema=False)

_METHODS = ("get", "post", "put", "delete", "patch")


@router.get("/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> Response:
    spec: dict[str, Any] = request.app.openapi()
    groups: dict[str, list[dict[str, Any]]] = {}
    for path, item in spec.get("paths", {}).items():
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            tag = (op.get("tags") or ["other"])[0]
            groups.setdefault(tag, []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "params": [
                        (p["name"], p["in"], p.get("required", False))
                        for p in op.get("parameters", [])
                    ],
                    "body": list(op.get("requestBody", {}).get("content", {})),
                    "responses": sorted(op.get("responses", {})),
                }
            )
    return page(request, "docs.html", {"groups": groups, "info": spec.get("info", {})})


@router.get("/api/health", include_in_schema=True, tags=["meta"])
def health(request: Request) -> dict[str, Any]:
    """Liveness, and how many checks are running."""
    return {"ok": True, "running_jobs": request.app.state.jobs.active()}
