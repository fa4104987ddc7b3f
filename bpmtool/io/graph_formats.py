"""The model's graph as GraphML (yEd, Gephi), node-link JSON (NetworkX, D3) and DOT (Graphviz)."""

from __future__ import annotations

import io
import json

import networkx as nx

from bpmtool.graph import to_graph
from bpmtool.model import Model

__all__ = ["GRAPH_FORMATS", "graph_text"]

GRAPH_FORMATS = ("graphml", "json", "dot")


def graph_text(model: Model, fmt: str) -> str:
    """Serialise the model's graph (nodes: type, lane, label; edges: artifact, handoff…)."""
    graph = to_graph(model)
    if fmt == "graphml":
        buf = io.BytesIO()
        nx.write_graphml(graph, buf, encoding="utf-8", prettyprint=True)
        return buf.getvalue().decode("utf-8")
    if fmt == "json":
        data = nx.node_link_data(graph, edges="links")
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "dot":
        return _dot(model)
    raise ValueError(f"unknown graph format {fmt!r}; use one of {', '.join(GRAPH_FORMATS)}")


_SHAPES = {"activity": "box", "start": "circle", "end": "doublecircle", "intermediate": "circle"}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot(model: Model) -> str:
    """DOT with one cluster per lane and handoffs drawn bold."""
    out = [
        f"digraph {_quote(model.id)} {{",
        "  rankdir=LR;",
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    by_lane: dict[str, list[str]] = {}
    for node in model.nodes:
        by_lane.setdefault(node.lane or "", []).append(node.id)
    for i, lane in enumerate([*model.lanes, None]):
        lane_id = lane.id if lane else ""
        members = by_lane.get(lane_id, [])
        if not members:
            continue
        indent = "  "
        if lane:
            out.append(f"  subgraph cluster_{i} {{")
            out.append(f"    label={_quote(lane.label)}; style=rounded; color=gray60;")
            indent = "    "
        for nid in members:
            node = model.node_by_id[nid]
            shape = _SHAPES.get(node.type, "diamond")
            label = node.label if node.is_activity or node.name else ""
            out.append(f"{indent}{_quote(nid)} [label={_quote(label)}, shape={shape}];")
        if lane:
            out.append("  }")
    for flow in model.flows:
        attrs = []
        label = " / ".join(x for x in (flow.condition, model.artifact_label(flow.artifact)) if x)
        if label:
            attrs.append(f"label={_quote(label)}")
        a, b = model.lane_of(flow.source), model.lane_of(flow.target)
        if a and b and a != b:
            attrs.append('penwidth=2, color="#c0392b"')
        if flow.kind == "message":
            attrs.append("style=dashed")
        suffix = f" [{', '.join(attrs)}]" if attrs else ""
        out.append(f"  {_quote(flow.source)} -> {_quote(flow.target)}{suffix};")
    out.append("}")
    return "\n".join(out) + "\n"
