"""The SIPOC of a discovered model, whose flows carry no artifacts: each activity's work is
what it hands on, so its suppliers are the lanes of the activities that come right before
it and its customers the lanes of those that come right after (through gateways)."""

from __future__ import annotations

from collections import defaultdict

from bpmtool.graph import ProcessGraph
from bpmtool.mining.model_order import follows_pairs
from bpmtool.model import Model
from bpmtool.sipoc import Sipoc, sipoc

__all__ = ["as_is_sipoc", "work_of"]


def work_of(label: str) -> str:
    """The name of what an activity hands on in the as-is SIPOC."""
    return f"{label} (result)"


def as_is_sipoc(model: Model) -> Sipoc:
    """:func:`bpmtool.sipoc.sipoc` of ``model`` with each activity's result as its output
    and as an input of every activity that can directly follow it."""
    pairs = follows_pairs(ProcessGraph(model))
    inputs: dict[str, list[str]] = defaultdict(list)
    for x, y in sorted(pairs):
        inputs[y].append(f"{x}.result")
    producing = {x for x, _ in pairs}
    nodes = [
        node.model_copy(
            update={
                "outputs": [*node.outputs, f"{node.id}.result"]
                if node.id in producing
                else node.outputs,
                "inputs": [*node.inputs, *inputs.get(node.id, [])],
            }
        )
        if node.is_activity
        else node
        for node in model.nodes
    ]
    data = model.model_dump(by_alias=True, exclude_defaults=True, mode="json")
    data["nodes"] = [n.model_dump(by_alias=True, exclude_defaults=True, mode="json") for n in nodes]
    data["artifacts"] = [
        *data.get("artifacts", []),
        *(
            {"id": f"{n.id}.result", "name": work_of(n.label)}
            for n in model.activities()
            if n.id in producing
        ),
    ]
    return sipoc(Model.model_validate(data))
