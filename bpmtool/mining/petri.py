"""Model → workflow net (pm4py ``PetriNet`` with initial and final marking).

The net is built the way pm4py converts BPMN (``pm4py.convert_to_petri_net``), so a
BPMN file gives the same fitness and precision here as in pm4py, and then reduced the way
pm4py reduces it.  ``docs/conformance.md`` has the whole table:

* every node has an entry place and an exit place around one transition: an activity's is
  labelled with its name (what the log shows), every other node's is silent;
* every sequence flow is a place; a silent transition moves a token from the source's exit
  into the flow, and one from the flow into the target's entry — so flows into an activity,
  an event or an exclusive/event-based/complex gateway merge exclusively;
* a parallel gateway that joins has one silent transition taking every incoming flow, one
  that splits one feeding every outgoing flow; an inclusive join has one silent transition
  per non-empty subset of its incoming flows, an inclusive split one per non-empty subset of
  its outgoing flows (up to five) — an over-approximation that accepts every run the
  gateway allows, and a few more;
* several plain outgoing flows of an activity or event split in parallel (BPMN's implicit
  split); conditional ones give one transition per set BPMN allows (every unconditional flow
  plus each true condition, or the default);
* start events without incoming flows (and, in a part of the model without any, such as a
  pool that starts with a message event, nodes with no incoming flow) are
  entered from one source place, each through a silent transition; nodes without outgoing
  flow leave into one sink, and where two branches of a split can each end a case a silent
  transition merges the sink's tokens;
* an interrupting boundary event is an alternative to its host activity: it takes the
  host's entry; a non-interrupting one takes it too, but the activity still ends after it
  (a second transition with the activity's label, fed by a place the event marks), so the
  event's branch runs in parallel with the activity's continuation — at most once per run
  of the activity (a loop that gave the entry back would let pm4py's token replay loop for
  ever); a node BPMN starts without a flow (``triggered_by``: an event
  sub-process's start, a compensation handler, a boundary event of an expanded
  sub-process) is an alternative to what follows its trigger: it takes the trigger's exit
  (a link catch event is what follows its link throw event) — a non-interrupting
  boundary event of an expanded sub-process takes it too, but marks a place from which
  the sub-process goes on as well, so its branch runs beside the sub-process; an event
  sub-process
  nested in a sub-process ends into that sub-process's end event, so the flow goes on after
  the sub-process; compensation is a detour after
  its activity: the compensation boundary event takes the activity's exit, and it (or its
  handler) gives the token back there;
* message flows between pools carry no control flow and are left out;
* finally pm4py's simple reduction: a silent transition whose one input place has one
  producer and no other consumer is fused into that producer, and one whose one output place
  has one consumer and no other producer into that consumer, until nothing changes.  It is
  applied deterministically (in name order), so the net does not depend on the order of the
  file's elements or on their ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations, product
from typing import Any

import networkx as nx

from bpmtool.graph import compensation_hosts
from bpmtool.mining.net_draft import SINK, SOURCE, NetDraft
from bpmtool.model import Flow, Model

__all__ = ["WorkflowNet", "to_petri_net"]

_MAX_INCLUSIVE = 5


@dataclass
class WorkflowNet:
    """A pm4py net with its markings and which transition stands for which node."""

    net: Any
    initial: Any
    final: Any
    node_of: dict[str, str] = field(default_factory=dict)  # transition name → node id
    labels: set[str] = field(default_factory=set)  # the visible labels


def to_petri_net(model: Model) -> WorkflowNet:
    """Translate a model into a workflow net (see the module docstring)."""
    draft, node_of = _draft(model)
    draft.reduce()
    if _ends_may_meet(model):
        # two branches of one case can each reach an end: the case is over when both have;
        # a silent merge brings the sink back to one token
        draft.add("sink_merge", None, {SINK: 2}, {SINK: 1})
    net, initial, final = draft.to_pm4py(model.id)
    result = WorkflowNet(net, initial, final)
    for t in net.transitions:
        if t.name in node_of:
            result.node_of[t.name] = node_of[t.name]
        if t.label:
            result.labels.add(t.label)
    return result


def _draft(model: Model) -> tuple[NetDraft, dict[str, str]]:
    """The unreduced net: an entry and an exit place per node, a place per flow."""
    draft = NetDraft()
    node_of: dict[str, str] = {}
    flows, incoming, outgoing = _sequence_flows(model)

    # pm4py's place names: token replay breaks ties between equally short silent paths by
    # place name, so the same names give the same figures as pm4py on the same file
    taken = {f"{side}_{n.id}" for n in model.nodes for side in ("ent", "exi")} | {SOURCE, SINK}
    flow_place = {f.key: f.key if f.key not in taken else f"flow:{f.key}" for f in flows}

    def flow(key: str) -> str:
        return flow_place[key]

    # a start event inside a flattened sub-process is entered by a flow, not from outside
    for s in _starts(model, incoming, outgoing):
        draft.add(f"start:{s}", None, {SOURCE: 1}, {f"ent_{s}": 1})
    # a link throw event goes on at its catch event, not into the sink
    linked = {n.triggered_by for n in model.nodes if n.triggered_by and _links(n)}
    compensating = compensation_hosts(model)
    resumes = _event_subprocess_ends(model, outgoing)
    watched = _watched_frames(model, incoming)
    leads_to = {flow_place[f.key]: f.target for f in flows}
    leads_to.update({f"ent_{n.id}": n.id for n in model.nodes})
    for node in model.nodes:
        n, ins, outs = node.id, incoming[node.id], outgoing[node.id]
        entry, exit_ = f"ent_{node.attached_to or n}", f"exi_{n}"
        produces = {exit_: 1}
        if n in compensating and node.attached_to:
            entry = f"exi_{node.attached_to}"  # compensates what its activity did
        elif node.attached_to and not node.interrupting:
            # the activity goes on: it ends (a second transition with its label) in parallel
            # with the event's branch; the event happens at most once per activity
            host = model.node_by_id[node.attached_to]
            produces = {exit_: 1, f"ni_{n}": 1}
            again = f"node:{host.id}:after:{n}"
            node_of[again] = host.id
            draft.add(
                again,
                host.label if host.is_activity else None,
                {f"ni_{n}": 1},
                {f"exi_{host.id}": 1},
            )
        if n in watched:
            # a non-interrupting event of an expanded sub-process: it may happen once while
            # the sub-process runs (see _leave), beside it
            entry, produces = f"may_{n}", {exit_: 1, f"fired_{n}": 1}
        elif node.triggered_by and not ins:
            entry = f"exi_{node.triggered_by}"  # instead of what follows its trigger
        name = f"node:{n}"
        node_of[name] = n
        draft.add(name, node.label if node.is_activity else None, {entry: 1}, produces)
        # how flows come in
        if node.type in ("parallel", "inclusive") and len(ins) > 1:
            in_sets = [tuple(ins)] if node.type == "parallel" else _subsets(ins)
            for i, keys in enumerate(in_sets):
                draft.add(f"join:{n}:{i}", None, dict.fromkeys(map(flow, keys), 1), {f"ent_{n}": 1})
        else:
            for k in ins:
                draft.add(f"tfl:{k}", None, {flow(k): 1}, {f"ent_{n}": 1})
        # how flows go out
        out_sets = _out_sets(model, node.id, outs)
        leaving: list[tuple[str, dict[str, int]]] = []
        if not outs and n in compensating:
            # compensation is a detour: back to where its activity left off
            leaving.append((f"end:{n}", {f"exi_{compensating[n]}": 1}))
        elif not outs and n in resumes:
            # an event sub-process inside a sub-process ends it: on after the sub-process
            leaving.append((f"end:{n}", {f"ent_{resumes[n]}": 1}))
        elif not outs and n not in linked:
            leaving.append((f"end:{n}", {SINK: 1}))
        elif out_sets is None:
            leaving += [(f"sfl:{k}", {flow(k): 1}) for k in outs]
        else:
            leaving += [
                (f"split:{n}:{i}", dict.fromkeys(map(flow, keys), 1))
                for i, keys in enumerate(out_sets)
            ]
        for name, produced in leaving:
            _leave(draft, model, watched, leads_to, (node.id, name, exit_), produced)
    return draft, node_of


def _sequence_flows(
    model: Model,
) -> tuple[list[Flow], dict[str, list[str]], dict[str, list[str]]]:
    """The sequence flows (message flows carry no control flow), and each node's incoming
    and outgoing ones by key, in the model's order."""
    flows = [f for f in model.flows if f.kind == "sequence"]
    incoming: dict[str, list[str]] = {n.id: [] for n in model.nodes}
    outgoing: dict[str, list[str]] = {n.id: [] for n in model.nodes}
    for f in flows:
        outgoing[f.source].append(f.key)
        incoming[f.target].append(f.key)
    return flows, incoming, outgoing


