"""Alignments on real logs and their bounds: the reachability-graph walk gives pm4py's
optimal costs on a discovered model, and a budget too small for some variants approximates
exactly those, flags and counts them, and leaves the exact ones at pm4py's figures."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import random
import warnings
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app
from bpmtool.mining.align_graph import graph_limit, marking_graph
from bpmtool.mining.alignments import AlignmentBudget
from bpmtool.mining.conformance import Variant, conformance, quiet_pm4py, variants
from bpmtool.mining.petri import WorkflowNet, to_petri_net
from bpmtool.mining.search_bounds import SearchLimit, a_star_step_bytes, product_transitions
from tests.conftest import EXAMPLES, REFERENCE_MODEL, SHARED_DATA

RECEIPT = SHARED_DATA / "logs" / "08_receipt.xes.gz"
#: no limit in time
UNTIMED = {"variant_s": 1e9, "total_s": 1e9, "precision_s": 1e9}


def _pm4py_cost(wf: WorkflowNet, labels: tuple[str, ...]) -> tuple[int, float]:
    """pm4py's own A* alignment of one trace: its cost and its fitness."""
    from pm4py.algo.conformance.alignments.petri_net import algorithm as align
    from pm4py.objects.log.obj import Event, Trace

    with quiet_pm4py():
        found = align.apply(
            Trace([Event({"concept:name": a}) for a in labels]),
            wf.net,
            wf.initial,
            wf.final,
            variant=align.Variants.VERSION_STATE_EQUATION_A_STAR,
        )
    return int(found["cost"]), float(found["fitness"])


@pytest.fixture(scope="module")
def receipt(tmp_path_factory: pytest.TempPathFactory) -> tuple[WorkflowNet, list[Variant]]:
    """The receipt log and the net of the model pm4py's inductive miner discovers from it
    (noise threshold 0.2, so the log deviates from it), written with ``pm4py.write_bpmn`` and
    read back by bpmtool."""
    import pm4py

    df = api.read_log(RECEIPT)
    frame = df[["case:concept:name", "concept:name", "time:timestamp"]].astype(
        {"case:concept:name": str, "concept:name": str}
    )
    path = tmp_path_factory.mktemp("bpmn") / "receipt.bpmn"
    with quiet_pm4py(), warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        model = pm4py.discover_bpmn_inductive(frame, noise_threshold=0.2)
        pm4py.write_bpmn(model, str(path), auto_layout=False)
    return to_petri_net(api.load(path)), variants(df)


def test_the_graph_walk_gives_pm4pys_optimal_costs(
    receipt: tuple[WorkflowNet, list[Variant]],
) -> None:
    """Every variant of the receipt log is aligned on the reachability graph; a fixed-seed
    sample of them (the most frequent, the longest and random ones) has pm4py's A* cost and
    fitness, and the log's fitness is pm4py's alignment-based fitness of the same costs."""
    wf, found = receipt
    result = conformance(wf, found, replay=False, budget=AlignmentBudget(**UNTIMED))
    assert {v.alignment.search for v in found} == {"graph"}
    assert not result.approximated and result.aligned_exactly_share == 1.0
    longest = sorted(found, key=lambda v: -len(v.labels))[:3]
    sample = [*found[:5], *longest, *random.Random(11).sample(found, 4)]
    deviating = 0
    for v in sample:
        cost, fitness = _pm4py_cost(wf, v.labels)
        assert v.alignment.cost == cost, v.labels
        assert v.alignment.fitness == pytest.approx(fitness, abs=1e-4)
        deviating += cost >= 10000
    assert deviating >= 3  # the sample has real deviations, not only fitting runs
    # the log's figure is pm4py's evaluation: total cost over total best/worst cost
    cost = sum(v.alignment.cost * v.count for v in found)
    worst = sum(v.alignment.bwc * v.count for v in found)
    assert result.alignment_fitness == pytest.approx(1 - cost / worst, abs=1e-12)
    # and the model moves counted are those of optimal alignments: each skip is a label the
    # variant's own alignment moved on the model only
    for label, cases in result.skips.items():
        assert cases == sum(v.count for v in found if label in v.alignment.skipped)


