"""The BPMN import's flow pass: sequence and message flows become the model's flows (flows
into and out of an expanded sub-process are re-wired to its start and end nodes; a message
flow to a pool's border becomes a pool flow).

Functions of the reader (:class:`bpmtool.io.bpmn_reader.Reader`), called from its passes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from lxml import etree

from bpmtool.io.bpmn_vocabulary import BPMTOOL_NS, B, local, name_of, strip_prefix

if TYPE_CHECKING:
    from bpmtool.io.bpmn_reader import Reader

__all__ = ["message_flows", "sequence_flows"]


def _ends(
    reader: Reader, ref: str, el: etree._Element, side: str, *, kind: str
) -> list[str] | None:
    """Our ids for a flow end (nodes; a pool for a message flow); None when it cannot be
    drawn (warned or errored)."""
    ref = strip_prefix(ref)
    if not ref or ref not in reader.by_id:
        reader.error(
            f"{kind} flow {side}Ref points to a missing element {ref!r}",
            el,
            "the id of a flow node in this file",
        )
        return None
    if side == "target" and ref in reader.entries:
        return reader.entries[ref]
    if side == "source" and ref in reader.exits:
        return reader.exits[ref]
    if ref in reader.node_ids:
        return [reader.node_ids[ref]]
    target = reader.by_id[ref]
    if kind == "message" and ref in reader.pool_ids:
        return [reader.pool_ids[ref]]
    if ref not in reader.skipped:
        reader.warn(
            f"{kind} flow {side}Ref {ref!r} is a <{local(target)}>, not a flow node; flow skipped",
            el,
        )
    return None


def sequence_flows(reader: Reader) -> None:
    pending = reader.flows
    reader.flows = []
    for item in pending:
        _read_flow(reader, item["_el"], "sequence")


def message_flows(reader: Reader) -> None:
    for collab in reader.root.findall(f"{B}collaboration"):
        for el in collab.findall(f"{B}messageFlow"):
            _read_flow(reader, el, "message")


def _read_flow(reader: Reader, el: etree._Element, kind: str) -> None:
    sources = _ends(reader, el.get("sourceRef") or "", el, "source", kind=kind)
    targets = _ends(reader, el.get("targetRef") or "", el, "target", kind=kind)
    if not sources or not targets:
        return
    raw = el.get("id") or ""
    many = len(sources) * len(targets) > 1
    pools = set(reader.pool_ids.values())
    for s in sources:
        for t in targets:
            flow: dict[str, Any] = {"source": s, "target": t, "kind": kind}
            flow["id"] = reader.safe_id(raw + (f"_{s}_{t}" if many else ""), "flow", f"{s}->{t}")
            name = name_of(el)
            if name:
                flow["name"] = name
            cond = el.find(f"{B}conditionExpression")
            if cond is not None and " ".join((cond.text or "").split()):
                flow["condition"] = " ".join((cond.text or "").split())
            if raw and raw in reader.defaults:
                flow["default"] = True
            _bpmtool_attributes(reader, el, flow)
            on_pool = (s in pools and s not in reader.nodes) or (
                t in pools and t not in reader.nodes
            )
            (reader.pool_flows if on_pool else reader.flows).append(flow)
            if raw:
                reader.flow_keys.setdefault(raw, flow["id"])
                reader.element_ids.setdefault(raw, flow["id"])


def _bpmtool_attributes(reader: Reader, el: etree._Element, flow: dict[str, Any]) -> None:
    """What our own export adds to flows: the artifact, a message flow's condition."""
    artifact = el.get(f"{{{BPMTOOL_NS}}}artifact")
    if artifact and artifact in reader.data_ids:
        flow["artifact"] = reader.data_ids[artifact]
    condition = el.get(f"{{{BPMTOOL_NS}}}condition")
    if condition and "condition" not in flow:
        flow["condition"] = condition
    if el.get(f"{{{BPMTOOL_NS}}}kind") == "sequence":
        flow["kind"] = "sequence"
