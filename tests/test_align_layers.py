"""The layered alignment search on real logs with discovered models: pm4py's optimal costs,
moves that form a valid alignment, and its memory bounds."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import pytest

from bpmtool import api
from bpmtool.mining.align_graph import MOVE
from bpmtool.mining.align_layers import align_layers, alignment_moves
from bpmtool.mining.alignments import AlignmentBudget
from bpmtool.mining.conformance import Variant, conformance, quiet_pm4py, variants
from bpmtool.mining.layer_graph import EDGE_BYTES, MARKING_BYTES, depth_limit, layer_graph
from bpmtool.mining.petri import WorkflowNet, to_petri_net
from tests.conftest import SHARED_DATA

LOGS = SHARED_DATA / "logs"
#: no limit in time
UNTIMED = {"variant_s": 1e9, "total_s": 1e9, "precision_s": 1e9}


def _discovered(log: Path, folder: Path) -> tuple[WorkflowNet, list[Variant]]:
    """The log's variants and the net of the model pm4py's inductive miner discovers from it
    (noise threshold 0.2, so the log deviates from it), written with ``pm4py.write_bpmn``
    and read back by bpmtool."""
    import pm4py

    df = api.read_log(log)
    frame = df[["case:concept:name", "concept:name", "time:timestamp"]].astype(
        {"case:concept:name": str, "concept:name": str}
    )
    path = folder / f"{log.name}.bpmn"
    with quiet_pm4py(), warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        model = pm4py.discover_bpmn_inductive(frame, noise_threshold=0.2)
        pm4py.write_bpmn(model, str(path), auto_layout=False)
    return to_petri_net(api.load(path)), variants(df)


@pytest.fixture(scope="module")
def billing(tmp_path_factory: pytest.TempPathFactory) -> tuple[WorkflowNet, list[Variant]]:
    return _discovered(LOGS / "14_Billing_1t_per_variant.xes.gz", tmp_path_factory.mktemp("b"))


@pytest.fixture(scope="module")
def receipt(tmp_path_factory: pytest.TempPathFactory) -> tuple[WorkflowNet, list[Variant]]:
    return _discovered(LOGS / "08_receipt.xes.gz", tmp_path_factory.mktemp("r"))


def _pm4py(wf: WorkflowNet, labels: tuple[str, ...]) -> tuple[int, float]:
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


def _replay_cost(wf: WorkflowNet, labels: tuple[str, ...], moves: list[tuple[str, str]]) -> int:
    """The cost of ``moves`` with pm4py's standard costs, after checking that they form an
    alignment of ``labels``: the model's moves (synchronous or not) fire, in order, from the
    initial marking to the final one, each synchronous move on a transition with the event's
    label, and the log's moves are the trace."""
    from pm4py.objects.petri_net import semantics

    by_name = {t.name: t for t in wf.net.transitions}
    marking = wf.initial
    cost = 0
    for event, name in moves:
        assert (event, name) != (">>", ">>")
        if name == ">>":
            cost += MOVE
            continue
        t = by_name[name]
        assert semantics.is_enabled(t, wf.net, marking), (event, name)
        marking = semantics.execute(t, wf.net, marking)
        if event == ">>":
            cost += 1 if t.label is None else MOVE
        else:
            assert t.label == event
    assert marking == wf.final
    assert tuple(event for event, _ in moves if event != ">>") == labels
    return cost


