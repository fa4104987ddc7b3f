"""The BPMN import's state: one :class:`Reader` per file, shared by its passes
(:mod:`bpmtool.io.bpmn_pools`, :mod:`bpmtool.io.bpmn_nodes`, :mod:`bpmtool.io.bpmn_data`,
:mod:`bpmtool.io.bpmn_flows`, :mod:`bpmtool.io.bpmn_links`, :mod:`bpmtool.io.bpmn_di`),
with the way each problem is reported: a warning or an error naming the file, the line
and the element's id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from bpmtool.errors import Problem
from bpmtool.io.bpmn_vocabulary import UNSAFE_ID, local

__all__ = ["Reader"]


@dataclass
class Reader:
    """What the passes of one import have found so far: the XML by id, the model data
    built up (pools, lanes, nodes, flows, …), the maps from BPMN ids to model ids, and
    the problems met (errors stop the import, warnings are returned with the model)."""

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
