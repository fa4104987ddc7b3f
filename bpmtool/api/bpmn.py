"""BPMN out: export and conversion between model formats."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bpmtool.api.drawing import layout
from bpmtool.api.models import MODEL_SUFFIXES, load_with_warnings
from bpmtool.errors import InputError, Problem
from bpmtool.model import Model

if TYPE_CHECKING:
    pass


# --- BPMN (io/bpmn) ---


def export_bpmn(model: Model, *, orientation: str = "horizontal") -> bytes:
    """The model as BPMN 2.0 XML with diagram interchange (valid against the OMG XSD), laid
    out as the swimlane SVG is (lanes as rows, or as columns with ``vertical``)."""
    from bpmtool.io.bpmn_export import write_bpmn

    return write_bpmn(model, layout(model, orientation=orientation))


def convert(in_path: str | Path, out_path: str | Path) -> list[Problem]:
    """Convert a model between YAML, JSON and BPMN by the extensions; returns the warnings:
    the source's import warnings, and anything the target would not give back."""
    import json

    from bpmtool.io.files import write_atomic

    out_path = Path(out_path)
    suffix = out_path.suffix.lower()
    if suffix not in MODEL_SUFFIXES:
        raise InputError.single(
            f"cannot tell the format to write from {out_path.name!r}",
            file=str(out_path),
            expected="an output ending in " + ", ".join(MODEL_SUFFIXES),
        )
    loaded = load_with_warnings(in_path)
    data: str | bytes
    warnings = list(loaded.warnings)
    if suffix in (".bpmn", ".bpmn2", ".xml"):
        data = export_bpmn(loaded.model)
        warnings += _lost_in_bpmn(loaded.model, data, str(out_path))
    elif suffix == ".json":
        data = (
            json.dumps(
                loaded.model.model_dump(by_alias=True, exclude_defaults=True, mode="json"),
                indent=2,
                ensure_ascii=False,
            )
            + "\n"
        )
    else:
        from bpmtool.io.yaml_model import dump_model

        data = dump_model(loaded.model)
    write_atomic(out_path, data)
    return warnings


def _lost_in_bpmn(model: Model, data: bytes, filename: str) -> list[Problem]:
    """What the written BPMN would not give back when read, one warning per field: bpmtool's
    extension elements keep everything a model holds, so this stays empty unless that
    promise breaks — and then the user hears of it instead of losing data silently."""
    from bpmtool.io.bpmn import read_bpmn_bytes
    from bpmtool.io.bpmn_extensions import differences

    again, _ = read_bpmn_bytes(data, filename)
    return [
        Problem(f"the BPMN does not keep {path}", file=filename, key=path)
        for path in differences(model, again)
    ]
