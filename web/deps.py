"""Dependencies the routes declare: settings, workspace, job runner, the access token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from bpmtool.web.config import Settings
from bpmtool.web.jobs import JobRunner
from bpmtool.web.security import current_user, require_token
from bpmtool.web.users import User
from bpmtool.web.workspace import Workspace

__all__ = ["Authorised", "JobsDep", "SettingsDep", "UserDep", "WorkspaceDep"]


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_workspace(request: Request) -> Workspace:
    workspace: Workspace = request.app.state.workspace
    return workspace


def get_jobs(request: Request) -> JobRunner:
    jobs: JobRunner = request.app.state.jobs
    return jobs


def get_user(request: Request) -> User:
    """Who sent the request (set by :func:`require_token`, which every router runs first)."""
    user: User | None = getattr(request.state, "user", None) or current_user(request)
    if user is None:  # a route outside the token's routers
        from bpmtool.web.security import LoginRequired

        raise LoginRequired()
    return user


SettingsDep = Annotated[Settings, Depends(get_settings)]
WorkspaceDep = Annotated[Workspace, Depends(get_workspace)]
JobsDep = Annotated[JobRunner, Depends(get_jobs)]
UserDep = Annotated[User, Depends(get_user)]
#: put on a router: every route behind it needs the token when one is configured
Authorised = Depends(require_token)