def _watched_frames(model: Model, incoming: dict[str, list[str]]) -> dict[str, str]:
    """Each non-interrupting boundary event of an expanded sub-process (the import makes
    it ``triggered_by`` the sub-process's start) → the sub-process it sits on."""
    out: dict[str, str] = {}
    frames = model.subprocess_by_id
    for node in model.nodes:
        trigger = model.node_by_id.get(node.triggered_by or "")
        if trigger is None or node.interrupting or node.attached_to or incoming[node.id]:
            continue
        frame = frames.get(trigger.parent or "")
        while frame is not None and frame.parent != node.parent:
            frame = frames.get(frame.parent or "")
        if frame is not None:
            out[node.id] = frame.id
    return out


def _inside(model: Model, node_id: str, frame: str) -> bool:
    parent = model.node_by_id[node_id].parent
    while parent is not None:
        if parent == frame:
            return True
        found = model.subprocess_by_id.get(parent)
        parent = found.parent if found is not None else None
    return False


def _leave(
    draft: NetDraft,
    model: Model,
    watched: dict[str, str],
    leads_to: dict[str, str],
    way: tuple[str, str, str],
    produced: dict[str, int],
) -> None:
    """One way out of ``node``, with the places of the non-interrupting events of an
    expanded sub-process: leaving the sub-process's start marks that each may happen
    (``may_<event>``); leaving the sub-process takes that mark back, or the one the event
    left when it happened (``fired_<event>``) — so the event happens at most once, at
    any time while the sub-process runs, and the sub-process goes on beside it."""
    node, name, exit_ = way
    produced = dict(produced)
    for event in watched:
        if model.node_by_id[event].triggered_by == node:
            produced[f"may_{event}"] = 1
    targets = [leads_to[p] for p in produced if p in leads_to]
    guards = [
        event
        for event, frame in watched.items()
        if _inside(model, node, frame) and not any(_inside(model, t, frame) for t in targets)
    ]
    if not guards:
        draft.add(name, None, {exit_: 1}, produced)
        return
    for i, marks in enumerate(product(*[(f"may_{e}", f"fired_{e}") for e in guards])):
        draft.add(f"{name}:{i}", None, {exit_: 1, **dict.fromkeys(marks, 1)}, produced)


