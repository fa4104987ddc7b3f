"""Read and write the native model format (YAML, and JSON which YAML reads too).

Loading reports *all* the problems of a file at once, each located at its
line and column and naming the key at fault; see :class:`bpmtool.errors.ModelError`.

>>> m = loads_model("id: t\\nlanes: [{id: a}]\\nnodes: [{id: x, lane: a}]\\n")
>>> m.node_by_id["x"].lane
'a'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bpmtool.errors import ModelError, Problem
from bpmtool.model import Model, format_duration
from bpmtool.model_checks import capped_reference_problems
from bpmtool.model_hints import hint

__all__ = ["MAX_MODEL_BYTES", "MAX_PROBLEMS", "dump_model", "load_model", "loads_model"]

#: models larger than this are refused before parsing (a 5,000-node model is ~0.6 MB)
MAX_MODEL_BYTES = 10 * 1024 * 1024
#: problems listed for one file; the rest are counted (the editor validates as you type)
MAX_PROBLEMS = 1000
#: a guard against alias bombs ("billion laughs" in YAML)
_MAX_VALUES = 2_000_000

_Loc = tuple[str | int, ...]
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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
    fast = _fast_path(text)
    if fast is not None:
        return fast
    root = _compose(text, filename)
    positions: dict[_Loc, tuple[int, int]] = {}
    try:
        size = _expanded_size(root, {}) if root is not None else 0
        if size > _MAX_VALUES:
            raise ModelError.single(
                "the file expands to more than 2 million values (YAML aliases?)",
                file=filename,
                line=1,
                expected="a model without alias bombs",
            )
        data = _to_python(root, (), positions, filename) if root is not None else None
    except ModelError as err:
        raise ModelError(
            problems=[replace(p, file=filename) for p in err.problems],
            summary=f"{filename}: {err.problems[0].message}",
        ) from None
    except RecursionError:  # lists or mappings nested some hundreds deep
        raise ModelError.single(
            "values are nested too deeply",
            file=filename,
            line=1,
            expected="a model nested a few levels deep",
        ) from None
    if not isinstance(data, dict):
        line = root.start_mark.line + 1 if root is not None else 1
        raise ModelError.single(
            "the top level of a model must be a mapping with keys such as id, lanes, nodes, flows",
            file=filename,
            line=line,
            column=1,
            expected="a YAML mapping",
        )
    problems: list[Problem] = []
    model: Model | None = None
    total = 0
    shorthands = _shorthand_index(positions)
    try:
        model = Model.model_validate(data, context={"skip_references": True})
    except ValidationError as exc:
        total += exc.error_count()
        for detail in exc.errors(include_url=False)[:MAX_PROBLEMS]:
            loc = tuple(detail["loc"])
            if loc[-1:] == ("_attributes",):  # a shorthand's bad attributes: said once below
                continue
            problems.append(
                _locate(
                    Problem(message=_message(detail), key=_dotted(loc), expected=_expected(detail)),
                    loc,
                    positions,
                    filename,
                    shorthands,
                )
            )
    references, count = capped_reference_problems(data, MAX_PROBLEMS)
    total += count
    for problem in references:
        loc = _parse_dotted(problem.key or "")
        problems.append(_locate(problem, loc, positions, filename, shorthands))
    if problems or model is None:
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        listed = problems[:MAX_PROBLEMS]
        more = f" (the first {len(listed):,} are listed)" if total > len(listed) else ""
        raise ModelError(
            problems=listed,
            omitted=total - len(listed),
            summary=f"{filename}: {total:,} problem(s) in the model{more}",
        )
    return model


def _shorthand_index(positions: dict[_Loc, tuple[int, int]]) -> dict[_Loc, _Loc]:
    """Per location, its first child written as an ``a -> b`` shorthand key (one pass, so
    that locating many problems stays linear)."""
    index: dict[_Loc, _Loc] = {}
    for key in positions:
        if key and isinstance(key[-1], str) and "->" in key[-1]:
            index.setdefault(key[:-1], key)
    return index


class _PlainLoader(_Loader):  # type: ignore[misc, valid-type]
    """The C loader with our scalar rules: only true/false are booleans, dates stay text."""


_PlainLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")
    ]
    for first, resolvers in _Loader.yaml_implicit_resolvers.items()
}
_PlainLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _fast_path(text: str) -> Model | None:
    """Parse and validate without tracking positions; ``None`` means: take the located path.

    Positions are only needed to report problems, and tracking them costs most of the
    load time of a large model.  Files with anchors and aliases always take the located
    path, which guards against alias bombs.
    """
    if "&" in text and "*" in text:
        return None
    if "!" in text and _TAG.search(text):
        return None  # explicit tags (!!binary, !!set, !foo): the located path judges them
    try:
        data = yaml.load(text, Loader=_PlainLoader)  # a safe loader: plain data only
    except (yaml.YAMLError, ValueError, OverflowError, RecursionError):
        return None  # e.g. an integer of thousands of digits: the located path says where
    if not isinstance(data, dict):
        return None
    try:
        model = Model.model_validate(data, context={"skip_references": True})
    except ValidationError:
        return None
    if capped_reference_problems(data, 1)[1]:
        return None
    return model


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


def _compose(text: str, filename: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(x for x in (exc.context, exc.problem) if x)
        raise ModelError.single(
            f"not valid YAML: {what}",
            file=filename,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            expected="YAML or JSON",
        ) from None
    except yaml.YAMLError as exc:
        raise ModelError.single(
            f"not valid YAML: {exc}", file=filename, expected="YAML or JSON"
        ) from None


_SCALARS = yaml.constructor.SafeConstructor()
#: an explicit tag in YAML text (``!foo``, ``!!binary``); ``!`` inside plain words is no tag
_TAG = re.compile(r"(?:^|[\s\[{,:-])!")
_CORE = "tag:yaml.org,2002:"
#: the tags a model's values may carry: plain YAML data, nothing else
_PLAIN_TAGS = {
    _CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
}
#: integers longer than this stay text (Python refuses to convert over 4,300 digits)
_MAX_INT_DIGITS = 100


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many values ``node`` becomes once aliases are expanded (shared nodes counted once
    each time they are used, computed once each)."""
    key = id(node)
    if key in memo:
        if memo[key] < 0:
            raise ModelError.single(
                "a YAML alias refers to itself",
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
                expected="a model without recursive aliases",
            )
        return memo[key]
    memo[key] = -1  # in progress: meeting it again means the alias refers to itself
    if isinstance(node, yaml.MappingNode):
        size = 1 + sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    elif isinstance(node, yaml.SequenceNode):
        size = 1 + sum(_expanded_size(item, memo) for item in node.value)
    else:
        size = 1
    memo[key] = size
    return size


