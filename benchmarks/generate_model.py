"""Generate large, realistic swimlane models for benchmarks (seeded, deterministic).

A chain of work segments across ``lanes`` lanes: runs of activities, exclusive
decisions with a rework loop inside a lane, parallel splits and joins, and a
handoff with an artifact whenever the lane changes.

    python benchmarks/generate_model.py 5000 8 > /tmp/big.yaml
"""

from __future__ import annotations

import random
import sys
from typing import Any

__all__ = ["generate_model"]


def generate_model(nodes: int, lanes: int, seed: int = 7) -> dict[str, Any]:
    """A valid model with about ``nodes`` nodes spread over ``lanes`` lanes."""
    rng = random.Random(seed)
    lane_ids = [f"lane{i}" for i in range(lanes)]
    out_nodes: list[dict[str, Any]] = [{"id": "start", "type": "start", "lane": lane_ids[0]}]
    flows: list[Any] = []
    artifacts: list[dict[str, str]] = []
    counter = 0

    def new(kind: str = "activity", lane: str | None = None, **extra: Any) -> dict[str, Any]:
        nonlocal counter
        counter += 1
        node = {
            "id": f"n{counter}",
            "name": f"Step {counter}",
            "type": kind,
            "lane": lane or current_lane,
            **extra,
        }
        if kind != "activity":
            node.pop("name")
        out_nodes.append(node)
        return node

    def link(a: dict[str, Any], b: dict[str, Any]) -> None:
        if a["lane"] != b["lane"] and a["type"] == "activity" and b["type"] == "activity":
            art = f"art{len(artifacts)}"
            artifacts.append({"id": art, "name": f"Artifact {len(artifacts)}"})
            a.setdefault("outputs", []).append(art)
            b.setdefault("inputs", []).append(art)
            flows.append({f"{a['id']} -> {b['id']}": {"artifact": art}})
        else:
            flows.append(f"{a['id']} -> {b['id']}")

    current_lane = lane_ids[0]
    last = out_nodes[0]
    while len(out_nodes) < nodes - 1:
        if rng.random() < 0.35:
            current_lane = rng.choice(lane_ids)
        shape = rng.random()
        if shape < 0.6:
            node = new()
            link(last, node)
            last = node
        elif shape < 0.8:  # a rework loop inside one lane
            work = new()
            link(last, work)
            decide = new("exclusive")
            link(work, decide)
            redo = new()
            link(decide, redo)
            link(redo, work)
            last = decide
        else:  # two branches in parallel, possibly in two lanes
            split = new("parallel")
            link(last, split)
            left = new()
            right = new(lane=rng.choice(lane_ids))
            link(split, left)
            link(split, right)
            join = new("parallel")
            link(left, join)
            link(right, join)
            last = join
    end = {"id": "end", "type": "end", "lane": last["lane"]}
    out_nodes.append(end)
    link(last, end)
    return {
        "id": f"generated-{nodes}",
        "name": f"Generated model ({nodes} nodes)",
        "lanes": [{"id": x, "name": f"Team {i + 1}"} for i, x in enumerate(lane_ids)],
        "artifacts": artifacts,
        "nodes": out_nodes,
        "flows": flows,
    }


if __name__ == "__main__":
    import yaml

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    k = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    yaml.safe_dump(generate_model(n, k), sys.stdout, sort_keys=False)
