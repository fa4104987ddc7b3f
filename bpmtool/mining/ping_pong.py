"""Ping-pong in a log: work that goes back to a team it already left (A → B → A).

The exact definition is in :func:`ping_pong` and ``docs/conformance.md``.
"""

from __future__ import annotations

from typing import Any

from bpmtool.findings import Finding, make_finding
from bpmtool.graph import ProcessGraph
from bpmtool.mining.handoff_events import lane_name
from bpmtool.mining.handoff_facts import CaseBook, HandoffFacts, distinct
from bpmtool.mining.model_order import concurrent_pairs, follows_pairs

__all__ = ["PING_PONG", "ping_pong", "silent_bounces"]

PING_PONG = "PING-PONG-OBSERVED"


def ping_pong(graph: ProcessGraph, f: HandoffFacts, book: CaseBook) -> list[Finding | None]:
    """Work that comes back: in a case, lane A hands to lane B and B hands back to A
    (A → B → A at the lane level), whatever the activities, where the model does not.

    A case's events of a known lane are cut into *stints*: runs of events of one lane
    (events of no known lane are left out, so they neither cut nor make a stint).
    Stints s, s+1, s+2 with the lane of s+2 equal to the lane of s are a bounce (the
    bounces are gathered with the other facts: :func:`~bpmtool.mining.handoff_facts.
    gather_handoffs`).  The model allows the bounce when both lane changes are handoffs
    it has: the last activity of s can be followed by the first of s+1 in a run of the
    model (or the two stand on parallel branches), the two standing in different lanes of
    the model, and likewise from the last activity of s+1 to the first of s+2.  So rework
    inside one lane never bounces, and a modelled loop across lanes (tests, fixes, tests
    again) stays silent.  Per pair of lanes: bounces, cases, and to which lane work came
    back.
    """
    import numpy as np

    model = graph.model
    if not len(f.b_case):
        return []
    k = np.flatnonzero(~silent_bounces(graph, f.node_names, f.b_nodes))
    if not len(k):
        return []
    home, away = f.b_home[k], f.b_away[k]
    order = {lane.id: i for i, lane in enumerate(model.lanes)}
    names = [str(x) for x in f.lane_names]
    rank = [(order.get(x, len(order)), x) for x in names]
    low = np.where(
        [rank[h] <= rank[a] for h, a in zip(home.tolist(), away.tolist(), strict=True)], home, away
    )
    high = np.where(low == home, away, home)
    out: list[Finding | None] = []
    for lo, hi in sorted(
        {(int(a), int(b)) for a, b in zip(low.tolist(), high.tolist(), strict=True)},
        key=lambda p: (rank[p[0]], rank[p[1]]),
    ):
        mine = (low == lo) & (high == hi)
        cases = f.b_case[k[mine]]
        n_cases = len(distinct(cases))
        a, b = names[lo], names[hi]
        back_to = {
            a: int(np.count_nonzero(mine & (home == lo))),
            b: int(np.count_nonzero(mine & (home == hi))),
        }
        returns = " and ".join(
            f"{n} back to {lane_name(model, x)}" for x, n in back_to.items() if n
        )
        out.append(
            make_finding(
                model,
                PING_PONG,
                (a, b),
                f"Work bounced between {lane_name(model, a)} and {lane_name(model, b)} "
                f"{int(mine.sum())} time(s) in {n_cases} case(s) ({n_cases / book.total:.1%}): it "
                f"went to the other team and came back ({returns}), a return the model has no "
                "path for.",
                "Find out why work is sent back (missing input, unclear acceptance criteria, "
                "wrong routing) and agree it before the handoff.",
                book.cases(cases, bounces=int(mine.sum()), back_to=back_to),
            )
        )
    return out


def silent_bounces(graph: ProcessGraph, node_names: Any, nodes: Any) -> Any:
    """Which bounces the model allows: both lane changes (the node pairs ``nodes[:, 0:2]``
    and ``nodes[:, 2:4]``, codes into ``node_names``) are handoffs it has."""
    import numpy as np

    cross = _cross_lane_pairs(graph, node_names)
    n_nodes = len(node_names) + 1

    def modelled(na: Any, nb: Any) -> Any:
        na, nb = na.astype(np.int64), nb.astype(np.int64)
        key = np.where((na >= 0) & (nb >= 0), na * n_nodes + nb, -1)
        return np.isin(key, cross)

    return modelled(nodes[:, 0], nodes[:, 1]) & modelled(nodes[:, 2], nodes[:, 3])


def _cross_lane_pairs(graph: ProcessGraph, node_names: Any) -> Any:
    """The handoffs the model has between activities, as ``node code * (n + 1) + node code``:
    the second can follow the first (or they run in parallel) and their lanes differ."""
    import numpy as np

    lane_of = graph.model.lane_of
    code = {str(name): i for i, name in enumerate(node_names)}
    n = len(node_names) + 1
    keys = [
        code[x] * n + code[y]
        for x, y in follows_pairs(graph) | concurrent_pairs(graph)
        if x in code and y in code and lane_of(x) != lane_of(y)
    ]
    return np.asarray(sorted(keys), dtype=np.int64)
