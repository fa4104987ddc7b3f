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
    """A link catch event continues where its link throw event (in the same process)
    stopped: BPMN's off-page connector.  A throw names its catch by the definitions'
    ``target``/``source`` references, else by the link's name (or the event's); a process
    left with one throw and one catch that match nothing pairs those two (bpmn.io writes
    link definitions without names, and the two events may be named apart)."""
    for process in reader.root.findall(f"{B}process"):
        throws: dict[str, str] = {}
        catches: list[tuple[str, str]] = []
        #: a link definition's id → the event holding it, and what it points to
        defined: dict[str, str] = {}
        pointed: list[tuple[str, str]] = []  # (throw event, catch definition id)
        for el in process.iter(f"{B}intermediateThrowEvent", f"{B}intermediateCatchEvent"):
            link = el.find(f"{B}linkEventDefinition")
            ident = reader.node_ids.get(el.get("id") or "")
            if link is None or ident is None:
                continue
            if link.get("id"):
                defined[link.get("id") or ""] = ident
            name = name_of(link) or name_of(el)
            if local(el) == "intermediateThrowEvent":
                throws.setdefault(name, ident)
                pointed += [(ident, strip_prefix(t.text or "")) for t in link.findall(f"{B}target")]
            else:
                catches.append((name, ident))
                pointed += [
                    (defined.get(strip_prefix(s.text or ""), ""), link.get("id") or "")
                    for s in link.findall(f"{B}source")
                ]
        paired: set[str] = set()
        for thrower, definition in pointed:
            catch = defined.get(definition)
            if thrower and catch and catch != thrower:
                reader.nodes[catch].setdefault("triggered_by", thrower)
                paired |= {thrower, catch}
        left = []
        for name, ident in catches:
            if ident in paired:
                continue
            if name in throws:
                reader.nodes[ident].setdefault("triggered_by", throws[name])
                paired |= {ident, throws[name]}
            else:
                left.append(ident)
        loose = [t for t in dict.fromkeys(throws.values()) if t not in paired]
        all_throws = [
            reader.node_ids.get(el.get("id") or "")
            for el in process.iter(f"{B}intermediateThrowEvent")
            if el.find(f"{B}linkEventDefinition") is not None
        ]
        if len(left) == 1 and len(loose) == 1 and len(all_throws) == len(set(throws.values())):
            reader.nodes[left[0]].setdefault("triggered_by", loose[0])
