"""Structure rules: the shape of the flow itself (starts, ends, gateways, connectivity)."""

from __future__ import annotations

from collections.abc import Iterator

from bpmtool.findings import Report
from bpmtool.graph import ProcessGraph
from bpmtool.model import Model
from bpmtool.rules import _text as t
from bpmtool.rules.registry import rule

__all__: list[str] = []


@rule("EMPTY-MODEL")
def empty_model(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    if m.nodes:
        return
    yield Report(
        (m.id,),
        f"The model {m.label!r} has no steps, events or gateways: it "
        "describes no process, so no handoff could be checked.",
        "Draw the process (in a BPMN file: a <process> with flow nodes), or check that "
        "this is the file you meant.",
        {"lanes": len(m.lanes), "flows": len(m.flows)},
    )


@rule("NO-START")
def no_start(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    if not m.nodes or any(n.type == "start" for n in m.nodes):
        return
    yield Report(
        (m.id,),
        "The model has no start event: what sets the process off is not stated.",
        "Add a node with `type: start` before the first step.",
        {},
    )


@rule("NO-END")
def no_end(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    if not m.nodes or any(n.type == "end" for n in m.nodes):
        return
    yield Report(
        (m.id,),
        "The model has no end event: when a case is finished is not stated.",
        "Add a node with `type: end` after the last step.",
        {},
    )


@rule("GATEWAY-SINGLE-FLOW")
def gateway_single_flow(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    for node in m.nodes:
        if not node.is_gateway:
            continue
        ins, outs = g.graph.in_degree(node.id), g.graph.out_degree(node.id)
        if ins > 1 or outs > 1:
            continue
        yield Report(
            (node.id,),
            f"Gateway {t.node(m, node.id)} has {ins} incoming and {outs} outgoing flow(s): "
            "it neither splits nor joins.",
            "Remove the gateway, or add the branches it is meant to decide between.",
            {"incoming": ins, "outgoing": outs},
        )


@rule("IMPLICIT-SPLIT")
def implicit_split(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    outgoing: dict[str, list[str]] = {}
    for flow in m.flows:
        if flow.kind == "sequence" and flow.condition is None and not flow.default:
            outgoing.setdefault(flow.source, []).append(flow.target)
    for node in m.nodes:
        targets = outgoing.get(node.id, [])
        if node.is_gateway or len(targets) < 2:
            continue
        yield Report(
            (node.id, *targets),
            f"{t.node(m, node.id)} has {len(targets)} unconditional outgoing flows "
            f"(to {t.listing(t.node(m, x) for x in targets)}) without a gateway: readers cannot "
            "tell whether every branch happens or only one.",
            "Put a parallel gateway (all branches) or an exclusive gateway with conditions "
            "(one branch) after the step.",
            {"targets": targets},
        )


@rule("DISCONNECTED")
def disconnected(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    for components in g.pool_components():
        if len(components) > 1:
            yield from _disconnected(m, components)


def _disconnected(m: Model, components: list[set[str]]) -> Iterator[Report]:
    main = components[0]
    for comp in components[1:]:
        ordered = [n.id for n in m.nodes if n.id in comp]
        if len(ordered) == 1:
            message = f"{t.node(m, ordered[0])} has no flows: it is not part of the process."
        else:
            message = (
                f"{len(ordered)} nodes ({t.listing(t.node(m, n) for n in ordered)}) are "
                "not connected to the rest of the process."
            )
        yield Report(
            tuple(ordered),
            message,
            "Connect them with flows to the main process, or move them to a model of their own.",
            {"main_component_size": len(main)},
        )
