"""The ``follows`` matrix of the check facts: which node comes before which in some case."""

from __future__ import annotations

import numpy as np
import pytest

from bpmtool.mining import handoff_facts
from bpmtool.mining.handoff_events import Events


def _events(case: np.ndarray, node: np.ndarray, nodes: int) -> Events:
    n = len(case)
    return Events(
        case=case,
        case_names=np.array([f"c{i}" for i in range(int(case.max(initial=-1)) + 1)], dtype=object),
        lane=np.zeros(n, dtype=np.int8),
        lane_names=np.array(["L"], dtype=object),
        node=node,
        node_names=np.array([f"n{i}" for i in range(nodes)], dtype=object),
        time=np.zeros(n, dtype="datetime64[ns]"),
    )


def _by_definition(case: np.ndarray, node: np.ndarray, nodes: int) -> np.ndarray:
    out = np.zeros((nodes, nodes), dtype=bool)
    for c in set(case.tolist()):
        seq = [int(x) for x in node[case == c] if x >= 0]  # in log order
        for i, a in enumerate(seq):
            for b in seq[i + 1 :]:
                out[a, b] = True
    return out


@pytest.mark.parametrize("block", [1, 3, 10_000])
@pytest.mark.parametrize("shuffled", [False, True])
def test_follows_is_the_definition_in_blocks_and_unsorted(
    monkeypatch: pytest.MonkeyPatch, block: int, shuffled: bool
) -> None:
    monkeypatch.setattr(handoff_facts, "_BLOCK", block)
    rng = np.random.default_rng(7)
    for _ in range(60):
        nodes = int(rng.integers(1, 7))
        case = np.repeat(np.arange(int(rng.integers(1, 30)), dtype=np.int32), rng.integers(0, 7))
        if shuffled:
            rng.shuffle(case)
        node = rng.integers(-1, nodes, len(case)).astype(np.int8)  # -1: unknown activity
        got = handoff_facts._follows(_events(case, node, nodes))
        assert np.array_equal(got, _by_definition(case, node, nodes))
