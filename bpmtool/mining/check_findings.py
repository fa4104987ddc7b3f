"""The findings a check adds to the handoff findings: skipped activities, approximated
alignments, lanes that are not modelled or were taken from the log."""

from __future__ import annotations

from typing import Any

from bpmtool.findings import Finding, make_finding
from bpmtool.mining.conformance import Conformance, Variant
from bpmtool.mining.handoffs import SKIPPED, HandoffStats
from bpmtool.mining.log_lanes import LogLanes
from bpmtool.mining.mapping import MappedLog
from bpmtool.model import Model

__all__ = [
    "APPROXIMATED",
    "LANES_FROM_LOG",
    "LANES_NOT_MODELLED",
    "approximated",
    "codes_of",
    "lanes_missing",
    "log_lanes_finding",
    "skipped",
]

APPROXIMATED = "ALIGNMENT-APPROXIMATED"
LANES_NOT_MODELLED = "LANES-NOT-MODELLED"
LANES_FROM_LOG = "LANES-FROM-LOG"
_EXAMPLES = 5
#: approximated variants listed in their finding, most cases first
_LISTED_APPROXIMATED = 20


def log_lanes_finding(model: Model, mapped: MappedLog, derived: LogLanes) -> Finding:
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


def lanes_missing(
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


def approximated(model: Model, result: Conformance, total: int) -> list[Finding | None]:
    approx = result.approximated
    if not approx:
        return []
    from bpmtool.mining.check import _round, variant_ranks

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
            case_codes=codes_of(approx),
        )
    ]


def codes_of(found: list[Variant]) -> Any:
    """The case codes of some variants, sorted, as one int32 array."""
    import numpy as np

    if not found:
        return np.zeros(0, dtype=np.int32)
    return np.sort(np.concatenate([np.asarray(v.case_codes, dtype=np.int32) for v in found]))


def skipped(model: Model, result: Conformance, total: int) -> list[Finding]:
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
                case_codes=codes_of(result.skip_variants.get(label, [])),
            )
        )
    return [f for f in out if f is not None]