def _to_python(
    node: yaml.Node, loc: _Loc, positions: dict[_Loc, tuple[int, int]], filename: str
) -> Any:
    positions.setdefault(loc, (node.start_mark.line + 1, node.start_mark.column + 1))
    if node.tag not in _PLAIN_TAGS:
        tag = node.tag.replace(_CORE, "!!")
        raise ModelError.single(
            f"the YAML tag {tag[:60]!r} is not supported in a model",
            file=filename,
            line=node.start_mark.line + 1,
            column=node.start_mark.column + 1,
            key=_dotted(loc) or None,
            expected="plain YAML values (text, numbers, lists, maps)",
        )
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                raise ModelError.single(
                    "a key is a list, a mapping or tagged",
                    file=filename,
                    line=key_node.start_mark.line + 1,
                    column=key_node.start_mark.column + 1,
                    key=_dotted(loc) or None,
                    expected="a plain key such as id or name",
                )
            key = _scalar(key_node)
            key_loc = (*loc, key if isinstance(key, (str, int)) else str(key))
            positions[(*key_loc, "__key__")] = (
                key_node.start_mark.line + 1,
                key_node.start_mark.column + 1,
            )
            out[key] = _to_python(value_node, key_loc, positions, filename)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _to_python(item, (*loc, i), positions, filename) for i, item in enumerate(node.value)
        ]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    if node.tag == "tag:yaml.org,2002:bool" and node.value.lower() not in ("true", "false"):
        return node.value  # YAML 1.1's yes/no/on/off stay words
    if node.tag == _CORE + "timestamp":
        return node.value
    if node.tag == _CORE + "int" and len(node.value) > _MAX_INT_DIGITS:
        return node.value  # validation says where a number this long is not wanted
    return _SCALARS.construct_object(node)


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


def _message(err: Mapping[str, Any]) -> str:
    hinted = hint(err)
    if hinted is not None:
        return hinted[0]
    kind, msg = err.get("type", ""), str(err.get("msg", ""))
    if kind == "extra_forbidden":
        return f"unknown key {str(err['loc'][-1])!r}"
    if kind == "missing":
        return f"missing required key {str(err['loc'][-1])!r}"
    if kind == "literal_error":
        return f"{err.get('input')!r} is not allowed"
    if kind == "string_pattern_mismatch":
        return f"{err.get('input')!r} is not a valid id (no spaces and no '>')"
    if msg.startswith("Value error, "):
        return msg.removeprefix("Value error, ")
    if "input" in err and not isinstance(err["input"], (dict, list)):
        return f"{msg} (got {err['input']!r})"
    return msg


def _expected(err: Mapping[str, Any]) -> str | None:
    hinted = hint(err)
    if hinted is not None:
        return hinted[1]
    ctx = err.get("ctx") or {}
    if err.get("type") == "literal_error":
        return f"one of {ctx.get('expected')}"
    return None


def _dotted(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_DOTTED_PART = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def _parse_dotted(key: str) -> _Loc:
    return tuple(int(i) if i else name for i, name in _DOTTED_PART.findall(key))