def test_the_layers_give_pm4pys_costs_on_a_mid_size_net(
    billing: tuple[WorkflowNet, list[Variant]],
) -> None:
    """Hospital Billing against its discovered model (thousands of reachable markings, far
    too many for the all-pairs table): every variant aligned by the layered search; sampled
    ones — the most frequent, and the first deviating ones of one, two and more deviations —
    have pm4py's A* cost and fitness, and their moves read back are valid alignments of that
    cost."""
    wf, found = billing
    graph = layer_graph(wf.net, wf.initial, wf.final, 256 << 20)
    assert graph is not None and graph.size > 5000
    result = conformance(wf, found, replay=False, budget=AlignmentBudget(**UNTIMED))
    assert {v.alignment.search for v in found} == {"layers"}
    assert not result.approximated and result.aligned_exactly_share == 1.0
    by_deviations: dict[int, Variant] = {}
    for v in found:
        by_deviations.setdefault(min(v.alignment.cost // MOVE, 3), v)
    assert set(by_deviations) == {0, 1, 2, 3}  # the log really deviates from the model
    for v in [found[0], *by_deviations.values()]:
        cost, fitness = _pm4py(wf, v.labels)
        assert v.alignment.cost == cost, v.labels
        assert v.alignment.fitness == pytest.approx(fitness, abs=1e-9)
        moves = alignment_moves(graph, v.labels)
        assert moves is not None and _replay_cost(wf, v.labels, moves) == cost
    cost = sum(v.alignment.cost * v.count for v in found)
    worst = sum(v.alignment.bwc * v.count for v in found)
    assert result.alignment_fitness == pytest.approx(1 - cost / worst, abs=1e-12)


def test_the_layers_agree_with_the_graph_search_on_every_variant(
    receipt: tuple[WorkflowNet, list[Variant]],
) -> None:
    """The receipt log's net is small enough for the all-pairs table; with the table turned
    off, the layered search gives every variant the same cost, the same log moves and model
    moves that are as many, and the moves it reads back are valid alignments."""
    wf, found = receipt
    table = conformance(wf, found, replay=False, budget=AlignmentBudget(**UNTIMED))
    assert {v.alignment.search for v in found} == {"graph"}
    expected = {v.labels: v.alignment for v in found}
    layers = conformance(wf, found, replay=False, budget=AlignmentBudget(**UNTIMED, graph_mb=0))
    assert {v.alignment.search for v in found} == {"layers"}
    assert layers.alignment_fitness == table.alignment_fitness
    graph = layer_graph(wf.net, wf.initial, wf.final, 64 << 20)
    assert graph is not None
    deviating = 0
    for v in found:
        assert v.alignment.cost == expected[v.labels].cost, v.labels
        # each deviation (a log move or a visible model move) costs 10,000: the moves may be
        # another optimal set than the table's, as many of them
        a = v.alignment
        assert len(a.inserted) + len(a.skipped) == a.cost // MOVE
        deviating += v.alignment.cost >= MOVE
    assert deviating >= 10
    for v in found[:40]:
        moves = alignment_moves(graph, v.labels)
        assert moves is not None and _replay_cost(wf, v.labels, moves) == v.alignment.cost


def test_the_layers_are_bounded_in_memory_and_time(
    billing: tuple[WorkflowNet, list[Variant]],
) -> None:
    """The graph is not built beyond its budget; with no more memory than its build took, a
    variant longer than the vectors that fit is left to pm4py's A* (here capped at a few
    steps, so it is approximated, flagged); a walk told to stop aligns nothing more."""
    wf, found = billing
    graph = layer_graph(wf.net, wf.initial, wf.final, 256 << 20)
    assert graph is not None
    need = graph.built_bytes
    assert need >= MARKING_BYTES * graph.size + EDGE_BYTES * (len(graph.indices) - graph.size)
    assert layer_graph(wf.net, wf.initial, wf.final, need - 1) is None
    assert layer_graph(wf.net, wf.initial, wf.final, need) is not None
    deepest = depth_limit(graph, need)
    longer = {v.labels for v in found if len(v.labels) > deepest}
    assert deepest > 0 and 0 < len(longer) < len(found) / 10
    budget = AlignmentBudget(
        **UNTIMED, layers_mb=need / (1 << 20), variant_mb=50 * 5000 / (1 << 20)
    )
    result = conformance(wf, found, replay=False, budget=budget)
    for v in found:
        if v.labels in longer:
            assert v.alignment.search in ("a*", "approximate")
        else:
            assert v.alignment.search == "layers"
    assert {v.labels for v in result.approximated} <= longer
    asked = 0

    def stop() -> bool:
        nonlocal asked
        asked += 1
        return asked > 3

    assert len(align_layers(graph, [v.labels for v in found], stop=stop)) <= 3


def test_a_net_that_is_not_safe_is_left_to_pm4pys_search() -> None:
    """The layered search holds a marking as one bit per place; on a net whose firing puts a
    second token on a place it builds no graph, and pm4py's A* aligns with its own cost."""
    from pm4py.objects.petri_net.obj import Marking, PetriNet
    from pm4py.objects.petri_net.utils.petri_utils import add_arc_from_to

    net = PetriNet("twice")
    start, middle, end = (PetriNet.Place(name) for name in ("start", "middle", "end"))
    split = PetriNet.Transition("split", "a")
    join = PetriNet.Transition("join", "b")
    for x in (start, middle, end, split, join):
        (net.places if isinstance(x, PetriNet.Place) else net.transitions).add(x)
    add_arc_from_to(start, split, net)
    add_arc_from_to(split, middle, net, weight=2)  # two tokens on one place
    add_arc_from_to(middle, join, net, weight=2)
    add_arc_from_to(join, end, net)
    wf = WorkflowNet(net, Marking({start: 1}), Marking({end: 1}), labels={"a", "b"})
    assert layer_graph(wf.net, wf.initial, wf.final, 64 << 20) is None
    found = [
        Variant(("a", "b"), [0, 1, 2], False),
        Variant(("a", "c", "b"), [3], False),
        Variant(("b",), [4], False),
    ]
    budget = AlignmentBudget(**UNTIMED, graph_mb=0)
    conformance(wf, found, replay=False, budget=budget)
    assert {v.alignment.search for v in found} == {"a*"}
    assert [v.alignment.cost for v in found] == [_pm4py(wf, v.labels)[0] for v in found]
    assert [v.alignment.cost for v in found] == [0, MOVE, MOVE]
