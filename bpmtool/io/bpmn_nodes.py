"""The BPMN import's flow-node pass: each process becomes a pool with its lanes, and what
it holds becomes the model's nodes — tasks as activities, events, gateways, collapsed
sub-processes as one activity, expanded ones as :class:`~bpmtool.model.SubProcess` frames
around their content (flows into and out of one go to its start and end nodes), event
sub-processes started from where their parent starts, and boundary events on their host.

Functions of the reader (:class:`bpmtool.io.bpmn_reader.Reader`), called from its passes.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from bpmtool.io.bpmn_data import DATA_ELEMENTS, data_associations, process_data, read_data
from bpmtool.io.bpmn_pools import add_pool, lane_set, whole_pool_lane
from bpmtool.io.bpmn_reader import Reader
from bpmtool.io.bpmn_vocabulary import (
    EVENTS,
    GATEWAYS,
    QUIET,
    SUBPROCESSES,
    TASKS,
    B,
    doc_of,
    in_bpmn,
    local,
    name_of,
    ref_text,
    strip_prefix,
)

__all__ = ["boundary_events", "expanded", "read_process"]


def read_process(
    reader: Reader, process: etree._Element, participant: etree._Element | None
) -> None:
    has_nodes = expanded(process)
    lane_sets = process.findall(f"{B}laneSet")
    if (
        participant is None
        and not has_nodes
        and not any(ls.findall(f"{B}lane") for ls in lane_sets)
    ):
        return  # an empty process no pool shows (Signavio writes strays)
    pool = add_pool(reader, participant if participant is not None else process, process)
    if participant is not None and process.get("id"):
        reader.element_ids.setdefault(process.get("id") or "", pool)
    lane_of: dict[str, str] = {}
    for each in lane_sets:
        lane_set(reader, each, "", lane_of, pool)
    default_lane: str | None = None
    if not any(lane["pool"] == pool for lane in reader.lanes) and has_nodes:
        default_lane = whole_pool_lane(reader, pool)
    process_data(reader, process, pool)
    _container(reader, process, None, lane_of, default_lane, pool)


def _container(
    reader: Reader,
    container: etree._Element,
    parent: str | None,
    lane_of: dict[str, str],
    lane: str | None,
    pool: str,
) -> None:
    where = f"<{local(container)}> {container.get('id') or ''}".strip()
    empty = not expanded(container)
    for el in container:
        kind = local(el)
        if not kind or not in_bpmn(el):
            continue
        raw = el.get("id") or ""
        node_lane = lane_of.get(raw, lane)
        if kind in SUBPROCESSES and expanded(el):
            _subprocess(reader, el, parent, lane_of, node_lane, pool)
            if el.get("triggeredByEvent") == "true":
                _event_subprocess(reader, el, container)
        elif kind in TASKS or kind in SUBPROCESSES:
            _node(reader, el, parent, "activity", node_lane, pool)
        elif kind in EVENTS:
            made = _node(reader, el, parent, EVENTS[kind], node_lane, pool)
            if kind == "startEvent":
                reader.container_starts.setdefault(container.get("id") or "", []).append(made)
        elif kind in GATEWAYS:
            _node(reader, el, parent, GATEWAYS[kind], node_lane, pool)
        elif kind == "sequenceFlow" and empty:
            # Signavio leaves such strays in processes that have no flow nodes at all
            reader.warn(f"sequence flow in {where}, which has no flow nodes, skipped", el)
        elif kind == "sequenceFlow":
            reader.flows.append({"_el": el, "_kind": "sequence"})
        elif kind in DATA_ELEMENTS:
            read_data(reader, el, pool)
        elif kind not in QUIET:
            reader.unsupported(el, where)
    # data associations of the container's nodes, after every data element is known
    for el in container:
        ident = reader.node_ids.get(el.get("id") or "")
        if ident is None or ident not in reader.nodes:
            continue
        data_associations(reader, el, reader.nodes[ident])


def expanded(el: etree._Element) -> bool:
    return any(
        local(c) in TASKS or local(c) in SUBPROCESSES or local(c) in EVENTS or local(c) in GATEWAYS
        for c in el
    )


def _node(
    reader: Reader, el: etree._Element, parent: str | None, type_: str, lane: str | None, pool: str
) -> str:
    raw = el.get("id") or ""
    ident = reader.safe_id(raw, "node", "node")
    reader.node_ids[raw] = ident
    reader.element_ids[raw] = ident
    node: dict[str, Any] = {"id": ident, "type": type_, "lane": lane, "task_type": local(el)}
    name = name_of(el)
    if name:  # an unnamed node keeps an empty name
        node["name"] = name
    if parent is not None:
        node["parent"] = parent
    doc = doc_of(el)
    if doc:
        node["description"] = doc
    definitions = [
        local(c).removesuffix("EventDefinition") for c in el if local(c).endswith("EventDefinition")
    ]
    definitions += ["reference"] * len(ref_text(el, "eventDefinitionRef"))
    if definitions:
        node["event_definition"] = ",".join(d for d in definitions if d)
    for c in el:
        if local(c) == "standardLoopCharacteristics":
            node["loop"] = "standard"
        elif local(c) == "multiInstanceLoopCharacteristics":
            node["loop"] = "sequential" if c.get("isSequential") == "true" else "parallel"
    if el.get("isForCompensation") == "true":
        node["compensation"] = True
    if local(el) == "startEvent" and el.get("isInterrupting") == "false":
        node["interrupting"] = False
    if local(el) == "boundaryEvent":
        attached = strip_prefix(el.get("attachedToRef") or "")
        if attached and attached not in reader.by_id:
            reader.error(
                f"boundary event attached to a missing activity {attached!r}",
                el,
                "the id of an activity in this file",
            )
        node["_attached"] = attached
        if el.get("cancelActivity") == "false":
            node["interrupting"] = False
    if lane is None:
        node["pool"] = pool
        if any(item.get("pool") == pool for item in reader.lanes):
            node["_no_lane"] = el
    reader.nodes[ident] = node
    return ident


def _subprocess(
    reader: Reader,
    el: etree._Element,
    parent: str | None,
    lane_of: dict[str, str],
    lane: str | None,
    pool: str,
) -> None:
    raw = el.get("id") or ""
    ident = reader.safe_id(raw, "subprocess", "subprocess")
    reader.element_ids[raw] = ident
    frame: dict[str, Any] = {"id": ident, "task_type": local(el)}
    for key, value in (
        ("name", name_of(el)),
        ("description", doc_of(el)),
        ("parent", parent),
        ("lane", lane),
    ):
        if value:
            frame[key] = value
    if lane is None:
        frame["pool"] = pool
    if el.get("triggeredByEvent") == "true":
        frame["event"] = True
    reader.subprocesses.append(frame)
    before = set(reader.nodes)
    flows_before = len(reader.flows)
    _container(reader, el, ident, lane_of, lane, pool)
    inner = [n for n in reader.nodes if n not in before and not reader.nodes[n].get("_in_esp")]
    inner_flows = [f["_el"] for f in reader.flows[flows_before:]]
    targets = {strip_prefix(f.get("targetRef") or "") for f in inner_flows}
    sources = {strip_prefix(f.get("sourceRef") or "") for f in inner_flows}
    back = {v: k for k, v in reader.node_ids.items()}
    starts = [
        n
        for n in inner
        if reader.nodes[n]["type"] == "start" and not reader.nodes[n].get("_attached")
    ]
    ends = [n for n in inner if reader.nodes[n]["type"] == "end"]
    if not starts:
        starts = [
            n for n in inner if back.get(n) not in targets and not reader.nodes[n].get("_attached")
        ]
    if not ends:
        ends = [n for n in inner if back.get(n) not in sources]
    reader.entries[raw] = starts or inner[:1]
    reader.exits[raw] = ends or inner[-1:]


def _event_subprocess(reader: Reader, el: etree._Element, container: etree._Element) -> None:
    """An event sub-process is no step of its parent's flow: flows into and out of the
    parent never go through it, and its start events are triggered while the parent
    runs (from where the parent starts)."""
    raw = el.get("id") or ""
    inner = reader.entries.pop(raw, [])
    reader.exits.pop(raw, None)
    for ident in reader.container_starts.get(raw, []) or inner:
        reader.esp_starts.append((ident, container.get("id") or ""))
    for ident in _inside(reader, el):
        reader.nodes[ident]["_in_esp"] = True


def _inside(reader: Reader, el: etree._Element) -> list[str]:
    return [
        reader.node_ids[d.get("id") or ""]
        for d in el.iterdescendants()
        if (d.get("id") or "") in reader.node_ids
    ]


def boundary_events(reader: Reader) -> None:
    for node in reader.nodes.values():
        attached = node.pop("_attached", None)
        if attached:
            target = reader.node_ids.get(attached)
            host = target or next(iter(reader.entries.get(attached) or []), None)
            if node.get("_no_lane") is not None and host and reader.nodes[host].get("lane"):
                node["lane"] = reader.nodes[host]["lane"]  # boundary events sit on their host
                node.pop("_no_lane")
                node.pop("pool", None)
            if target is None and host:
                # on an expanded sub-process: it can happen once the sub-process started
                node["triggered_by"] = host
            if target:
                node["attached_to"] = target
        missing = node.pop("_no_lane", None)
        if missing is not None:
            reader.warn(
                f"flow node {node.get('name') or node['id']!r} is in no lane of its process",
                missing,
            )
