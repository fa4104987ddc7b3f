"""Upload pages: a model (YAML, JSON or BPMN) or an event log (CSV, XES, Parquet)."""

from __future__ import annotations

import contextlib
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bpmtool import api
from bpmtool.errors import InputError
from bpmtool.web.deps import SettingsDep, UserDep, WorkspaceDep
from bpmtool.web.log_match import activity_counts
from bpmtool.web.names import LOG_SUFFIXES, MODEL_SUFFIXES, clean_name, split_suffix
from bpmtool.web.templating import page
from bpmtool.web.uploads import Upload, check_inflated, receive_upload
from bpmtool.web.workspace import Workspace

__all__ = ["accept_log", "accept_model", "load_upload", "router"]

router = APIRouter(tags=["pages: upload"], include_in_schema=False)


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, settings: SettingsDep) -> Response:
    return page(
        request,
        "upload.html",
        {
            "settings": settings,
            "problems": [],
            "model_suffixes": MODEL_SUFFIXES,
            "log_suffixes": LOG_SUFFIXES,
        },
    )


async def _receive(request: Request, ws: Workspace, limit: int) -> Upload:
    upload = await receive_upload(request, ws.new_upload_path(".part"), limit=limit)
    if upload.path is None:
        raise HTTPException(400, "no file was sent; choose a file to upload")
    return upload


def load_upload(upload: Upload) -> tuple[str, api.Loaded]:
    """Load an uploaded model file (renamed to its format's suffix); its clean name and import.
    The import reads the bytes under the clean name, so problems, warnings and a BPMN model's
    default name are the file's as the user named it, never the upload's temporary name."""
    assert upload.path is not None
    name = clean_name(upload.filename or "model.yaml", MODEL_SUFFIXES)
    suffix = split_suffix(name, MODEL_SUFFIXES)[1]  # type: ignore[index]
    typed = upload.path.with_suffix(suffix)
    upload.path.rename(typed)
    upload.path = typed
    data = typed.read_bytes()  # at most the model size limit
    if suffix in api.BPMN_SUFFIXES:
        return name, api.loads_bpmn(data, name)
    return name, api.Loaded(api.loads_model(data, name))


def accept_model(ws: Workspace, upload: Upload, author: str = "unknown") -> tuple[str, api.Loaded]:
    """Validate an uploaded model and add it to the workspace; its name and the import."""
    try:
        name, loaded = load_upload(upload)
        assert upload.path is not None
        return ws.add_model_file(upload.path, name, author=author), loaded
    finally:
        upload.discard()


def accept_log(ws: Workspace, upload: Upload, limit: int) -> str:
    """Check an uploaded log looks like its format and, compressed, inflates to at most
    ``limit`` bytes; then add it to the workspace."""
    assert upload.path is not None
    try:
        name = clean_name(upload.filename or "log.csv", LOG_SUFFIXES)
        _looks_like(upload.path, name)
        check_inflated(upload.path, name, limit)
        added = ws.add_log_file(upload.path, name)
    finally:
        upload.discard()
    with contextlib.suppress(InputError):  # read once now: its page ranks the models at once
        activity_counts(ws, added)
    return added


def _looks_like(path: Path, name: str) -> None:
    with path.open("rb") as fh:
        head = fh.read(8)
    lower = name.lower()
    if lower.endswith(".gz") and not head.startswith(b"\x1f\x8b"):
        raise InputError.single("this is not a gzip file", file=name, expected="a .gz file")
    if lower.endswith((".parquet", ".pq")) and not head.startswith(b"PAR1"):
        raise InputError.single(
            "this is not a Parquet file", file=name, expected="a file starting with PAR1"
        )
    if lower.endswith(".xes") and not head.lstrip().startswith((b"<", b"\xef\xbb\xbf<")):
        raise InputError.single(
            "this is not an XES (XML) file",
            file=name,
            line=1,
            expected="XML starting with <?xml or <log",
        )


@router.post("/upload/model", response_class=HTMLResponse)
async def upload_model(
    request: Request, ws: WorkspaceDep, settings: SettingsDep, user: UserDep
) -> Response:
    upload = await _receive(request, ws, settings.max_model_bytes)
    try:
        name, _ = await run_in_threadpool(accept_model, ws, upload, user.name)
    except InputError as err:
        return page(
            request,
            "upload.html",
            {
                "settings": settings,
                "problems": err.problems,
                "summary": err.summary,
                "model_suffixes": MODEL_SUFFIXES,
                "log_suffixes": LOG_SUFFIXES,
            },
            status_code=422,
        )
    return RedirectResponse(f"/models/{name}?uploaded=1", status_code=303)


@router.post("/upload/log", response_class=HTMLResponse)
async def upload_log(request: Request, ws: WorkspaceDep, settings: SettingsDep) -> Response:
    upload = await _receive(request, ws, settings.max_log_bytes)
    try:
        name = await run_in_threadpool(accept_log, ws, upload, settings.max_log_bytes)
    except InputError as err:
        return page(
            request,
            "upload.html",
            {
                "settings": settings,
                "problems": err.problems,
                "summary": err.summary,
                "model_suffixes": MODEL_SUFFIXES,
                "log_suffixes": LOG_SUFFIXES,
            },
            status_code=422,
        )
    return RedirectResponse(f"/logs/{name}?uploaded=1", status_code=303)
