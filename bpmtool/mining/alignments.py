"""Optimal alignments per variant within a budget, streamed into counts.

Each variant is aligned once and exactly, by the first of these that applies:

* **the reachability graph** (:mod:`bpmtool.mining.align_graph`): when the net's reachable
  markings fit in :attr:`AlignmentBudget.graph_mb` (the all-pairs table of its model moves
  takes 12 bytes per pair of markings: 2,364 markings in 64 MB), all variants are aligned
  in one walk over their prefix tree, one vector of costs per distinct prefix.  A model the
  inductive miner discovers from BPI Challenge 2012 has 821 markings: its 4,336 variants
  take seconds, where pm4py's A* takes about a second per variant;
* **the layered search** (:mod:`bpmtool.mining.align_layers`): when the graph is too large
  for the table but fits, as sparse arrays, in :attr:`AlignmentBudget.layers_mb` (the
  models discovered from SEPSIS, 51,250 markings, and Hospital Billing, 8,406), one vector
  of costs over the markings per distinct prefix, closed under model moves by a Dijkstra
  search; a variant longer than the vectors that fit goes to pm4py's A*;
* otherwise pm4py's A* per variant (the search ``pm4py.conformance_diagnostics_alignments``
  uses), with at most :attr:`AlignmentBudget.variant_s` seconds per variant.  A graph too
  large means concurrency, on which pm4py's memory-lean Dijkstra search explodes as well;
  with the graph search off (``graph_mb=0``) that Dijkstra search is tried first (on the
  block-structured nets of hand-made models it is 10–15× faster than the LP-guided A*),
  with :attr:`AlignmentBudget.fast_s` per variant, until it has run out
  :attr:`AlignmentBudget.fast_misses` times.

Every search is bounded three ways per variant (:mod:`bpmtool.mining.search_bounds`): in
CPU time; in steps, as many as :attr:`AlignmentBudget.variant_mb` holds by what one step
of the search holds on the variant's synchronous product (measured with ``tracemalloc``),
so that the same variants are aligned however fast the machine is; and in the process's
resident memory, which may not pass what it was when the search began plus
:attr:`AlignmentBudget.variant_mb` (read every 64 steps; the bound that holds on any net).
All searches together get :meth:`AlignmentBudget.total_for` seconds (by default 60 s and
20 ms more per variant); a variant may use at most four times its fair share of what is
left (variants are aligned most frequent first, and most take milliseconds), so one hard
variant cannot eat the budget of the rest.

Budgets count the CPU time of this process, not the wall clock: on a machine busy with
other work a wall-clock budget would run out after a fraction of the work it stands for, and
the same check would approximate more variants the busier the machine.  pm4py's own limit
per variant is a wall-clock one; it is given the CPU seconds left times the ratio of wall
clock to CPU time measured so far in the same loop.

A variant no search finishes within its budget is **approximated**: its fitness is its
token-replay fitness, its cost the cost that fitness implies, its unknown activities are
log moves as in any alignment, and no skips are counted for it.  Approximated variants are
flagged on the variant and listed by the check, so nothing approximate passes as exact.

All searches use pm4py's standard costs and the best/worst cost (the alignment of the
empty trace) is computed once, not per variant as pm4py does (twice, in fact: its default
argument is evaluated even when the cost is given), so exact alignments have the
costs and fitness of pm4py's default to the last digit.  Only counts are kept per variant:
cost, fitness and the labels of its model and log moves.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bpmtool.mining.search_bounds import (
    SearchLimit,
    a_star_step_bytes,
    frozen_heap,
    product_transitions,
    resident_bytes,
)

if TYPE_CHECKING:
    from bpmtool.mining.conformance import Conformance, Variant
    from bpmtool.mining.petri import WorkflowNet

__all__ = ["Aligned", "AlignmentBudget", "align_variants"]

Progress = Callable[[int, int | None], None]

#: pm4py's standard cost of a log or model move on a visible transition
_MOVE = 10000
#: bytes one step of pm4py's memory-lean Dijkstra search holds (``tracemalloc`` peak over
#: steps on SEPSIS and Hospital Billing variants: 106–150 B); A*'s grow with the product
#: net, see :func:`bpmtool.mining.search_bounds.a_star_step_bytes`
_DIJKSTRA_STEP_BYTES = 160
_MB = 1 << 20


@dataclass(frozen=True)
class AlignmentBudget:
    """How long alignments may take: per variant for each search, and in all (and how long
    the replays behind precision may take)."""

    fast_s: float = 0.5
    variant_s: float = 10.0
    #: all alignments of a check; ``None``: :attr:`base_s` plus :attr:`per_variant_s` each
    total_s: float | None = None
    base_s: float = 60.0
    per_variant_s: float = 0.02
    #: variants the fast search may fail on before A* goes first for the rest
    fast_misses: int = 3
    #: the token replays of all prefixes for precision; beyond it precision is not given
    precision_s: float = 60.0
    #: memory one variant's search may add to the process: as a number of steps (see
    #: :meth:`states_for`) and as the process's resident memory, read as the search runs
    variant_mb: float = 256.0
    #: memory of the reachability graph's all-pairs table (12 bytes per pair of markings);
    #: 0 turns the graph search off
    graph_mb: float = 64.0
    #: memory of the layered search on a graph too large for the table: the graph while it
    #: is built, then the graph and the vectors of one variant's path; 0 turns it off
    layers_mb: float = 256.0

    def states_for(self, search: str, transitions: int = 0) -> int:
        """How many steps ``search`` ("a*" or "dijkstra") may take for one variant whose
        synchronous product has ``transitions`` transitions."""
        step = a_star_step_bytes(transitions) if search == "a*" else _DIJKSTRA_STEP_BYTES
        return max(int(self.variant_mb * _MB) // step, 1)

    def total_for(self, variants: int) -> float:
        """The seconds all alignments of ``variants`` variants may take."""
        if self.total_s is not None:
            return self.total_s
        return self.base_s + self.per_variant_s * variants


@dataclass(frozen=True, slots=True)
class Aligned:
    """One variant's alignment, kept as counts: its cost against the worst possible, and
    the labels of its model moves (skipped) and log moves (inserted), in order."""

    cost: int
    bwc: int
    skipped: tuple[str, ...]
    inserted: tuple[str, ...]
    #: "graph", "layers", "dijkstra" or "a*" (exact), "approximate" (a budget ran out:
    #: token-replay fitness)
    search: str
    fitness_replay: float | None = None

    @property
    def fitness(self) -> float:
        if self.fitness_replay is not None:
            return self.fitness_replay
        worst = self.bwc // _MOVE
        return 1 - (self.cost // _MOVE) / worst if worst > 0 else 0.0

    @property
    def approximate(self) -> bool:
        return self.search == "approximate"


def align_variants(
    wf: WorkflowNet,
    closed: list[Variant],
    result: Conformance,
    progress: Progress | None,
    budget: AlignmentBudget,
    aligned: Mapping[tuple[str, ...], Aligned] | None = None,
) -> None:
    """Align every variant within ``budget``; fill ``result``'s fitness, skips, insertions
    and ``approximated``.  Variants in ``aligned`` (computed elsewhere) are taken as they
    are."""
    from bpmtool.mining.align_exact import align_on_graph, align_on_layers
    from bpmtool.mining.align_graph import graph_limit, marking_graph

    started_cpu = time.process_time()
    todo: list[Variant] = []
    for v in closed:
        given = (aligned or {}).get(v.labels)
        if given is None:
            todo.append(v)
            continue
        v.alignment = given
        if given.approximate:
            result.approximated.append(v)
    graph = None
    if todo and budget.graph_mb > 0:
        graph = marking_graph(wf.net, wf.initial, wf.final, graph_limit(int(budget.graph_mb * _MB)))
    if graph is not None:
        align_on_graph(graph, wf, todo, closed, progress, budget, started_cpu)
    elif todo:
        rest = align_on_layers(wf, todo, closed, progress, budget, started_cpu)
        # a graph too large means concurrency, on which the Dijkstra search explodes too
        large = budget.graph_mb > 0 or budget.layers_mb > 0
        if rest:
            _align_by_search(wf, rest, closed, progress, budget, started_cpu, dijkstra=not large)
    approximated = [v for v in todo if v.alignment is None or v.alignment.approximate]
    for v in approximated:
        if v.alignment is None:
            v.alignment = Aligned(0, 0, (), (), "approximate")
    if approximated:
        _approximate(wf, approximated)
    _count(closed, result)
    result.approximated += approximated


# the objects alive when the searches begin are left out of the collector's passes
@frozen_heap()
def _align_by_search(
    wf: WorkflowNet,
    todo: list[Variant],
    closed: list[Variant],
    progress: Progress | None,
    budget: AlignmentBudget,
    started_cpu: float,
    *,
    dijkstra: bool,
) -> None:
    """Each variant by pm4py's searches, within its share of the budget in CPU time, its
    number of search steps and the memory cap; the Dijkstra search is tried first with
    ``dijkstra``."""
    from pm4py.algo.conformance.alignments.petri_net import algorithm as align
    from pm4py.objects.log.obj import Event, Trace

    fast = align.Variants.VERSION_DIJKSTRA_LESS_MEMORY
    exact = align.Variants.VERSION_STATE_EQUATION_A_STAR
    base = {align.Parameters.ENABLE_BEST_WORST_COST: False}

    def limit(seconds: float, search: str, labels: tuple[str, ...]) -> dict[str, Any]:
        """pm4py's time limit for one search, which also holds its steps and memory: the
        process's resident memory may grow by the variant's budget from where it is now."""
        steps = budget.states_for(search, product_transitions(wf, labels))
        resident = resident_bytes()
        cap = None if resident is None else resident + int(budget.variant_mb * _MB)
        return {align.Parameters.PARAM_MAX_ALIGN_TIME_TRACE: SearchLimit(seconds, steps, cap)}

    empty = align.apply(
        Trace(),
        wf.net,
        wf.initial,
        wf.final,
        variant=exact,
        parameters={**base, **limit(1e9, "a*", ())},
    )
    empty_cost = int(empty["cost"]) if empty is not None else 0
    # the best/worst cost is computed here, once: pm4py's per-trace call would align the
    # empty trace again for every variant (its default argument is evaluated even when the
    # cost is given), which on a discovered model costs as much as the variant itself
    # A*'s costs for the fast search too (it would make some silent moves free), so the
    # alignment costs and the fitness equal pm4py's default to the last digit
    costs = {t: 1 if t.label is None else _MOVE for t in wf.net.transitions}
    fast_params = {**base, align.Parameters.PARAM_MODEL_COST_FUNCTION: costs}
    started_wall = time.perf_counter()
    cpu_before = time.process_time() - started_cpu
    total = budget.total_for(len(closed))

    def share(remaining: int) -> tuple[float, float]:
        """CPU seconds the next variant may take, and the wall-clock limit that stands for."""
        cpu = time.process_time() - started_cpu
        ran = max(cpu - cpu_before, 0.05)
        stretch = min(max((time.perf_counter() - started_wall) / ran, 1.0), 20.0)
        got = _share(budget, total, cpu, remaining)
        return got, got * stretch

    misses = 0 if dijkstra else budget.fast_misses
    offset = len(closed) - len(todo)
    for i, v in enumerate(todo):
        trace = Trace([Event({"concept:name": a}) for a in v.labels])
        # the trace's costs given explicitly, so the best/worst cost (and with it the
        # fitness) counts the trace's length whichever search answers
        per_event = {align.Parameters.PARAM_TRACE_COST_FUNCTION: [_MOVE] * len(v.labels)}
        a, search = None, "approximate"
        cpu_s, wall_s = share(len(todo) - i)
        if cpu_s > 0 and misses < budget.fast_misses:
            wall = min(budget.fast_s, cpu_s) * wall_s / cpu_s
            a = align.apply(
                trace,
                wf.net,
                wf.initial,
                wf.final,
                variant=fast,
                parameters={**fast_params, **per_event, **limit(wall, "dijkstra", v.labels)},
            )
            search = "dijkstra"
            if a is None:
                misses += 1
        cpu_s, wall_s = share(len(todo) - i)
        if a is None and cpu_s > 0:
            a = align.apply(
                trace,
                wf.net,
                wf.initial,
                wf.final,
                variant=exact,
                parameters={**base, **per_event, **limit(wall_s, "a*", v.labels)},
            )
            search = "a*"
        bwc = _MOVE * len(v.labels) + empty_cost
        if a is None:
            v.alignment = Aligned(0, bwc, (), _unknown(wf, v), "approximate")
        else:
            moves = a["alignment"]
            v.alignment = Aligned(
                int(a["cost"]),
                bwc,
                tuple(m for x, m in moves if x == ">>" and m not in (None, ">>")),
                tuple(x for x, m in moves if m == ">>" and x not in (None, ">>")),
                search,
            )
        if progress is not None:
            progress(offset + i + 1, len(closed))


def _unknown(wf: WorkflowNet, v: Variant) -> tuple[str, ...]:
    """The variant's events whose labels the net does not have (log moves in any
    alignment)."""
    return tuple(x for x in v.labels if x not in wf.labels)


def _share(budget: AlignmentBudget, total: float, spent: float, remaining: int) -> float:
    """The time one variant may take: its fair share of what is left of the total budget
    (four times the average, as most variants take milliseconds), at most the per-variant
    budget; 0 when the total is spent."""
    left = total - spent
    if left <= 0:
        return 0.0
    return min(budget.variant_s, left, max(4 * left / max(remaining, 1), 0.05))


def _approximate(wf: WorkflowNet, found: list[Variant]) -> None:
    """Token-replay fitness for variants no alignment search finished, and the cost it
    implies (so they weigh in the log's fitness by their length)."""
    from bpmtool.mining.conformance import replay_fitness_per_variant

    for v, fitness in zip(found, replay_fitness_per_variant(wf, found), strict=True):
        old = v.alignment
        assert old is not None
        cost = round((1 - fitness) * old.bwc)
        v.alignment = Aligned(cost, old.bwc, (), old.inserted, "approximate", fitness)


def _count(closed: list[Variant], result: Conformance) -> None:
    """Fitness as pm4py's alignment-based evaluation computes it, weighted by cases; skips
    and insertions as cases per label."""
    cost = bwc = fitting = cases = 0
    for v in closed:
        a = v.alignment
        assert a is not None
        n = v.count
        cases += n
        cost += a.cost * n
        bwc += a.bwc * n
        fitting += n if a.fitness == 1.0 else 0
        for label in set(a.skipped):
            result.skips[label] += n
            result.skip_variants.setdefault(label, []).append(v)
        for label in set(a.inserted):
            result.insertions[label] += n
    result.alignment_fitness = 1 - cost / bwc if bwc > 0 else 0.0
    result.fitting_share_alignments = fitting / cases if cases else None
