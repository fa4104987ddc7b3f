"""What the pages and downloads show of a model, computed through :mod:`bpmtool.api`.

Results are cached per model file (until it changes), so a model page costs one lint,
one SIPOC and one drawing per saved version, not per visit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from bpmtool import api
from bpmtool.api import Sipoc
from bpmtool.findings import Finding
from bpmtool.web import features
from bpmtool.web.workspace import Workspace

__all__ = ["ModelView", "cached", "lint_json", "model_view"]

T = TypeVar("T")

_cache: dict[tuple[str, str, str], Any] = {}
_lock = threading.Lock()
_MAX_ENTRIES = 256


def cached(ws: Workspace, name: str, what: str, compute: Callable[[api.Loaded], T]) -> T:
    """``compute(loaded)`` for the current version of a model, remembered until it changes."""
    loaded = ws.load_model(name)
    key = (str(ws.root), name, what)
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] is loaded:
        return hit[1]  # type: ignore[no-any-return]
    value = compute(loaded)
    with _lock:
        if len(_cache) >= _MAX_ENTRIES:
            _cache.clear()
        _cache[key] = (loaded, value)
    return value


@dataclass(frozen=True)
class ModelView:
    """Everything the model page shows."""

    name: str
    version: str
    loaded: api.Loaded
    findings: list[Finding]
    sipoc: Sipoc
    svg: str | None
    editable: bool
    #: the titles of a BPMN file's diagrams (:func:`bpmtool.api.diagram_titles`: "2. IT"),
    #: when it has several
    diagrams: tuple[str, ...] = ()
    #: the diagram drawn (its number from 1), when one was asked for
    diagram: int | None = None

    @property
    def model(self) -> Any:
        return self.loaded.model

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity.value] += 1
        return out


def model_view(ws: Workspace, name: str, diagram: int | None = None) -> ModelView:
    """Load a model and derive its findings, SIPOC table and swimlane drawing (of its
    diagram number ``diagram``, from 1, when a BPMN file has several; an unknown number
    raises ``InputError``)."""
    _, version = ws.read_model(name)
    loaded = ws.load_model(name)
    findings = cached(ws, name, "lint", lambda ld: api.lint(ld.model))
    table = cached(ws, name, "sipoc", lambda ld: api.sipoc(ld.model))
    names = api.diagram_titles(loaded.model)
    if diagram is not None:
        api.choose_diagram(loaded.model, diagram)  # an unknown number: say so first
    chosen = None if diagram is None else str(diagram)
    svg = cached(
        ws,
        name,
        "svg" if diagram is None else f"svg:{diagram}",
        lambda ld: features.render_svg(ld.model, findings=findings, legend=False, diagram=chosen),
    )
    editable = name.lower().endswith((".yaml", ".yml", ".json"))
    shown = tuple(names) if len(names) > 1 else ()
    return ModelView(name, version, loaded, findings, table, svg, editable, shown, diagram)


def lint_json(loaded: api.Loaded, file: str) -> dict[str, Any]:
    """The JSON of ``bpmtool lint --format json``: the same function makes both."""
    return api.lint_document(loaded.model, file=file)
