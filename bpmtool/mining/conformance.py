"""Token-based replay and alignments with pm4py, once per variant, weighted by its cases.

What bpmtool adds to pm4py's algorithms:

* **variants**: every distinct activity sequence is replayed or aligned once; counts weight
  the results, so the cost follows variants, not events;
* **one step per prefix**: token replay (fitness) and the prefix replays behind precision
  walk the variants' prefix tree, one pm4py replay step per distinct prefix
  (:mod:`bpmtool.mining.replay_trie`), with pm4py's figures to the last digit;
* **unknown labels are counted, where pm4py counts them**: token-replay fitness is pm4py's,
  which steps over events whose label is not in the net; those events are reported on
  their own (``UNEXPECTED-ACTIVITY``, the unknown share) and are log moves in alignments,
  whose fitness therefore shows them;
* **open cases** only on evidence (:mod:`bpmtool.mining.open_cases`): a case judged open is
  reported and left out of fitness and skips; every other case counts, so a finished case
  that skipped its last step shows as a skip;
* **budgets**: alignments have a time budget per variant and in all, and a flagged
  approximation when it runs out (:mod:`bpmtool.mining.alignments`);
* **compact variants**: labels and cases are kept as codes; per variant only the counts
  of its replay and alignment are kept, never pm4py's full diagnostics.
"""

from __future__ import annotations

import contextlib
import io
import os
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bpmtool.graph import ProcessGraph
from bpmtool.mining.alignments import Aligned, AlignmentBudget, align_variants
from bpmtool.mining.open_cases import OpenCaseRule, OpenCases
from bpmtool.mining.petri import WorkflowNet
from bpmtool.mining.replay_trie import PrefixTree, replay_tree

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Conformance", "Variant", "conformance", "variants"]

Progress = Callable[[int, int | None], None]


@dataclass(slots=True)
class Replayed:
    """One variant's token replay, as counts."""

    fitness: float
    fit: bool


@dataclass(eq=False, slots=True)
class Variant:
    """A distinct activity sequence and the cases that follow it (open ones apart)."""

    labels: tuple[str, ...]
    #: the codes of its cases (an int32 array, or a list)
    case_codes: Any
    open: bool
    #: the log's case ids; ``case_codes`` index it (shared by all variants of a log)
    case_names: Any = None
    replay: Replayed | None = None
    alignment: Aligned | None = None

    @property
    def count(self) -> int:
        return len(self.case_codes)

    @property
    def cases(self) -> list[str]:
        names = self.case_names
        return (
            [str(names[c]) for c in self.case_codes]
            if names is not None
            else [str(c) for c in self.case_codes]
        )


@dataclass
class Conformance:
    """Fitness, precision and per-activity deviations of a log against a net."""

    variants: list[Variant]
    replay_fitness: float | None = None
    fitting_share_replay: float | None = None
    alignment_fitness: float | None = None
    fitting_share_alignments: float | None = None
    precision: float | None = None
    skips: Counter[str] = field(default_factory=Counter)  # label → cases with a model move
    insertions: Counter[str] = field(default_factory=Counter)  # label → cases with a log move
    #: label → the variants with a model move on it (their cases are the skipping cases)
    skip_variants: dict[str, list[Variant]] = field(default_factory=dict)
    #: variants whose alignment a budget cut short (approximated from token replay)
    approximated: list[Variant] = field(default_factory=list)
    #: precision was asked for but its replays ran out of time (``precision`` is ``None``)
    precision_cut_short: bool = False
    #: how the open cases were judged (``None``: a net without a model, nothing open)
    open_judgement: OpenCases | None = None

    @property
    def open_cases(self) -> int:
        return sum(v.count for v in self.variants if v.open)

    @property
    def aligned_exactly_share(self) -> float | None:
        """The share of the finished cases whose alignment is exact (not approximated);
        ``None`` when nothing was aligned."""
        if self.alignment_fitness is None:
            return None
        finished = sum(v.count for v in self.variants if not v.open)
        approximated = sum(v.count for v in self.approximated)
        return 1 - approximated / finished if finished else None

    def skip_examples(self, label: str, n: int) -> list[str]:
        """The first ``n`` case ids (sorted) that skipped ``label``."""
        import heapq

        return heapq.nsmallest(n, {c for v in self.skip_variants.get(label, []) for c in v.cases})


@contextlib.contextmanager
def quiet_pm4py() -> Any:
    """pm4py prints banners and progress bars; keep them away from our users."""
    os.environ.setdefault("TQDM_DISABLE", "1")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield


def variants(
    df: pd.DataFrame, graph: ProcessGraph | None = None, rule: OpenCaseRule | None = None
) -> list[Variant]:
    """The log's variants (sorted by frequency), open cases apart from finished ones.

    Without a model graph (a net from elsewhere), every case counts as finished; with one,
    :func:`bpmtool.mining.open_cases.judge_open` decides (:func:`variants_judged` also
    returns its account).
    """
    return variants_judged(df, graph, rule)[0]


def variants_judged(
    df: pd.DataFrame, graph: ProcessGraph | None = None, rule: OpenCaseRule | None = None
) -> tuple[list[Variant], OpenCases | None]:
    """:func:`variants`, and how its open cases were judged (the steps of
    :mod:`bpmtool.mining.case_facts` on the whole log as one piece)."""
    from bpmtool.mining.case_facts import case_facts, judged_variants

    return judged_variants(case_facts(df, graph), graph, rule)


