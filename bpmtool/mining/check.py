"""A whole conformance check: mapping, replay and alignments, handoffs, in one result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bpmtool.errors import Problem
from bpmtool.findings import Finding, sort_findings
from bpmtool.graph import ProcessGraph
from bpmtool.memory import give_back_freed_memory
from bpmtool.mining.alignments import Aligned, AlignmentBudget
from bpmtool.mining.case_facts import judged_variants
from bpmtool.mining.check_facts import CheckFacts, gather
from bpmtool.mining.check_findings import approximated, lanes_missing, log_lanes_finding, skipped
from bpmtool.mining.conformance import Conformance, Variant, conformance
from bpmtool.mining.flow_counts import flow_counts
from bpmtool.mining.handoff_facts import HandoffFacts
from bpmtool.mining.handoffs import HandoffStats, judge_handoffs
from bpmtool.mining.log_filter import FilterOutcome
from bpmtool.mining.log_lanes import lanes_from_log as lanes_from_log_of
from bpmtool.mining.mapping import MappedLog
from bpmtool.mining.open_cases import OpenCaseRule
from bpmtool.mining.petri import to_petri_net
from bpmtool.model import Model

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["METHODS", "Aligner", "CheckResult", "run_check"]

METHODS = ("both", "replay", "alignments")
#: alignments computed elsewhere: activity sequences in, their alignments by sequence out
Aligner = Callable[[list[tuple[str, ...]]], dict[tuple[str, ...], Aligned]]


@dataclass
class CheckResult:
    """Everything a check found; :meth:`to_dict` is the stable JSON of ``bpmtool check``."""

    model_id: str
    method: str
    cases: int
    events: int
    variants: int
    open_cases: int
    conformance: Conformance
    mapping: MappedLog
    handoffs: list[HandoffStats]
    findings: list[Finding] = field(default_factory=list)
    #: (flow key, times walked) for each of ``model.flows``, in its order: the overlay
    flow_counts: list[tuple[str, int]] = field(default_factory=list)
    #: what reading the log found or assumed (its time column, date order, no times)
    notes: list[Problem] = field(default_factory=list)
    #: whether the model has lanes to check the log's against (two or more, with work)
    lanes_modelled: bool = True
    #: lanes taken from the log for a model without: [activity, lane, share] per activity
    lanes_from_log: list[list[Any]] | None = None
    #: the filter the log went through, and what it kept (``None``: every case)
    filtered: FilterOutcome | None = None
    #: the first and last event (ISO 8601), or None for a log without times
    span: tuple[str, str] | None = None
    #: the log the check read piece by piece (``mapping.df`` is then ``None``)
    source: str | None = None
    #: how it read the pieces (:class:`~bpmtool.distributed.facts.PartitionedRead`), for
    #: the case index and the flow numbers, which read them again
    pieces: Any = field(default=None, repr=False)
    #: each checked case's time from its first to its last event in days (NaN: no times
    #: known), in no particular order: what a comparison of windows summarises
    case_days: Any = field(default=None, repr=False)

    def summary(self) -> dict[str, Any]:
        c = self.conformance
        unknown = sum(u.events for u in self.mapping.unmatched)
        return {
            "cases": self.cases,
            "events": self.events,
            "variants": self.variants,
            "open_cases": self.open_cases,
            "method": self.method,
            "fitness_replay": _round(c.replay_fitness),
            "fitness_alignments": _round(c.alignment_fitness),
            "precision": _round(c.precision),
            "fitting_cases_replay": _round(c.fitting_share_replay),
            "fitting_cases_alignments": _round(c.fitting_share_alignments),
            "unknown_events": unknown,
            "unknown_share": _round(unknown / max(self.events, 1)),
            "lane_source": self.mapping.lane_source,
            "lanes_modelled": self.lanes_modelled,
            "lanes_from_log": self.lanes_from_log is not None,
            "open_rule": j.to_dict() if (j := c.open_judgement) is not None else None,
            "precision_cut_short": c.precision_cut_short,
            "approximated_variants": len(c.approximated),
            "approximated_cases": sum(v.count for v in c.approximated),
            "aligned_exactly_share": _round(c.aligned_exactly_share),
            **self.period(),
        }

    def period(self) -> dict[str, str | None]:
        """The time the checked log covers: its first and last event (ISO 8601), or None
        for a log without times."""
        if self.span is None:
            return {"first_event": None, "last_event": None}
        return {"first_event": self.span[0], "last_event": self.span[1]}

    def activities(self) -> list[dict[str, Any]]:
        c = self.conformance
        labels = sorted(set(c.skips) | set(c.insertions))
        return [
            {
                "activity": a,
                "skipped_cases": c.skips.get(a, 0),
                "inserted_cases": c.insertions.get(a, 0),
            }
            for a in labels
        ]

    def variant_rows(self, limit: int = 50) -> list[dict[str, Any]]:
        rows = []
        number = variant_ranks(self.conformance.variants)
        for v in self.conformance.variants[:limit]:
            fit, _, _, _ = _variant_outcome(v)
            rows.append(
                {
                    "variant": number[v.labels],
                    "cases": v.count,
                    "open": v.open,
                    "fitness": _round(fit),
                    "approximate": v.alignment is not None and v.alignment.approximate,
                    "activities": list(v.labels),
                    "example_cases": v.cases[:3],
                }
            )
        return rows

    def case_frame(self) -> pd.DataFrame:
        """Per-case diagnostics: open or not, fitting, fitness, skipped and inserted steps."""
        import pandas as pd

        rows = []
        for v in self.conformance.variants:
            fit, fitting, skipped, inserted = _variant_outcome(v)
            approximate = v.alignment is not None and v.alignment.approximate
            for case in v.cases:
                rows.append(
                    (
                        case,
                        v.open,
                        fitting,
                        _round(fit),
                        approximate,
                        skipped,
                        inserted,
                        len(v.labels),
                    )
                )
        return pd.DataFrame(
            rows,
            columns=[
                "case",
                "open",
                "fitting",
                "fitness",
                "approximate",
                "skipped",
                "inserted",
                "events",
            ],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": self.model_id,
            "summary": self.summary(),
            "findings": [f.to_dict() for f in self.findings],
            "handoffs": [h.to_dict() for h in self.handoffs],
            "activities": self.activities(),
            "variants": self.variant_rows(),
            "mapping": self.mapping.to_dict(),
            "flows": self.flows(),
            "notes": [n.to_dict() for n in self.notes],
            "filter": self.filtered.to_dict() if self.filtered is not None else None,
        }

    def flows(self) -> list[dict[str, Any]]:
        """Per modelled flow, in the model's order: its key and how often cases walked it."""
        return [{"flow": k, "count": c} for k, c in self.flow_counts]


