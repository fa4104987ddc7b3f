"""Build the FastAPI app: settings, workspace, job runner, routers, handlers, static files.

>>> import tempfile, pathlib
>>> app = create_app(Settings(workspace=pathlib.Path(tempfile.mkdtemp()), seed=False))
>>> app.title
'bpmtool'
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from bpmtool._bundled import EXAMPLE_LOG, REFERENCE_MODEL
from bpmtool.web.config import MB, Settings
from bpmtool.web.deps import Authorised
from bpmtool.web.errors import install_handlers
from bpmtool.web.jobs import JobRunner
from bpmtool.web.routers import (
    api_logs,
    api_models,
    api_runs,
    api_tools,
    auth,
    docs,
    downloads,
    logs_pages,
    models_pages,
    runs_pages,
    upload_pages,
)
from bpmtool.web.security import SecurityMiddleware
from bpmtool.web.workspace import Workspace

__all__ = ["create_app"]

#: paths whose routes stream big bodies themselves (they enforce their own limits)
_STREAMING = ("/upload/log", "/api/logs")


def _warm_up_drawing() -> None:
    """Import the drawing and report code and compile their templates once."""
    from bpmtool import api
    from bpmtool.model import Model

    tiny = Model.model_validate({"id": "warm-up", "lanes": [{"id": "a"}],
                                 "nodes": [{"id": "s", "type": "start", "lane": "a"}]})
    api.report(tiny)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web app over ``settings.workspace`` (seeded on first start)."""
    settings = settings or Settings()
    workspace = Workspace(settings.workspace)
    jobs = JobRunner(workspace, settings.check_workers, warm=settings.warm_workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        jobs.start()
        if settings.warm_workers:  # `bpmtool serve`: the first model page pays no imports
            await asyncio.to_thread(_warm_up_drawing)
        try:
            yield
        finally:
            jobs.shutdown()

    app = FastAPI(title="bpmtool", version="0.1.0", lifespan=lifespan, docs_url=None,
                  redoc_url=None,
                  description="Models, logs and findings of a team's processes: the JSON API "
                              "mirrors the `bpmtool` CLI and returns the same JSON.")
    app.state.settings = settings
    app.state.workspace = workspace
    app.state.jobs = jobs
    if settings.seed:
        workspace.seed(REFERENCE_MODEL, EXAMPLE_LOG)

    install_handlers(app)
    app.add_middleware(_BodyLimit, limit=3 * settings.max_model_bytes + MB)
    app.add_middleware(SecurityMiddleware)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.include_router(auth.router)
    for module in (api_models, api_logs, api_runs, api_tools, docs, models_pages, downloads,
                   upload_pages, logs_pages, runs_pages):
        app.include_router(module.router, dependencies=[Authorised])
    return app


class _BodyLimit:
    """413 for a declared body over ``limit`` on routes that parse bodies in memory."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not scope["path"].startswith(_STREAMING):
            length = dict(scope.get("headers") or []).get(b"content-length", b"")
            if length.isdigit() and int(length) > self.limit:
                body = b'{"detail": "the request body is too large"}'
                await send({"type": "http.response.start", "status": 413,
                            "headers": [(b"content-type", b"application/json"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
