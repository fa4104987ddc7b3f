"""The one public Python API: what the CLI, the web app and notebooks call.

Every face goes through these functions, so the CLI and the web app always agree.

>>> model = load("models/saas-handoffs.yaml")
>>> [f.code for f in lint(model)]
[]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bpmtool.errors import InputError, Problem
from bpmtool.findings import Finding
from bpmtool.model import Model

__all__ = [
    "MODEL_SUFFIXES",
    "Loaded",
    "lint",
    "load",
    "load_with_warnings",
]

MODEL_SUFFIXES = (".yaml", ".yml", ".json", ".bpmn", ".bpmn2", ".xml")


@dataclass(frozen=True)
class Loaded:
    """A model and the warnings its import raised (unsupported BPMN elements, …)."""

    model: Model
    warnings: list[Problem] = field(default_factory=list)


def load_with_warnings(path: str | Path, *, strict: bool = False) -> Loaded:
    """Load a model from YAML, JSON or BPMN 2.0, chosen by the file's extension.

    With ``strict`` a BPMN import that would warn raises instead.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".bpmn", ".bpmn2", ".xml"):
        from bpmtool.io.bpmn import read_bpmn

        model, warnings = read_bpmn(path, strict=strict)
        return Loaded(model, list(warnings))
    if suffix in (".yaml", ".yml", ".json"):
        from bpmtool.io.yaml_model import load_model

        return Loaded(load_model(path))
    raise InputError.single(
        f"cannot tell the format of {path.name!r} from its extension",
        file=str(path), expected="a model ending in " + ", ".join(MODEL_SUFFIXES))


def load(path: str | Path, *, strict: bool = False) -> Model:
    """Load a model (YAML, JSON or BPMN) and return it."""
    return load_with_warnings(path, strict=strict).model


def lint(model: Model) -> list[Finding]:
    """Run the static rules on a model: its gaps, overlaps and structural problems."""
    from bpmtool.rules import run_rules

    return run_rules(model)
