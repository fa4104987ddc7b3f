"""Models: load, lint, SIPOC, schema and the small helpers the faces share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpmtool.errors import InputError, Problem
from bpmtool.findings import Finding
from bpmtool.model import Model
from bpmtool.sipoc import Sipoc

if TYPE_CHECKING:
    from bpmtool.mining.journey_result import JourneyResult


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
        file=str(path),
        expected="a model ending in " + ", ".join(MODEL_SUFFIXES),
    )


def load(path: str | Path, *, strict: bool = False) -> Model:
    """Load a model (YAML, JSON or BPMN) and return it."""
    return load_with_warnings(path, strict=strict).model


def lint(model: Model) -> list[Finding]:
    """Run the static rules on a model: its gaps, overlaps and structural problems."""
    from bpmtool.rules import run_rules

    return run_rules(model)


#: the ``schema`` of the stable lint JSON (docs/lint-json.md); the number goes up only when a
#: key changes meaning or goes away, never for a new key
LINT_JSON_SCHEMA = "bpmtool.lint/1"


def lint_summary(findings: list[Finding]) -> dict[str, int]:
    """How many findings, and how many of each severity."""
    from collections import Counter

    counts = Counter(f.severity.value for f in findings)
    return {
        "findings": len(findings),
        "error": counts["error"],
        "warning": counts["warning"],
        "info": counts["info"],
    }


def lint_document(
    model: Model, findings: list[Finding] | None = None, *, file: str | None = None
) -> dict[str, Any]:
    """The stable lint JSON (``docs/lint-json.md``): what ``bpmtool lint --format json``
    prints and ``bpmtool demo`` writes to ``lint.json``.  ``findings`` default to
    :func:`lint`'s; ``file`` is the model's path as the user named it."""
    findings = lint(model) if findings is None else findings
    return {
        "schema": LINT_JSON_SCHEMA,
        "model": {"id": model.id, "name": model.label, "file": file},
        "summary": lint_summary(findings),
        "findings": [f.to_dict() for f in findings],
    }


def sipoc(model: Model) -> Sipoc:
    """The SIPOC table of a model: per activity, and rolled up per stage and per lane."""
    from bpmtool.sipoc import sipoc as derive

    return derive(model)


#: the formats :func:`sipoc_table` writes (``xlsx`` as bytes)
SIPOC_FORMATS = ("text", "md", "csv", "html", "json", "xlsx")
#: the formats :func:`graph_text` writes
GRAPH_FORMATS = ("graphml", "json", "dot")


def sipoc_table(model: Model, fmt: str = "text") -> str | bytes:
    """The SIPOC table of a model in one of :data:`SIPOC_FORMATS`."""
    from bpmtool.render import sipoc_table as tables

    writers: dict[str, Callable[[Sipoc], str | bytes]] = {
        "text": tables.to_text,
        "md": tables.to_markdown,
        "csv": tables.to_csv,
        "html": tables.to_html,
        "json": tables.to_json,
        "xlsx": tables.to_xlsx,
    }
    if fmt not in writers:
        raise InputError.single(
            f"unknown SIPOC format {fmt!r}", expected="one of " + ", ".join(SIPOC_FORMATS)
        )
    return writers[fmt](sipoc(model))


def graph_text(model: Model, fmt: str = "json") -> str:
    """The model's flow graph as GraphML, node-link JSON or Graphviz DOT."""
    from bpmtool.io.graph_formats import graph_text as text

    if fmt not in GRAPH_FORMATS:
        raise InputError.single(
            f"unknown graph format {fmt!r}", expected="one of " + ", ".join(GRAPH_FORMATS)
        )
    return text(model, fmt)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the model format (for editor autocompletion)."""
    from bpmtool.model import json_schema as schema

    return schema()


def parse_duration(text: str) -> timedelta:
    """A duration such as ``3d``, ``36h`` or ``2w``; raises ``ValueError`` saying why not."""
    from bpmtool.durations import parse_duration as parse

    return parse(text)


def days_label(days: float | None) -> str | None:
    """Days as every face shows them (``5.48d``): one format for waits, CTQ times and costs."""
    from bpmtool.durations import days_label as label

    return label(days)


def compliance_label(share: float | None) -> str:
    """A CTQ's compliant share as every face shows it (``99.7 %``): rounded down, so never
    "100 %" while a case broke it."""
    from bpmtool.mining.journey_ctq import compliance_label as label

    return label(share)


def write_file(path: str | Path, data: str | bytes) -> None:
    """Write a file atomically (a temporary file renamed into place)."""
    from bpmtool.io.files import write_atomic

    write_atomic(Path(path), data)


def temp_file_owner(path: str | Path) -> int | None:
    """The id of the process that was writing ``path``, a temporary file of
    :func:`write_file`; ``None`` when its name does not say (not one of ours, or older)."""
    from bpmtool.io.files import temp_owner

    return temp_owner(Path(path))


def loads_model(source: str | bytes, filename: str = "<input>") -> Model:
    """Validate a model given as YAML or JSON text; problems name ``filename``."""
    from bpmtool.io.yaml_model import loads_model as loads

    return loads(source, filename)


def dump_model(model: Model) -> str:
    """A model as readable YAML in the native format (flows in ``a -> b`` form)."""
    from bpmtool.io.yaml_model import dump_model as dump

    return dump(model)


def journey_charts(result: JourneyResult) -> dict[str, str]:
    """The stage funnel and the behaviour × emotion grid of a journey, as inline SVG."""
    from bpmtool.render.journey_charts import journey_charts as charts

    return charts(result)


def warm_up() -> None:
    """Import the conformance stack (pm4py and friends) ahead of the first check, e.g. in a
    fresh worker process."""
    import bpmtool.mining.check  # noqa: F401


def rule_catalogue() -> list[dict[str, Any]]:
    """Every declared finding code (static rules, log checks, the runner's own), with its
    default severity, whether it is optional, and what each preset does with it."""
    from bpmtool.findings import PRESETS, RULES

    order = {"model": 0, "log": 1, "lint": 2}
    out = []
    for r in sorted(RULES.values(), key=lambda r: (order[r.scope], r.kind.value, r.code)):
        presets = {
            name: (sev.value if sev is not None else "off")
            for name, table in PRESETS.items()
            for sev in [table[r.code]]
        }
        out.append(
            {
                "code": r.code,
                "kind": r.kind.value,
                "severity": r.severity.value,
                "scope": r.scope,
                "optional": r.optional,
                "presets": presets,
                "why": r.why,
            }
        )
    return out
