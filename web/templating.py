"""The Jinja2 environment of the pages, with autoescaping and a few display filters."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context

from bpmtool import api
from bpmtool.web.assets import built_assets
from bpmtool.web.messages import for_web

__all__ = ["page", "templates"]

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
templates.env.autoescape = True  # every .html template; model text is never trusted markup


def _size(n: int | None) -> str:
    if n is None:
        return "-"
    for unit in ("bytes", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:,} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return str(n)


def _when(value: datetime | str | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        try:
            stamp = datetime.fromisoformat(value)
        except ValueError:
            return value
        return stamp.strftime("%Y-%m-%d %H:%M UTC")
    return value.strftime("%Y-%m-%d %H:%M UTC")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1%}"


@pass_context
def _web(ctx: Any, text: object) -> str:
    """A message of the analysis as the web shows it (:func:`bpmtool.web.messages.for_web`)."""
    if text is None:
        return ""
    request = ctx.get("request")
    root = request.app.state.workspace.root if request is not None else ""
    return for_web(str(text), root)


def _days(value: float | None) -> str:
    return api.days_label(value) or "–"


templates.env.filters.update(
    size=_size, when=_when, pct=_pct, web=_web, days=_days, compliance=api.compliance_label
)
#: the built browser bundles (or None): ``{% set assets = web_assets() %}``
templates.env.globals["web_assets"] = built_assets


def page(
    request: Request, name: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> HTMLResponse:
    """Render a page template."""
    ctx = dict(context or {})
    app = request.app
    ctx.setdefault(
        "token_required",
        bool(app.state.settings.token) or getattr(app.state, "users", None) is not None,
    )
    ctx.setdefault("user", getattr(request.state, "user", None))
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
