"""Downloads of a model: YAML, BPMN, swimlane SVG, SIPOC (xlsx, csv, md, html), report."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response

from bpmtool import api
from bpmtool.api import dump_model
from bpmtool.web import features
from bpmtool.web.deps import WorkspaceDep
from bpmtool.web.views import cached, lint_json
from bpmtool.web.workspace import Workspace

__all__ = ["DOWNLOADS", "download_response", "router"]

router = APIRouter(tags=["pages: downloads"], include_in_schema=False)

#: what → (file suffix, media type)
DOWNLOADS: dict[str, tuple[str, str]] = {
    "yaml": (".yaml", "application/yaml; charset=utf-8"),
    "bpmn": (".bpmn", "application/xml"),
    "svg": (".svg", "image/svg+xml"),
    "sipoc.xlsx": (
        ".sipoc.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "sipoc.csv": (".sipoc.csv", "text/csv; charset=utf-8"),
    "sipoc.md": (".sipoc.md", "text/markdown; charset=utf-8"),
    "sipoc.html": (".sipoc.html", "text/html; charset=utf-8"),
    "report.html": (".report.html", "text/html; charset=utf-8"),
    "report.md": (".report.md", "text/markdown; charset=utf-8"),
    "lint.json": (".lint.json", "application/json"),
}


def download_response(
    data: str | bytes, filename: str, media_type: str, *, inline: bool = False
) -> Response:
    """A file response that the browser saves (or shows, for ``inline``)."""
    disposition = "inline" if inline else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{filename}"'}
    if media_type.startswith("text/html"):  # a report may carry its own script: isolate it
        headers["Content-Security-Policy"] = (
            "sandbox allow-scripts; default-src 'none'; "
            "style-src 'unsafe-inline'; img-src data:; "
            "script-src 'unsafe-inline'"
        )
    return Response(data, media_type=media_type, headers=headers)


def produce(ws: Workspace, name: str, what: str) -> str | bytes:
    """The bytes of one download."""
    path = ws.model_path(name)
    original = name.lower().rsplit(".", 1)[-1]
    makers: dict[str, Callable[[api.Loaded], str | bytes]] = {
        "yaml": lambda ld: (
            path.read_bytes() if original in ("yaml", "yml") else dump_model(ld.model)
        ),
        "bpmn": lambda ld: (
            path.read_bytes() if original in ("bpmn", "bpmn2") else features.export_bpmn(ld.model)
        ),
        "svg": lambda ld: features.render_svg(ld.model, findings=api.lint(ld.model)),
        "sipoc.xlsx": lambda ld: api.sipoc_table(ld.model, "xlsx"),
        "sipoc.csv": lambda ld: api.sipoc_table(ld.model, "csv"),
        "sipoc.md": lambda ld: api.sipoc_table(ld.model, "md"),
        "sipoc.html": lambda ld: api.sipoc_table(ld.model, "html"),
        "report.html": lambda ld: features.report(ld.model, fmt="html"),
        "report.md": lambda ld: features.report(ld.model, fmt="md"),
        "lint.json": lambda ld: (
            json.dumps(lint_json(ld, name), indent=2, ensure_ascii=False) + "\n"
        ),
    }
    return cached(ws, name, f"download:{what}", makers[what])


@router.get("/models/{name}/download/{what}")
def download(
    ws: WorkspaceDep,
    name: str,
    what: str,
    diagram: int | None = Query(None, ge=1, description="the SVG of this diagram (from 1)"),
) -> Response:
    if what not in DOWNLOADS:
        raise HTTPException(404, f"no download called {what!r}; try one of {', '.join(DOWNLOADS)}")
    suffix, media = DOWNLOADS[what]
    stem = name.rsplit(".", 1)[0]
    if diagram is not None and what == "svg":  # one of a BPMN file's diagrams, as shown
        model = ws.load_model(name).model
        count = len(api.diagram_names(model))
        if diagram > count:
            raise HTTPException(
                404, f"{name} has {count} diagram(s): there is no diagram {diagram}"
            )
        data: str | bytes = cached(
            ws,
            name,
            f"download:svg:{diagram}",
            lambda ld: features.render_svg(
                ld.model, findings=api.lint(ld.model), diagram=str(diagram)
            ),
        )
        return download_response(data, f"{stem}.diagram-{diagram}{suffix}", media)
    data = produce(ws, name, what)
    return download_response(data, stem + suffix, media)
