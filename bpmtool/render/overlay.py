"""What a check puts on the swimlane: walked counts, skipped steps, slow handoffs, unknown work.

A translation of a :class:`~bpmtool.mining.check.CheckResult` into the drawing's terms; the
numbers themselves come from the check.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bpmtool.render.svg import Overlay

if TYPE_CHECKING:
    from bpmtool.mining.check import CheckResult

__all__ = ["happy_overlay", "overlay_of"]


def overlay_of(check: CheckResult) -> Overlay:
    skipped: dict[str, int] = {}
    slow: set[str] = set()
    unexpected: list[tuple[str, int]] = []
    for f in check.findings:
        if f.code == "SKIPPED-ACTIVITY" and f.subject:
            skipped[f.subject[0]] = int(f.evidence.get("cases", 0))
        elif f.code == "SLOW-HANDOFF" and f.subject:
            slow.add(f.subject[0])
        elif f.code == "UNEXPECTED-ACTIVITY" and f.subject:
            unexpected.append((f.subject[0], int(f.evidence.get("events", 0))))
    return Overlay(
        flow_counts=[n for _, n in check.flow_counts],
        skipped=skipped,
        slow=slow,
        unexpected=unexpected,
        cases=check.cases,
    )


def happy_overlay(flow_counts: list[int], successful: int, paths: int) -> Overlay:
    """The happy paths over the swimlane: widths = successful cases whose path walks a flow."""
    return Overlay(
        flow_counts=flow_counts,
        cases=successful,
        caption=(
            f"The {paths} happy path(s) of {successful} successful case(s): line width = how many "
            "of those cases walk a flow; grey dashed = on no happy path."
        ),
    )
