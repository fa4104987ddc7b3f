"""Overlap rules: two parties doing or owning the same thing."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from bpmtool.findings import Report
from bpmtool.graph import Handoff, ProcessGraph
from bpmtool.rules import _text as t
from bpmtool.rules.registry import rule

__all__: list[str] = []


def _normal(label: str) -> str:
    return re.sub(r"\s+", " ", label).strip().casefold()


@rule("DUPLICATE-ACTIVITY")
def duplicate_activity(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    # the same name in two pools is two parties' own work (each pool is its own process)
    by_label: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    for node in m.activities():
        by_label[_normal(node.label), m.pool_of(node.id)].append(node.id)
    for ids in by_label.values():
        lanes = sorted({m.node_by_id[i].lane or "" for i in ids} - {""})
        if len(lanes) < 2:
            continue
        label = m.node_by_id[ids[0]].label
        yield Report(
            tuple(ids),
            f"{label!r} is done by {len(lanes)} teams ({t.listing(t.lane(m, x) for x in lanes)}):"
            " the same work has two owners, so it is done twice or each team assumes the other "
            "did it.",
            "Give the activity one owner, or name the two activities after what each team "
            "really does differently.",
            {"lanes": lanes},
        )


@rule("ARTIFACT-MULTIPLE-PRODUCERS")
def artifact_multiple_producers(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    producers: dict[str, list[str]] = defaultdict(list)
    for node in m.nodes:
        for art in node.outputs:
            producers[art].append(node.id)
    for art, ids in producers.items():
        lanes = sorted({m.node_by_id[i].lane or "" for i in ids} - {""})
        if len(lanes) < 2:
            continue
        yield Report(
            (art, *ids),
            f"{t.artifact(m, art)} is produced by {t.listing(t.node(m, i) for i in ids)} in "
            f"{len(lanes)} lanes ({t.listing(t.lane(m, x) for x in lanes)}): two versions of "
            "the truth.",
            "Let one team produce it and the others update or consume it.",
            {"lanes": lanes, "producers": ids},
        )


@rule("PING-PONG")
def ping_pong(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    for cycle in g.lane_cycles():
        lanes = [t.lane(m, x) for x in cycle.lanes]
        # the steps by name: an unnamed gateway or event of the loop has only an id the
        # author never wrote (a discovered model's 'xor3'), so it is left out of the text
        named = [n for n in cycle.nodes if getattr(m.node_by_id.get(n), "name", None)]
        steps = t.listing([t.node(m, n) for n in named or cycle.nodes])
        yield Report(
            cycle.nodes,
            f"Work can loop between {t.listing(lanes)} through "
            f"{steps}: every pass hands the case back "
            "to a team that already had it, and each round trip adds waiting time.",
            "Settle the question in one lane (a checklist or an acceptance criterion before "
            "the handoff), or make the rework loop stay inside the team that fixes it.",
            {"lanes": list(cycle.lanes), "handoffs": [h.flow for h in cycle.handoffs]},
        )


@rule("DUPLICATE-HANDOFF")
def duplicate_handoff(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    groups: dict[tuple[str, str, str], list[Handoff]] = defaultdict(list)
    for h in g.handoffs():
        if h.artifact:
            groups[(h.source_lane, h.target_lane, h.artifact)].append(h)
    for (a, b, art), hs in groups.items():
        if len(hs) < 2:
            continue
        yield Report(
            tuple(h.flow for h in hs),
            f"{t.artifact(m, art)} is handed from {t.lane(m, a)} to {t.lane(m, b)} "
            f"{len(hs)} times ({t.listing(h.flow for h in hs)}): two handoffs of the same "
            "thing between the same teams.",
            "Keep one handoff of this artifact, or name what differs between them.",
            {"artifact": art, "source_lane": a, "target_lane": b},
        )


@rule("STAGE-OVERLAP")
def stage_overlap(g: ProcessGraph) -> Iterator[Report]:
    m = g.model
    stages_of: dict[str, list[str]] = defaultdict(list)
    for stage in m.stages:
        for node in dict.fromkeys(stage.nodes):
            stages_of[node].append(stage.id)
    for node, stages in stages_of.items():
        if len(stages) < 2:
            continue
        yield Report(
            (node, *stages),
            f"{t.node(m, node)} is listed in {len(stages)} journey stages "
            f"({t.listing(stages)}): a customer doing it cannot be placed in one stage.",
            "List the step in one stage only.",
            {"stages": stages},
        )
