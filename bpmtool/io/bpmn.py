"""BPMN 2.0 import: our own lxml reader that keeps pools, lanes, data, notes and the diagram.

What becomes what (see ``docs/bpmn.md``), in passes:

* every ``participant`` becomes a pool (one without a process is a black box); a
  ``process`` no participant refers to becomes a pool drawn without a frame
  (``participant: false``); each pool's lanes belong to it (nested lanes are flattened to
  ``"Parent / Child"``), and a pool without lanes gets one lane of the pool's own id, the
  party doing its work;
* tasks of all kinds become activities with ``task_type`` set to the element name; an
  expanded ``subProcess`` becomes a :class:`~bpmtool.model.SubProcess` frame whose content
  are nodes with ``parent`` set (flows into and out of it are re-wired to its start and end
  nodes); a collapsed one is one activity;
* ``sequenceFlow`` s become flows, ``messageFlow`` s flows of kind ``message`` (or
  ``pool_flows`` when one end is a pool);
* data objects, stores and process inputs/outputs become artifacts
  (:mod:`bpmtool.io.bpmn_data`), text annotations, groups and associations are kept;
* what BPMN starts without a flow gets ``triggered_by`` (:mod:`bpmtool.io.bpmn_links`);
* the diagram (BPMNDI) becomes the model's ``diagram`` (:mod:`bpmtool.io.bpmn_di`), and
  pools and lanes are ordered as drawn.

Unnamed elements keep an empty name: no id is shown as a label.  Anything else that carries
meaning is reported as a warning naming the element and its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from bpmtool.errors import BpmnImportError, Problem
from bpmtool.io.bpmn_data import (
    DATA_ELEMENTS,
    data_associations,
    process_data,
    read_data,
    read_notes,
)
from bpmtool.io.bpmn_di import read_diagram
from bpmtool.io.bpmn_extensions import read_extensions
from bpmtool.io.bpmn_flows import message_flows, sequence_flows
from bpmtool.io.bpmn_links import read_triggers
from bpmtool.io.bpmn_pools import (
    add_pool,
    black_boxes,
    drawn_order,
    lane_set,
    participants,
    whole_pool_lane,
)
from bpmtool.io.bpmn_vocabulary import (
    BPMN_NS,
    BPMTOOL_NS,
    DEFINITIONS_QUIET,
    EVENTS,
    GATEWAYS,
    QUIET,
    SUBPROCESSES,
    TASKS,
    UNSAFE_ID,
    B,
    doc_of,
    in_bpmn,
    local,
    name_of,
    ref_text,
    strip_prefix,
)
from bpmtool.io.xml import parse_xml
from bpmtool.model import Model

__all__ = [
    "BPMN_NS",
    "BPMTOOL_NS",
    "EVENTS",
    "GATEWAYS",
    "SUBPROCESSES",
    "TASKS",
    "read_bpmn",
    "read_bpmn_bytes",
]


@dataclass
class _Reader:
    filename: str
    root: etree._Element
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    by_id: dict[str, etree._Element] = field(default_factory=dict)
    pools: list[dict[str, Any]] = field(default_factory=list)
    lanes: list[dict[str, Any]] = field(default_factory=list)
    pool_flows: list[dict[str, Any]] = field(default_factory=list)
    subprocesses: list[dict[str, Any]] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    groups: list[dict[str, Any]] = field(default_factory=list)
    associations: list[dict[str, Any]] = field(default_factory=list)
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    flows: list[dict[str, Any]] = field(default_factory=list)
    artifacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: BPMN id → our id, per kind
    node_ids: dict[str, str] = field(default_factory=dict)
    lane_ids: dict[str, str] = field(default_factory=dict)
    #: BPMN data element id (reference, object, input/output) → artifact id
    data_ids: dict[str, str] = field(default_factory=dict)
    #: participant id → pool id
    pool_ids: dict[str, str] = field(default_factory=dict)
    #: any BPMN id → the model id of what it became (for the diagram and associations)
    element_ids: dict[str, str] = field(default_factory=dict)
    #: sequence or message flow id → the key of the (first) model flow it became
    flow_keys: dict[str, str] = field(default_factory=dict)
    #: data association id → (node, artifact, "in" or "out")
    data_edges: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    #: expanded sub-process id → node ids that flows into / out of it go to
    entries: dict[str, list[str]] = field(default_factory=dict)
    exits: dict[str, list[str]] = field(default_factory=dict)
    used_ids: dict[str, set[str]] = field(default_factory=dict)
    defaults: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    #: container id → its own start events (our ids), for the event sub-processes in it
    container_starts: dict[str, list[str]] = field(default_factory=dict)
    #: (start event of an event sub-process, the id of the container it belongs to)
    esp_starts: list[tuple[str, str]] = field(default_factory=list)

    # --- helpers --------------------------------------------------------------------

    def warn(self, message: str, el: etree._Element | None = None, key: str | None = None) -> None:
        self.warnings.append(
            Problem(
                message=message,
                file=self.filename,
                line=el.sourceline if el is not None else None,
                key=key if key is not None else (el.get("id") if el is not None else None),
            )
        )

    def error(self, message: str, el: etree._Element, expected: str | None = None) -> None:
        self.errors.append(
            Problem(
                message=message,
                file=self.filename,
                line=el.sourceline,
                key=el.get("id"),
                expected=expected,
            )
        )

    def safe_id(self, raw: str | None, kind: str, fallback: str) -> str:
        base = UNSAFE_ID.sub("_", (raw or "").strip())[:180] or fallback
        used = self.used_ids.setdefault(kind, set())
        ident, n = base, 1
        while ident in used:
            n += 1
            ident = f"{base}_{n}"
        used.add(ident)
        return ident

    def unsupported(self, el: etree._Element, where: str) -> None:
        self.skipped.add(el.get("id") or "")
        self.warn(f"unsupported BPMN element <{local(el) or el.tag}> in {where} skipped", el)

    # --- passes ---------------------------------------------------------------------

    def read(self) -> Model:
        for el in self.root.iter():
            ident = el.get("id")
            if ident and isinstance(el.tag, str) and ident not in self.by_id:
                self.by_id[ident] = el
            if el.get("default") and in_bpmn(el):
                self.defaults.add(strip_prefix(el.get("default") or ""))
        for child in self.root:
            name = local(child)
            if name and name not in DEFINITIONS_QUIET and in_bpmn(child):
                self.unsupported(child, "definitions")
        by_process = participants(self)
        processes = self.root.findall(f"{B}process")
        for process in processes:
            self._process(process, by_process.get(process.get("id") or ""))
        black_boxes(self, by_process)
        sequence_flows(self)
        message_flows(self)
        if self.errors:
            raise BpmnImportError(
                problems=self.errors,
                summary=(f"{self.filename}: {len(self.errors)} problem(s) in the BPMN file"),
            )
        if not self.nodes:
            self.warn(
                "the file has no <process>: the model is empty (a diagram without a process?)"
                if not processes
                else "no <process> in the file holds a flow node: the model is empty",
                self.root,
            )
        return self._model()

    def _process(self, process: etree._Element, participant: etree._Element | None) -> None:
        has_nodes = self._expanded(process)
        lane_sets = process.findall(f"{B}laneSet")
        if (
            participant is None
            and not has_nodes
            and not any(ls.findall(f"{B}lane") for ls in lane_sets)
        ):
            return  # an empty process no pool shows (Signavio writes strays)
        pool = add_pool(self, participant if participant is not None else process, process)
        if participant is not None and process.get("id"):
            self.element_ids.setdefault(process.get("id") or "", pool)
        lane_of: dict[str, str] = {}
        for each in lane_sets:
            lane_set(self, each, "", lane_of, pool)
        default_lane: str | None = None
        if not any(lane["pool"] == pool for lane in self.lanes) and has_nodes:
            default_lane = whole_pool_lane(self, pool)
        process_data(self, process, pool)
        self._container(process, None, lane_of, default_lane, pool)

    def _container(
        self,
        container: etree._Element,
        parent: str | None,
        lane_of: dict[str, str],
        lane: str | None,
        pool: str,
    ) -> None:
        where = f"<{local(container)}> {container.get('id') or ''}".strip()
        empty = not self._expanded(container)
        for el in container:
            kind = local(el)
            if not kind or not in_bpmn(el):
                continue
            raw = el.get("id") or ""
            node_lane = lane_of.get(raw, lane)
            if kind in SUBPROCESSES and self._expanded(el):
                self._subprocess(el, parent, lane_of, node_lane, pool)
                if el.get("triggeredByEvent") == "true":
                    self._event_subprocess(el, container)
            elif kind in TASKS or kind in SUBPROCESSES:
                self._node(el, parent, "activity", node_lane, pool)
            elif kind in EVENTS:
                made = self._node(el, parent, EVENTS[kind], node_lane, pool)
                if kind == "startEvent":
                    self.container_starts.setdefault(container.get("id") or "", []).append(made)
            elif kind in GATEWAYS:
                self._node(el, parent, GATEWAYS[kind], node_lane, pool)
            elif kind == "sequenceFlow" and empty:
                # Signavio leaves such strays in processes that have no flow nodes at all
                self.warn(f"sequence flow in {where}, which has no flow nodes, skipped", el)
            elif kind == "sequenceFlow":
                self.flows.append({"_el": el, "_kind": "sequence"})
            elif kind in DATA_ELEMENTS:
                read_data(self, el, pool)
            elif kind not in QUIET:
                self.unsupported(el, where)
        # data associations of the container's nodes, after every data element is known
        for el in container:
            ident = self.node_ids.get(el.get("id") or "")
            if ident is None or ident not in self.nodes:
                continue
            data_associations(self, el, self.nodes[ident])

    @staticmethod
    def _expanded(el: etree._Element) -> bool:
        return any(
            local(c) in TASKS
            or local(c) in SUBPROCESSES
            or local(c) in EVENTS
            or local(c) in GATEWAYS
            for c in el
        )

    def _node(
        self, el: etree._Element, parent: str | None, type_: str, lane: str | None, pool: str
    ) -> str:
        raw = el.get("id") or ""
        ident = self.safe_id(raw, "node", "node")
        self.node_ids[raw] = ident
        self.element_ids[raw] = ident
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
            local(c).removesuffix("EventDefinition")
            for c in el
            if local(c).endswith("EventDefinition")
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
            if attached and attached not in self.by_id:
                self.error(
                    f"boundary event attached to a missing activity {attached!r}",
                    el,
                    "the id of an activity in this file",
                )
            node["_attached"] = attached
            if el.get("cancelActivity") == "false":
                node["interrupting"] = False
        if lane is None:
            node["pool"] = pool
            if any(item.get("pool") == pool for item in self.lanes):
                node["_no_lane"] = el
        self.nodes[ident] = node
        return ident

    def _subprocess(
        self,
        el: etree._Element,
        parent: str | None,
        lane_of: dict[str, str],
        lane: str | None,
        pool: str,
    ) -> None:
        raw = el.get("id") or ""
        ident = self.safe_id(raw, "subprocess", "subprocess")
        self.element_ids[raw] = ident
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
        self.subprocesses.append(frame)
        before = set(self.nodes)
        flows_before = len(self.flows)
        self._container(el, ident, lane_of, lane, pool)
        inner = [n for n in self.nodes if n not in before and not self.nodes[n].get("_in_esp")]
        inner_flows = [f["_el"] for f in self.flows[flows_before:]]
        targets = {strip_prefix(f.get("targetRef") or "") for f in inner_flows}
        sources = {strip_prefix(f.get("sourceRef") or "") for f in inner_flows}
        back = {v: k for k, v in self.node_ids.items()}
        starts = [
            n
            for n in inner
            if self.nodes[n]["type"] == "start" and not self.nodes[n].get("_attached")
        ]
        ends = [n for n in inner if self.nodes[n]["type"] == "end"]
        if not starts:
            starts = [
                n
                for n in inner
                if back.get(n) not in targets and not self.nodes[n].get("_attached")
            ]
        if not ends:
            ends = [n for n in inner if back.get(n) not in sources]
        self.entries[raw] = starts or inner[:1]
        self.exits[raw] = ends or inner[-1:]

    def _event_subprocess(self, el: etree._Element, container: etree._Element) -> None:
        """An event sub-process is no step of its parent's flow: flows into and out of the
        parent never go through it, and its start events are triggered while the parent
        runs (from where the parent starts)."""
        raw = el.get("id") or ""
        inner = self.entries.pop(raw, [])
        self.exits.pop(raw, None)
        for ident in self.container_starts.get(raw, []) or inner:
            self.esp_starts.append((ident, container.get("id") or ""))
        for ident in self._inside(el):
            self.nodes[ident]["_in_esp"] = True

    def _inside(self, el: etree._Element) -> list[str]:
        return [
            self.node_ids[d.get("id") or ""]
            for d in el.iterdescendants()
            if (d.get("id") or "") in self.node_ids
        ]

    def _boundary_events(self) -> None:
        for node in self.nodes.values():
            attached = node.pop("_attached", None)
            if attached:
                target = self.node_ids.get(attached)
                host = target or next(iter(self.entries.get(attached) or []), None)
                if node.get("_no_lane") is not None and host and self.nodes[host].get("lane"):
                    node["lane"] = self.nodes[host]["lane"]  # boundary events sit on their host
                    node.pop("_no_lane")
                    node.pop("pool", None)
                if target is None and host:
                    # on an expanded sub-process: it can happen once the sub-process started
                    node["triggered_by"] = host
                if target:
                    node["attached_to"] = target
            missing = node.pop("_no_lane", None)
            if missing is not None:
                self.warn(
                    f"flow node {node.get('name') or node['id']!r} is in no lane of its process",
                    missing,
                )

    def _model(self) -> Model:
        self._boundary_events()
        read_triggers(self)
        read_notes(self)
        diagram = read_diagram(
            self.root, self.by_id, self.element_ids, self.flow_keys, self.data_edges
        )
        collab = self.root.find(f"{B}collaboration")
        process = self.root.find(f"{B}process")
        name = ""
        for candidate in (collab, process, self.root):
            if candidate is not None and name_of(candidate):
                name = name_of(candidate)
                break
        stem = Path(self.filename).stem
        raw_id = self.root.get("id") or (process.get("id") if process is not None else None)
        data: dict[str, Any] = {
            "id": UNSAFE_ID.sub("_", raw_id or stem)[:180] or "model",
            "name": name or stem,
            "pools": self.pools,
            "lanes": self.lanes,
            "artifacts": list(self.artifacts.values()),
            "nodes": list(self.nodes.values()),
            "flows": self.flows,
            "pool_flows": self.pool_flows,
            "subprocesses": self.subprocesses,
            "annotations": self.annotations,
            "groups": self.groups,
            "associations": self.associations,
        }
        if diagram is not None:
            data["diagram"] = diagram
            drawn_order(data, diagram)
        try:
            return Model.model_validate(data)
        except BpmnImportError:
            raise
        except Exception as exc:  # a bug of ours: say so with the file
            problems = getattr(exc, "problems", None) or [Problem(message=str(exc))]
            raise BpmnImportError(
                problems=[
                    Problem(message=p.message, file=self.filename, key=p.key) for p in problems
                ],
                summary=f"{self.filename}: the BPMN file maps to an inconsistent model",
            ) from None


def read_bpmn_bytes(
    data: bytes, filename: str = "<input>", *, strict: bool = False
) -> tuple[Model, list[Problem]]:
    """Read BPMN 2.0 XML from bytes (the XML declaration decides the encoding)."""
    tree = parse_xml(data, filename, BpmnImportError)
    root = tree.getroot()
    if local(root) != "definitions":
        raise BpmnImportError.single(
            f"not a BPMN file: the root element is <{local(root) or root.tag}>",
            file=filename,
            line=root.sourceline,
            expected="a <definitions> root element",
        )
    if root.tag != f"{B}definitions":
        namespace = root.tag[1:].split("}", 1)[0] if root.tag.startswith("{") else "none"
        raise BpmnImportError.single(
            f"wrong namespace for BPMN 2.0: {namespace}",
            file=filename,
            line=root.sourceline,
            expected=BPMN_NS,
        )
    reader = _Reader(filename=filename, root=root)
    model, extension_warnings = read_extensions(reader.read(), root, filename)
    reader.warnings += extension_warnings
    if strict and reader.warnings:
        raise BpmnImportError(
            problems=reader.warnings,
            summary=(f"{filename}: {len(reader.warnings)} warning(s), refused in strict mode"),
        )
    return model, reader.warnings


def read_bpmn(path: str | Path, *, strict: bool = False) -> tuple[Model, list[Problem]]:
    """Read a ``.bpmn`` file into a model, with the warnings of what was not imported."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BpmnImportError.single(
            f"cannot read the file: {exc.strerror or exc}", file=str(path)
        ) from None
    return read_bpmn_bytes(data, str(path), strict=strict)
