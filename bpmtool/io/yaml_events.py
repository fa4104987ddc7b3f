"""YAML (and JSON) text to plain data, read from the parser's event stream.

Building the values straight from the events keeps no node tree and no position per value:
a model of a million list items costs its values and nothing more (PyYAML's own loader
holds a node with two marks per value, some 350 bytes each).  Positions are found by a
second pass, and only for the places a problem names (:func:`positions`).

The values follow YAML 1.1's rules, with these exceptions for models: only ``true`` and
``false`` are booleans (``yes``, ``off`` stay words), dates stay text, and integers of
more than 100 digits stay text (validation then says where a number is not wanted).  Explicit
tags (``!foo``, ``!!binary``, ``!!set``), keys that are lists or mappings, a key given twice in
one mapping, undefined,
duplicate and self-referring aliases, more than one document, nesting deeper than
:data:`MAX_DEPTH` and alias bombs (more than :data:`MAX_VALUES` values once aliases are
expanded) are refused with a :class:`~bpmtool.errors.ModelError` located at the event.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import yaml
from yaml import events

from bpmtool.errors import ModelError

__all__ = ["MAX_DEPTH", "MAX_VALUES", "Loc", "dotted", "positions", "read_values"]

Loc = tuple[str | int, ...]

#: a guard against alias bombs ("billion laughs" in YAML)
MAX_VALUES = 2_000_000
#: lists and mappings nested deeper than this are refused (a model nests a few levels)
MAX_DEPTH = 100
#: integers longer than this stay text (Python refuses to convert over 4,300 digits)
MAX_INT_DIGITS = 100

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CORE = "tag:yaml.org,2002:"
#: the tags a model's values may carry: plain YAML data, nothing else
PLAIN_TAGS = frozenset(
    _CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq", "timestamp")
)
_RESOLVER = yaml.resolver.Resolver()
_SCALARS = yaml.constructor.SafeConstructor()
_OPEN = object()  # an anchor whose value is still being read


def dotted(loc: Iterable[Any]) -> str:
    """``("flows", 3, "source")`` as ``flows[3].source``."""
    out = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _error(message: str, mark: Any, loc: Loc = (), expected: str | None = None) -> ModelError:
    return ModelError.single(
        message,
        line=mark.line + 1,
        column=mark.column + 1,
        key=dotted(loc) or None,
        expected=expected,
    )


def _events(text: str) -> Iterator[Any]:
    """The parser's events; syntax errors become located :class:`ModelError`\\ s."""
    try:
        yield from yaml.parse(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = " ".join(x for x in (exc.context, exc.problem) if x)
        raise ModelError.single(
            f"not valid YAML: {what}",
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            expected="YAML or JSON",
        ) from None
    except yaml.YAMLError as exc:
        raise ModelError.single(f"not valid YAML: {exc}", expected="YAML or JSON") from None


def _scalar(event: Any, loc: Loc) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        tag = _RESOLVER.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag not in PLAIN_TAGS:
        raise _unsupported(tag, event.start_mark, loc)
    value = event.value
    if tag == _CORE + "str" or tag == _CORE + "timestamp":
        return value
    if tag == _CORE + "bool" and value.lower() not in ("true", "false"):
        return value  # YAML 1.1's yes/no/on/off stay words
    if tag == _CORE + "int" and len(value) > MAX_INT_DIGITS:
        return value
    return _SCALARS.construct_object(yaml.ScalarNode(tag, value))


def _unsupported(tag: str, mark: Any, loc: Loc) -> ModelError:
    shown = tag.replace(_CORE, "!!")
    return _error(
        f"the YAML tag {shown[:60]!r} is not supported in a model",
        mark,
        loc,
        "plain YAML values (text, numbers, lists, maps)",
    )


def _collection_tag(event: Any, loc: Loc, kind: str) -> None:
    tag = event.tag
    if tag is not None and tag != "!" and tag != _CORE + kind:
        raise _unsupported(tag, event.start_mark, loc)


class _Frame:
    """A list or mapping being read: its value, where it is, and (mappings) the pending key."""

    __slots__ = ("anchor", "key", "loc", "size", "value")

    def __init__(self, value: list[Any] | dict[Any, Any], loc: Loc, anchor: str | None) -> None:
        self.value = value
        self.loc = loc
        self.anchor = anchor
        self.key: Any = _OPEN  # _OPEN: the next event is a key
        self.size = 1


def _key_loc(frame: _Frame, key: Any) -> Loc:
    return (*frame.loc, key if isinstance(key, (str, int)) else str(key))


def read_values(text: str) -> tuple[Any, int]:
    """The document's value (``None`` for an empty one) and the line where it starts."""
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}  # name -> (value, expanded size)
    root: Any = None
    root_line = 1
    total = 0
    documents = 0
    for event in _events(text):
        kind = type(event)
        if kind is events.DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _error(
                    "not valid YAML: expected a single document in the stream but found "
                    "another document",
                    event.start_mark,
                    expected="YAML or JSON",
                )
            continue
        if kind not in (
            events.ScalarEvent,
            events.AliasEvent,
            events.SequenceStartEvent,
            events.MappingStartEvent,
            events.SequenceEndEvent,
            events.MappingEndEvent,
        ):
            continue
        parent = stack[-1] if stack else None
        at_key = parent is not None and isinstance(parent.value, dict) and parent.key is _OPEN
        loc: Loc = () if parent is None else parent.loc
        if parent is not None and not at_key:
            loc = (
                (*parent.loc, len(parent.value))
                if isinstance(parent.value, list)
                else _key_loc(parent, parent.key)
            )
        if kind is events.SequenceEndEvent or kind is events.MappingEndEvent:
            frame = stack.pop()
            value, size = frame.value, frame.size
            if frame.anchor is not None:
                anchors[frame.anchor] = (value, size)
            parent = stack[-1] if stack else None
            loc = frame.loc
        elif kind is events.SequenceStartEvent or kind is events.MappingStartEvent:
            if at_key:
                raise _error(
                    "a key is a list, a mapping or tagged",
                    event.start_mark,
                    parent.loc if parent else (),
                    "a plain key such as id or name",
                )
            if len(stack) >= MAX_DEPTH:
                raise _error(
                    "values are nested too deeply",
                    event.start_mark,
                    loc,
                    "a model nested a few levels deep",
                )
            _collection_tag(event, loc, "seq" if kind is events.SequenceStartEvent else "map")
            if event.anchor is not None:
                _new_anchor(anchors, event)
            if parent is None:
                root_line = event.start_mark.line + 1
            total = _counted(total, 1, event)
            stack.append(_Frame([] if kind is events.SequenceStartEvent else {}, loc, event.anchor))
            continue
        elif kind is events.AliasEvent:
            if event.anchor not in anchors:
                raise _error(
                    f"not valid YAML: found undefined alias {event.anchor!r}", event.start_mark
                )
            value, size = anchors[event.anchor]
            total = _counted(total, size, event)
            if value is _OPEN:
                raise _error(
                    "a YAML alias refers to itself",
                    event.start_mark,
                    expected="a model without recursive aliases",
                )
            if at_key and isinstance(value, (list, dict)):
                raise _error(
                    "a key is a list, a mapping or tagged",
                    event.start_mark,
                    parent.loc if parent else (),
                    "a plain key such as id or name",
                )
        else:  # a scalar
            if at_key and event.tag is not None and event.tag != "!":
                tag = event.tag
                if tag not in PLAIN_TAGS:
                    raise _error(
                        "a key is a list, a mapping or tagged",
                        event.start_mark,
                        parent.loc if parent else (),
                        "a plain key such as id or name",
                    )
            value = _scalar(event, loc)
            size = 1
            total = _counted(total, 1, event)
            if event.anchor is not None:
                _new_anchor(anchors, event)
                anchors[event.anchor] = (value, 1)
        if parent is None:
            if kind is events.ScalarEvent or kind is events.AliasEvent:
                root_line = event.start_mark.line + 1
            root = value
            continue
        parent.size += size
        if isinstance(parent.value, list):
            parent.value.append(value)
        elif parent.key is _OPEN:
            try:
                hash(value)
            except TypeError:
                raise _error(
                    "a key is a list, a mapping or tagged",
                    event.start_mark,
                    parent.loc,
                    "a plain key such as id or name",
                ) from None
            if value in parent.value:
                # YAML allows no key twice; a loader that kept the last would lose the first
                raise _error(
                    f"the key {value!r} is given twice in this mapping",
                    event.start_mark,
                    _key_loc(parent, value),
                    "each key once (merge the two, or rename one)",
                )
            parent.key = value
        else:
            parent.value[parent.key] = value
            parent.key = _OPEN
    return root, root_line


