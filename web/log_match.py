"""Which model to check a log against: the workspace's models ranked by how well their
activities match the log's (:func:`bpmtool.api.model_match`).

A log's activity counts are read once per version of the file and kept beside its
settings (``.bpmtool/logs/<log>.activities.json``), so a page shows the ranking without
reading the log again.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from bpmtool import api
from bpmtool.api import write_file as write_atomic
from bpmtool.errors import InputError
from bpmtool.web.workspace import Workspace

__all__ = ["Ranked", "activity_counts", "best_model", "rank_models"]


@dataclass(frozen=True)
class Ranked:
    """A model of the workspace and how it matches a log (None: the model does not load)."""

    name: str
    match: api.ModelMatch | None


def activity_counts(ws: Workspace, log: str) -> dict[str, int]:
    """The log's activity labels with their event counts (cached per file version)."""
    path = ws.log_path(log)
    st = path.stat()
    key = f"{st.st_size}:{st.st_mtime_ns}"
    cache = ws.meta / "logs" / f"{log}.activities.json"
    if cache.exists():
        try:
            doc = json.loads(cache.read_text(encoding="utf-8"))
            if doc.get("key") == key:
                return {str(k): int(v) for k, v in doc["counts"].items()}
        except (ValueError, KeyError, TypeError, AttributeError):
            pass
    counts = api.activity_counts(
        path, columns=ws.log_columns(log) or None, date_format=ws.log_date_format(log)
    )
    write_atomic(cache, json.dumps({"key": key, "counts": counts}) + "\n")
    return counts


#: (workspace, log, log version, models' versions) → ranking: a page asks it on every visit
_ranked: dict[tuple[object, ...], list[Ranked]] = {}
_lock = threading.Lock()


def rank_models(ws: Workspace, log: str) -> list[Ranked]:
    """Every model, best match first; raises the reader's InputError for an unreadable log."""
    st = ws.log_path(log).stat()
    state = tuple((f.name, f.size, f.modified) for f in ws.list_models())
    key = (str(ws.root), log, st.st_size, st.st_mtime_ns, state)
    with _lock:
        hit = _ranked.get(key)
    if hit is not None:
        return hit
    ranked = _rank(ws, log)
    with _lock:
        if len(_ranked) > 64:
            _ranked.clear()
        _ranked[key] = ranked
    return ranked


def _rank(ws: Workspace, log: str) -> list[Ranked]:
    counts = activity_counts(ws, log)
    ranked = []
    for stored in ws.list_models():
        try:
            model = ws.load_model(stored.name).model
        except InputError:
            ranked.append(Ranked(stored.name, None))
            continue
        ranked.append(Ranked(stored.name, api.model_match(model, counts)))
    ranked.sort(key=lambda r: (r.match is None, -(r.match.score if r.match else 0.0), r.name))
    return ranked


def best_model(ws: Workspace, log: str) -> Ranked | None:
    """The model whose activities match the log best, or None when none matches at all."""
    ranked = [r for r in rank_models(ws, log) if r.match is not None and r.match.score > 0]
    return ranked[0] if ranked else None
