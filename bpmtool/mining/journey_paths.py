"""Happy paths: the few common ways customers reach success, and where others leave them.

A *variant* is a case's sequence of activity labels.  Each case's variant is one of its
facts (:mod:`bpmtool.mining.journey_facts`): a number into the distinct traces, each
trace held once, so the memory for traces grows with the number of variants.

Whether a happy path *follows the model* is a simple check on the model graph,
not a token replay: the first activity must be reachable from a start event, and
each next activity must be reachable from the one before through gateways and
events only — or both must sit in different branches of one parallel split
(neither reaches the other).  It misses what only a replay sees (a join that
waits for a branch the path skipped).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import networkx as nx
import pandas as pd

from bpmtool.graph import ProcessGraph
from bpmtool.mining.journey_events import JourneyCases, days
from bpmtool.model import Model

__all__ = ["HappyPath", "HappyPaths", "PathChecker", "happy_paths"]


@dataclass(frozen=True)
class HappyPath:
    """One of the most common variants among successful cases."""

    rank: int
    activities: tuple[str, ...]
    cases: int
    share: float  # of successful cases
    coverage: float  # of successful cases covered by this and the paths ranked above it
    median_days: float  # case duration, first to last event
    follows_model: bool
    off_model_step: int | None  # index of the first step the model does not allow
    #: the model node of each step (None for a label the model does not know), to draw the
    #: path over the swimlane
    nodes: tuple[str | None, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {
            "rank": self.rank,
            "activities": list(self.activities),
            "cases": self.cases,
            "share": round(self.share, 4),
            "coverage": round(self.coverage, 4),
            "median_days": round(self.median_days, 3),
            "follows_model": self.follows_model,
            "off_model_step": self.off_model_step,
            "nodes": list(self.nodes),
        }


@dataclass(frozen=True)
class HappyPaths:
    """The happy paths and, per unsuccessful case, where it left all of them.

    ``departures`` is indexed by case code (unsuccessful cases that left every
    happy path) with ``step`` (0-based index of the first step off every path),
    ``activity`` (that step's label), ``after`` (the label before it, or empty),
    ``after_sale`` (the sale milestone's activity came before that step).
    """

    paths: list[HappyPath]
    successful_cases: int
    successful_variants: int  # distinct traces among the successful cases
    all_variants: int  # distinct traces among all cases
    departures: pd.DataFrame

    def departure_points(self, *, after_sale_only: bool = False) -> pd.DataFrame:
        """Counts of cases per (after, activity) departure point, most common first."""
        dep = self.departures
        if after_sale_only:
            dep = dep[dep["after_sale"]]
        counts = dep.groupby(["after", "activity"], sort=True).size().rename("cases")
        return counts.reset_index().sort_values(
            ["cases", "after", "activity"], ascending=[False, True, True], kind="stable"
        )


class PathChecker:
    """Answers whether a sequence of node ids is a path the model allows (see module doc)."""

    def __init__(self, model: Model) -> None:
        self.graph = ProcessGraph(model).graph
        self.model = model

    @cached_property
    def _next_activities(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for node in self.graph.nodes:
            seen, stack, found = {node}, list(self.graph.successors(node)), set()
            while stack:
                cur = stack.pop()
                if cur in seen:
                    continue
                seen.add(cur)
                if self.graph.nodes[cur]["type"] == "activity":
                    found.add(cur)
                else:
                    stack.extend(self.graph.successors(cur))
            out[node] = found
        return out

    @cached_property
    def _splits(self) -> list[set[str]]:
        return [
            nx.descendants(self.graph, g)
            for g, d in self.graph.nodes(data=True)
            if d["type"] == "parallel" and self.graph.out_degree(g) > 1
        ]

    def _concurrent(self, a: str, b: str) -> bool:
        if b in nx.descendants(self.graph, a) or a in nx.descendants(self.graph, b):
            return False
        return any(a in branch and b in branch for branch in self._splits)

    def first_off_step(self, nodes: list[str | None]) -> int | None:
        """Index of the first step the model does not allow, or None if all are allowed."""
        starts = [n.id for n in self.model.nodes if n.type == "start"]
        for i, node in enumerate(nodes):
            if node is None or node not in self.graph:
                return i
            if i == 0:
                if starts and not any(node in self._next_activities[s] for s in starts):
                    return 0
                continue
            prev = nodes[i - 1]
            assert prev is not None
            if node not in self._next_activities[prev] and not self._concurrent(prev, node):
                return i
        return None


def happy_paths(
    ev: JourneyCases,
    model: Model,
    success: pd.Series,
    sale_nodes: set[str] | None = None,
    limit: int = 5,
) -> HappyPaths:
    """The ``limit`` most common variants of successful cases, and departures from them."""
    facts = ev.facts
    traces = facts.sequences
    ok = success.to_numpy(dtype=bool)
    duration = days(ev.end - ev.start).to_numpy(dtype=float)
    per_case = pd.DataFrame({"variant": facts.variant, "ok": ok, "days": duration})
    good = per_case[per_case["ok"]]
    n_ok = len(good)
    stats = good.groupby("variant", sort=False).agg(
        cases=("days", "size"), median=("days", "median")
    )
    stats["first"] = good.reset_index().groupby("variant", sort=False)["index"].min()
    stats = stats.sort_values(["cases", "first"], ascending=[False, True], kind="stable")
    top = stats.head(limit)
    node_of_label = facts.label_nodes
    checker = PathChecker(model)
    paths, covered = [], 0
    for rank, (var, row) in enumerate(top.iterrows(), start=1):
        acts = traces[int(var)]
        covered += int(row["cases"])
        nodes = tuple(node_of_label.get(a) for a in acts)
        off = checker.first_off_step(list(nodes))
        paths.append(
            HappyPath(
                rank,
                acts,
                int(row["cases"]),
                float(row["cases"]) / n_ok,
                covered / n_ok,
                float(row["median"]),
                off is None,
                off,
                nodes,
            )
        )
    departures = _departures(
        per_case,
        traces,
        [traces[int(v)] for v in top.index],
        node_of_label,
        sale_nodes or set(),
    )
    return HappyPaths(
        paths, n_ok, int(good["variant"].nunique()), int(per_case["variant"].nunique()), departures
    )


def _departures(
    per_case: pd.DataFrame,
    traces: list[tuple[str, ...]],
    happy: list[tuple[str, ...]],
    node_of_label: dict[str, str],
    sale_nodes: set[str],
) -> pd.DataFrame:
    columns = ["step", "activity", "after", "after_sale"]
    empty = pd.DataFrame(
        {
            "step": pd.Series(dtype="int64"),
            "activity": pd.Series(dtype=str),
            "after": pd.Series(dtype=str),
            "after_sale": pd.Series(dtype=bool),
        },
        index=pd.Index([], name="case", dtype="int64"),
    )
    bad = per_case[~per_case["ok"]]
    if not happy or bad.empty:
        return empty
    rows = {}
    for var in sorted(set(bad["variant"].tolist())):
        trace = traces[var]
        step = max(_common_prefix(trace, path) for path in happy)
        if step >= len(trace):
            continue  # still on (a prefix of) a happy path
        sale = any(node_of_label.get(label) in sale_nodes for label in trace[:step])
        rows[var] = (step, trace[step], trace[step - 1] if step else "", sale)
    if not rows:
        return empty
    table = pd.DataFrame.from_dict(rows, orient="index", columns=columns)
    out = bad[["variant"]].join(table, on="variant", how="inner").drop(columns="variant")
    out.index.name = "case"
    return out.astype({"step": "int64", "after_sale": "bool"})


def _common_prefix(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n
