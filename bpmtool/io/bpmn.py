"""BPMN 2.0 import: our own lxml reader that keeps lanes, pools, data and message flows.

What becomes what (see ``docs/bpmn.md``):

* every ``process`` contributes nodes; tasks of all kinds become activities with
  ``task_type`` set to the element name; an expanded ``subProcess`` is flattened
  (its children are named ``"Sub / Child"`` and flows into and out of it are
  re-wired to its start and end nodes); a collapsed one is one activity;
* lanes become lanes; nested lanes are flattened to ``"Parent / Child"``;
* a pool (``participant``) whose process has no lanes becomes one lane named
  after the pool; a pool without a process (a black box) becomes an external
  lane without nodes; ``messageFlow`` s become flows of kind ``message``;
* ``dataObject`` / ``dataStoreReference`` become artifacts and data
  associations become node inputs and outputs.

Anything else that carries meaning is reported as a warning naming the element
and its line; diagram notes (annotations, groups, associations) are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree

from bpmtool.errors import BpmnImportError, Problem
from bpmtool.io.bpmn_extensions import read_extensions
from bpmtool.io.bpmn_vocabulary import (
    BPMN_NS,
    BPMTOOL_NS,
    COLLABORATION_QUIET,
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
class _Pool:
    """What a process contributes: its lane ids and the lane for nodes outside lanes."""

    default_lane: str | None


@dataclass
class _Reader:
    filename: str
    root: etree._Element
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    by_id: dict[str, etree._Element] = field(default_factory=dict)
    lanes: list[dict[str, Any]] = field(default_factory=list)
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    flows: list[dict[str, Any]] = field(default_factory=list)
    artifacts: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: BPMN id → our id, per kind
    node_ids: dict[str, str] = field(default_factory=dict)
    lane_ids: dict[str, str] = field(default_factory=dict)
    #: BPMN data element id (reference, object, input/output) → artifact id
    data_ids: dict[str, str] = field(default_factory=dict)
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
        participants = self._participants()
        processes = self.root.findall(f"{B}process")
        for process in processes:
            pool = participants.get(process.get("id") or "")
            self._process(process, pool, many=len(processes) > 1)
        self._black_boxes(participants)
        self._sequence_flows_default()
        self._message_flows()
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

    def _participants(self) -> dict[str, etree._Element]:
        out: dict[str, etree._Element] = {}
        for collab in self.root.findall(f"{B}collaboration"):
            for child in collab:
                name = local(child)
                if name and name not in COLLABORATION_QUIET and in_bpmn(child):
                    self.unsupported(child, "collaboration")
            for part in collab.findall(f"{B}participant"):
                ref = strip_prefix(part.get("processRef") or "")
                if ref:
                    if ref not in self.by_id:
                        self.error(
                            f"participant refers to a missing process {ref!r}",
                            part,
                            "the id of a <process> in this file",
                        )
                    out.setdefault(ref, part)
        return out

    def _process(self, process: etree._Element, pool: etree._Element | None, *, many: bool) -> None:
        lane_of: dict[str, str] = {}
        lane_sets = process.findall(f"{B}laneSet")
        pool_name = (name_of(pool) if pool is not None else "") or name_of(process)
        for lane_set in lane_sets:
            self._lane_set(lane_set, "", lane_of, pool_name)
        has_nodes = any(
            local(c) in TASKS
            or local(c) in SUBPROCESSES
            or local(c) in EVENTS
            or local(c) in GATEWAYS
            for c in process
        )
        default_lane: str | None = None
        if not lane_of and not any(ls.findall(f"{B}lane") for ls in lane_sets):
            if pool is not None:
                name = name_of(pool) or name_of(process)
                if not has_nodes and not name:
                    return  # an empty, unnamed pool (Bizagi writes one per participant)
                external = (pool.get(f"{{{BPMTOOL_NS}}}external") == "true") or not has_nodes
                default_lane = self._add_lane(pool.get("id"), name, pool, external=external)
            elif has_nodes:
                name = name_of(process) or ("Process" if not many else "")
                default_lane = self._add_lane(process.get("id"), name, process)
        self._process_data(process)
        self._container(process, "", lane_of, default_lane, in_lanes=bool(lane_of))

    def _add_lane(
        self, raw_id: str | None, name: str, el: etree._Element, *, external: bool = False
    ) -> str:
        ident = self.safe_id(raw_id, "lane", "lane")
        if raw_id:
            self.lane_ids[raw_id] = ident
        lane: dict[str, Any] = {"id": ident, "name": name}
        if external:
            lane["external"] = True
        doc = doc_of(el)
        if doc:
            lane["description"] = doc
        self.lanes.append(lane)
        return ident

    def _lane_set(
        self, lane_set: etree._Element, prefix: str, lane_of: dict[str, str], pool_name: str = ""
    ) -> None:
        """Leaf lanes become lanes; a parent lane only when it holds nodes of its own."""
        lanes = lane_set.findall(f"{B}lane")
        for lane in lanes:
            # an unnamed lane alone in its pool is the pool
            # no name is invented: an unnamed lane keeps an empty name (faces show its id)
            label = name_of(lane) or (pool_name if len(lanes) == 1 and not prefix else "")
            full = " / ".join(part for part in (prefix, label) if part) if label else ""
            refs = [strip_prefix(r) for r in ref_text(lane, "flowNodeRef")]
            for ref in refs:
                if ref not in self.by_id:
                    self.error(
                        f"lane {label or lane.get('id')!r} refers to a missing flow node {ref!r}",
                        lane,
                        "the id of a flow node in this file",
                    )
            refs = [r for r in refs if r in self.by_id]
            inner: dict[str, str] = {}
            children = lane.findall(f"{B}childLaneSet")
            for child in children:
                self._lane_set(child, full, inner)
            lane_of.update(inner)
            own = [r for r in refs if r not in inner]
            if not children or own:
                ident = self._add_lane(lane.get("id"), full, lane)
                for ref in own:
                    lane_of.setdefault(ref, ident)

    def _container(
        self,
        container: etree._Element,
        prefix: str,
        lane_of: dict[str, str],
        lane: str | None,
        *,
        in_lanes: bool,
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
                self._subprocess(el, prefix, lane_of, node_lane, in_lanes=in_lanes)
                if el.get("triggeredByEvent") == "true":
                    self._event_subprocess(el, container)
            elif kind in TASKS or kind in SUBPROCESSES:
                self._node(el, prefix, "activity", node_lane, in_lanes=in_lanes)
            elif kind in EVENTS:
                made = self._node(el, prefix, EVENTS[kind], node_lane, in_lanes=in_lanes)
                if kind == "startEvent":
                    self.container_starts.setdefault(container.get("id") or "", []).append(made)
            elif kind in GATEWAYS:
                self._node(el, prefix, GATEWAYS[kind], node_lane, in_lanes=in_lanes)
            elif kind == "sequenceFlow" and empty:
                # Signavio leaves such strays in processes that have no flow nodes at all
                self.warn(f"sequence flow in {where}, which has no flow nodes, skipped", el)
            elif kind == "sequenceFlow":
                self.flows.append({"_el": el, "_kind": "sequence"})
            elif kind in ("dataObject", "dataObjectReference", "dataStoreReference"):
                self._data(el, prefix)
            elif kind not in QUIET:
                self.unsupported(el, where)
        # data associations of the container's nodes, after every data element is known
        for el in container:
            ident = self.node_ids.get(el.get("id") or "")
            if ident is None or ident not in self.nodes:
                continue
            self._associations(el, self.nodes[ident])

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
        self, el: etree._Element, prefix: str, type_: str, lane: str | None, *, in_lanes: bool
    ) -> str:
        raw = el.get("id") or ""
        ident = self.safe_id(raw, "node", "node")
        self.node_ids[raw] = ident
        name = name_of(el)
        node: dict[str, Any] = {"id": ident, "type": type_, "lane": lane, "task_type": local(el)}
        if name:  # an unnamed node keeps an empty name, inside a sub-process too
            node["name"] = f"{prefix} / {name}" if prefix else name
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
        if lane is None and in_lanes:
            node["_no_lane"] = el
        self.nodes[ident] = node
        return ident

    def _subprocess(
        self,
        el: etree._Element,
        prefix: str,
        lane_of: dict[str, str],
        lane: str | None,
        *,
        in_lanes: bool,
    ) -> None:
        label = name_of(el)
        inner_prefix = " / ".join(part for part in (prefix, label) if part)
        before = set(self.nodes)
        flows_before = len(self.flows)
        self._container(el, inner_prefix, lane_of, lane, in_lanes=in_lanes)
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
        raw = el.get("id") or ""
        self.entries[raw] = starts or inner[:1]
        self.exits[raw] = ends or inner[-1:]

    def _triggers(self) -> None:
        """What BPMN starts without a flow: event sub-processes from where their parent
        starts, compensation handlers from their compensation boundary event."""
        for ident, container in self.esp_starts:
            parent = self.entries.get(container) or self.container_starts.get(container) or []
            if parent and parent[0] != ident:
                self.nodes[ident]["triggered_by"] = parent[0]
        for assoc in self.root.iter(f"{B}association"):
            source = self.node_ids.get(strip_prefix(assoc.get("sourceRef") or ""))
            raw_target = strip_prefix(assoc.get("targetRef") or "")
            target = self.node_ids.get(raw_target)
            if source is None or target is None or target not in self.nodes:
                continue
            thrower = self.nodes[source]
            if self.by_id[raw_target].get("isForCompensation") == "true" or "compensate" in (
                thrower.get("event_definition") or ""
            ).split(","):
                self.nodes[target].setdefault("triggered_by", source)
        self._links()
        for node in self.nodes.values():
            node.pop("_in_esp", None)

    def _links(self) -> None:
        """A link catch event continues where the link throw event of the same name (in the
        same process) stopped: BPMN's off-page connector."""
        for process in self.root.findall(f"{B}process"):
            throws: dict[str, str] = {}
            catches: list[tuple[str, str]] = []
            for el in process.iter(f"{B}intermediateThrowEvent", f"{B}intermediateCatchEvent"):
                link = el.find(f"{B}linkEventDefinition")
                ident = self.node_ids.get(el.get("id") or "")
                if link is None or ident is None:
                    continue
                name = name_of(link) or name_of(el)
                if local(el) == "intermediateThrowEvent":
                    throws.setdefault(name, ident)
                else:
                    catches.append((name, ident))
            for name, ident in catches:
                if name in throws:
                    self.nodes[ident].setdefault("triggered_by", throws[name])

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

    def _data(self, el: etree._Element, prefix: str) -> None:
        kind = local(el)
        raw = el.get("id") or ""
        target_raw = raw
        if kind == "dataObjectReference":
            target_raw = strip_prefix(el.get("dataObjectRef") or "") or raw
        elif kind == "dataStoreReference":
            target_raw = strip_prefix(el.get("dataStoreRef") or "") or raw
        if target_raw not in self.data_ids:
            source = self.by_id.get(target_raw, el)
            name = name_of(source) or name_of(el)
            ident = self.safe_id(target_raw, "artifact", "artifact")
            art: dict[str, Any] = {"id": ident}
            if name:
                art["name"] = name
            if kind == "dataStoreReference" or local(source) == "dataStore":
                art["store"] = True
            self.artifacts[ident] = art
            self.data_ids[target_raw] = ident
        ident = self.data_ids[target_raw]
        self.data_ids[raw] = ident
        if not self.artifacts[ident].get("name") and name_of(el):
            self.artifacts[ident]["name"] = name_of(el)

    def _associations(self, el: etree._Element, node: dict[str, Any]) -> None:
        for tag, end, key in (
            ("dataInputAssociation", "sourceRef", "inputs"),
            ("dataOutputAssociation", "targetRef", "outputs"),
        ):
            for assoc in el.findall(f"{B}{tag}"):
                for ref in ref_text(assoc, end):
                    art = self.data_ids.get(strip_prefix(ref))
                    if art is None:
                        self._unknown_data(assoc, strip_prefix(ref), node)
                    elif art not in node.setdefault(key, []):
                        node[key].append(art)

    def _unknown_data(self, assoc: etree._Element, ref: str, node: dict[str, Any]) -> None:
        """A data association whose data end is no data object, store or process input or
        output: said, never dropped silently."""
        target = self.by_id.get(ref)
        what = f"<{local(target)}> {ref!r}" if target is not None else f"missing {ref!r}"
        self.warn(
            f"data association of {node.get('name') or node['id']!r} refers to {what}, "
            "which is no data object, data store or process input/output; skipped",
            assoc,
        )

    def _process_data(self, process: etree._Element) -> None:
        """A process's own inputs and outputs (``ioSpecification``) are artifacts its
        activities read and write, like data objects."""
        for spec in process.findall(f"{B}ioSpecification"):
            for el in spec:
                if local(el) in ("dataInput", "dataOutput") and el.get("id"):
                    self._data(el, "")

    def _black_boxes(self, participants: dict[str, etree._Element]) -> None:
        seen = {p.get("id") for p in participants.values()}
        for collab in self.root.findall(f"{B}collaboration"):
            for part in collab.findall(f"{B}participant"):
                if part.get("processRef") or part.get("id") in seen:
                    continue
                name = name_of(part)
                if not name:
                    self.warn("a pool without a name and without a process is skipped", part)
                    continue
                self._add_lane(part.get("id"), name, part, external=True)

    def _ends(self, ref: str, el: etree._Element, side: str, *, kind: str) -> list[str] | None:
        """Our node ids for a flow end; None when it cannot be drawn (warned or errored)."""
        ref = strip_prefix(ref)
        if not ref or ref not in self.by_id:
            self.error(
                f"{kind} flow {side}Ref points to a missing element {ref!r}",
                el,
                "the id of a flow node in this file",
            )
            return None
        if side == "target" and ref in self.entries:
            return self.entries[ref]
        if side == "source" and ref in self.exits:
            return self.exits[ref]
        if ref in self.node_ids:
            return [self.node_ids[ref]]
        target = self.by_id[ref]
        if local(target) == "participant":
            self.warn(
                f"{kind} flow to or from the pool {name_of(target) or ref!r} (not to a node) "
                "skipped",
                el,
            )
        elif ref not in self.skipped:
            self.warn(
                f"{kind} flow {side}Ref {ref!r} is a <{local(target)}>, not a flow node; "
                "flow skipped",
                el,
            )
        return None

    def _sequence_flows_default(self) -> None:
        pending = self.flows
        self.flows = []
        for item in pending:
            self._flow(item["_el"], "sequence")

    def _message_flows(self) -> None:
        for collab in self.root.findall(f"{B}collaboration"):
            for el in collab.findall(f"{B}messageFlow"):
                self._flow(el, "message")

    def _flow(self, el: etree._Element, kind: str) -> None:
        sources = self._ends(el.get("sourceRef") or "", el, "source", kind=kind)
        targets = self._ends(el.get("targetRef") or "", el, "target", kind=kind)
        if not sources or not targets:
            return
        raw = el.get("id") or ""
        many = len(sources) * len(targets) > 1
        for s in sources:
            for t in targets:
                flow: dict[str, Any] = {"source": s, "target": t, "kind": kind}
                flow["id"] = self.safe_id(raw + (f"_{s}_{t}" if many else ""), "flow", f"{s}->{t}")
                name = name_of(el)
                if name:
                    flow["name"] = name
                cond = el.find(f"{B}conditionExpression")
                if cond is not None and " ".join((cond.text or "").split()):
                    flow["condition"] = " ".join((cond.text or "").split())
                if raw and raw in self.defaults:
                    flow["default"] = True
                self._bpmtool_attributes(el, flow)
                self.flows.append(flow)

    def _bpmtool_attributes(self, el: etree._Element, flow: dict[str, Any]) -> None:
        """What our own export adds to flows: the artifact, a message flow's condition."""
        artifact = el.get(f"{{{BPMTOOL_NS}}}artifact")
        if artifact and artifact in self.data_ids:
            flow["artifact"] = self.data_ids[artifact]
        condition = el.get(f"{{{BPMTOOL_NS}}}condition")
        if condition and "condition" not in flow:
            flow["condition"] = condition
        if el.get(f"{{{BPMTOOL_NS}}}kind") == "sequence":
            flow["kind"] = "sequence"

    def _model(self) -> Model:
        for node in self.nodes.values():
            attached = node.pop("_attached", None)
            if attached:
                target = self.node_ids.get(attached)
                host = target or next(iter(self.entries.get(attached) or []), None)
                if node.get("_no_lane") is not None and host and self.nodes[host].get("lane"):
                    node["lane"] = self.nodes[host]["lane"]  # boundary events sit on their host
                    node.pop("_no_lane")
                if target is None and host:
                    # on an expanded sub-process: it can happen once the sub-process started
                    node["triggered_by"] = host
                if target:
                    node["attached_to"] = target
                elif node.get("interrupting") is False:
                    node.pop("interrupting")  # no longer a boundary event of the model
            missing = node.pop("_no_lane", None)
            if missing is not None:
                self.warn(
                    f"flow node {node.get('name') or node['id']!r} is in no lane of its process",
                    missing,
                )
        self._triggers()
        collab = self.root.find(f"{B}collaboration")
        process = self.root.find(f"{B}process")
        name = ""
        for candidate in (collab, process, self.root):
            if candidate is not None and name_of(candidate):
                name = name_of(candidate)
                break
        stem = Path(self.filename).stem
        raw_id = self.root.get("id") or (process.get("id") if process is not None else None)
        data = {
            "id": UNSAFE_ID.sub("_", raw_id or stem)[:180] or "model",
            "name": name or stem,
            "lanes": self.lanes,
            "artifacts": list(self.artifacts.values()),
            "nodes": list(self.nodes.values()),
            "flows": self.flows,
        }
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