def _starts(
    model: Model, incoming: dict[str, list[str]], outgoing: dict[str, list[str]]
) -> list[str]:
    """Where a case can begin: start events without incoming flow; in a part of the model
    that has none (a pool that starts with a message event), its nodes without incoming
    flow."""
    free = [
        n for n in model.nodes if not incoming[n.id] and not n.attached_to and not n.triggered_by
    ]
    declared = [n.id for n in free if n.type == "start"]
    if not declared:
        return [n.id for n in free]
    target_of = {f.key: f.target for f in model.flows}
    graph = nx.Graph()
    graph.add_nodes_from(n.id for n in model.nodes)
    graph.add_edges_from((n, target_of[k]) for n, keys in outgoing.items() for k in keys)
    started = {c for s in declared for c in nx.node_connected_component(graph, s)}
    return declared + [n.id for n in free if n.id not in started]


def _event_subprocess_ends(model: Model, outgoing: dict[str, list[str]]) -> dict[str, str]:
    """For each end of an event sub-process nested in a sub-process: the end event of the
    enclosing sub-process it finishes (BPMN: the event sub-process replaces the rest of its
    parent, which then completes and the flow goes on after it)."""
    subs = model.subprocess_by_id
    ends: dict[str, list[str]] = {}
    for node in model.nodes:
        if node.parent and node.type == "end":
            ends.setdefault(node.parent, []).append(node.id)
    out: dict[str, str] = {}
    for node in model.nodes:
        sub = subs.get(node.parent or "")
        if outgoing[node.id] or sub is None or not sub.event or node.attached_to:
            continue
        parent = subs.get(sub.parent or "")
        targets = sorted(
            ends.get(parent.id, []) if parent is not None else [],
            key=lambda e: (not outgoing[e], e),  # one the flow goes on from, if any
        )
        if targets:
            out[node.id] = targets[0]
    return out


