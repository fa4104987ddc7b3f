"""Read and write the native model format (YAML, and JSON which YAML reads too).

Loading reports *all* the problems of a file at once, each located at its
line and column and naming the key at fault; see :class:`bpmtool.errors.ModelError`.

>>> m = loads_model("id: t\\nlanes: [{id: a}]\\nnodes: [{id: x, lane: a}]\\n")
>>> m.node_by_id["x"].lane
'a'
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from bpmtool.errors import ModelError, Problem
from bpmtool.io.model_validation import MAX_PROBLEMS, validate_capped
from bpmtool.io.yaml_events import positions as find_positions
from bpmtool.io.yaml_events import read_values
from bpmtool.model import Model, format_duration
from bpmtool.model_checks import capped_reference_problems

__all__ = ["MAX_MODEL_BYTES", "MAX_PROBLEMS", "dump_model", "load_model", "loads_model"]

#: models larger than this are refused before parsing (a 5,000-node model is ~0.6 MB)
MAX_MODEL_BYTES = 10 * 1024 * 1024

_Loc = tuple[str | int, ...]


def load_model(path: str | Path) -> Model:
    """Load and validate a model file (``.yaml``, ``.yml`` or ``.json``)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ModelError.single(
            f"cannot read the model: {exc.strerror or exc}", file=str(path)
        ) from None
    if size > MAX_MODEL_BYTES:
        raise ModelError.single(
            f"the file is {size / 1e6:.1f} MB; models are limited to "
            f"{MAX_MODEL_BYTES // (1024 * 1024)} MB",
            file=str(path),
            expected="a process model of at most a few MB",
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ModelError.single(
            f"cannot read the model: {exc.strerror or exc}", file=str(path)
        ) from None
    return loads_model(data, filename=str(path))


def loads_model(source: str | bytes, filename: str = "<input>") -> Model:
    """Validate a model given as YAML or JSON text."""
    text = _decode(source, filename)
    try:
        data, first_line = read_values(text)
    except ModelError as err:
        raise ModelError(
            problems=[replace(p, file=filename) for p in err.problems],
            summary=f"{filename}: {err.problems[0].message}",
        ) from None
    if not isinstance(data, dict):
        raise ModelError.single(
            "the top level of a model must be a mapping with keys such as id, lanes, nodes, flows",
            file=filename,
            line=first_line,
            column=1,
            expected="a YAML mapping",
        )
    references, total = capped_reference_problems(data, MAX_PROBLEMS)
    model, errors, count = validate_capped(data, MAX_PROBLEMS, build=not references)
    total += count
    if not errors and not references and model is not None:
        return model
    found = [(loc, problem) for loc, problem in errors if loc[-1:] != ("_attributes",)]
    found += [(_parse_dotted(p.key or ""), p) for p in references]
    # a shorthand's bad attributes are said once, by the reference check
    positions = find_positions(text, [loc for loc, _ in found])
    shorthands = _shorthand_index(positions)
    problems = [_locate(p, loc, positions, filename, shorthands) for loc, p in found]
    problems.sort(key=lambda p: (p.line or 0, p.column or 0))
    listed = problems[:MAX_PROBLEMS]
    more = f" (the first {len(listed):,} are listed)" if total > len(listed) else ""
    raise ModelError(
        problems=listed,
        omitted=total - len(listed),
        summary=f"{filename}: {total:,} problem(s) in the model{more}",
    )


def _shorthand_index(positions: dict[_Loc, tuple[int, int]]) -> dict[_Loc, _Loc]:
    """Per location, its first child written as an ``a -> b`` shorthand key (one pass, so
    that locating many problems stays linear)."""
    index: dict[_Loc, _Loc] = {}
    for key in positions:
        if key and isinstance(key[-1], str) and "->" in key[-1]:
            index.setdefault(key[:-1], key)
    return index


def dump_model(model: Model) -> str:
    """Write a model as readable YAML in the native format (flows in ``a -> b`` form)."""
    data = model.model_dump(by_alias=True, exclude_defaults=True, mode="json")
    flows = []
    for flow in data.get("flows", []):
        head = f"{flow.pop('source')} -> {flow.pop('target')}"
        flows.append({head: flow} if flow else head)
    if flows:
        data["flows"] = flows
    order = [
        "id",
        "name",
        "description",
        "version",
        "preset",
        "rules",
        "pools",
        "lanes",
        "artifacts",
        "nodes",
        "flows",
        "subprocesses",
        "annotations",
        "groups",
        "associations",
        "stages",
        "ctqs",
        "triggers",
        "journey",
        "diagram",
        "other_diagrams",
    ]
    ordered = {k: data[k] for k in order if k in data}
    ordered.update({k: v for k, v in data.items() if k not in ordered})
    return yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


class _Dumper(yaml.SafeDumper):
    """Dumps short mappings of scalars on one line, as people write them."""


def _represent_dict(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.Node:
    flat = all(isinstance(v, (str, int, float, bool)) or v is None for v in value.values())
    short = len(value) <= 6 and sum(len(str(v)) for v in value.values()) < 70
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flat and short)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.Node:
    flat = all(isinstance(v, (str, int, float)) for v in value) and len(str(value)) < 70
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flat)


_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)
_ = format_duration  # durations are already strings in JSON mode

# ---------------------------------------------------------------------------


def _decode(source: str | bytes, filename: str) -> str:
    if isinstance(source, str):
        text = source
    else:
        if b"\x00" in source[:8192]:
            raise ModelError.single(
                "this is a binary file, not a YAML or JSON model",
                file=filename,
                line=1,
                expected="a text file in UTF-8",
            )
        try:
            text = source.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = source[: exc.start].count(b"\n") + 1
            col = exc.start - (source.rfind(b"\n", 0, exc.start) + 1) + 1
            raise ModelError.single(
                f"byte 0x{source[exc.start]:02x} is not valid UTF-8",
                file=filename,
                line=line,
                column=col,
                expected="a text file in UTF-8",
            ) from None
    bad = re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise ModelError.single(
            f"control character {bad.group()!r} in the file; it looks like binary data",
            file=filename,
            line=line,
            expected="a text file in UTF-8",
        )
    return text


def _locate(
    problem: Problem,
    loc: _Loc,
    positions: dict[_Loc, tuple[int, int]],
    filename: str,
    shorthands: dict[_Loc, _Loc] | None = None,
) -> Problem:
    """Find the deepest position known for ``loc``, looking through ``a -> b`` shorthands."""
    best = positions.get((), (1, 1))
    found: list[str | int] = []
    for part in loc:
        candidate = (*found, part)
        if (*candidate, "__key__") in positions and part not in ("source", "target"):
            best = positions[(*candidate, "__key__")]
            found.append(part)
            continue
        if candidate in positions:
            best = positions[candidate]
            found.append(part)
            continue
        if shorthands is None:
            shorthands = _shorthand_index(positions)
        head = shorthands.get(tuple(found))
        if head is not None:
            inner = (*head, part, "__key__")
            if inner in positions:
                best = positions[inner]
                found = [*head, part]
                continue
            best = positions.get((*head, "__key__"), positions[head])
        break
    return Problem(
        message=problem.message,
        file=filename,
        line=best[0],
        column=best[1],
        key=problem.key,
        expected=problem.expected,
    )


_DOTTED_PART = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def _parse_dotted(key: str) -> _Loc:
    return tuple(int(i) if i else name for i, name in _DOTTED_PART.findall(key))
