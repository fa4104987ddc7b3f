"""The BPMN import's trigger pass: what BPMN starts without a sequence flow — event
sub-processes from where their parent starts, compensation handlers from their compensation
boundary event, link catch events from the link throw event of the same name — recorded as
``Node.triggered_by`` so reachability follows BPMN's own semantics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpmtool.io.bpmn_vocabulary import B, local, name_of, strip_prefix

if TYPE_CHECKING:
    from bpmtool.io.bpmn_reader import Reader

__all__ = ["read_triggers"]


def read_triggers(reader: Reader) -> None:
    """Set ``triggered_by`` on the nodes BPMN starts without a flow."""
    for ident, container in reader.esp_starts:
        parent = reader.entries.get(container) or reader.container_starts.get(container) or []
        if parent and parent[0] != ident:
            reader.nodes[ident]["triggered_by"] = parent[0]
    for assoc in reader.root.iter(f"{B}association"):
        source = reader.node_ids.get(strip_prefix(assoc.get("sourceRef") or ""))
        raw_target = strip_prefix(assoc.get("targetRef") or "")
        target = reader.node_ids.get(raw_target)
        if source is None or target is None or target not in reader.nodes:
            continue
        thrower = reader.nodes[source]
        if reader.by_id[raw_target].get("isForCompensation") == "true" or "compensate" in (
            thrower.get("event_definition") or ""
        ).split(","):
            reader.nodes[target].setdefault("triggered_by", source)
    _links(reader)
    for node in reader.nodes.values():
        node.pop("_in_esp", None)


def _links(reader: Reader) -> None:
    """A link catch event continues where the link throw event of the same name (in the
    same process) stopped: BPMN's off-page connector."""
    for process in reader.root.findall(f"{B}process"):
        throws: dict[str, str] = {}
        catches: list[tuple[str, str]] = []
        for el in process.iter(f"{B}intermediateThrowEvent", f"{B}intermediateCatchEvent"):
            link = el.find(f"{B}linkEventDefinition")
            ident = reader.node_ids.get(el.get("id") or "")
            if link is None or ident is None:
                continue
            name = name_of(link) or name_of(el)
            if local(el) == "intermediateThrowEvent":
                throws.setdefault(name, ident)
            else:
                catches.append((name, ident))
        for name, ident in catches:
            if name in throws:
                reader.nodes[ident].setdefault("triggered_by", throws[name])
