"""The login form that turns the access token into a session cookie, and logout."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bpmtool.web.deps import SettingsDep
from bpmtool.web.security import COOKIE, safe_next, session_value, user_session_value
from bpmtool.web.templating import page
from bpmtool.web.users import Users

__all__ = ["router"]

router = APIRouter(tags=["pages: login"], include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return page(request, "login.html", {"next": safe_next(next), "wrong": False})


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    settings: SettingsDep,
    token: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    users: Users | None = request.app.state.users
    if users is not None:
        user = users.find(token)
        if user is None:
            return page(
                request, "login.html", {"next": safe_next(next), "wrong": True}, status_code=401
            )
        cookie = user_session_value(user)
    elif not settings.token:
        return RedirectResponse(safe_next(next), status_code=303)
    elif not hmac.compare_digest(token.strip().encode(), settings.token.encode()):
        return page(
            request, "login.html", {"next": safe_next(next), "wrong": True}, status_code=401
        )
    else:
        cookie = session_value(settings.token)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(
        COOKIE,
        cookie,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=30 * 24 * 3600,
    )
    return response


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response
