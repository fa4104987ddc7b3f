"""Build the FastAPI app: settings, workspace, job runner, routers, handlers, static files.

>>> import tempfile, pathlib
>>> app = create_app(Settings(workspace=pathlib.Path(tempfile.mkdtemp()), seed=False))
>>> app.title
'bpmtool'
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bpmtool._bundled import EXAMPLE_LOG, REFERENCE_MODEL
from bpmtool.errors import InputError
from bpmtool.web.config import MB, Settings
from bpmtool.web.deps import Authorised
from bpmtool.web.errors import install_handlers
from bpmtool.web.jobs import JobRunner
from bpmtool.web.limits import BodyLimit
from bpmtool.web.routers import (
    api_logs,
    api_models,
    api_runs,
    api_tools,
    auth,
    cases_pages,
    discover_pages,
    docs,
    downloads,
    exports,
    log_files,
    logs_pages,
    manage,
    modeler,
    models_pages,
    runs_pages,
    upload_pages,
)
from bpmtool.web.security import SecurityMiddleware
from bpmtool.web.uploads import FORM_SLACK
from bpmtool.web.users import read_users
from bpmtool.web.workspace import Workspace

__all__ = ["create_app"]


def _warm_up_drawing() -> None:
    """Import the drawing and report code and compile their templates once."""
    from bpmtool import api
    from bpmtool.api import Model

    tiny = Model.model_validate(
        {
            "id": "warm-up",
            "lanes": [{"id": "a"}],
            "nodes": [{"id": "s", "type": "start", "lane": "a"}],
        }
    )
    api.report(tiny)


def _warm_up_pages(app: FastAPI) -> None:
    """Compile every page template and the API description once, so no first visit of a
    page pays for it."""
    from bpmtool.web.templating import templates

    for name in templates.env.list_templates(extensions=["html"]):
        templates.env.get_template(name)
    app.openapi()


def _warm_up_views(workspace: Workspace, limit: int = 50, log_bytes: int = 20 * MB) -> None:
    """Lint, tabulate and draw the workspace's models (at most ``limit``), and rank them
    for each log of at most ``log_bytes``, in the background: the first visit of a model's
    or a log's page after the start finds it cached."""
    from bpmtool.web.log_match import rank_models
    from bpmtool.web.views import model_view

    for stored in workspace.list_models()[:limit]:
        with contextlib.suppress(Exception):  # a broken model shows its problems on its page
            model_view(workspace, stored.name)
    for log in workspace.list_logs()[:limit]:
        if log.size <= log_bytes:
            with contextlib.suppress(Exception):  # an unreadable log says why on its page
                rank_models(workspace, log.name)


def create_app(settings: Settings | None = None) -> FastAPI:
    """The web app over ``settings.workspace`` (seeded on first start)."""
    settings = settings or Settings()
    if settings.users_file is not None and settings.token:
        raise InputError.single("give either a users file or a single token, not both", key="users")
    users = read_users(settings.users_file) if settings.users_file is not None else None
    workspace = Workspace(settings.workspace)
    workspace.sweep_leftovers()
    jobs = JobRunner(workspace, settings.check_workers, warm=settings.warm_workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        jobs.start()
        if settings.warm_workers:  # `bpmtool serve`: the first model page pays no imports
            await asyncio.to_thread(_warm_up_drawing)
            await asyncio.to_thread(_warm_up_pages, app)
            threading.Thread(
                target=_warm_up_views, args=(workspace,), name="bpmtool-warm-views", daemon=True
            ).start()
        try:
            yield
        finally:
            jobs.shutdown()

    app = FastAPI(
        title="bpmtool",
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        description="Models, logs and findings of a team's processes: the JSON API "
        "mirrors the `bpmtool` CLI and returns the same JSON.",
    )
    app.state.settings = settings
    app.state.users = users
    app.state.workspace = workspace
    app.state.jobs = jobs
    if settings.seed:
        workspace.seed(REFERENCE_MODEL, EXAMPLE_LOG)

    install_handlers(app)
    app.add_middleware(
        BodyLimit,
        model_limit=3 * settings.max_model_bytes + MB,
        log_limit=settings.max_log_bytes + FORM_SLACK,
        timeout=settings.body_timeout,
        min_rate=settings.body_min_rate,
        deadline=settings.body_deadline,
    )
    app.add_middleware(SecurityMiddleware, allowed_hosts=settings.allowed_hosts)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    app.include_router(auth.router)
    # before the routers whose /runs/{id}/{what} would take /runs/{id}/delete
    for router in (manage.api, manage.pages, exports.router, log_files.router):
        app.include_router(router, dependencies=[Authorised])
    for module in (
        api_models,
        api_logs,
        api_runs,
        api_tools,
        docs,
        models_pages,
        modeler,
        downloads,
        upload_pages,
        logs_pages,
        discover_pages,
        cases_pages,  # before runs_pages: /runs/{id}/cases is not a download
        runs_pages,
    ):
        app.include_router(module.router, dependencies=[Authorised])

    @app.get("/openapi.json", include_in_schema=False, dependencies=[Authorised])
    def openapi() -> dict[str, Any]:
        """The API's description: behind the token like everything but /login and /static."""
        return app.openapi()

    return app
