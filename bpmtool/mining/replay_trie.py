"""pm4py's token replay of many variants, one event at a time over their prefix tree.

pm4py replays every trace from the initial marking; replaying the prefixes behind precision
that way costs the sum of their lengths.  But a step of pm4py's token replay depends on the
marking it starts from and the event alone (its caches are off by default), so a prefix's
replay is its parent's followed by one step.  Here the variants (and their prefixes) form a
tree; each node is replayed once, by pm4py's own per-trace function run on a one-event trace
from its parent's reached marking, and the counts are added up along the path:

* produced tokens: the initial marking's, plus what each step fired (pm4py's per-trace count
  starts from the tokens of the marking it is given, which is taken off again);
* consumed and missing tokens: what each step fired or had to add (pm4py adds the final
  marking's tokens and the final marking's shortfall at the end of every trace, which is
  taken off again for a step and counted once, by the last, empty-trace call that also
  tries to reach the final marking through silent transitions);
* remaining tokens: those of that last call.

So a variant's fitness, and the set of activities the model enables after a prefix, are
those of ``pm4py``'s ``token_replay.apply`` to the last digit (``tests/test_conformance.py``
compares them), at the cost of one step per distinct prefix.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PrefixTree", "TraceReplay", "replay_tree"]


@dataclass(slots=True)
class TraceReplay:
    """A variant's token replay, as pm4py counts it."""

    missing: int
    consumed: int
    remaining: int
    produced: int
    #: pm4py's ``trace_is_fit``: no token had to be added for an event, none remains
    fit: bool

    @property
    def fitness(self) -> float:
        if self.consumed > 0 and self.produced > 0:
            return 0.5 * (1 - self.missing / self.consumed) + 0.5 * (
                1 - self.remaining / self.produced
            )
        return 1.0


@dataclass
class PrefixTree:
    """What a walk over the variants' prefix tree found."""

    #: per requested sequence, its replay
    replays: dict[tuple[str, ...], TraceReplay] = field(default_factory=dict)
    #: per proper prefix that replays without a missing token: the labels the model enables
    #: after it (visible transitions reachable through silent ones)
    enabled: dict[tuple[str, ...], frozenset[str]] = field(default_factory=dict)
    #: the walk stopped at its deadline (``replays`` and ``enabled`` are incomplete)
    cut_short: bool = False


class _Stepper:
    """pm4py's per-trace token replay with the arguments its ``apply_log`` would pass."""

    def __init__(self, net: Any, initial: Any, final: Any) -> None:
        from pm4py.algo.conformance.tokenreplay.variants import token_replay as tr
        from pm4py.objects.log.obj import Event, Trace
        from pm4py.objects.petri_net.utils.petri_utils import (
            get_places_shortest_path_by_hidden,
        )

        self._tr, self._event, self._trace = tr, Event, Trace
        self.net, self.initial, self.final = net, initial, final
        # pm4py's choice for duplicate labels: the last transition by name
        self.trans_map = {t.label: t for t in sorted(net.transitions, key=lambda t: t.name)}
        self.paths = get_places_shortest_path_by_hidden(
            net, tr.TechnicalParameters.MAX_REC_DEPTH.value
        )
        self.final_tokens = sum(final.values())
        self.memo: dict[tuple[Any, ...], list[Any]] = {}

    def run(self, labels: tuple[str, ...], marking: Any, reach_final: bool) -> list[Any]:
        """pm4py's replay of ``labels`` from ``marking``; remembered per marking (with the
        order of its places, which pm4py's loops follow) and labels, as pm4py's answer
        depends on them alone: a walk over a log's prefixes meets the same marking and
        event again and again (the results are only read, never changed)."""
        key = (tuple(marking.items()), labels, reach_final)
        found = self.memo.get(key)
        if found is None:
            found = self._apply(labels, marking, reach_final)
            if len(self.memo) < _STEP_MEMO_LIMIT:
                self.memo[key] = found
        return found

    def _apply(self, labels: tuple[str, ...], marking: Any, reach_final: bool) -> list[Any]:
        tr = self._tr
        trace = self._trace([self._event({"concept:name": a}) for a in labels])
        return tr.apply_trace(  # type: ignore[no-any-return]
            trace,
            self.net,
            marking,
            self.final,
            self.trans_map,
            False,
            {},
            {},
            {},
            self.paths,
            reach_final,  # remaining tokens count for fitness only at the end
            try_to_reach_final_marking_through_hidden=reach_final,
            stop_immediately_unfit=False,
            walk_through_hidden_trans=True,
            post_fix_caching=tr.PostFixCaching(),
            marking_to_activity_caching=tr.MarkingToActivityCaching(),
        )

    def shortfall(self, marking: Any) -> int:
        """Tokens the final marking has and ``marking`` lacks (pm4py counts them missing)."""
        return sum(max(0, n - marking[p]) for p, n in self.final.items())


#: markings remembered per walk (each with a small set of transitions)
_MEMO_LIMIT = 200_000
#: replay steps remembered per walk (each a few KB: what pm4py's replay returns)
_STEP_MEMO_LIMIT = 20_000
_LOCAL = threading.local()
_INSTALL = threading.Lock()
_ORIGINAL: Any = None