def test_the_graph_is_bounded_by_its_memory(receipt: tuple[WorkflowNet, list[Variant]]) -> None:
    wf, found = receipt
    graph = marking_graph(wf.net, wf.initial, wf.final, 100_000)
    assert graph is not None and graph.distance.shape == (graph.size, graph.size)
    assert marking_graph(wf.net, wf.initial, wf.final, graph.size - 1) is None
    assert graph_limit(12 * 300 * 300) == 300
    # a graph budget too small for the net: the layered search aligns instead, and with it
    # turned off pm4py's searches; same costs, same fitness
    exact = conformance(wf, found[:30], replay=False, budget=AlignmentBudget(**UNTIMED))
    costs = [v.alignment.cost for v in found[:30]]
    small = AlignmentBudget(**UNTIMED, graph_mb=12 * (graph.size - 1) ** 2 / (1 << 20))
    layered = conformance(wf, found[:30], replay=False, budget=small)
    assert {v.alignment.search for v in found[:30]} == {"layers"}
    assert [v.alignment.cost for v in found[:30]] == costs
    assert layered.alignment_fitness == pytest.approx(exact.alignment_fitness, abs=1e-12)
    none = dataclasses.replace(small, layers_mb=0)
    searched = conformance(wf, found[:30], replay=False, budget=none)
    assert {v.alignment.search for v in found[:30]} <= {"dijkstra", "a*"}
    assert [v.alignment.cost for v in found[:30]] == costs
    assert searched.alignment_fitness == pytest.approx(exact.alignment_fitness, abs=1e-12)


def _with_reversed_cases(df: pd.DataFrame, n: int) -> tuple[pd.DataFrame, set[tuple[str, ...]]]:
    """The example log and ``n`` more cases: copies of its longest cases with their
    activities in reverse order (times kept in order), each a variant of its own."""
    by_case = df.groupby("case:concept:name", observed=True, sort=False)
    longest = by_case.size().sort_values(ascending=False, kind="stable").index[:n]
    extra = []
    for k, case in enumerate(longest):
        rows = df[df["case:concept:name"] == case].copy()
        rows["concept:name"] = list(reversed(rows["concept:name"].tolist()))
        rows["case:concept:name"] = f"REVERSED-{k}"
        extra.append(rows)
    out = pd.concat([df.astype({"case:concept:name": str}), *extra], ignore_index=True)
    reversed_labels = {tuple(r["concept:name"]) for r in extra}
    return out, reversed_labels


def test_a_budget_too_small_approximates_flags_and_counts() -> None:
    """The example model's net aligned by pm4py's A* with room for about 300 search steps
    per variant: the log's own variants need at most about 100 steps and are aligned
    exactly, at pm4py's cost; the longest cases played backwards need 650 or more and are
    approximated — flagged, counted, given their token-replay fitness, and the share of
    cases aligned exactly says how many are not."""
    wf = to_petri_net(api.load(REFERENCE_MODEL))
    df, backwards = _with_reversed_cases(api.read_log(EXAMPLES / "saas-handoffs.csv"), 3)
    found = variants(df)
    sizes = [product_transitions(wf, v.labels) for v in found]
    mb = 300 * a_star_step_bytes(max(sizes)) / (1 << 20)
    budget = AlignmentBudget(**UNTIMED, graph_mb=0, layers_mb=0, fast_misses=0, variant_mb=mb)
    assert 300 <= budget.states_for("a*", max(sizes)) <= budget.states_for("a*", min(sizes)) < 650
    result = conformance(wf, found, replay=True, budget=budget)
    approximated = {v.labels for v in result.approximated}
    assert approximated and approximated <= backwards
    for v in found:
        assert v.alignment.approximate == (v.labels in approximated)
        if v.alignment.approximate:
            assert v.alignment.search == "approximate" and not v.alignment.skipped
            assert v.alignment.fitness == v.replay.fitness
        else:
            assert v.alignment.search == "a*"
            cost, fitness = _pm4py_cost(wf, v.labels)
            assert v.alignment.cost == cost
            assert round(v.alignment.fitness, 4) == round(fitness, 4)
    finished = sum(v.count for v in found if not v.open)
    left_out = sum(v.count for v in result.approximated)
    assert result.aligned_exactly_share == pytest.approx(1 - left_out / finished)


