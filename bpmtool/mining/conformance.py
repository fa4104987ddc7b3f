"""Token-based replay and alignments with pm4py, once per variant, weighted by its cases.

What bpmtool adds to pm4py's algorithms:

* **variants**: every distinct activity sequence is replayed or aligned once; counts weight
  the results, so the cost follows variants, not events;
* **unknown labels are never hidden**: pm4py's token replay skips events whose label is not
  in the net (a log full of unknown work would score 1.0).  For replay bpmtool gives each
  unknown label a transition whose input place is never marked and whose output place is
  never emptied, so each such event costs one missing and one remaining token; alignments
  count it as a log move, as they always do;
* **open cases**: a case whose last activity cannot end the process is still running; it is
  reported as open and left out of fitness and skips (its missing tail is no deviation).
"""

from __future__ import annotations

import contextlib
import io
import os
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bpmtool.graph import ProcessGraph
from bpmtool.log_schema import ACTIVITY, CASE
from bpmtool.mining.mapping import NODE
from bpmtool.mining.model_order import final_activities
from bpmtool.mining.petri import WorkflowNet

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Conformance", "Variant", "conformance", "variants"]

Progress = Callable[[int, int | None], None]


@dataclass
class Variant:
    """A distinct activity sequence and the cases that follow it."""

    labels: tuple[str, ...]
    cases: list[str]
    open: bool
    replay: dict[str, Any] | None = None
    alignment: dict[str, Any] | None = None

    @property
    def count(self) -> int:
        return len(self.cases)


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
    skip_cases: dict[str, list[str]] = field(default_factory=dict)

    @property
    def open_cases(self) -> int:
        return sum(v.count for v in self.variants if v.open)


@contextlib.contextmanager
def quiet_pm4py() -> Any:
    """pm4py prints banners and progress bars; keep them away from our users."""
    os.environ.setdefault("TQDM_DISABLE", "1")
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield


def variants(df: pd.DataFrame, graph: ProcessGraph | None = None) -> list[Variant]:
    """The log's variants (sorted by frequency) and whether each is still open.

    Without a model graph (a net from elsewhere), every case counts as finished.
    """
    import numpy as np

    # integer codes all the way: one Python object per case and per variant, none per event
    label_col = df[ACTIVITY].astype("category")
    label_names = [str(c) for c in label_col.cat.categories]
    labels = label_col.cat.codes.to_numpy()
    case_col = df[CASE].astype("category")
    case_names = case_col.cat.categories
    case_codes = case_col.cat.codes.to_numpy()
    bounds = np.flatnonzero(case_codes[1:] != case_codes[:-1]) + 1
    starts = np.concatenate(([0], bounds)).tolist()
    ends = np.concatenate((bounds, [len(df)])).tolist()
    last_nodes = None
    if NODE in df.columns:
        node_col = df[NODE].astype("category")
        node_names = [str(c) for c in node_col.cat.categories]
        last_nodes = node_col.cat.codes.to_numpy()[np.asarray(ends, dtype=np.int64) - 1]
    final = final_activities(graph) if graph is not None else None
    final_codes = {i for i, n in enumerate(node_names) if n in final} \
        if final is not None and last_nodes is not None else set()
    groups: dict[bytes, Variant] = {}
    first_cases = case_codes[np.asarray(starts, dtype=np.int64)]
    for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
        key = labels[s:e].tobytes()
        variant = groups.get(key)
        if variant is None:
            still_open = final is not None and (
                last_nodes is None or int(last_nodes[i]) not in final_codes)
            variant = groups[key] = Variant(tuple(label_names[c] for c in labels[s:e]), [],
                                            open=still_open)
        variant.cases.append(str(case_names[first_cases[i]]))
    return sorted(groups.values(), key=lambda v: (-v.count, v.labels))


def _event_log(seqs: list[tuple[str, ...]]) -> Any:
    from pm4py.objects.log.obj import Event, EventLog, Trace

    log = EventLog()
    for seq in seqs:
        log.append(Trace([Event({"concept:name": a}) for a in seq]))
    return log


