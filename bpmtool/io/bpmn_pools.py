"""The BPMN import's pool pass: participants become pools (black boxes when they have no
process), lanes belong to their pool, and pools and lanes take the order the diagram shows.

Functions of the reader (:class:`bpmtool.io.bpmn_reader.Reader`), called from its passes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lxml import etree

from bpmtool.io.bpmn_vocabulary import (
    BPMTOOL_NS,
    COLLABORATION_QUIET,
    B,
    doc_of,
    in_bpmn,
    local,
    name_of,
    ref_text,
    strip_prefix,
)

if TYPE_CHECKING:
    from bpmtool.io.bpmn_reader import Reader

__all__ = [
    "add_pool",
    "black_boxes",
    "drawn_order",
    "lane_set",
    "participants",
    "whole_pool_lane",
]


def participants(reader: Reader) -> dict[str, etree._Element]:
    out: dict[str, etree._Element] = {}
    for collab in reader.root.findall(f"{B}collaboration"):
        for child in collab:
            name = local(child)
            if name and name not in COLLABORATION_QUIET and in_bpmn(child):
                reader.unsupported(child, "collaboration")
        for part in collab.findall(f"{B}participant"):
            ref = strip_prefix(part.get("processRef") or "")
            if ref:
                if ref not in reader.by_id:
                    reader.error(
                        f"participant refers to a missing process {ref!r}",
                        part,
                        "the id of a <process> in this file",
                    )
                out.setdefault(ref, part)
    return out


def add_pool(reader: Reader, el: etree._Element, process: etree._Element | None) -> str:
    """A pool for a participant (or for a process no participant refers to)."""
    raw = el.get("id") or ""
    participant = local(el) == "participant"
    ident = reader.safe_id(raw, "pool", "pool")
    # the lane standing for a whole pool has the pool's id: keep it free among lanes
    while ident in reader.used_ids.get("lane", set()):
        ident = reader.safe_id(f"{ident}_pool", "pool", "pool")
    name = name_of(el) or (name_of(process) if process is not None and participant else "")
    pool: dict[str, Any] = {"id": ident}
    if name:
        pool["name"] = name
    doc = doc_of(el)
    if doc:
        pool["description"] = doc
    if process is None:
        pool["black_box"] = True
    else:
        pool["process"] = process.get("id") or ident
        if process.get("isExecutable") in ("true", "false"):
            pool["executable"] = process.get("isExecutable") == "true"
    if not participant:
        pool["participant"] = False
    if el.get(f"{{{BPMTOOL_NS}}}external") == "true":
        pool["external"] = True
    reader.pools.append(pool)
    reader.pool_ids[raw] = ident
    reader.element_ids[raw] = ident
    return ident


def whole_pool_lane(reader: Reader, pool: str) -> str:
    """The lane standing for a pool without lanes: the pool's id, name and party."""
    reader.used_ids.setdefault("lane", set()).add(pool)
    info = next(p for p in reader.pools if p["id"] == pool)
    lane: dict[str, Any] = {"id": pool, "pool": pool}
    for key in ("name", "external", "description"):
        if key in info:
            lane[key] = info[key]
    reader.lanes.append(lane)
    return pool


def add_lane(reader: Reader, el: etree._Element, name: str, pool: str) -> str:
    raw = el.get("id")
    ident = reader.safe_id(raw, "lane", "lane")
    if raw:
        reader.lane_ids[raw] = ident
        reader.element_ids[raw] = ident
    lane: dict[str, Any] = {"id": ident, "name": name, "pool": pool}
    doc = doc_of(el)
    if doc:
        lane["description"] = doc
    reader.lanes.append(lane)
    return ident


def lane_set(
    reader: Reader, lanes_el: etree._Element, prefix: str, lane_of: dict[str, str], pool: str
) -> None:
    """Leaf lanes become lanes; a parent lane only when it holds nodes of its own.
    No name is invented: an unnamed lane keeps an empty name."""
    for lane in lanes_el.findall(f"{B}lane"):
        label = name_of(lane)
        full = " / ".join(part for part in (prefix, label) if part) if label else ""
        refs = [strip_prefix(r) for r in ref_text(lane, "flowNodeRef")]
        for ref in refs:
            if ref not in reader.by_id:
                reader.error(
                    f"lane {label or lane.get('id')!r} refers to a missing flow node {ref!r}",
                    lane,
                    "the id of a flow node in this file",
                )
        refs = [r for r in refs if r in reader.by_id]
        inner: dict[str, str] = {}
        children = lane.findall(f"{B}childLaneSet")
        for child in children:
            lane_set(reader, child, full, inner, pool)
        lane_of.update(inner)
        own = [r for r in refs if r not in inner]
        if not children or own:
            ident = add_lane(reader, lane, full, pool)
            for ref in own:
                lane_of.setdefault(ref, ident)
        elif lane.get("id"):  # a parent lane is drawn over its children's
            reader.element_ids[lane.get("id") or ""] = next(iter(inner.values()), pool)


def black_boxes(reader: Reader, participants: dict[str, etree._Element]) -> None:
    seen = {p.get("id") for p in participants.values()}
    for collab in reader.root.findall(f"{B}collaboration"):
        for part in collab.findall(f"{B}participant"):
            if part.get("processRef") or part.get("id") in seen:
                continue
            add_pool(reader, part, None)


def drawn_order(data: dict[str, Any], diagram: dict[str, Any]) -> None:
    """Pools and lanes in the order the diagram shows them (top to bottom, or left to right
    for pools drawn vertically); those not drawn keep their place after them."""
    where: dict[str, tuple[float, float]] = {}
    for shape in diagram["shapes"]:
        vertical = shape.get("horizontal") is False
        where.setdefault(
            shape["element"], (shape["x"], shape["y"]) if vertical else (shape["y"], shape["x"])
        )
    for key in ("pools", "lanes"):
        items = data[key]
        last = len(items)
        data[key] = sorted(
            items, key=lambda item: (where.get(item["id"], (float("inf"), 0.0)), last)
        )
    # lanes keep together by pool, pools in drawn order
    rank = {p["id"]: i for i, p in enumerate(data["pools"])}
    data["lanes"] = sorted(data["lanes"], key=lambda lane: rank.get(lane.get("pool"), len(rank)))
