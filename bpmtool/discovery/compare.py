"""What differs between two models — typically the discovered as-is and the planned to-be.

Activities are matched by name or alias, lanes by id or name (ignoring case and spacing).
A handoff here is a pair of lanes where an activity of the first can be directly followed
(through gateways and events) by an activity of the second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bpmtool.graph import ProcessGraph
from bpmtool.mining.labels import label_key
from bpmtool.mining.model_order import follows_pairs
from bpmtool.model import Model

__all__ = ["Comparison", "compare_models"]


@dataclass(frozen=True)
class Comparison:
    """The differences of model ``a`` and model ``b``, by label; a lane of ``a`` that is a
    lane of ``b`` (same id or name) goes by ``b``'s name."""

    a: str
    b: str
    activities_only_a: list[str] = field(default_factory=list)
    activities_only_b: list[str] = field(default_factory=list)
    lanes_only_a: list[str] = field(default_factory=list)
    lanes_only_b: list[str] = field(default_factory=list)
    #: (from lane, to lane) labels, with up to three activity pairs that make the handoff
    handoffs_only_a: list[dict[str, Any]] = field(default_factory=list)
    handoffs_only_b: list[dict[str, Any]] = field(default_factory=list)
    #: activities in both whose lanes differ: activity, lane in a, lane in b
    moved: list[dict[str, str]] = field(default_factory=list)

    @property
    def same(self) -> bool:
        return not any(
            (
                self.activities_only_a,
                self.activities_only_b,
                self.lanes_only_a,
                self.lanes_only_b,
                self.handoffs_only_a,
                self.handoffs_only_b,
                self.moved,
            )
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "a": self.a,
            "b": self.b,
            "same": self.same,
            "activities": {"only_a": self.activities_only_a, "only_b": self.activities_only_b},
            "lanes": {"only_a": self.lanes_only_a, "only_b": self.lanes_only_b},
            "handoffs": {"only_a": self.handoffs_only_a, "only_b": self.handoffs_only_b},
            "other_lane": self.moved,
        }


def compare_models(a: Model, b: Model) -> Comparison:
    """Activities, lanes and handoffs present in one model only, and the activities the two
    models put in different lanes."""
    same_lane = _lane_matches(a, b)
    acts_a, acts_b = _activities(a, same_lane), _activities(b, {})
    lanes_a = {label_key(same_lane.get(lane.id, lane.label)): lane.label for lane in a.lanes}
    lanes_b = {label_key(lane.label): lane.label for lane in b.lanes}
    hand_a, hand_b = _handoffs(a, same_lane), _handoffs(b, {})
    moved = []
    only_a, only_b = [], []
    for label, lane, keys in acts_a:
        match = next((m for m in acts_b if keys & m[2]), None)
        if match is None:
            only_a.append(label)
        elif label_key(lane) != label_key(match[1]):
            moved.append({"activity": label, "lane_a": lane, "lane_b": match[1]})
    for label, _, keys in acts_b:
        if not any(keys & m[2] for m in acts_a):
            only_b.append(label)

    def only(x: dict[Any, Any], y: dict[Any, Any]) -> list[Any]:
        return [x[k] for k in sorted(x.keys() - y.keys(), key=lambda k: str(x[k]))]

    return Comparison(
        a.label,
        b.label,
        sorted(only_a),
        sorted(only_b),
        only(lanes_a, lanes_b),
        only(lanes_b, lanes_a),
        only(hand_a, hand_b),
        only(hand_b, hand_a),
        moved,
    )


def _lane_matches(a: Model, b: Model) -> dict[str, str]:
    """Lane id of ``a`` → the label of the lane of ``b`` it is (same id or name)."""
    keys_b: dict[str, str] = {}
    for lane in b.lanes:
        keys_b.setdefault(label_key(lane.id), lane.label)
        keys_b.setdefault(label_key(lane.label), lane.label)
    out = {}
    for lane in a.lanes:
        match = keys_b.get(label_key(lane.id)) or keys_b.get(label_key(lane.label))
        if match is not None:
            out[lane.id] = match
    return out


def _lane_label(model: Model, lane_id: str | None, same: dict[str, str]) -> str:
    if lane_id is None:
        return ""
    if lane_id in same:
        return same[lane_id]
    lane = model.lane_by_id.get(lane_id)
    return lane.label if lane else lane_id


def _activities(model: Model, same: dict[str, str]) -> list[tuple[str, str, set[str]]]:
    """(label, lane label, the label keys of its name and aliases) of each activity."""
    return [
        (
            node.label,
            _lane_label(model, node.lane, same),
            {label_key(node.label), *(label_key(a) for a in node.aliases)},
        )
        for node in model.activities()
    ]


def _handoffs(model: Model, same: dict[str, str]) -> dict[tuple[str, str], dict[str, Any]]:
    graph = ProcessGraph(model)
    by_pair: dict[tuple[str, str], list[tuple[str, str]]] = {}
    labels: dict[tuple[str, str], tuple[str, str]] = {}
    for x, y in sorted(follows_pairs(graph)):
        lx, ly = model.lane_of(x), model.lane_of(y)
        if lx is None or ly is None or lx == ly:
            continue
        names = (_lane_label(model, lx, same), _lane_label(model, ly, same))
        key = (label_key(names[0]), label_key(names[1]))
        labels[key] = names
        by_pair.setdefault(key, []).append((model.node_by_id[x].label, model.node_by_id[y].label))
    return {
        key: {
            "from": labels[key][0],
            "to": labels[key][1],
            "activities": [{"from": s, "to": t} for s, t in pairs[:3]],
        }
        for key, pairs in by_pair.items()
    }
