"""BPMN out: export and conversion between model formats."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from bpmtool.api.drawing import choose_diagram, layout
from bpmtool.api.models import MODEL_SUFFIXES, Loaded, load_with_warnings
from bpmtool.errors import InputError, Problem
from bpmtool.model import Model

if TYPE_CHECKING:
    pass

#: the suffixes of model files that hold BPMN XML
BPMN_SUFFIXES = (".bpmn", ".bpmn2", ".xml")


# --- BPMN (io/bpmn) ---


def export_bpmn(
    model: Model,
    *,
    orientation: str = "horizontal",
    relayout: bool = False,
    diagram: str | int | None = None,
) -> bytes:
    """The model as BPMN 2.0 XML with diagram interchange (valid against the OMG XSD), laid
    out as the swimlane SVG is (lanes as rows, or as columns with ``vertical``).  Every
    diagram of the model is written; ``diagram`` (see :func:`choose_diagram`) is the one
    written first, which modellers open."""
    from bpmtool.io.bpmn_export import write_bpmn

    model = choose_diagram(model, diagram)

    return write_bpmn(
        model, layout(model, orientation=orientation, relayout=relayout), relayout=relayout
    )


def loads_bpmn(data: bytes, filename: str = "<input>") -> Loaded:
    """Read a model from BPMN 2.0 XML given as bytes (e.g. a diagram edited in a browser);
    problems and warnings name ``filename``."""
    from bpmtool.io.bpmn import read_bpmn_bytes

    model, warnings = read_bpmn_bytes(data, filename)
    return Loaded(model, list(warnings))


def model_text(
    model: Model, filename: str, *, relayout: bool = False, diagram: str | int | None = None
) -> str | bytes:
    """A model in the format ``filename``'s extension names: YAML, JSON or BPMN (bytes; its
    diagram is the model's own when it has one, unless ``relayout``); ``diagram`` makes
    another of its diagrams the main one (:func:`choose_diagram`).

    >>> m = Model.model_validate({"id": "m", "lanes": [{"id": "a"}]})
    >>> print(model_text(m, "m.yaml"), end="")
    id: m
    lanes:
    - {id: a}
    """
    import json

    model = choose_diagram(model, diagram)
    suffix = Path(filename).suffix.lower()
    if suffix not in MODEL_SUFFIXES:
        raise InputError.single(
            f"cannot tell the format to write from {Path(filename).name!r}",
            file=filename,
            expected="a name ending in " + ", ".join(MODEL_SUFFIXES),
        )
    if suffix in BPMN_SUFFIXES:
        return export_bpmn(model, relayout=relayout)
    if suffix == ".json":
        data = model.model_dump(by_alias=True, exclude_defaults=True, mode="json")
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    from bpmtool.io.yaml_model import dump_model

    return dump_model(model)


def convert(
    in_path: str | Path,
    out_path: str | Path,
    *,
    relayout: bool = False,
    diagram: str | int | None = None,
) -> list[Problem]:
    """Convert a model between YAML, JSON and BPMN by the extensions; returns the warnings:
    the source's import warnings, and anything the target would not give back.  A BPMN
    target keeps the source's diagrams (a BPMN file's layout) unless ``relayout``;
    ``diagram`` makes another of them the main one (:func:`choose_diagram`)."""
    from bpmtool.io.files import write_atomic

    out_path = Path(out_path)
    if out_path.suffix.lower() not in MODEL_SUFFIXES:
        raise InputError.single(
            f"cannot tell the format to write from {out_path.name!r}",
            file=str(out_path),
            expected="an output ending in " + ", ".join(MODEL_SUFFIXES),
        )
    loaded = load_with_warnings(in_path)
    data, warnings = converted(
        choose_diagram(loaded.model, diagram), str(out_path), relayout=relayout
    )
    write_atomic(out_path, data)
    return [*loaded.warnings, *warnings]


def converted(
    model: Model, filename: str, *, relayout: bool = False
) -> tuple[str | bytes, list[Problem]]:
    """The model as the format ``filename`` names, and what that text would not give back
    when read (checked for BPMN, whose reader is not the model's own): the one conversion
    of ``bpmtool convert`` and the web's."""
    data = model_text(model, filename, relayout=relayout)
    lost = _lost_in_bpmn(model, data, filename) if isinstance(data, bytes) else []
    if relayout:
        # the main diagram was asked to be replaced by bpmtool's layout: not a loss
        lost = [p for p in lost if p.key != "diagram" and not (p.key or "").startswith("diagram.")]
    return data, lost


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
