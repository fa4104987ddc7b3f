"""Model → workflow net (pm4py ``PetriNet`` with initial and final marking).

Translation, node by node (``docs/conformance.md`` has the whole table):

* every sequence flow is a place; flows into a node that merges *exclusively* (an activity,
  an event, an exclusive/event-based/complex gateway) share that node's one input place,
  flows into a parallel or inclusive join keep a place each;
* an activity is one transition labelled with its name (what the log shows); an event is a
  silent transition; several plain outgoing flows of an activity or event split in parallel
  (BPMN's implicit split); conditional ones give one transition per set BPMN allows (every
  unconditional flow plus each true condition, or the default);
* an exclusive, event-based or complex gateway is one silent transition per outgoing flow;
  a parallel gateway one silent transition that takes all inputs and feeds all outputs;
* an inclusive split is one silent transition per non-empty subset of its outgoing flows
  (up to five); an inclusive join one per non-empty subset of its inputs — an
  over-approximation that accepts every run the gateway allows, and a few more;
* start events without incoming flows (or, without any, nodes with no incoming flow) leave
  one source place through a silent choice; end events (or nodes with no outgoing flow) feed
  one sink, and where two branches of a split can each end a case a silent transition merges
  the sink's tokens;
* an interrupting boundary event is an alternative to its host activity;
* message flows between pools carry no control flow and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

from bpmtool.model import Model

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
    from pm4py.objects.petri_net.obj import Marking, PetriNet
    from pm4py.objects.petri_net.utils.petri_utils import add_arc_from_to

    nodes = model.node_by_id
    net = PetriNet(f"{model.id}")
    places: dict[str, Any] = {}
    counter = [0]

    def place(name: str) -> Any:
        if name not in places:
            places[name] = PetriNet.Place(name)
            net.places.add(places[name])
        return places[name]

    result = WorkflowNet(net, Marking(), Marking())

    def transition(node_id: str, label: str | None, ins: list[Any], outs: list[Any]) -> None:
        counter[0] += 1
        t = PetriNet.Transition(f"t{counter[0]}_{node_id}", label)
        net.transitions.add(t)
        result.node_of[t.name] = node_id
        if label:
            result.labels.add(label)
        for p in ins:
            add_arc_from_to(p, t, net)
        for p in outs:
            add_arc_from_to(t, p, net)

    flows = [f for f in model.flows if f.kind == "sequence"]
    incoming: dict[str, list[str]] = {n.id: [] for n in model.nodes}
    outgoing: dict[str, list[str]] = {n.id: [] for n in model.nodes}
    for f in flows:
        outgoing[f.source].append(f.key)
        incoming[f.target].append(f.key)

    def joins_separately(node_id: str) -> bool:
        n = nodes[node_id]
        return n.type in ("parallel", "inclusive") and len(incoming[node_id]) > 1

    def in_place(flow_key: str, target: str) -> Any:
        return place(f"flow:{flow_key}") if joins_separately(target) else place(f"in:{target}")

    source, sink = place("source"), place("sink")
    # a start event inside a flattened sub-process is entered by a flow, not from outside
    starts = [n.id for n in model.nodes if n.type == "start" and not incoming[n.id]] or \
        [n.id for n in model.nodes if not incoming[n.id] and not n.attached_to]
    for s in starts:
        transition(f"start_{s}", None, [source], [place(f"in:{s}")])
    target_of = {f.key: f.target for f in flows}
    for node in model.nodes:
        if node.attached_to:
            ins = [place(f"in:{node.attached_to}")]  # instead of its host
        elif joins_separately(node.id):
            ins = [place(f"flow:{k}") for k in incoming[node.id]]
        else:
            ins = [place(f"in:{node.id}")]
        outs = [in_place(k, target_of[k]) for k in outgoing[node.id]] or [sink]
        label = node.label if node.is_activity else None
        conditional = _conditional_sets(model, node.id, outgoing[node.id], in_place, target_of)
        if conditional is not None and not node.is_gateway:
            for out_set in conditional:
                transition(node.id, label, ins, out_set)
        elif node.type in ("exclusive", "event_based", "complex") and len(outs) > 1:
            for out in outs:
                transition(node.id, None, ins, [out])
        elif node.type == "inclusive":
            in_sets = [ins] if len(ins) == 1 else _subsets(ins)
            out_sets = [outs] if len(outs) == 1 else _subsets(outs)
            for a in in_sets:
                for b in out_sets:
                    transition(node.id, None, list(a), list(b))
        else:
            transition(node.id, label, ins, outs)
    if _ends_may_meet(model, incoming, outgoing, target_of):
        # two branches of one case can each reach an end: the case is over when both have;
        # a silent merge brings the sink back to one token
        t = PetriNet.Transition("sink_merge", None)
        net.transitions.add(t)
        add_arc_from_to(sink, t, net, weight=2)
        add_arc_from_to(t, sink, net)
    result.initial[source] = 1
    result.final[sink] = 1
    return result


def _conditional_sets(model: Model, node_id: str, flow_keys: list[str], in_place: Any,
                      target_of: dict[str, str]) -> list[list[Any]] | None:
    """The output sets of an activity or event whose outgoing flows carry conditions or a
    default (BPMN: every unconditional flow, plus each true condition — or the default when
    none holds); ``None`` when its flows are plain (an implicit parallel split)."""
    if len(flow_keys) < 2:
        return None
    by_key = {f.key: f for f in model.flows}
    flows = [by_key[k] for k in flow_keys]
    if not any(f.condition or f.default for f in flows):
        return None
    always = [in_place(f.key, target_of[f.key]) for f in flows
              if not f.condition and not f.default]
    conds = [in_place(f.key, target_of[f.key]) for f in flows if f.condition and not f.default]
    defaults = [in_place(f.key, target_of[f.key]) for f in flows if f.default]
    sets = [always + list(c) for c in _subsets(conds)] if conds else []
    if defaults or not conds:
        sets.append(always + defaults)
    return sets


def _ends_may_meet(model: Model, incoming: dict[str, list[str]],
                   outgoing: dict[str, list[str]], target_of: dict[str, str]) -> bool:
    """Whether two branches of a parallel (or inclusive, or implicit) split can each reach
    an end without meeting at a join first: then one case puts two tokens in the sink."""
    nodes = model.node_by_id
    by_key = {f.key: f for f in model.flows}

    def splits(n: Any) -> bool:
        """Whether ``n`` can send tokens down two of its flows at once."""
        flows = [by_key[k] for k in outgoing[n.id]]
        if len(flows) < 2 or n.type in ("exclusive", "event_based", "complex"):
            return False
        plain = sum(not f.condition and not f.default for f in flows)
        conds = sum(bool(f.condition) and not f.default for f in flows)
        return n.type in ("parallel", "inclusive") or plain >= 2 or conds >= 2 or (
            plain >= 1 and len(flows) > plain)

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

    for split in model.nodes:
        if not splits(split):
            continue
        branches = [target_of[k] for k in outgoing[split.id]]
        reached = [reach(b) for b in branches]
        joins = {j for j in nodes if len(incoming[j]) > 1
                 and nodes[j].type in ("parallel", "inclusive")
                 and sum(j in r for r in reached) >= 2}
        found = [ends_from(b, joins) for b in branches]
        if sum(bool(f) for f in found) >= 2:
            return True
    return False


def _subsets(items: list[Any]) -> list[tuple[Any, ...]]:
    items = items[:_MAX_INCLUSIVE]
    return [c for r in range(1, len(items) + 1) for c in combinations(items, r)]