def variant_ranks(found: list[Variant]) -> dict[tuple[str, ...], int]:
    """Each activity sequence's variant number, as :func:`~bpmtool.mining.filter_cases.
    variant_numbers` gives it: 1 for the most cases (open and finished), ties by sequence."""
    from collections import Counter

    from bpmtool.mining.filter_cases import numbered_sequences

    total: Counter[tuple[str, ...]] = Counter()
    for v in found:
        total[v.labels] += v.count
    return numbered_sequences([total])


def _variant_outcome(v: Variant) -> tuple[float | None, bool | None, str, str]:
    """Fitness, fitting, skipped and inserted steps of a variant: from its alignment, else
    from its replay."""
    if v.alignment is not None:
        a = v.alignment
        return a.fitness, a.fitness >= 1.0, "; ".join(a.skipped), "; ".join(a.inserted)
    if v.replay is not None:
        return v.replay.fitness, v.replay.fit, "", ""
    return None, None, "", ""


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 4)


def run_check(
    model: Model,
    mapped: MappedLog,
    *,
    method: str = "both",
    progress: Callable[[int, int | None], None] | None = None,
    slow_after: timedelta | None = None,
    precision: bool = True,
    open_rule: OpenCaseRule | None = None,
    budget: AlignmentBudget | None = None,
    align: Aligner | None = None,
    lanes_from_log: bool = False,
    facts: CheckFacts | None = None,
) -> CheckResult:
    """Check a mapped log against a model: fitness, precision and the handoff findings.

    ``align`` computes the alignments of the finished variants elsewhere (a cluster's
    workers): given their activity sequences, it returns their alignments by sequence.
    ``lanes_from_log``: for a model without lanes, check the lanes against the log's
    majority owner of each activity (:mod:`bpmtool.mining.log_lanes`), labelled as such.
    ``facts``: the log's facts, gathered and merged piece by piece
    (:mod:`bpmtool.mining.check_facts`; ``mapped`` then has no frame); without them they
    are gathered from ``mapped`` as one piece — the same steps either way."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    graph = ProcessGraph(model)
    lanes = lanes_modelled(model)
    from_log = lanes_from_log and not lanes and mapped.lane_source != "model"
    if facts is None:
        assert mapped.df is not None
        facts = gather(graph, mapped, _labels_of(mapped), model_lanes=not from_log)
    found, judgement = judged_variants(facts.cases, graph, open_rule)
    derived = None
    handoffs = facts.handoffs
    if from_log:
        derived = lanes_from_log_of(model, _pair_counts(handoffs))
        if derived is not None:
            import numpy as np

            handoffs = replace(
                handoffs,
                lane_names=np.asarray(
                    [derived.ids.get(str(x), str(x)) for x in handoffs.lane_names], dtype=object
                ),
            )
    book = facts.book()
    stats, findings = judge_handoffs(
        ProcessGraph(derived.model) if derived else graph,
        handoffs,
        book,
        lanes_observed=mapped.lane_source != "model",
        slow_after=slow_after,
        lanes_modelled=lanes or derived is not None,
    )
    # the per-event arrays of the gathering are freed: hand them back before the net's
    # pm4py objects and the replays take their share (a lower peak)
    give_back_freed_memory()
    wf = to_petri_net(model)
    aligning = method in ("both", "alignments")
    aligned = align([v.labels for v in found if not v.open]) if align and aligning else None
    result = conformance(
        wf,
        found,
        replay=method in ("both", "replay"),
        alignments=aligning,
        precision=precision,
        progress=progress,
        budget=budget,
        aligned=aligned,
    )
    result.open_judgement = judgement
    if derived is not None:
        findings.append(log_lanes_finding(model, mapped, derived))
    total = book.total
    findings += skipped(model, result, total)
    findings += [
        f
        for f in (
            *lanes_missing(model, mapped, lanes or derived is not None, stats),
            *approximated(model, result, total),
        )
        if f is not None
    ]
    walks = [(tuple(mapped.matched.get(label) for label in v.labels), v.count) for v in found]
    return CheckResult(
        model.id,
        method,
        total,
        facts.events,
        len(found),
        result.open_cases,
        result,
        mapped,
        stats,
        sort_findings(findings),
        list(zip((f.key for f in model.flows), flow_counts(model, walks), strict=True)),
        lanes_modelled=lanes,
        lanes_from_log=[list(o) for o in derived.owners] if derived else None,
        span=facts.span,
        case_days=facts.cases.lead,
    )


def _labels_of(mapped: MappedLog) -> dict[str, tuple[int, str | None]]:
    """Each label of a mapped frame with its events and node."""
    from bpmtool.log_schema import ACTIVITY

    assert mapped.df is not None
    counts = mapped.df[ACTIVITY].astype("category").value_counts()
    return {str(c): (int(n), mapped.matched.get(str(c))) for c, n in counts.items() if n > 0}


def _pair_counts(f: HandoffFacts) -> list[tuple[str, str, int]]:
    """(node id, lane, events) of the events with a known node and lane."""
    return [
        (str(f.node_names[n]), str(f.lane_names[ln]), int(k))
        for n, ln, k in zip(f.pair_node, f.pair_lane, f.pair_events, strict=True)
    ]


def lanes_modelled(model: Model) -> bool:
    """Whether the model has lanes to check a log against: two or more internal lanes with
    activities.  A BPMN without lanes (pm4py writes them so) has one invented lane."""
    return (
        len(
            {
                n.lane
                for n in model.activities()
                if n.lane is not None
                and not getattr(model.lane_by_id.get(n.lane), "external", False)
            }
        )
        >= 2
    )