def _counted(total: int, more: int, event: Any) -> int:
    total += more
    if total > MAX_VALUES:
        raise _error(
            "the file expands to more than 2 million values (YAML aliases?)",
            event.start_mark,
            expected="a model without alias bombs",
        )
    return total


def _new_anchor(anchors: dict[str, tuple[Any, int]], event: Any) -> None:
    if event.anchor in anchors:
        raise _error(f"not valid YAML: found duplicate anchor {event.anchor!r}", event.start_mark)
    anchors[event.anchor] = (_OPEN, 0)


def positions(text: str, wanted: Iterable[Loc]) -> dict[Loc, tuple[int, int]]:
    """``(line, column)`` of each place on the way to the ``wanted`` locations, in the form
    the loader's locating expects: a value's start under its location, a key's under
    ``(*location, "__key__")``; and of the ``a -> b`` shorthand keys met on the way with
    their attributes.  Streams the events a second time and keeps nothing else."""
    prefixes: set[Loc] = {()}
    for place in wanted:
        prefixes.update(place[:i] for i in range(len(place) + 1))
    found: dict[Loc, tuple[int, int]] = {}

    def keep(loc: Loc, shorthand: bool = False) -> bool:
        return shorthand or loc in prefixes or loc in shorthands or loc[:-1] in shorthands

    shorthands: set[Loc] = set()
    scalar_anchors: dict[str, Any] = {}  # aliases used as keys stand for these values
    # each open collection: its location, whether it is a mapping, its next index or key
    stack: list[list[Any]] = []
    skip = 0  # depth inside a collection no wanted place is in
    for event in _events(text):
        kind = type(event)
        if skip:
            if kind is events.SequenceStartEvent or kind is events.MappingStartEvent:
                skip += 1
            elif kind is events.SequenceEndEvent or kind is events.MappingEndEvent:
                skip -= 1
                if not skip:
                    _advance(stack)
            continue
        if kind is events.SequenceEndEvent or kind is events.MappingEndEvent:
            stack.pop()
            _advance(stack)
            continue
        if kind not in (
            events.ScalarEvent,
            events.AliasEvent,
            events.SequenceStartEvent,
            events.MappingStartEvent,
        ):
            continue
        mark = (event.start_mark.line + 1, event.start_mark.column + 1)
        if not stack:
            loc: Loc = ()
        else:
            top = stack[-1]
            if top[1] and top[2] is _OPEN:  # a mapping's key (a plain scalar, or an alias)
                if kind is events.ScalarEvent:
                    key = _scalar(event, top[0])
                else:
                    key = scalar_anchors.get(event.anchor, event.anchor)
                key_loc = (*top[0], key if isinstance(key, (str, int)) else str(key))
                shorthand = isinstance(key, str) and "->" in key and top[0] in prefixes
                if keep(key_loc, shorthand):
                    found.setdefault((*key_loc, "__key__"), mark)
                    if shorthand:
                        shorthands.add(key_loc)
                top[2] = key_loc
                continue
            loc = top[2] if top[1] else (*top[0], top[2])
        if keep(loc):
            found.setdefault(loc, mark)
        if kind is events.ScalarEvent and event.anchor is not None:
            scalar_anchors[event.anchor] = _scalar(event, loc)
        if kind is events.SequenceStartEvent or kind is events.MappingStartEvent:
            if loc in prefixes or loc in shorthands:
                stack.append(
                    [
                        loc,
                        kind is events.MappingStartEvent,
                        _OPEN if kind is events.MappingStartEvent else 0,
                    ]
                )
            else:
                skip = 1
            continue
        _advance(stack)
    return found


def _advance(stack: list[list[Any]]) -> None:
    """A value of the innermost collection is done: next index, or next key."""
    if not stack:
        return
    top = stack[-1]
    if top[1]:
        top[2] = _OPEN
    else:
        top[2] += 1