def _with_unknown_labels(wf: WorkflowNet, unknown: set[str]) -> Any:
    """A copy of the net where each unknown label has a transition that costs a missing and a
    remaining token when it fires."""
    from copy import deepcopy

    from pm4py.objects.petri_net.obj import PetriNet
    from pm4py.objects.petri_net.utils.petri_utils import add_arc_from_to

    net, im, fm = deepcopy((wf.net, wf.initial, wf.final))
    for i, label in enumerate(sorted(unknown)):
        before, after = PetriNet.Place(f"unknown_in_{i}"), PetriNet.Place(f"unknown_out_{i}")
        t = PetriNet.Transition(f"unknown_{i}", label)
        net.places.update({before, after})
        net.transitions.add(t)
        add_arc_from_to(before, t, net)
        add_arc_from_to(t, after, net)
    return net, im, fm


def conformance(wf: WorkflowNet, found: list[Variant], *, replay: bool = True,
                alignments: bool = True, precision: bool = False,
                progress: Progress | None = None,
                aligned: Mapping[tuple[str, ...], dict[str, Any]] | None = None) -> Conformance:
    """Replay and/or align every closed variant; count skips and insertions per activity.

    ``aligned`` gives alignments already computed elsewhere (by a cluster's workers, see
    :mod:`bpmtool.distributed.alignments`), by the variant's activities; they are used as
    they are, and only the variants missing from it are aligned here."""
    result = Conformance(found)
    closed = [v for v in found if not v.open]
    with quiet_pm4py():
        if replay and closed:
            _replay(wf, closed, result)
        if alignments and closed:
            _align(wf, closed, result, None if aligned else progress, aligned or {})
        if precision and found:
            result.precision = _precision(wf, found)
    return result


def _precision(wf: WorkflowNet, found: list[Variant]) -> float:
    """ETConformance precision (Muñoz-Gama & Carmona), as pm4py defines it, from variants.

    For every prefix seen in the log, the activities the model enables after it are compared
    with the activities the log shows after it; each escaping activity counts as often as
    the prefix occurs.  pm4py derives the prefix counts by walking every case; here they come
    from the variants and their counts, and each distinct prefix is replayed once.
    """
    from pm4py.algo.conformance.tokenreplay import algorithm as token_replay
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
    enabled_at_start = {t.label for t in get_visible_transitions_eventually_enabled_by_marking(
        wf.net, wf.initial)}
    allowed = cases * len(enabled_at_start)
    escaping = cases * len(enabled_at_start - starts)
    prefixes = list(follow)
    replayed = token_replay.apply(_event_log(prefixes), wf.net, wf.initial, wf.final,
                                  parameters={"show_progress_bar": False,
                                              "consider_remaining_in_fitness": False,
                                              "try_to_reach_final_marking_through_hidden": False,
                                              "stop_immediately_unfit": True,
                                              "walk_through_hidden_trans": True})
    for prefix, diag in zip(prefixes, replayed, strict=True):
        if not diag["trace_is_fit"]:
            continue
        enabled = {t.label for t in diag["enabled_transitions_in_marking"] if t.label}
        allowed += len(enabled) * count[prefix]
        escaping += len(enabled - follow[prefix]) * count[prefix]
    return 1 - escaping / allowed if allowed else 1.0


def _replay(wf: WorkflowNet, closed: list[Variant], result: Conformance) -> None:
    from pm4py.algo.conformance.tokenreplay import algorithm as token_replay

    unknown = {a for v in closed for a in v.labels} - wf.labels
    net, im, fm = _with_unknown_labels(wf, unknown) if unknown else (wf.net, wf.initial,
                                                                      wf.final)
    diagnostics = token_replay.apply(_event_log([v.labels for v in closed]), net, im, fm,
                                     parameters={"show_progress_bar": False})
    sums = Counter[str]()
    fitting = 0
    for v, d in zip(closed, diagnostics, strict=True):
        v.replay = d
        for key in ("missing_tokens", "consumed_tokens", "remaining_tokens", "produced_tokens"):
            sums[key] += d[key] * v.count
        fitting += v.count if d["trace_is_fit"] else 0
    total = sum(v.count for v in closed)
    result.replay_fitness = 0.5 * (1 - sums["missing_tokens"] / max(sums["consumed_tokens"], 1)) \
        + 0.5 * (1 - sums["remaining_tokens"] / max(sums["produced_tokens"], 1))
    result.fitting_share_replay = fitting / total