def _links(node: Any) -> bool:
    return "link" in (node.event_definition or "").split(",")


def _out_sets(model: Model, node_id: str, flow_keys: list[str]) -> list[tuple[str, ...]] | None:
    """The sets of outgoing flows a node feeds at once; ``None`` when it picks exactly one
    (an exclusive choice, or a single flow)."""
    node = model.node_by_id[node_id]
    if len(flow_keys) < 2 or node.type in ("exclusive", "event_based", "complex"):
        return None
    if node.type == "parallel":
        return [tuple(flow_keys)]
    if node.type == "inclusive":
        return _subsets(flow_keys)
    return _conditional_sets(model, flow_keys) or [tuple(flow_keys)]


def _conditional_sets(model: Model, flow_keys: list[str]) -> list[tuple[str, ...]] | None:
    """The output sets of an activity or event whose outgoing flows carry conditions or a
    default (BPMN: every unconditional flow, plus each true condition — or the default when
    none holds); ``None`` when its flows are plain (an implicit parallel split)."""
    by_key = {f.key: f for f in model.flows}
    flows = [by_key[k] for k in flow_keys]
    if not any(f.condition or f.default for f in flows):
        return None
    always = tuple(f.key for f in flows if not f.condition and not f.default)
    conds = [f.key for f in flows if f.condition and not f.default]
    defaults = tuple(f.key for f in flows if f.default)
    sets = [always + c for c in _subsets(conds)] if conds else []
    if defaults or not conds:
        sets.append(always + defaults)
    return sets


def _ends_may_meet(model: Model) -> bool:
    """Whether two branches of a parallel (or inclusive, or implicit) split can each reach
    an end without meeting at a join first: then one case puts two tokens in the sink."""
    nodes = model.node_by_id
    flows, incoming, outgoing = _sequence_flows(model)
    target_of = {f.key: f.target for f in flows}
    by_key = {f.key: f for f in model.flows}

    def splits(n: Any) -> bool:
        """Whether ``n`` can send tokens down two of its flows at once."""
        flows = [by_key[k] for k in outgoing[n.id]]
        if len(flows) < 2 or n.type in ("exclusive", "event_based", "complex"):
            return False
        plain = sum(not f.condition and not f.default for f in flows)
        conds = sum(bool(f.condition) and not f.default for f in flows)
        return (
            n.type in ("parallel", "inclusive")
            or plain >= 2
            or conds >= 2
            or (plain >= 1 and len(flows) > plain)
        )

    def ends_from(first: str, joins: set[str]) -> set[str]:
        seen, todo, ends = {first}, [first], set()
        while todo:
            current = todo.pop()
            if not outgoing[current]:
                ends.add(current)
            for k in outgoing[current]:
                nxt = target_of[k]
                if nxt not in seen and nxt not in joins:
                    seen.add(nxt)
                    todo.append(nxt)
        return ends

    def reach(first: str) -> set[str]:
        seen, todo = {first}, [first]
        while todo:
            for k in outgoing[todo.pop()]:
                if target_of[k] not in seen:
                    seen.add(target_of[k])
                    todo.append(target_of[k])
        return seen

    # a non-interrupting boundary event splits its activity's way from the event's
    forks = [
        [n.attached_to, n.id]
        for n in model.nodes
        if n.attached_to and not n.interrupting and n.attached_to in outgoing
    ]
    forks += [
        [n.triggered_by, n.id]
        for n in model.nodes
        if n.triggered_by in outgoing and not n.interrupting and not n.attached_to
    ]
    forks += [[target_of[k] for k in outgoing[n.id]] for n in model.nodes if splits(n)]
    for branches in forks:
        reached = [reach(b) for b in branches]
        joins = {
            j
            for j in nodes
            if len(incoming[j]) > 1
            and nodes[j].type in ("parallel", "inclusive")
            and sum(j in r for r in reached) >= 2
        }
        found = [ends_from(b, joins) for b in branches]
        if sum(bool(f) for f in found) >= 2:
            return True
    return False


def _subsets(items: list[Any]) -> list[tuple[Any, ...]]:
    items = items[:_MAX_INCLUSIVE]
    return [c for r in range(1, len(items) + 1) for c in combinations(items, r)]
