"""Gap rules: something that should be there at a handoff, and is not.

Each rule takes a :class:`~bpmtool.graph.ProcessGraph` and yields
:class:`~bpmtool.findings.Report` s; it returns early where it does not apply.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from bpmtool.findings import Report
from bpmtool.graph import Handoff, ProcessGraph
from bpmtool.rules import _text as t
from bpmtool.rules.registry import rule
from bpmtool.rules.stages import stage_of_nodes

__all__: list[str] = []


def _where(g: ProcessGraph, h: Handoff) -> str:
    m = g.model
    return (
        f"{t.lane(m, h.source_lane)} → {t.lane(m, h.target_lane)} "
        f"({t.node(m, h.source)} → {t.node(m, h.target)})"
    )


@rule("HANDOFF-NO-ARTIFACT")
def handoff_no_artifact(g: ProcessGraph) -> Iterator[Report]:
    for h in g.handoffs():
        if h.artifact:
            continue
        yield Report(
            (h.flow, h.source, h.target),
            f"Work changes hands at {_where(g, h)}, but the handoff does not say what is "
            "handed over. Receiving teams then start from a conversation instead of a document.",
            "Name the artifact on the flow (`artifact:`), e.g. handover notes or a signed order.",
            {"source_lane": h.source_lane, "target_lane": h.target_lane},
        )


@rule("HANDOFF-ARTIFACT-NOT-PRODUCED")
def handoff_artifact_not_produced(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    for h in g.handoffs():
        if not h.artifact:
            continue
        senders = g.sending_activities(h.source) or {h.source}
        if any(h.artifact in m.node_by_id[s].outputs for s in senders):
            continue
        names = t.listing(sorted(t.node(m, s) for s in senders))
        yield Report(
            (h.flow, h.source, h.target, h.artifact),
            f"The handoff {_where(g, h)} carries {t.artifact(m, h.artifact)}, but the sending "
            f"step {names} does not list it among its outputs: nobody on the "
            f"{t.lane(m, h.source_lane)} side is responsible for producing it.",
            f"Add {h.artifact!r} to the outputs of {names}, or correct the flow's artifact.",
            {"senders": sorted(senders), "artifact": h.artifact},
        )


@rule("HANDOFF-ARTIFACT-NOT-USED")
def handoff_artifact_not_used(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    for h in g.handoffs():
        if not h.artifact:
            continue
        receivers = g.receiving_activities(h.target)
        if not receivers or any(h.artifact in m.node_by_id[r].inputs for r in receivers):
            continue
        names = t.listing(sorted(t.node(m, r) for r in receivers))
        yield Report(
            (h.flow, h.source, h.target, h.artifact),
            f"The handoff {_where(g, h)} carries {t.artifact(m, h.artifact)}, but the receiving "
            f"step {names} does not take it as an input: either the receiver ignores it or the "
            "model hides what the receiver really needs.",
            f"Add {h.artifact!r} to the inputs of {names}, or stop handing it over.",
            {"receivers": sorted(receivers), "artifact": h.artifact},
        )


@rule("HANDOFF-NO-RECEIVER")
def handoff_no_receiver(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    for h in g.handoffs():
        if g.receiving_activities(h.target):
            continue
        target_lane = m.lane_by_id.get(h.target_lane)
        if target_lane is not None and target_lane.external:
            continue  # delivering to the customer or a partner is an ending, not a lost handoff
        yield Report(
            (h.flow, h.source, h.target),
            f"Work is handed over at {_where(g, h)}, but no activity follows on the receiving "
            f"side: nobody in {t.lane(m, h.target_lane)} picks it up.",
            "Add the step that receives the work, or end the process in the sending lane.",
            {"target_lane": h.target_lane},
        )


@rule("INPUT-NO-SUPPLIER")
def input_no_supplier(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    produced = {a for n in m.nodes for a in n.outputs} | _carried(g)
    for node in m.nodes:
        for art in node.inputs:
            if art in produced:
                continue
            yield Report(
                (node.id, art),
                f"{t.node(m, node.id)} ({t.lane(m, node.lane)}) needs {t.artifact(m, art)}, "
                "but no step in the model produces it: the supplier is missing.",
                f"Add {art!r} to the outputs of the step that supplies it (an external lane "
                "such as the customer can be that supplier).",
                {"artifact": art, "lane": node.lane},
            )


@rule("OUTPUT-NO-CUSTOMER")
def output_no_customer(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    consumed = {a for n in m.nodes for a in n.inputs} | _carried(g)
    for node in m.nodes:
        for art in node.outputs:
            if art in consumed:
                continue
            yield Report(
                (node.id, art),
                f"{t.node(m, node.id)} ({t.lane(m, node.lane)}) produces {t.artifact(m, art)}, "
                "but no step uses it: it has no customer.",
                f"Add {art!r} to the inputs of the step that needs it, or stop producing it.",
                {"artifact": art, "lane": node.lane},
            )


@rule("NODE-NO-LANE")
def node_no_lane(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    for node in m.nodes:
        if node.lane:
            continue
        yield Report(
            (node.id,),
            f"{t.node(m, node.id)} belongs to no lane: no team owns it.",
            "Give the node a `lane:`.",
            {"type": node.type},
        )


@rule("UNREACHABLE")
def unreachable(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    if not g.starts:
        return
    for node in m.nodes:
        if node.id in g.reachable:
            continue
        yield Report(
            (node.id,),
            f"{t.node(m, node.id)} ({t.lane(m, node.lane)}) cannot be reached from any start: "
            "as drawn, this work never happens.",
            "Connect it with a flow from the step that should lead to it, or remove it.",
            {"starts": list(g.starts)},
        )


@rule("DEAD-END")
def dead_end(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    if not g.ends:
        return
    for node in m.nodes:
        if node.id in g.reaching_end:
            continue
        yield Report(
            (node.id,),
            f"From {t.node(m, node.id)} ({t.lane(m, node.lane)}) there is no path to an end: "
            "a case that gets here is never finished or handed on.",
            "Add the flow that continues the work, or an end event.",
            {"ends": list(g.ends)},
        )


@rule("LANE-EMPTY")
def lane_empty(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    for lane in m.lanes:
        if lane.external or g.nodes_by_lane.get(lane.id):
            continue  # an external party (a black-box pool) need not show its work
        yield Report(
            (lane.id,),
            f"Lane {lane.label} has no steps: its part in the process is undefined.",
            "Add the steps this team does, or remove the lane.",
            {},
        )


@rule("STAGE-NOT-COVERED")
def stage_not_covered(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    for stage in m.stages:
        if any(m.node_by_id[n].is_activity for n in stage.nodes if n in m.node_by_id):
            continue
        yield Report(
            (stage.id,),
            f"Journey stage {stage.label!r} holds no activity: no team "
            "does anything for the customer in this stage.",
            "List the activities of this stage under its `nodes:`.",
            {},
        )


@rule("MILESTONE-NOT-MEASURABLE")
def milestone_not_measurable(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    for stage in m.stages:
        for ms in stage.milestones:
            cond = ms.reached_when
            if cond is None:
                why = "has no `reached_when`, so no event in a log can answer it"
            elif not m.node_by_id[cond.activity].is_activity:
                kind = m.node_by_id[cond.activity].type
                why = (
                    f"is answered by {t.node(m, cond.activity)}, a {kind} node, which "
                    "leaves no event in a log"
                )
            else:
                continue
            yield Report(
                (ms.id, stage.id),
                f"Milestone {ms.id!r} ({ms.question or 'no question'}) {why}.",
                "Set `reached_when: {activity: <an activity id>}`.",
                {"stage": stage.id},
            )


@rule("STAGE-NO-HANDOFF")
def stage_no_handoff(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    if len(m.stages) < 2:
        return
    stage_of = stage_of_nodes(g)
    owners = {s.id: _owner(g, s.nodes) for s in m.stages}
    crossing = {(stage_of.get(h.source), stage_of.get(h.target)) for h in g.handoffs()}
    for a, b in zip(m.stages, m.stages[1:], strict=False):
        oa, ob = owners[a.id], owners[b.id]
        if oa is None or ob is None or oa == ob or (a.id, b.id) in crossing:
            continue
        yield Report(
            (a.id, b.id, oa, ob),
            f"Stage {a.label!r} is run by {t.lane(m, oa)} and the next stage {b.label!r} by "
            f"{t.lane(m, ob)}, but no handoff leads from one to the other: customers can fall "
            "between the two stages.",
            f"Add a flow from the last step of {a.label!r} to the first of {b.label!r}, "
            "carrying what the next team needs.",
            {"from_owner": oa, "to_owner": ob},
        )


def _carried(g: ProcessGraph) -> set[str]:
    """Artifacts some flow carries: handed over, so supplied and received by someone."""
    return {f.artifact for f in g.model.flows if f.artifact}


def _owner(g: ProcessGraph, nodes: list[str]) -> str | None:
    """The lane doing most of a stage's activities (ties: the first lane of the model)."""
    m = g.model
    counts = Counter(
        m.node_by_id[n].lane
        for n in nodes
        if n in m.node_by_id and m.node_by_id[n].is_activity and m.node_by_id[n].lane
    )
    if not counts:
        return None
    order = {lane.id: i for i, lane in enumerate(m.lanes)}
    return min(counts, key=lambda lane: (-counts[lane], order.get(lane or "", 1 << 30)))
