"""Checks on a model given as plain data, before (or beside) it becomes objects.

:func:`normalise_flow` reads the ``a -> b`` shorthands; :func:`reference_problems`
finds every broken or duplicate id.  Both work on half-valid data, so the YAML
loader can report reference problems next to type errors, each located.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bpmtool.errors import Problem

__all__ = ["normalise_flow", "reference_problems"]


def normalise_flow(item: object) -> object:
    """Turn the ``a -> b`` shorthands into a flow mapping; leave anything else alone.

    >>> normalise_flow("a -> b")
    {'source': 'a', 'target': 'b'}
    >>> normalise_flow({"a -> b": {"artifact": "x"}})
    {'source': 'a', 'target': 'b', 'artifact': 'x'}
    """
    if isinstance(item, str) and "->" in item:
        source, _, target = item.partition("->")
        return {"source": source.strip(), "target": target.strip()}
    if isinstance(item, Mapping) and len(item) == 1:
        ((key, value),) = item.items()
        if isinstance(key, str) and "->" in key:
            source, _, target = key.partition("->")
            out: dict[str, object] = {"source": source.strip(), "target": target.strip()}
            if isinstance(value, Mapping):
                out.update(value)
            elif value is not None:
                out["_attributes"] = value  # rejected below with a clear message
            return out
    return item


#: where the ids of a kind are declared, for the kinds whose section is not ``kind + "s"``
_SECTION_OF = {"sub-process": "'subprocesses'", "pool or node": "'pools' or 'nodes'"}


@dataclass(frozen=True)
class _Ref:
    loc: tuple[str | int, ...]
    message: str
    expected: str | None = None


def _dicts(items: object) -> Iterable[tuple[int, Mapping[str, Any]]]:
    if isinstance(items, Sequence) and not isinstance(items, (str, bytes)):
        for i, item in enumerate(items):
            if isinstance(item, Mapping):
                yield i, item


def _ids(section: object) -> list[tuple[int, str]]:
    return [(i, d["id"]) for i, d in _dicts(section) if isinstance(d.get("id"), str)]


def _shown(value: str) -> str:
    """``value`` quoted, cut to 80 characters (a fuzzed id was megabytes long)."""
    text = repr(value)
    return text[:80] + "…" if len(text) > 80 else text


def _suggest(name: str, known: Iterable[str]) -> str | None:
    if len(name) > 64:  # no misspelt id is this long; difflib would index it (fuzzing: a
        return None  # 3.9 MB id ran out of memory)
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"did you mean {close[0]!r}?" if close else None


class _Refs(list[_Ref]):
    """The problems found, kept up to ``limit`` and counted beyond it."""

    def __init__(self, limit: int | None) -> None:
        super().__init__()
        self.limit = limit
        self.total = 0

    @property
    def full(self) -> bool:
        return self.limit is not None and len(self) >= self.limit

    def append(self, ref: _Ref) -> None:
        self.total += 1
        if not self.full:
            super().append(ref)


def reference_problems(data: Mapping[str, Any]) -> list[Problem]:
    """Every broken or duplicate reference in a model given as plain data.

    Works on half-valid data (skips entries of the wrong shape), so a loader
    can report reference problems next to type errors.  Each problem's ``key``
    is a dotted path such as ``nodes[3].lane``.
    """
    return capped_reference_problems(data, None)[0]


def capped_reference_problems(
    data: Mapping[str, Any], limit: int | None
) -> tuple[list[Problem], int]:
    """The first ``limit`` problems of :func:`reference_problems` and how many there are
    in all (a model with a million broken flows costs no million messages)."""
    refs = _Refs(limit)
    flows = (
        [normalise_flow(f) for f in data.get("flows") or []]
        if isinstance(data.get("flows"), list)
        else []
    )

    def unknown(loc: tuple[str | int, ...], kind: str, value: object, known: set[str]) -> None:
        if not isinstance(value, str):
            return
        if value in known:
            return
        hint = _suggest(value, known) if not refs.full else None
        refs.append(
            _Ref(
                loc,
                f"unknown {kind} id {_shown(value)}" + (f"; {hint}" if hint else ""),
                f"one of the {kind} ids declared under {_SECTION_OF.get(kind, repr(kind + 's'))}"
                if kind != "node"
                else "a node id declared under 'nodes'",
            )
        )

    sections = {
        "pools": "pool",
        "subprocesses": "sub-process",
        "annotations": "annotation",
        "groups": "group",
        "lanes": "lane",
        "artifacts": "artifact",
        "nodes": "node",
        "stages": "stage",
        "ctqs": "ctq",
    }
    known: dict[str, set[str]] = {}
    for section, kind in sections.items():
        ids = _ids(data.get(section))
        counts = Counter(i for _, i in ids)
        for index, ident in ids:
            if counts[ident] > 1:
                first = next(j for j, k in ids if k == ident)
                if index != first:
                    refs.append(
                        _Ref(
                            (section, index, "id"),
                            f"duplicate {kind} id {ident!r} (first declared at {section}[{first}])",
                            "ids unique within a model",
                        )
                    )
        known[kind] = {i for _, i in ids}
    milestone_locs = [
        ((("stages", si, "milestones", mi, "id")), m["id"])
        for si, s in _dicts(data.get("stages"))
        for mi, m in _dicts(s.get("milestones"))
        if isinstance(m.get("id"), str)
    ]
    seen: dict[str, tuple[str | int, ...]] = {}
    for loc, ident in milestone_locs:
        if ident in seen:
            refs.append(_Ref(loc, f"duplicate milestone id {ident!r}", "milestone ids unique"))
        seen.setdefault(ident, loc)
    known["milestone"] = set(seen)

    nodes, lanes, artifacts = known["node"], known["lane"], known["artifact"]
    _pool_problems(data, known, unknown, refs)
    for i, node in _dicts(data.get("nodes")):
        if node.get("lane") is not None:
            unknown(("nodes", i, "lane"), "lane", node.get("lane"), lanes)
        for key in ("inputs", "outputs"):
            values = node.get(key)
            if isinstance(values, list):
                for j, art in enumerate(values):
                    unknown(("nodes", i, key, j), "artifact", art, artifacts)
        for key in ("attached_to", "triggered_by"):
            if node.get(key) is not None:
                unknown(("nodes", i, key), "node", node.get(key), nodes)
    flow_keys: Counter[str] = Counter()
    for i, flow in _dicts(flows):
        if "_attributes" in flow:
            refs.append(
                _Ref(
                    ("flows", i),
                    "the attributes of a flow shorthand must be a mapping",
                    "e.g. 'a -> b: {artifact: contract}'",
                )
            )
        unknown(("flows", i, "source"), "node", flow.get("source"), nodes)
        unknown(("flows", i, "target"), "node", flow.get("target"), nodes)
        if flow.get("artifact") is not None:
            unknown(("flows", i, "artifact"), "artifact", flow.get("artifact"), artifacts)
        key = flow.get("id") or f"{flow.get('source')}->{flow.get('target')}"
        flow_keys[str(key)] += 1
        if flow_keys[str(key)] == 2:
            what = "flow id" if flow.get("id") else "flow"
            refs.append(
                _Ref(
                    ("flows", i),
                    f"duplicate {what} {key!r}",
                    "one flow per pair of nodes, or distinct flow ids",
                )
            )
    for i, flow in _dicts([normalise_flow(f) for f in data.get("pool_flows") or []]):
        for end in ("source", "target"):
            unknown(("pool_flows", i, end), "pool or node", flow.get(end), nodes | known["pool"])
    flow_ids = {str(k) for k in flow_keys}
    drawable = (
        nodes
        | lanes
        | artifacts
        | flow_ids
        | set().union(*(known[k] for k in ("pool", "sub-process", "annotation", "group")))
    )
    for i, assoc in _dicts(data.get("associations")):
        for end in ("source", "target"):
            value = assoc.get(end)
            if isinstance(value, str) and value not in drawable:
                refs.append(
                    _Ref(
                        ("associations", i, end),
                        f"association {end} {value!r} is no element of the model",
                        "the id of a node, lane, pool, artifact, annotation, group or flow",
                    )
                )
    for i, stage in _dicts(data.get("stages")):
        if isinstance(stage.get("nodes"), list):
            for j, ref in enumerate(stage["nodes"]):
                unknown(("stages", i, "nodes", j), "node", ref, nodes)
        for j, ms in _dicts(stage.get("milestones")):
            cond = ms.get("reached_when")
            if isinstance(cond, Mapping):
                unknown(
                    ("stages", i, "milestones", j, "reached_when", "activity"),
                    "node",
                    cond.get("activity"),
                    nodes,
                )
    for i, ctq in _dicts(data.get("ctqs")):
        unknown(("ctqs", i, "from"), "node", ctq.get("from", ctq.get("from_")), nodes)
        unknown(("ctqs", i, "to"), "node", ctq.get("to"), nodes)
    for i, trig in _dicts(data.get("triggers")):
        when, expect = trig.get("when"), trig.get("expect")
        if isinstance(when, Mapping):
            unknown(
                ("triggers", i, "when", "milestone"),
                "milestone",
                when.get("milestone"),
                known["milestone"],
            )
        if isinstance(expect, Mapping):
            unknown(("triggers", i, "expect", "activity"), "node", expect.get("activity"), nodes)
    journey = data.get("journey")
    if isinstance(journey, Mapping):
        success = journey.get("success")
        if isinstance(success, Mapping):
            unknown(
                ("journey", "success", "milestone"),
                "milestone",
                success.get("milestone"),
                known["milestone"],
            )
            unknown(("journey", "success", "activity"), "node", success.get("activity"), nodes)
        unknown(("journey", "sale"), "milestone", journey.get("sale"), known["milestone"])
        for i, measure in _dicts(journey.get("behaviour")):
            for key, kind, pool in (("nodes", "node", nodes), ("lanes", "lane", lanes)):
                if isinstance(measure.get(key), list):
                    for j, ref in enumerate(measure[key]):
                        unknown(("journey", "behaviour", i, key, j), kind, ref, pool)
    return (
        [Problem(message=r.message, key=_dotted(r.loc), expected=r.expected) for r in refs],
        refs.total,
    )


def _pool_problems(
    data: Mapping[str, Any], known: dict[str, set[str]], unknown: Any, refs: _Refs
) -> None:
    """Lanes, nodes, artifacts and sub-processes name known pools and parents; black boxes
    hold nothing; with several working pools, every lane says which pool it is in."""
    pools = {p["id"]: p for _, p in _dicts(data.get("pools")) if isinstance(p.get("id"), str)}
    black = {i for i, p in pools.items() if p.get("black_box")}
    working = [i for i in pools if i not in black]
    lane_pool: dict[str, object] = {}
    for section in ("lanes", "nodes", "artifacts", "subprocesses"):
        for i, item in _dicts(data.get(section)):
            pool = item.get("pool")
            if section == "lanes" and isinstance(item.get("id"), str):
                lane_pool[item["id"]] = pool
            if pool is None:
                if section == "lanes" and len(working) > 1:
                    refs.append(
                        _Ref(
                            (section, i, "pool"),
                            f"lane {item.get('id')!r} names no pool, and the model has "
                            f"{len(working)}",
                            f"one of the pool ids: {', '.join(sorted(working))}",
                        )
                    )
                continue
            unknown((section, i, "pool"), "pool", pool, set(pools))
            if pool in black:
                refs.append(
                    _Ref(
                        (section, i, "pool"),
                        f"pool {pool!r} is a black box: it holds no lanes, nodes or data",
                        "a pool without black_box: true",
                    )
                )
    for section in ("nodes", "subprocesses"):
        for i, item in _dicts(data.get(section)):
            if item.get("parent") is not None:
                unknown(
                    (section, i, "parent"), "sub-process", item.get("parent"), known["sub-process"]
                )
            lane, pool = item.get("lane"), item.get("pool")
            if (
                isinstance(lane, str)
                and pool is not None
                and lane_pool.get(lane) not in (None, pool)
            ):
                refs.append(
                    _Ref(
                        (section, i, "pool"),
                        f"{section[:-1]} {item.get('id')!r} is in pool {pool!r} but its lane "
                        f"{lane!r} is in pool {lane_pool[lane]!r}",
                        "the pool of its lane, or no pool",
                    )
                )


def _dotted(loc: Sequence[str | int]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
