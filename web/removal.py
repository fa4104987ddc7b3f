"""Renaming and deleting what a workspace holds: models, logs and runs.

Each change is atomic for a reader: a rename links the file under its new name before
it unlinks the old one (so the name is never missing and a taken name is never
overwritten), a delete is one unlink.  A model's history goes with it on a rename; on a
delete it is kept — the deleted content becomes the last entry of the history, and a
model created again under that name shows it — so nothing saved is ever lost.  A log's
column mapping follows a rename and goes with a delete; a run's files go with it.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from bpmtool.errors import InputError
from bpmtool.web.history import write_record
from bpmtool.web.log_attachments import ATTACHMENTS
from bpmtool.web.names import LOG_SUFFIXES, MAX_STEM, MODEL_SUFFIXES, is_clean, split_suffix
from bpmtool.web.workspace import NotFound, Workspace, version_of

__all__ = [
    "Taken",
    "delete_log",
    "delete_model",
    "delete_run",
    "rename_log",
    "rename_model",
    "rename_run",
]

#: the parts of a run, as :meth:`Workspace.run_file` names them
_RUN_PARTS = (
    "status",
    "result",
    "progress",
    "svg",
    "report",
    "charts",
    "cases",
    "case_events",
    "case_sets",
)
MAX_TITLE = 120


class Taken(Exception):
    """The new name is already used by another file."""

    def __init__(self, name: str) -> None:
        super().__init__(f"{name} already exists; choose another name or delete it first")
        self.name = name


def _new_name(old: str, new: str, suffixes: tuple[str, ...], what: str) -> str:
    """``new`` checked as a file name of the same format as ``old``."""
    new = new.strip()
    old_suffix = split_suffix(old, suffixes)
    if split_suffix(new, suffixes) is None and old_suffix is not None:
        new += old_suffix[1]  # "renamed" means "renamed.yaml" for a YAML model
    if not is_clean(new, suffixes):
        raise InputError.single(
            f"{new!r} cannot be the name of a {what}",
            key="to",
            expected=f"at most {MAX_STEM} letters, digits, - or _, then the file's extension",
        )
    parts = split_suffix(new, suffixes)
    if old_suffix is not None and parts is not None and parts[1] != old_suffix[1].lower():
        raise InputError.single(
            f"a rename keeps the format: {new!r} does not end in {old_suffix[1]}",
            key="to",
            expected=f"a name ending in {old_suffix[1]}",
        )
    return new


def _move(source: Path, target: Path) -> None:
    """Give ``source`` the name ``target``; :class:`Taken` when that name exists."""
    try:
        os.link(source, target)
    except FileExistsError:
        raise Taken(target.name) from None
    source.unlink()


def _move_folder(source: Path, target: Path) -> None:
    """Move a history or journal folder; files of an earlier holder of the name stay."""
    if not source.is_dir():
        return
    target.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        os.replace(path, target / path.name)
    with contextlib.suppress(OSError):
        source.rmdir()


def rename_model(ws: Workspace, old: str, new: str, *, author: str) -> str:
    """Rename a model with its history; returns the new name."""
    ws.model_path(old)
    new = _new_name(old, new, MODEL_SUFFIXES, "model")
    if new == old:
        return old
    first, second = sorted((old, new))
    with ws.lock(first), ws.lock(second):
        source = ws.model_path(old)
        _move(source, ws.models / new)
        _move_folder(ws.meta / "history" / old, ws.meta / "history" / new)
        _move_folder(ws.journal(old), ws.journal(new))
        write_record(
            ws.journal(new),
            version_of((ws.models / new).read_bytes()),
            author=author,
            message=f"renamed from {old}",
            action="renamed",
        )
    _follow_runs(ws, "model", old, new)
    return new


def _follow_runs(ws: Workspace, key: str, old: str, new: str) -> None:
    """Finished runs made with a renamed model or log name it by its new name, so they stay
    on its page (a run still going keeps the name it started with)."""
    for path in sorted(ws.runs.glob("*.json")):
        if path.name.count(".") != 1:
            continue
        with ws.lock(f"run-{path.stem}"):
            try:
                status = ws.read_run(path.stem)
            except (NotFound, ValueError, OSError):
                continue
            if status.get(key) == old and status.get("status") not in ("queued", "running"):
                status[key] = new
                ws.write_run(path.stem, status)


def delete_model(ws: Workspace, name: str, *, author: str, expected: str | None = None) -> None:
    """Delete a model; its content stays as the last entry of its history.

    ``expected`` (a version) refuses the delete when someone saved in between."""
    from bpmtool.web.workspace import VersionConflict

    with ws.lock(name):
        data, current = ws.read_model(name)
        if expected is not None and expected != current:
            raise VersionConflict(name, current)
        ws._keep(name, data, current)
        write_record(ws.journal(name), current, author=author, message="deleted", action="deleted")
        ws.model_path(name).unlink()


def rename_log(ws: Workspace, old: str, new: str) -> str:
    """Rename an event log with its column mapping; returns the new name."""
    ws.log_path(old)
    new = _new_name(old, new, LOG_SUFFIXES, "log")
    if new == old:
        return old
    _move(ws.log_path(old), ws.logs / new)
    for suffix in (".json", ".activities.json"):
        settings = ws.meta / "logs" / f"{old}{suffix}"
        if settings.exists():
            os.replace(settings, ws.meta / "logs" / f"{new}{suffix}")
    for attachment in ATTACHMENTS:
        attachment.move(ws, old, new)
    _follow_runs(ws, "log", old, new)
    return new


def delete_log(ws: Workspace, name: str) -> None:
    """Delete an event log with its column mapping, surveys and lane map (runs made with it
    stay)."""
    path = ws.log_path(name)
    path.unlink()
    for suffix in (".json", ".activities.json"):
        with contextlib.suppress(FileNotFoundError):
            (ws.meta / "logs" / f"{name}{suffix}").unlink()
    for attachment in ATTACHMENTS:
        attachment.delete(ws, name)


def rename_run(ws: Workspace, run_id: str, title: str) -> dict[str, object]:
    """Give a run a title (its id stays: links to it keep working); the run's status."""
    title = " ".join(title.split())
    if not title or len(title) > MAX_TITLE:
        raise InputError.single(
            "a run's title must not be empty", key="title", expected=f"1 to {MAX_TITLE} characters"
        )
    with ws.lock(f"run-{run_id}"):
        status = ws.read_run(run_id)
        status["title"] = title
        ws.write_run(run_id, status)
    return status


def delete_run(ws: Workspace, run_id: str) -> None:
    """Delete a finished run and all its files; a queued or running one is refused."""
    status = ws.read_run(run_id)
    if status.get("status") in ("queued", "running"):
        raise InputError.single(
            f"the run {run_id} is still {status['status']}; wait until it ends, then delete it",
            key="run",
        )
    # the status file last: until it goes the run is listed, and a retry finishes the job
    for part in (*_RUN_PARTS[1:], "status"):
        with contextlib.suppress(FileNotFoundError):
            ws.run_file(run_id, part).unlink()


def run_title(status: dict[str, object]) -> str:
    """What a run is called: its title, or its kind, model and log."""
    if status.get("title"):
        return str(status["title"])
    kind, log, model = status.get("kind", "check"), status.get("log", "?"), status.get("model", "?")
    return f"{kind} of {log} against {model}"
