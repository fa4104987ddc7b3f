"""How one of pm4py's alignment searches is held to its budget: steps, memory and time.

pm4py's A* and Dijkstra searches take one bound per trace, ``max_align_time_trace`` seconds,
and compare the seconds spent with it once per search step (each state taken from the
queue, and each linear program A* solves again), as ``elapsed > limit``.  bpmtool passes,
as that limit, a :class:`SearchLimit`: a number of seconds that also counts those
comparisons.  Python lets the right operand of a comparison answer first when its type is
a subclass of the left one's, so each ``elapsed > limit`` asks the limit, which says
"over" when

* the steps it allows are taken (:func:`a_star_steps`: the memory one step holds grows
  with the synchronous product's transitions, since every A* state keeps its linear
  program's solution, one number per transition),
* the process's resident memory, read every :data:`CHECK_EVERY` steps from
  ``/proc/self/statm``, has passed its cap (the searches' start plus ``variant_mb``): the
  bound that holds on any net, where the step count is an estimate, or
* the seconds are spent, as for any number.

No pm4py module is patched: the limit travels in pm4py's own parameter.  That pm4py
compares it once per step is pm4py's behaviour, not its promise; ``tests/test_align_budget.py``
fails if a pm4py release stops doing so.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bpmtool.mining.petri import WorkflowNet

__all__ = [
    "CHECK_EVERY",
    "SearchLimit",
    "a_star_step_bytes",
    "frozen_heap",
    "product_transitions",
    "resident_bytes",
]

#: steps between two reads of the process's resident memory
CHECK_EVERY = 64
#: bytes one A* step holds: a fixed part and a part per transition of the synchronous
#: product (see :func:`a_star_step_bytes`)
_A_STAR_FIXED = 2600
_A_STAR_PER_TRANSITION = 36
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def a_star_step_bytes(transitions: int) -> int:
    """Memory one step of pm4py's A* holds, in bytes, on a synchronous product with
    ``transitions`` transitions.

    Each step takes a state from the queue and queues its successors; each queued state
    keeps a copy of its linear program's solution (8 bytes per transition of the product),
    its marking and its links.  An upper fit of the growth ``tracemalloc`` measured
    between 1,000 and 8,000+ steps on hard variants of eight models the inductive miner
    discovers from real logs (products of 75 to 255 transitions): SEPSIS 4.4–5.2 KB per
    step at 75–111 transitions, Hospital Billing 3.7–4.5 KB at 108–130, receipt 4.2 KB
    at 112–116, BPI Challenge 2012 4.1–5.6 KB at 125–159, BPI Challenge 2020 (permits)
    up to 10.5 KB at 217–255."""
    return _A_STAR_FIXED + _A_STAR_PER_TRANSITION * max(transitions, 0)


def product_transitions(wf: WorkflowNet, labels: Iterable[str]) -> int:
    """Transitions of the synchronous product of ``wf`` and a trace of ``labels``: the
    net's (model moves), one per event (log moves), and one per event and transition of
    the net with its label (synchronous moves)."""
    per_label: dict[str, int] = {}
    for t in wf.net.transitions:
        if t.label is not None:
            per_label[t.label] = per_label.get(t.label, 0) + 1
    events = list(labels)
    return len(wf.net.transitions) + len(events) + sum(per_label.get(a, 0) for a in events)


def resident_bytes() -> int | None:
    """The process's resident memory now (Linux), ``None`` where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


class SearchLimit(float):
    """pm4py's per-trace time limit, in seconds, that also stops the search after
    ``steps`` comparisons, or when the process's resident memory has passed
    ``memory_cap`` bytes (read every :data:`CHECK_EVERY` comparisons; ``None``: not
    read).  :attr:`stopped` says which bound ended the search, if one did."""

    __slots__ = ("checks", "memory_cap", "steps", "stopped")

    checks: int
    steps: int
    memory_cap: int | None
    stopped: str | None

    def __new__(cls, seconds: float, steps: int, memory_cap: int | None = None) -> SearchLimit:
        limit = super().__new__(cls, seconds)
        limit.checks = 0
        limit.steps = max(steps, 1)
        limit.memory_cap = memory_cap
        limit.stopped = None
        return limit

    def _over(self, elapsed: object) -> bool:
        self.checks += 1
        if self.checks > self.steps:
            self.stopped = "steps"
        elif self.memory_cap is not None and self.checks % CHECK_EVERY == 0:
            now = resident_bytes()
            if now is not None and now > self.memory_cap:
                self.stopped = "memory"
        if self.stopped is None and isinstance(elapsed, int | float) and elapsed > float(self):
            self.stopped = "time"
        return self.stopped is not None

    # pm4py writes ``elapsed > limit``: Python asks the limit first, as ``limit < elapsed``
    def __lt__(self, elapsed: object) -> bool:
        return self._over(elapsed)

    def __le__(self, elapsed: object) -> bool:
        return self._over(elapsed)


@contextmanager
def frozen_heap() -> Iterator[None]:
    """The objects alive now are left out of the garbage collector's passes while the
    searches run (``gc.freeze``): pm4py's A* allocates many small objects, and each full
    pass of the collector would otherwise walk the whole process's heap as well (about 12 %
    of A*'s time on SEPSIS variants, in one process alternating both ways).  Objects the
    searches create are collected as usual."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
