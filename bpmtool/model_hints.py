"""Human messages for the validation errors a model file most often has.

pydantic says *what* failed ("Extra inputs are not permitted", "Input should be a valid
dictionary or instance of Flow"); an analyst needs to hear what to write instead: the key
they probably meant, the node types there are, the shape of a flow.

>>> hint({"type": "extra_forbidden", "loc": ("nodes", 0, "lnae"), "input": "sales"})
("unknown key 'lnae'; did you mean 'lane'?", None)
>>> hint({"type": "model_type", "loc": ("flows", 0), "input": "a => e"})[0]
"'a => e' is not a flow; did you mean 'a -> e'?"
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel

from bpmtool.model import _TYPE_ALIASES, GATEWAY_TYPES, NODE_TYPES, Model

__all__ = ["hint", "known_keys"]

#: words for node types that are no type of ours, and the type meant most often
_TYPE_HINTS = {
    "gateway": "exclusive",
    "decision": "exclusive",
    "fork": "parallel",
    "join": "parallel",
    "merge": "exclusive",
    "event": "intermediate",
    "user_task": "activity",
    "usertask": "activity",
    "subprocess": "activity",
    "sub_process": "activity",
}
_FLOW_ARROWS = ("=>", "-->", "→", ">", "—>", "->>")


def _model_of(annotation: Any) -> type[BaseModel] | None:
    """The pydantic model an annotation holds (through list[...], X | None, Annotated)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is None and not isinstance(annotation, types.UnionType):
        return None
    for arg in typing.get_args(annotation):
        found = _model_of(arg)
        if found is not None:
            return found
    return None


def known_keys(loc: tuple[str | int, ...]) -> list[str]:
    """The keys allowed where ``loc`` (without its last part) points into a model.

    >>> known_keys(("nodes", 3, "lnae"))[:4]
    ['id', 'name', 'type', 'lane']
    """
    current: type[BaseModel] | None = Model
    for part in loc[:-1]:
        if isinstance(part, int) or current is None:
            continue
        field = next(
            (f for name, f in current.model_fields.items() if part in (name, f.alias)), None
        )
        current = _model_of(field.annotation) if field is not None else None
    if current is None:
        return []
    return [f.alias or name for name, f in current.model_fields.items()]


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) that turn ``a`` into ``b``."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _did_you_mean(word: str, choices: list[str]) -> str | None:
    """The closest choice: fewest edits (a swap counts one), then the most alike."""
    if len(word) > 64:  # no misspelt key is this long; comparing would take time squared
        return None
    word = word.lower()
    ranked = sorted(
        choices,
        key=lambda c: (_distance(word, c.lower()), -difflib.SequenceMatcher(None, word, c).ratio()),
    )
    if ranked and _distance(word, ranked[0].lower()) <= max(1, len(word) // 3):
        return ranked[0]
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.75)
    return close[0] if close else None


def hint(err: Mapping[str, Any]) -> tuple[str, str | None] | None:
    """``(message, expected)`` for a pydantic error we can say better, else ``None``."""
    kind, loc, given = err.get("type"), tuple(err.get("loc", ())), err.get("input")
    if kind == "extra_forbidden" and loc:
        key = str(loc[-1])
        known = known_keys(loc)
        close = _did_you_mean(key, known)
        if close is None and f"{key}s" in known:
            close = f"{key}s"
        if close:
            return f"unknown key {key!r}; did you mean {close!r}?", None
        return f"unknown key {key!r}", (f"one of {', '.join(known)}" if known else None)
    if kind == "literal_error" and loc and loc[-1] == "type" and isinstance(given, str):
        word = given.strip().lower().replace("-", "_").replace(" ", "_")
        close = _TYPE_HINTS.get(word) or _did_you_mean(word, [*NODE_TYPES, *_TYPE_ALIASES])
        close = _TYPE_ALIASES.get(close or "", close)
        gateways = ", ".join(sorted(GATEWAY_TYPES))
        message = f"{given!r} is not a node type"
        if word == "gateway":
            message += f"; a gateway says how it splits: {gateways}"
        if close:
            message += f"; did you mean {close!r}?"
        return message, f"one of {', '.join(NODE_TYPES)}"
    if (
        kind in ("model_type", "dict_type", "model_attributes_type")
        and loc
        and loc[0] == "flows"
        and isinstance(given, str)
    ):
        for arrow in _FLOW_ARROWS:
            if arrow in given:
                source, _, target = given.partition(arrow)
                fixed = f"{source.strip()} -> {target.strip()}"
                return (
                    f"{given!r} is not a flow; did you mean {fixed!r}?",
                    "'source -> target' or {source: …, target: …}",
                )
        return f"{given!r} is not a flow", "'source -> target' or {source: …, target: …}"
    shown = "" if isinstance(given, (dict, list)) else f" (got {given!r})"
    if kind == "list_type" and loc:
        what = (
            "a list, e.g. [a, b]"
            if not isinstance(given, dict)
            else "a list of entries, each starting with '- '"
        )
        return f"{str(loc[-1])!r} should be {what}{shown}", None
    if kind in ("bool_parsing", "bool_type") and loc:
        return f"{str(loc[-1])!r} should be true or false{shown}", None
    if kind == "string_type" and loc:
        return f"{str(loc[-1])!r} should be text{shown}", None
    if kind in ("model_type", "dict_type") and isinstance(given, (str, int, float)) and loc:
        section = str(loc[0])
        keys = known_keys((*loc, ""))
        return (
            f"{given!r} is not a valid entry of {section!r}",
            f"a mapping with keys such as {', '.join(keys[:4])}" if keys else "a mapping",
        )
    return None