#: how long the fast, uninformed search may try one variant before the LP-guided A* takes over
FAST_ALIGNMENT_BUDGET_S = 2.0


def _align(wf: WorkflowNet, closed: list[Variant], result: Conformance,
           progress: Progress | None,
           aligned: Mapping[tuple[str, ...], dict[str, Any]]) -> None:
    """Optimal alignments per variant.

    Each variant is first aligned with pm4py's memory-lean Dijkstra search, which on the
    block-structured nets of real models is 10–15× faster than the LP-guided A*; a variant
    it cannot finish within :data:`FAST_ALIGNMENT_BUDGET_S` is aligned again with A*.  Both
    searches are exact, so the deviations found are the same.  The best/worst cost (the
    alignment of the empty trace) is computed once, not once per variant as pm4py does.
    """
    from pm4py.algo.conformance.alignments.petri_net import algorithm as align
    from pm4py.algo.evaluation.replay_fitness.variants import alignment_based
    from pm4py.objects.log.obj import Trace

    fast = align.Variants.VERSION_DIJKSTRA_LESS_MEMORY
    exact = align.Variants.VERSION_STATE_EQUATION_A_STAR
    empty = align.apply(Trace(), wf.net, wf.initial, wf.final, variant=exact,
                        parameters={align.Parameters.ENABLE_BEST_WORST_COST: False})
    parameters = {align.Parameters.BEST_WORST_COST_INTERNAL: empty["cost"]}
    # A*'s costs for the fast search too (it would make some silent moves free), so the
    # alignment costs and the fitness equal pm4py's default to the last digit
    costs = {t: 1 if t.label is None else 10000 for t in wf.net.transitions}
    budget = {**parameters, "max_align_time_trace": FAST_ALIGNMENT_BUDGET_S,
              align.Parameters.PARAM_MODEL_COST_FUNCTION: costs}
    traces = _event_log([v.labels for v in closed])
    aligned_all: list[dict[str, Any]] = []
    for i, (v, trace) in enumerate(zip(closed, traces, strict=True)):
        # the trace's costs given explicitly, so the best/worst cost (and with it the
        # fitness) counts the trace's length whichever search answers
        per_event = {align.Parameters.PARAM_TRACE_COST_FUNCTION: [10000] * len(v.labels)}
        a = aligned.get(v.labels)
        if a is None:
            a = align.apply(trace, wf.net, wf.initial, wf.final, variant=fast,
                            parameters={**budget, **per_event})
        if a is None:
            a = align.apply(trace, wf.net, wf.initial, wf.final, variant=exact,
                            parameters={**parameters, **per_event})
        v.alignment = a
        aligned_all += [a] * v.count
        skipped = {m for x, m in _moves(a) if x == ">>" and m not in (None, ">>")}
        inserted = {x for x, m in _moves(a) if m == ">>" and x not in (None, ">>")}
        for label in skipped:
            result.skips[label] += v.count
            result.skip_cases.setdefault(label, []).extend(v.cases)
        for label in inserted:
            result.insertions[label] += v.count
        if progress is not None:
            progress(i + 1, len(closed))
    evaluation = alignment_based.evaluate(aligned_all)
    result.alignment_fitness = float(evaluation["log_fitness"])
    result.fitting_share_alignments = float(evaluation["percentage_of_fitting_traces"]) / 100


def _moves(alignment: dict[str, Any]) -> list[tuple[Any, Any]]:
    return [tuple(step) for step in alignment["alignment"]]
