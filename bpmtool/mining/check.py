"""A whole conformance check: mapping, replay and alignments, handoffs, in one result."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from bpmtool.errors import Problem
from bpmtool.findings import Finding, make_finding, sort_findings
from bpmtool.graph import ProcessGraph
from bpmtool.log_schema import CASE, TIMESTAMP
from bpmtool.memory import give_back_freed_memory
from bpmtool.mining.alignments import Aligned, AlignmentBudget
from bpmtool.mining.conformance import Conformance, Variant, conformance, variants_judged
from bpmtool.mining.flow_counts import flow_counts
from bpmtool.mining.handoffs import SKIPPED, HandoffStats, analyse_handoffs
from bpmtool.mining.log_filter import FilterOutcome
from bpmtool.mining.log_lanes import LogLanes
from bpmtool.mining.log_lanes import lanes_from_log as lanes_from_log_of
from bpmtool.mining.mapping import MappedLog
from bpmtool.mining.open_cases import OpenCaseRule
from bpmtool.mining.petri import to_petri_net
from bpmtool.model import Model

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["METHODS", "Aligner", "CheckResult", "run_check"]

METHODS = ("both", "replay", "alignments")
APPROXIMATED = "ALIGNMENT-APPROXIMATED"
LANES_NOT_MODELLED = "LANES-NOT-MODELLED"
LANES_FROM_LOG = "LANES-FROM-LOG"
#: alignments computed elsewhere: activity sequences in, their alignments by sequence out
Aligner = Callable[[list[tuple[str, ...]]], dict[tuple[str, ...], Aligned]]
_EXAMPLES = 5
#: approximated variants listed in their finding, most cases first
_LISTED_APPROXIMATED = 20


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
        times = self.mapping.df.get(TIMESTAMP)
        if times is None or not len(times) or times.isna().all():
            return {"first_event": None, "last_event": None}
        return {
            "first_event": times.min().isoformat(),
            "last_event": times.max().isoformat(),
        }

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
    """Each activity sequence's variant number, as :func:`~bpmtool.mining.log_filter.
    variant_numbers` gives it: 1 for the most cases (open and finished), ties by sequence."""
    from collections import Counter

    total: Counter[tuple[str, ...]] = Counter()
    for v in found:
        total[v.labels] += v.count
    order = sorted(total, key=lambda labels: (-total[labels], labels))
    return {labels: i for i, labels in enumerate(order, start=1)}


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
) -> CheckResult:
    """Check a mapped log against a model: fitness, precision and the handoff findings.

    ``align`` computes the alignments of the finished variants elsewhere (a cluster's
    workers): given their activity sequences, it returns their alignments by sequence.
    ``lanes_from_log``: for a model without lanes, check the lanes against the log's
    majority owner of each activity (:mod:`bpmtool.mining.log_lanes`), labelled as such."""
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)}")
    graph = ProcessGraph(model)
    df = mapped.df
    found, judgement = variants_judged(df, graph, open_rule)
    lanes = lanes_modelled(model)
    derived = None
    if lanes_from_log and not lanes and mapped.lane_source != "model":
        derived = lanes_from_log_of(model, df)
    # the handoff analysis first: its per-event arrays are freed and handed back before
    # the net's pm4py objects and the replays take their share (a lower peak)
    stats, findings = analyse_handoffs(
        ProcessGraph(derived.model) if derived else graph,
        derived.df if derived else df,
        lanes_observed=mapped.lane_source != "model",
        slow_after=slow_after,
        lanes_modelled=lanes or derived is not None,
    )
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
        findings.append(_log_lanes_finding(model, mapped, derived))
    total = int(df[CASE].nunique())
    findings += _skipped(model, result, total)
    findings += [
        f
        for f in (
            *_lanes_missing(model, mapped, lanes or derived is not None, stats),
            *_approximated(model, result, total),
        )
        if f is not None
    ]
    walks = [(tuple(mapped.matched.get(label) for label in v.labels), v.count) for v in found]
    return CheckResult(
        model.id,
        method,
        total,
        len(df),
        len(found),
        result.open_cases,
        result,
        mapped,
        stats,
        sort_findings(findings),
        list(zip((f.key for f in model.flows), flow_counts(model, walks), strict=True)),
        lanes_modelled=lanes,
        lanes_from_log=[list(o) for o in derived.owners] if derived else None,
    )


def _log_lanes_finding(model: Model, mapped: MappedLog, derived: LogLanes) -> Finding:
    owners = derived.owners
    shown = "; ".join(f"{a} → {lane} ({share:.0%})" for a, lane, share in owners[:8])
    finding = make_finding(
        model,
        LANES_FROM_LOG,
        (model.id,),
        f"The model has no lanes, so each of its {len(owners)} activities was put into the "
        f"lane ({mapped.lane_source}) that did most of its events, and the lane checks ran "
        f"against that: {shown}{'; …' if len(owners) > 8 else ''}. These lanes describe "
        "what the log shows, not a design.",
        "Put the activities into the lanes that should own them to check against a design.",
        {
            "owners": [{"activity": a, "lane": lane, "share": s} for a, lane, s in owners],
            "lane_source": mapped.lane_source,
        },
    )
    assert finding is not None
    return finding


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


def _lanes_missing(
    model: Model, mapped: MappedLog, lanes: bool, stats: list[HandoffStats]
) -> list[Finding | None]:
    if lanes:
        return []
    observed = sorted({h.source_lane for h in stats} | {h.target_lane for h in stats})
    seen = (
        f"the log shows {len(observed)} lanes ({mapped.lane_source}) and "
        f"{sum(h.count for h in stats):,} handoffs between them, listed with the check"
        if observed
        else "the log shows no handoffs either"
    )
    return [
        make_finding(
            model,
            LANES_NOT_MODELLED,
            (model.id,),
            "The model has no lanes to compare with (at most one team does its work), so the "
            f"checks of who does what (WRONG-LANE, UNMODELLED-HANDOFF) did not run; {seen}.",
            "Put the activities into lanes for the teams that own them (or give each activity "
            "its lane in a YAML model) to check handoffs and ownership.",
            {"observed_lanes": observed[:20], "lane_source": mapped.lane_source},
        )
    ]


def _approximated(model: Model, result: Conformance, total: int) -> list[Finding | None]:
    approx = result.approximated
    if not approx:
        return []
    cases = sum(v.count for v in approx)
    examples = sorted(c for v in approx[:_EXAMPLES] for c in v.cases[:1])
    number = variant_ranks(result.variants)
    largest = sorted(approx, key=lambda v: (-v.count, number[v.labels]))[:_LISTED_APPROXIMATED]
    return [
        make_finding(
            model,
            APPROXIMATED,
            (model.id,),
            f"{len(approx):,} variant(s) ({cases:,} case(s), {cases / max(total, 1):.1%}) could "
            "not be aligned within the budget; their fitness is the token-replay fitness "
            "and their skips are not counted.",
            "Give the alignments more time (check --align-budget 10m), or simplify the model "
            "(a discovered model with many silent steps is slow to align).",
            {
                "variants": len(approx),
                "cases": cases,
                "example_cases": examples,
                "longest_variant_events": max(len(v.labels) for v in approx),
                "aligned_exactly_share": _round(result.aligned_exactly_share),
                "approximated": [
                    {"variant": number[v.labels], "cases": v.count, "events": len(v.labels)}
                    for v in largest
                ],
            },
            case_codes=_codes(approx),
        )
    ]


def _codes(found: list[Variant]) -> Any:
    """The case codes of some variants, sorted, as one int32 array."""
    import numpy as np

    if not found:
        return np.zeros(0, dtype=np.int32)
    return np.sort(np.concatenate([np.asarray(v.case_codes, dtype=np.int32) for v in found]))


def _skipped(model: Model, result: Conformance, total: int) -> list[Finding]:
    by_label = {n.label: n for n in model.activities()}
    out = []
    for label, n_cases in sorted(result.skips.items()):
        node = by_label.get(label)
        cases = result.skip_examples(label, _EXAMPLES)
        out.append(
            make_finding(
                model,
                SKIPPED,
                (node.id if node else label,),
                f"{label!r} was skipped in {n_cases} case(s) ({n_cases / max(total, 1):.1%}): the "
                "model expects it, the log does not show it.",
                f"Find out whether {label!r} is done outside the system, no longer needed, or "
                "really forgotten — then change the model or the practice.",
                {
                    "cases": n_cases,
                    "share_of_cases": round(n_cases / max(total, 1), 4),
                    "example_cases": cases[:_EXAMPLES],
                },
                case_codes=_codes(result.skip_variants.get(label, [])),
            )
        )
    return [f for f in out if f is not None]
