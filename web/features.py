"""The optional parts of :mod:`bpmtool.api` the web app shows when they are installed.

Drawing, reports and BPMN export land in the API one by one; the pages ask here and
show a short note instead of a broken link while a part is missing.  Nothing here
analyses anything: each function forwards to the API.
"""

from __future__ import annotations

from typing import Any

from bpmtool import api
from bpmtool.findings import Finding
from bpmtool.model import Model

__all__ = ["available", "export_bpmn", "render_svg", "report"]


def available(name: str) -> bool:
    """True when ``bpmtool.api`` offers the function ``name``."""
    return callable(getattr(api, name, None))


def render_svg(model: Model, *, findings: list[Finding] | None = None, check: Any = None,
               orientation: str | None = None) -> str | None:
    """The swimlane SVG (with finding markers, and the log overlay of a check), if drawable."""
    if not available("render_svg"):
        return None
    kwargs: dict[str, Any] = {"findings": findings}
    if check is not None:
        kwargs["overlay"] = check
    if orientation:
        kwargs["orientation"] = orientation
    svg = api.render_svg(model, **kwargs)  # type: ignore[attr-defined]
    return svg.decode("utf-8") if isinstance(svg, bytes) else str(svg)


def report(model: Model, *, check: Any = None, fmt: str = "html") -> str | None:
    """The self-contained report (HTML or Markdown), if the API can write one."""
    if not available("report"):
        return None
    text = api.report(model, check=check, fmt=fmt)  # type: ignore[attr-defined]
    return text.decode("utf-8") if isinstance(text, bytes) else str(text)


def report_html(model: Model, *, check: Any = None) -> str | None:
    return report(model, check=check, fmt="html")


def export_bpmn(model: Model) -> bytes | None:
    """The model as BPMN 2.0 XML with diagram positions, if the API can export it."""
    if not available("export_bpmn"):
        return None
    data = api.export_bpmn(model)  # type: ignore[attr-defined]
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)