class VisibleMemo:
    """pm4py's ``get_visible_transitions_eventually_enabled_by_marking`` on one net,
    remembered per marking.

    pm4py's token replay ends every call with that search (through silent transitions, by
    pm4py's own rules: each transition keeps only the last marking it was found enabled in,
    so it is not a plain closure and is not redone here); on a model the inductive miner
    discovered from BPI Challenge 2012 it took 97 % of the replay's time (21 ms of CPU per
    step).  Its answer depends on the net and the marking alone, and a walk over a log's
    prefixes reaches few distinct markings (40 for the first 100 variants of that log, for
    397 steps), so each is searched once, and only when asked for (:class:`Deferred`)."""

    def __init__(self, net: Any) -> None:
        self.net = net
        self.memo: dict[frozenset[tuple[Any, int]], frozenset[Any]] = {}

    def __call__(self, marking: Any) -> Deferred:
        return Deferred(self, marking)

    def answer(self, marking: Any) -> set[Any]:
        key = frozenset((p, n) for p, n in marking.items() if n)
        found = self.memo.get(key)
        if found is None:
            found = frozenset(_ORIGINAL(self.net, marking))
            if len(self.memo) < _MEMO_LIMIT:
                self.memo[key] = found
        return set(found)  # pm4py returns a fresh set each time


class Deferred:
    """The visible transitions a marking enables, searched only when asked for: pm4py's
    token replay returns them without using them, and the walk needs them only after a
    prefix that fits (precision), while the costly searches are those from the markings
    of prefixes that do not (extra tokens, outside the net's reachable markings)."""

    __slots__ = ("marking", "memo")

    def __init__(self, memo: VisibleMemo, marking: Any) -> None:
        self.memo, self.marking = memo, marking

    def get(self) -> set[Any]:
        return self.memo.answer(self.marking)


def _visible_enabled(net: Any, marking: Any) -> Any:
    """pm4py's ``get_visible_transitions_eventually_enabled_by_marking``; within
    :func:`remembered_markings` on ``net``, through its :class:`VisibleMemo`."""
    memo = getattr(_LOCAL, "memo", None)
    if memo is None or memo.net is not net:
        return _ORIGINAL(net, marking)
    return memo(marking)


@contextmanager
def remembered_markings(net: Any) -> Iterator[None]:
    """Within this block, this thread's token replays on ``net`` search the visible
    transitions a marking enables once per marking (:class:`VisibleMemo`)."""
    global _ORIGINAL
    from pm4py.objects.petri_net.utils import align_utils

    with _INSTALL:
        if _ORIGINAL is None:
            _ORIGINAL = align_utils.get_visible_transitions_eventually_enabled_by_marking
            align_utils.get_visible_transitions_eventually_enabled_by_marking = _visible_enabled
    before = getattr(_LOCAL, "memo", None)
    _LOCAL.memo = VisibleMemo(net)
    try:
        yield
    finally:
        _LOCAL.memo = before


def replay_tree(
    net: Any,
    initial: Any,
    final: Any,
    sequences: Iterable[tuple[str, ...]],
    *,
    replay: Iterable[tuple[str, ...]] = (),
    enabled: bool = False,
    deadline: float | None = None,
) -> PrefixTree:
    """Replay ``replay`` (whole sequences) and, with ``enabled``, find what the model enables
    after every proper prefix of ``sequences`` that fits; one pm4py step per tree node.
    ``deadline`` (a ``time.process_time`` value: CPU seconds of this process) stops the
    walk, flagged ``cut_short``."""
    want = set(replay)
    children: dict[tuple[str, ...], set[str]] = {}
    for seq in (*sequences, *want):
        for i in range(len(seq)):
            children.setdefault(seq[:i], set()).add(seq[i])
    with remembered_markings(net):
        return _walk(net, initial, final, children, want, enabled, deadline)


def _walk(
    net: Any,
    initial: Any,
    final: Any,
    children: dict[tuple[str, ...], set[str]],
    want: set[tuple[str, ...]],
    enabled: bool,
    deadline: float | None,
) -> PrefixTree:
    out = PrefixTree()
    step = _Stepper(net, initial, final)
    start_tokens = sum(initial.values())
    # depth first; a node: (prefix, reached marking, fits so far, missing, consumed, produced)
    stack: list[tuple[tuple[str, ...], Any, bool, int, int, int]] = [
        ((), initial, True, 0, 0, start_tokens)
    ]
    while stack:
        if deadline is not None and time.process_time() > deadline:
            out.cut_short = True
            return out
        prefix, marking, fits, missing, consumed, produced = stack.pop()
        if prefix in want:
            _, _, _, _, _, _, m, c, r, p = step.run((), marking, True)
            out.replays[prefix] = TraceReplay(
                missing + m,
                consumed + c,
                r,
                produced + p - sum(marking.values()),
                fits and r == 0,
            )
        for label in sorted(children.get(prefix, ()), reverse=True):
            fit, _, _, _, reached, visible, m, c, _, p = step.run((label,), marking, False)
            nxt = (*prefix, label)
            ok = fits and fit
            if enabled and ok and nxt in children:
                found = visible.get() if isinstance(visible, Deferred) else visible
                out.enabled[nxt] = frozenset(t.label for t in found if t.label)
            stack.append(
                (
                    nxt,
                    reached,
                    ok,
                    missing + m - step.shortfall(reached),
                    consumed + c - step.final_tokens,
                    produced + p - sum(marking.values()),
                )
            )
    return out
