"""Optimal alignments per variant within a budget, streamed into counts.

Each variant is aligned once, by one of pm4py's exact searches:

* the memory-lean Dijkstra search first: on the block-structured nets of hand-made models
  it is 10–15× faster than the LP-guided A*; it gets :attr:`AlignmentBudget.fast_s` per
  variant, and after it has run out :attr:`AlignmentBudget.fast_misses` times the net is
  taken to be one it is slow on (a discovered model full of silent transitions) and the
  remaining variants go straight to A*;
* pm4py's A* (the search ``pm4py.conformance_diagnostics_alignments`` uses) with at most
  :attr:`AlignmentBudget.variant_s` seconds per variant.  The time limit is also the memory
  limit: a search explores its states at a bounded rate, so a variant can never hold more
  states than that many seconds produce;
* all searches together get :meth:`AlignmentBudget.total_for` seconds (by default 60 s and
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

Both searches use pm4py's standard costs and the best/worst cost (the alignment of the
empty trace) is computed once, not per variant as pm4py does (twice, in fact: its default
argument is evaluated even when the cost is given), so exact alignments have the
costs and fitness of pm4py's default to the last digit.  Only counts are kept per variant:
cost, fitness and the labels of its model and log moves.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bpmtool.mining.conformance import Conformance, Variant
    from bpmtool.mining.petri import WorkflowNet

__all__ = ["Aligned", "AlignmentBudget", "align_variants"]

Progress = Callable[[int, int | None], None]

#: pm4py's standard cost of a log or model move on a visible transition
_MOVE = 10000


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
    #: "dijkstra" or "a*" (exact), "approximate" (a budget ran out: token-replay fitness)
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
    from pm4py.algo.conformance.alignments.petri_net import algorithm as align
    from pm4py.objects.log.obj import Event, Trace

    fast = align.Variants.VERSION_DIJKSTRA_LESS_MEMORY
    exact = align.Variants.VERSION_STATE_EQUATION_A_STAR
    empty = align.apply(
        Trace(),
        wf.net,
        wf.initial,
        wf.final,
        variant=exact,
        parameters={align.Parameters.ENABLE_BEST_WORST_COST: False},
    )
    empty_cost = int(empty["cost"])
    # the best/worst cost is computed here, once: pm4py's per-trace call would align the
    # empty trace again for every variant (its default argument is evaluated even when the
    # cost is given), which on a discovered model costs as much as the variant itself
    base = {align.Parameters.ENABLE_BEST_WORST_COST: False}
    # A*'s costs for the fast search too (it would make some silent moves free), so the
    # alignment costs and the fitness equal pm4py's default to the last digit
    costs = {t: 1 if t.label is None else _MOVE for t in wf.net.transitions}
    fast_params = {
        **base,
        "max_align_time_trace": budget.fast_s,
        align.Parameters.PARAM_MODEL_COST_FUNCTION: costs,
    }
    started_cpu, started_wall = time.process_time(), time.perf_counter()
    total = budget.total_for(len(closed))

    def share(remaining: int) -> tuple[float, float]:
        """CPU seconds the next variant may take, and the wall-clock limit that stands for."""
        cpu = time.process_time() - started_cpu
        stretch = min(max((time.perf_counter() - started_wall) / max(cpu, 0.05), 1.0), 20.0)
        got = _share(budget, total, cpu, remaining)
        return got, got * stretch

    misses = 0
    approximated: list[Variant] = []
    for i, v in enumerate(closed):
        given = (aligned or {}).get(v.labels)
        if given is not None:
            v.alignment = given
            if given.approximate:
                result.approximated.append(v)
            continue
        trace = Trace([Event({"concept:name": a}) for a in v.labels])
        # the trace's costs given explicitly, so the best/worst cost (and with it the
        # fitness) counts the trace's length whichever search answers
        per_event = {align.Parameters.PARAM_TRACE_COST_FUNCTION: [_MOVE] * len(v.labels)}
        a, search = None, "approximate"
        cpu_s, wall_s = share(len(closed) - i)
        if cpu_s > 0 and misses < budget.fast_misses:
            a = align.apply(
                trace,
                wf.net,
                wf.initial,
                wf.final,
                variant=fast,
                parameters={
                    **fast_params,
                    **per_event,
                    "max_align_time_trace": min(budget.fast_s, cpu_s) * wall_s / cpu_s,
                },
            )
            search = "dijkstra"
            if a is None:
                misses += 1
        cpu_s, wall_s = share(len(closed) - i)
        if a is None and cpu_s > 0:
            a = align.apply(
                trace,
                wf.net,
                wf.initial,
                wf.final,
                variant=exact,
                parameters={
                    **base,
                    **per_event,
                    "max_align_time_trace": wall_s,
                },
            )
            search = "a*"
        bwc = _MOVE * len(v.labels) + empty_cost
        if a is None:
            unknown = tuple(x for x in v.labels if x not in wf.labels)
            v.alignment = Aligned(0, bwc, (), unknown, "approximate")
            approximated.append(v)
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
            progress(i + 1, len(closed))
    if approximated:
        _approximate(wf, approximated)
    _count(closed, result)
    result.approximated += approximated


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