@pytest.mark.parametrize(
    "search", ["VERSION_STATE_EQUATION_A_STAR", "VERSION_DIJKSTRA_LESS_MEMORY"]
)
def test_pm4py_asks_the_limit_at_every_step(search: str) -> None:
    """The step and memory caps live in pm4py's per-trace time limit, which its searches
    compare once per step: uncapped, pm4py asks it at least once per state it expands;
    capped at 20 steps, it gives up after the 21st question; with no time left, at the
    first.  If a pm4py release stops asking at every step, the caps would silently stop
    holding: this test fails first."""
    from pm4py.algo.conformance.alignments.petri_net import algorithm as align
    from pm4py.objects.log.obj import Event, Trace

    wf = to_petri_net(api.load(REFERENCE_MODEL))
    labels = tuple(reversed(variants(api.read_log(EXAMPLES / "saas-handoffs.csv"))[0].labels))
    trace = Trace([Event({"concept:name": a}) for a in labels])
    variant = getattr(align.Variants, search)
    off = {align.Parameters.ENABLE_BEST_WORST_COST: False}

    def run(limit: SearchLimit) -> dict | None:
        with quiet_pm4py():
            return align.apply(
                trace,
                wf.net,
                wf.initial,
                wf.final,
                variant=variant,
                parameters={**off, align.Parameters.PARAM_MAX_ALIGN_TIME_TRACE: limit},
            )

    free = SearchLimit(1e9, 10**9)
    found = run(free)
    assert found is not None and free.stopped is None
    assert free.checks >= found["visited_states"] > 20, (
        f"pm4py asked its time limit {free.checks} times for {found['visited_states']} "
        "states: it no longer compares it at every step, so bpmtool's step and memory "
        "caps on its searches (bpmtool/mining/search_bounds.py) do not hold"
    )
    capped = SearchLimit(1e9, 20)
    assert run(capped) is None
    assert capped.stopped == "steps" and capped.checks == 21
    timed = SearchLimit(0.0, 10**9)
    assert run(timed) is None and timed.stopped == "time" and timed.checks == 1


def test_check_lists_the_approximated_variants(tmp_path: Path) -> None:
    """No alignment time at all: the check lists the approximated variants with their case
    counts in its finding, reports the share aligned exactly, and the CLI says it."""
    model = api.load(REFERENCE_MODEL)
    log = EXAMPLES / "saas-handoffs.csv"
    checked = api.check(model, log, budget=AlignmentBudget(total_s=0.0))
    summary = checked.summary()
    assert summary["aligned_exactly_share"] == 0.0
    (finding,) = [f for f in checked.findings if f.code == "ALIGNMENT-APPROXIMATED"]
    listed = finding.evidence["approximated"]
    rows = {r["variant"]: r for r in checked.variant_rows(limit=1000)}
    assert listed and len(listed) == min(20, summary["approximated_variants"])
    assert [r["cases"] for r in listed] == sorted((r["cases"] for r in listed), reverse=True)
    for row in listed:
        assert rows[row["variant"]]["approximate"] and rows[row["variant"]]["cases"] == row["cases"]
        assert len(rows[row["variant"]]["activities"]) == row["events"]
    out = CliRunner().invoke(
        app, ["check", str(REFERENCE_MODEL), str(log), "--align-budget", "0s", "--quiet"]
    )
    assert out.exit_code == 0, out.output
    assert "aligned exactly: 0.0% of the finished cases" in out.output
    exact = CliRunner().invoke(
        app, ["check", str(REFERENCE_MODEL), str(log), "--quiet", "--format", "json"]
    )
    assert '"aligned_exactly_share": 1.0' in exact.output
