"""A Petri net under construction as plain data, pm4py's simple reduction on it, and the
finished pm4py net.

Building and reducing plain dictionaries (instead of pm4py objects, whose sets iterate in
memory order) keeps the result deterministic: the same model gives the same net, whatever
the order of its elements.

>>> d = NetDraft()
>>> d.add("a", "A", {SOURCE: 1}, {"p": 1})
>>> d.add("tau", None, {"p": 1}, {SINK: 1})
>>> d.reduce()
>>> sorted(d.label), d.post["a"]
(['a'], {'sink': 1})
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["SINK", "SOURCE", "NetDraft"]

SOURCE = "source"
SINK = "sink"


@dataclass
class NetDraft:
    """Transitions with their label and weighted pre- and post-sets; places are implied."""

    label: dict[str, str | None] = field(default_factory=dict)
    pre: dict[str, dict[str, int]] = field(default_factory=dict)
    post: dict[str, dict[str, int]] = field(default_factory=dict)
    #: place → transitions producing into it / consuming from it
    producers: dict[str, set[str]] = field(default_factory=dict)
    consumers: dict[str, set[str]] = field(default_factory=dict)

    def add(self, name: str, label: str | None, ins: dict[str, int], outs: dict[str, int]) -> None:
        """Add transition ``name`` (silent when ``label`` is None) with its arcs."""
        if name in self.label:
            raise ValueError(f"transition {name!r} added twice")
        self.label[name] = label
        self.pre[name], self.post[name] = {}, {}
        for place, weight in ins.items():
            self._arc_in(place, name, weight)
        for place, weight in outs.items():
            self._arc_out(name, place, weight)

    def _arc_in(self, place: str, name: str, weight: int) -> None:
        self.pre[name][place] = self.pre[name].get(place, 0) + weight
        self.consumers.setdefault(place, set()).add(name)
        self.producers.setdefault(place, set())

    def _arc_out(self, name: str, place: str, weight: int) -> None:
        self.post[name][place] = self.post[name].get(place, 0) + weight
        self.producers.setdefault(place, set()).add(name)
        self.consumers.setdefault(place, set())

    def _remove(self, name: str) -> None:
        for place in self.pre.pop(name):
            self.consumers[place].discard(name)
        for place in self.post.pop(name):
            self.producers[place].discard(name)
        del self.label[name]

    # --- pm4py's simple reduction --------------------------------------------------

    def reduce(self) -> None:
        """Fuse silent transitions into their only neighbour until nothing changes (pm4py's
        ``apply_simple_reduction``; the source and the sink are never removed)."""
        while self._fuse_forward() | self._fuse_backward():
            pass

    def _fuse_forward(self) -> bool:
        """A silent ``t`` whose one input place has one producer ``s`` and no consumer but
        ``t``: ``s`` feeds ``t``'s outputs directly."""
        changed, again = False, True
        while again:
            again = False
            for t in sorted(self.label):
                if t not in self.label or self.label[t] is not None or len(self.pre[t]) != 1:
                    continue
                [(p, weight)] = self.pre[t].items()
                if (
                    weight != 1
                    or p in (SOURCE, SINK)
                    or self.consumers[p] != {t}
                    or len(self.producers[p]) != 1
                ):
                    continue
                (s,) = self.producers[p]
                if s == t or self.post[s][p] != 1:
                    continue
                outs = dict(self.post[t])
                self._remove(t)
                del self.post[s][p]
                self.producers[p].discard(s)
                for q, w in outs.items():
                    self._arc_out(s, q, w)
                again = changed = True
        return changed

    def _fuse_backward(self) -> bool:
        """A silent ``t`` whose one output place has one consumer ``u`` and no producer but
        ``t``: ``t``'s inputs feed ``u`` directly."""
        changed, again = False, True
        while again:
            again = False
            for t in sorted(self.label):
                if t not in self.label or self.label[t] is not None or len(self.post[t]) != 1:
                    continue
                [(q, weight)] = self.post[t].items()
                if (
                    weight != 1
                    or q in (SOURCE, SINK)
                    or self.producers[q] != {t}
                    or len(self.consumers[q]) != 1
                ):
                    continue
                (u,) = self.consumers[q]
                if u == t or self.pre[u][q] != 1:
                    continue
                ins = dict(self.pre[t])
                self._remove(t)
                del self.pre[u][q]
                self.consumers[q].discard(u)
                for p, w in ins.items():
                    self._arc_in(p, u, w)
                again = changed = True
        return changed

    # --- the pm4py net --------------------------------------------------------------

    def to_pm4py(self, name: str) -> tuple[Any, Any, Any]:
        """A pm4py ``PetriNet`` with initial marking (a token in the source) and final
        marking (a token in the sink); places no transition touches are left out."""
        from pm4py.objects.petri_net.obj import Marking, PetriNet
        from pm4py.objects.petri_net.utils.petri_utils import add_arc_from_to

        net = PetriNet(name)
        used = {p for t in self.label for p in (*self.pre[t], *self.post[t])}
        places = {p: PetriNet.Place(p) for p in sorted(used | {SOURCE, SINK})}
        net.places.update(places.values())
        for t in sorted(self.label):
            transition = PetriNet.Transition(t, self.label[t])
            net.transitions.add(transition)
            for p, w in sorted(self.pre[t].items()):
                add_arc_from_to(places[p], transition, net, weight=w)
            for p, w in sorted(self.post[t].items()):
                add_arc_from_to(transition, places[p], net, weight=w)
        initial, final = Marking(), Marking()
        initial[places[SOURCE]] = 1
        final[places[SINK]] = 1
        return net, initial, final
