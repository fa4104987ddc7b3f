"""Every failure as a 4xx with a clear message: JSON under /api/, a friendly page elsewhere.

Every message passes :func:`~bpmtool.web.messages.for_web` (no command-line options, no
server paths).  Bad input is never a 500: :class:`~bpmtool.errors.InputError` becomes 422 with its
located ``problems``; a missing thing 404; an outdated save 409 with the current version.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from bpmtool.errors import BpmtoolError, InputError
from bpmtool.web.messages import for_web, problems_for_web
from bpmtool.web.security import LoginRequired
from bpmtool.web.templating import page
from bpmtool.web.workspace import NotFound, VersionConflict

__all__ = ["install_handlers", "wants_json"]

log = logging.getLogger("bpmtool.web")


def wants_json(request: Request) -> bool:
    """API paths and clients that ask for JSON get JSON; browsers get pages."""
    if request.url.path.startswith("/api/") or request.url.path == "/openapi.json":
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _reply(
    request: Request,
    status: int,
    detail: str,
    *,
    problems: list[dict[str, Any]] | None = None,
    extra: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    root = request.app.state.workspace.root
    detail = for_web(detail, root)
    if problems is not None:
        problems = problems_for_web(problems, root)
    if wants_json(request):
        body: dict[str, Any] = {"detail": detail}
        if problems is not None:
            body["problems"] = problems
        body.update(extra or {})
        return JSONResponse(body, status_code=status, headers=headers)
    return page(
        request,
        "error.html",
        {"status": status, "detail": detail, "problems": problems or []},
        status_code=status,
    )


def install_handlers(app: FastAPI) -> None:
    """Register the exception handlers on ``app``."""

    @app.exception_handler(InputError)
    async def input_error(request: Request, exc: InputError) -> Response:
        return _reply(request, 422, exc.summary, problems=[p.to_dict() for p in exc.problems])

    @app.exception_handler(BpmtoolError)
    async def bpmtool_error(request: Request, exc: BpmtoolError) -> Response:
        return _reply(request, 400, str(exc), problems=[])

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _reply(request, 404, f"not found: {exc.args[0] if exc.args else ''}")

    @app.exception_handler(VersionConflict)
    async def conflict(request: Request, exc: VersionConflict) -> Response:
        return _reply(
            request,
            409,
            str(exc),
            extra={"current_version": exc.current},
            headers={"ETag": f'"{exc.current}"'} if exc.current else None,
        )

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        if wants_json(request):
            return JSONResponse(
                {"detail": "an access token is needed"},
                status_code=401,
                headers={"WWW-Authenticate": "Bearer"},
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _reply(
            request, exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None)
        )

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        problems = [
            {
                "file": None,
                "line": None,
                "column": None,
                "key": ".".join(str(p) for p in err.get("loc", ())),
                "message": err.get("msg", "invalid"),
                "expected": None,
            }
            for err in exc.errors()
        ]
        return _reply(request, 422, "the request is not valid", problems=problems)

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:  # a bug, not bad input
        log.exception("internal error on %s %s", request.method, request.url.path)
        return _reply(request, 500, f"internal error: {type(exc).__name__}; please report it")
