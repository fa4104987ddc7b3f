"""Validate a model's plain data with a bounded cost, however many problems it has.

pydantic keeps every error of a validation call, each with its input and location (about a
kilobyte apiece): a file of a million bad flows made a million of them before the first
was shown.  :func:`validate_capped` validates a large model in pieces of about
:data:`CHUNK_VALUES` values (the top-level lists item by item), keeps the first ``limit``
problems and only counts the rest, so its memory does not grow with the number of problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, get_origin

from pydantic import TypeAdapter, ValidationError

from bpmtool.errors import Problem
from bpmtool.io.yaml_events import Loc, dotted
from bpmtool.model import Model
from bpmtool.model_hints import hint

__all__ = ["CHUNK_VALUES", "MAX_PROBLEMS", "validate_capped"]

#: problems listed for one file; the rest are counted (the editor validates as you type)
MAX_PROBLEMS = 1000
#: values validated in one call when a model is large
CHUNK_VALUES = 20_000

_SKIP = {"skip_references": True}
_SCALARS = (str, int, float, bool, type(None))


def validate_capped(
    data: Mapping[str, Any], limit: int = MAX_PROBLEMS, *, build: bool = True
) -> tuple[Model | None, list[tuple[Loc, Problem]], int]:
    """The model (``None`` when invalid), the first ``limit`` problems with their locations,
    and how many problems there are in all.  Broken references are not checked here.
    ``build=False`` only finds the problems (the model is known to be refused anyway), and
    keeps no validated item of a large model."""
    kept: list[tuple[Loc, Problem]] = []
    if count_values(data, CHUNK_VALUES) <= CHUNK_VALUES:
        try:
            return Model.model_validate(data, context=_SKIP), [], 0
        except ValidationError as exc:
            _keep(kept, exc, (), limit)
            return None, kept, exc.error_count()
    total = 0
    lists = _list_fields()
    head = {k: v for k, v in data.items() if not (k in lists and isinstance(v, list))}
    big = [k for k, v in head.items() if count_values(v, CHUNK_VALUES) > CHUNK_VALUES]
    if len(head) > CHUNK_VALUES:
        total += _too_big(kept, (), f"{len(head):,} top-level keys", limit)
    elif big:
        for key in big:
            total += _too_big(kept, (key,), "more than 20,000 values", limit)
    else:
        try:
            Model.model_validate({**head, **{k: [] for k in lists if k in data}}, context=_SKIP)
        except ValidationError as exc:
            _keep(kept, exc, (), limit)
            total += exc.error_count()
    items: dict[str, list[Any]] = {}
    for key, field_type in lists.items():
        value = data.get(key)
        if not isinstance(value, list):
            continue
        good, errors = _validate_list(key, value, field_type, kept, limit, build and not total)
        total += errors
        items[key] = good
    if total or not build:
        return None, kept, total
    return Model.model_validate({**head, **items}, context=_SKIP), kept, 0


def _validate_list(
    key: str,
    value: list[Any],
    field_type: Any,
    kept: list[tuple[Loc, Problem]],
    limit: int,
    build: bool,
) -> tuple[list[Any], int]:
    """Validate a top-level list in pieces; the validated items (while ``build`` and no
    error was found) and the number of errors."""
    adapter = _adapter(field_type)
    good: list[Any] = []
    errors = 0
    start = 0
    while start < len(value):
        end, size = start, 0
        while end < len(value) and (end == start or size < CHUNK_VALUES):
            item = value[end]
            item_size = 1 if isinstance(item, _SCALARS) else count_values(item, CHUNK_VALUES)
            if item_size > CHUNK_VALUES:
                break
            size += item_size
            end += 1
        if end == start:  # one item larger than a piece: refused, not validated
            errors += _too_big(kept, (key, start), "more than 20,000 values", limit)
            start += 1
            continue
        try:
            valid = adapter.validate_python(value[start:end])
            if build and not errors:
                good += valid
        except ValidationError as exc:
            _keep(kept, exc, (key,), limit, offset=start)
            errors += exc.error_count()
            good.clear()
        start = end
    return good, errors


def count_values(value: Any, stop: int) -> int:
    """How many values ``value`` holds (itself, list items, mapping keys and values, all the
    way down), counting no further than just past ``stop``."""
    count = 0
    pending = [value]
    while pending and count <= stop:
        item = pending.pop()
        count += 1
        if isinstance(item, Mapping):
            count += len(item)
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return count


@cache
def _list_fields() -> dict[str, Any]:
    """The model's top-level lists (lanes, nodes, flows, …) and their types."""
    return {
        field.alias or name: field.annotation
        for name, field in Model.model_fields.items()
        if get_origin(field.annotation) is list
    }


@cache
def _adapter(field_type: Any) -> TypeAdapter[Any]:
    return TypeAdapter(field_type)


def _keep(
    kept: list[tuple[Loc, Problem]],
    exc: ValidationError,
    prefix: Loc,
    limit: int,
    offset: int = 0,
) -> None:
    room = limit - len(kept)
    if room <= 0:
        return
    for detail in exc.errors(include_url=False)[:room]:
        loc = tuple(detail["loc"])
        if prefix and loc and isinstance(loc[0], int):
            loc = (loc[0] + offset, *loc[1:])
        loc = (*prefix, *loc)
        detail = {**detail, "loc": loc}
        kept.append(
            (loc, Problem(message=_message(detail), key=dotted(loc), expected=_expected(detail)))
        )


def _too_big(kept: list[tuple[Loc, Problem]], loc: Loc, what: str, limit: int) -> int:
    if len(kept) < limit:
        kept.append(
            (
                loc,
                Problem(
                    message=f"{dotted(loc) or 'the model'} holds {what}; not validated",
                    key=dotted(loc) or None,
                    expected="a process model of at most some thousands of values per entry",
                ),
            )
        )
    return 1


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
        got = repr(err["input"])
        return f"{msg} (got {got[:80] + '…' if len(got) > 80 else got})"
    return msg


def _expected(err: Mapping[str, Any]) -> str | None:
    hinted = hint(err)
    if hinted is not None:
        return hinted[1]
    ctx = err.get("ctx") or {}
    if err.get("type") == "literal_error":
        return f"one of {ctx.get('expected')}"
    return None
