"""What a check puts on the swimlane: walked counts, skipped steps, slow handoffs, unknown work.

A translation of a :class:`~bpmtool.mining.check.CheckResult` into the drawing's terms; the
numbers themselves come from the check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpmtool.render.svg import Overlay, Unmodelled

if TYPE_CHECKING:
    from bpmtool.mining.check import CheckResult
    from bpmtool.mining.flow_numbers import FlowNumbers
    from bpmtool.mining.handoffs import HandoffStats
    from bpmtool.model import Model

__all__ = ["happy_overlay", "numbers_overlay", "overlay_of", "short_duration"]


def short_duration(ns: float | None) -> str:
    """A median time in a few characters: ``40m``, ``5.2h``, ``1.5d``."""
    if ns is None:
        return ""
    minutes = ns / 60e9
    if minutes < 60:
        return f"{minutes:.0f}m"
    if minutes < 24 * 60:
        return f"{minutes / 60:.1f}h"
    return f"{minutes / 1440:.1f}d"


def number_notes(
    model: Model, numbers: FlowNumbers, handoffs: list[HandoffStats]
) -> tuple[dict[int, str], dict[str, str], list[Unmodelled]]:
    """The texts of a process map: cases and median time on each walked flow (the median
    when there is one; on the flow into an activity in another lane than the one activity
    before it — straight, or through gateways and events — also the handoff table's p90 wait
    for that pair), cases and median time under each activity, and
    each handoff the model lacks from its most frequent activity pair."""
    p90 = {
        (h.source_lane, h.target_lane, str(a.get("from")), str(a.get("to"))): a.get("p90_wait")
        for h in handoffs
        for a in h.by_activity
    }
    flow_notes: dict[int, str] = {}
    came_from = _activities_before(model)
    for i, cases in enumerate(numbers.flow_cases):
        if cases:
            median = short_duration(numbers.flow_median_ns[i])
            flow_notes[i] = f"{cases:,}" + (f" · {median}" if median else "")
            flow = model.flows[i]
            sources = came_from.get(flow.source, {flow.source})
            # the handoff's wait on the flow into its target activity: straight from the
            # activity before, or through gateways and events when only one activity leads here
            if len(sources) == 1:
                wait = p90.get(_handoff_key(model, next(iter(sources)), flow.target))
                if wait:
                    flow_notes[i] += f" · p90 {wait}"
    node_notes: dict[str, str] = {}
    for node in model.activities():
        cases = numbers.node_cases.get(node.id, 0)
        if cases:
            median = short_duration(numbers.node_median_ns.get(node.id))
            node_notes[node.id] = f"{cases:,} cases" + (f" · {median}" if median else "")
    by_label = {n.label: n.id for n in model.activities()}
    unmodelled = []
    for h in handoffs:
        if h.modelled:
            continue
        top = h.by_activity[0] if h.by_activity else {}
        p50 = f" · p50 {h.median_wait}" if h.median_wait else ""
        unmodelled.append(
            Unmodelled(
                h.source_lane,
                h.target_lane,
                by_label.get(str(top.get("from"))),
                by_label.get(str(top.get("to"))),
                f"{h.count:,}× {_lane_label(model, h.source_lane)} → "
                f"{_lane_label(model, h.target_lane)} unmodelled{p50}",
            )
        )
    return flow_notes, node_notes, unmodelled


def _activities_before(model: Model) -> dict[str, set[str]]:
    """For each node that is no activity (a gateway, an event), the activities a case can
    have done last before reaching it, walking back through other such nodes."""
    into: dict[str, list[str]] = {}
    for f in model.flows:
        into.setdefault(f.target, []).append(f.source)
    found: dict[str, set[str]] = {}
    for node in model.nodes:
        if node.is_activity:
            continue
        seen, todo, last = {node.id}, list(into.get(node.id, [])), set()
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            if model.node_by_id[n].is_activity:
                last.add(n)
            else:
                todo.extend(into.get(n, []))
        found[node.id] = last
    return found


def _lane_label(model: Model, lane_id: str) -> str:
    lane = model.lane_by_id.get(lane_id)
    return lane.label if lane is not None else lane_id


def _handoff_key(model: Model, source: str, target: str) -> tuple[str, str, str, str]:
    s, t = model.node_by_id.get(source), model.node_by_id.get(target)
    if s is None or t is None or not (s.is_activity and t.is_activity) or s.lane == t.lane:
        return ("", "", "", "")
    return (s.lane or "", t.lane or "", s.label, t.label)


def numbers_overlay(
    model: Model,
    numbers: FlowNumbers,
    handoffs: list[HandoffStats],
    cases: int,
    shares: dict[str, float] | None = None,
) -> Overlay:
    """A discovered process map: widths and numbers = cases that took each flow; ``shares``
    (node id → the share of its events its lane did) adds ``· 97% here`` under an activity
    another lane also does."""
    flow_notes, node_notes, unmodelled = number_notes(model, numbers, handoffs)
    for node_id, share in (shares or {}).items():
        if node_id in node_notes and share < 1:
            node_notes[node_id] += f" · {int(share * 100)}% here"
    return Overlay(
        flow_counts=list(numbers.flow_cases),
        cases=cases,
        caption=(
            f"As-is map of {cases:,} case(s): line width and number on a flow = cases that "
            "took it, then the median time between its two steps; under a box = cases and "
            "the median time since the case's previous step, and the share of its work this "
            "lane does when another lane does some too; dashed = handoffs the model does not "
            "have."
        ),
        flow_notes=flow_notes,
        node_notes=node_notes,
        unmodelled=unmodelled,
    )


def overlay_of(
    check: CheckResult, model: Model | None = None, numbers: FlowNumbers | None = None
) -> Overlay:
    """A check over its model; with the log's ``numbers`` also the cases and median times
    on flows and boxes and the unmodelled handoffs, dashed."""
    skipped: dict[str, int] = {}
    slow: set[str] = set()
    unexpected: list[tuple[str, int]] = []
    for f in check.findings:
        if f.code == "SKIPPED-ACTIVITY" and f.subject:
            skipped[f.subject[0]] = int(f.evidence.get("cases", 0))
        elif f.code == "SLOW-HANDOFF" and f.subject:
            slow.add(f.subject[0])
        elif f.code == "UNEXPECTED-ACTIVITY" and f.subject:
            unexpected.append((f.subject[0], int(f.evidence.get("events", 0))))
    flow_notes, node_notes, unmodelled = (
        number_notes(model, numbers, check.handoffs)
        if numbers is not None and model is not None
        else ({}, {}, [])
    )
    return Overlay(
        flow_counts=[n for _, n in check.flow_counts],
        skipped=skipped,
        slow=slow,
        unexpected=unexpected,
        cases=check.cases,
        flow_notes=flow_notes,
        node_notes=node_notes,
        unmodelled=unmodelled,
    )


def happy_overlay(flow_counts: list[int], successful: int, paths: int) -> Overlay:
    """The happy paths over the swimlane: widths = successful cases whose path walks a flow."""
    return Overlay(
        flow_counts=flow_counts,
        cases=successful,
        caption=(
            f"The {paths} happy path(s) of {successful} successful case(s): line width = how many "
            "of those cases walk a flow; grey dashed = on no happy path."
        ),
    )
