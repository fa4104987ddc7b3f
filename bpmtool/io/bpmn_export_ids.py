"""The BPMN export's XML ids: model ids made valid XML ids (NCName), unique in the document.

An id is handed out once per (kind, model id) and kept; the export asks for the ids of the
model's own elements first, so they stay as they are wherever they are valid and unique.

>>> ids = XmlIds()
>>> ids("node", "1 Sign"), ids("lane", "1 Sign"), ids("node", "1 Sign")
('_1_Sign', '_1_Sign_2', '_1_Sign')
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bpmtool.io.bpmn_export_process import flow_ends
from bpmtool.model import Model

__all__ = ["NOT_NCNAME", "XmlIds", "flow_ids", "shape_ids"]

#: what an NCName may not hold
NOT_NCNAME = re.compile(r"[^A-Za-z0-9_.\-]")


class XmlIds:
    """Model ids → XML ids: valid NCNames, unique in the whole document."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.known: dict[tuple[str, str], str] = {}
        self.fresh_calls = 0

    def __call__(self, kind: str, ident: str) -> str:
        key = (kind, ident)
        if key in self.known:
            return self.known[key]
        base = NOT_NCNAME.sub("_", ident) or "id"
        if not (base[0].isalpha() or base[0] == "_"):
            base = f"_{base}"
        out, n = base, 1
        while out in self.used:
            n += 1
            out = f"{base}_{n}"
        self.used.add(out)
        self.known[key] = out
        return out

    def fresh(self, base: str) -> str:
        """A new id on each call (an element drawn twice gets two DI shapes)."""
        self.fresh_calls += 1
        return self(f"fresh{self.fresh_calls}", base)


def flow_ids(model: Model, ids: XmlIds) -> tuple[dict[str, str], set[str]]:
    """Each flow's key → its XML id, and the keys of the flows the import split.  Flows the
    import made of one BPMN flow into or out of an expanded sub-process (ids
    ``<flow>_<source>_<target>``) are one flow again."""
    out: dict[str, str] = {}
    split: set[str] = set()
    merged: dict[tuple[str | None, str, str, str], str] = {}
    for flow in model.flows:
        base = flow.key if flow.id else f"Flow_{flow.source}_{flow.target}"
        if flow.kind == "sequence" and flow.id:
            container, source, target = flow_ends(model, flow)
            if (source, target) != (flow.source, flow.target):
                suffix = f"_{flow.source}_{flow.target}"
                raw = flow.id.removesuffix(suffix) if flow.id.endswith(suffix) else flow.id
                key = (container, source, target, raw)
                split.add(flow.key)
                if key in merged:
                    out[flow.key] = merged[key]
                    continue
                merged[key] = out[flow.key] = ids("flow", raw)
                continue
        out[flow.key] = ids("flow", base)
    for flow in model.pool_flows:
        out[flow.key] = ids("flow", flow.key if flow.id else f"Flow_{flow.source}_{flow.target}")
    return out, split


def shape_ids(model: Model, ids: XmlIds) -> Callable[[str], str | None]:
    """A model element id → the XML id of what the export wrote for it (a data object's
    reference, a process input's ``dataInput``, a lane standing for a pool's participant)."""
    pools = {p.id for p in model.pools if p.participant}
    annotations = {a.id for a in model.annotations}
    groups = {g.id for g in model.groups}

    def find(ident: str) -> str | None:
        if ident in pools:
            return ids("pool", ident)
        if ident in model.lane_by_id:  # a whole pool's lane or an external lane: its pool
            return ids("lane", ident)
        if ident in model.node_by_id:
            return ids("node", ident)
        if ident in model.subprocess_by_id:
            return ids("subprocess", ident)
        art = model.artifact_by_id.get(ident)
        if art is not None:
            return ids("artifact", ident) if art.io is not None else ids("x", f"{ident}_ref")
        if ident in annotations:
            return ids("annotation", ident)
        if ident in groups:
            return ids("group", ident)
        return None

    return find