def conformance(
    wf: WorkflowNet,
    found: list[Variant],
    *,
    replay: bool = True,
    alignments: bool = True,
    precision: bool = False,
    progress: Progress | None = None,
    budget: AlignmentBudget | None = None,
    aligned: Mapping[tuple[str, ...], Aligned] | None = None,
) -> Conformance:
    """Replay and/or align every closed variant; count skips and insertions per activity.

    ``aligned`` gives alignments already computed elsewhere (by a cluster's workers, see
    :mod:`bpmtool.distributed.alignments`), by the variant's activities; they are used as
    they are, and only the variants missing from it are aligned here."""
    result = Conformance(found)
    closed = [v for v in found if not v.open]
    budget = budget or AlignmentBudget()
    with quiet_pm4py():
        if (replay and closed) or (precision and found):
            _replay_and_precision(wf, found, closed if replay else [], precision, budget, result)
        if alignments and closed:
            align_variants(
                wf,
                closed,
                result,
                None if aligned else progress,
                budget,
                aligned or {},
            )
    return result


def _replay_and_precision(
    wf: WorkflowNet,
    found: list[Variant],
    closed: list[Variant],
    precision: bool,
    budget: AlignmentBudget,
    result: Conformance,
) -> None:
    """Token replay of the closed variants and ETConformance precision over all of them, in
    one walk over their prefix tree (:mod:`bpmtool.mining.replay_trie`)."""
    started = time.process_time()  # CPU time, as the alignment budgets
    tree = replay_tree(
        wf.net,
        wf.initial,
        wf.final,
        [v.labels for v in found] if precision else [],
        replay=[v.labels for v in closed],
        enabled=precision,
        deadline=started + budget.precision_s if precision else None,
    )
    if precision:
        result.precision = None if tree.cut_short else _precision(wf, found, tree)
        result.precision_cut_short = tree.cut_short
    if closed:
        if tree.cut_short:  # precision ran out of time: the replay alone, to the end
            tree = replay_tree(wf.net, wf.initial, wf.final, [], replay=[v.labels for v in closed])
        _replay(closed, tree, result)


def _precision(wf: WorkflowNet, found: list[Variant], tree: PrefixTree) -> float:
    """ETConformance precision (Muñoz-Gama & Carmona), as pm4py defines it, from variants.

    For every prefix seen in the log, the activities the model enables after it are compared
    with the activities the log shows after it; each escaping activity counts as often as
    the prefix occurs (prefixes that do not replay without missing tokens count nothing).
    pm4py derives the prefix counts by walking every case and replays every prefix from the
    start; here they come from the variants and their counts, and each distinct prefix is
    one replay step from its parent.
    """
    from pm4py.objects.petri_net.utils.align_utils import (
        get_visible_transitions_eventually_enabled_by_marking,
    )

    follow: dict[tuple[str, ...], set[str]] = {}
    count: Counter[tuple[str, ...]] = Counter()
    starts: set[str] = set()
    cases = 0
    for v in found:
        cases += v.count
        if v.labels:
            starts.add(v.labels[0])
        for i in range(1, len(v.labels)):
            prefix = v.labels[:i]
            follow.setdefault(prefix, set()).add(v.labels[i])
            count[prefix] += v.count
    enabled_at_start = {
        t.label for t in get_visible_transitions_eventually_enabled_by_marking(wf.net, wf.initial)
    }
    allowed = cases * len(enabled_at_start)
    escaping = cases * len(enabled_at_start - starts)
    for prefix, seen in follow.items():
        enabled = tree.enabled.get(prefix)
        if enabled is None:
            continue
        allowed += len(enabled) * count[prefix]
        escaping += len(enabled - seen) * count[prefix]
    return 1 - escaping / allowed if allowed else 1.0


def replay_fitness_per_variant(wf: WorkflowNet, found: list[Variant]) -> list[float]:
    """Each variant's token-replay fitness (reused when the replay already ran)."""
    todo = [v for v in found if v.replay is None]
    if todo:
        with quiet_pm4py():
            tree = replay_tree(wf.net, wf.initial, wf.final, [], replay=[v.labels for v in todo])
        for v in todo:
            r = tree.replays[v.labels]
            v.replay = Replayed(r.fitness, r.fit)
    return [v.replay.fitness for v in found if v.replay is not None]


def _replay(closed: list[Variant], tree: PrefixTree, result: Conformance) -> None:
    """pm4py's log fitness: the token counts of all finished cases, added up."""
    missing = consumed = remaining = produced = fitting = 0
    for v in closed:
        r = tree.replays[v.labels]
        v.replay = Replayed(r.fitness, r.fit)
        n = v.count
        missing += r.missing * n
        consumed += r.consumed * n
        remaining += r.remaining * n
        produced += r.produced * n
        fitting += n if r.fit else 0
    total = sum(v.count for v in closed)
    result.replay_fitness = 0.5 * (1 - missing / max(consumed, 1)) + 0.5 * (
        1 - remaining / max(produced, 1)
    )
    result.fitting_share_replay = fitting / total
