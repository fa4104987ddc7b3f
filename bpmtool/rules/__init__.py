"""Static rules: the gaps, overlaps and structural problems visible in the model itself.

One small function per rule, attached to a code declared in :mod:`bpmtool.findings`
(see :mod:`bpmtool.rules.gaps`, :mod:`bpmtool.rules.overlaps`,
:mod:`bpmtool.rules.structure`).  :func:`run_rules` applies the model's preset and
overrides, runs every rule inside a guard (a crashing rule becomes a ``RULE-ERROR``
finding and the lint goes on) and returns the findings sorted.
"""

from __future__ import annotations

import difflib

from bpmtool.findings import (
    RULE_ERROR,
    RULES,
    UNKNOWN_RULE,
    Finding,
    make_finding,
    severity_for,
    sort_findings,
)
from bpmtool.graph import ProcessGraph
from bpmtool.model import Model
from bpmtool.rules import gaps, overlaps, structure  # noqa: F401  (attaches the checks)
from bpmtool.rules.registry import CHECKS

__all__ = ["RULE_ERROR", "UNKNOWN_RULE", "run_rules"]


def run_rules(model: Model, graph: ProcessGraph | None = None) -> list[Finding]:
    """Lint ``model`` with the static rules its preset and overrides switch on."""
    context = graph or ProcessGraph(model)
    findings: list[Finding | None] = []
    for code in sorted(CHECKS):
        if severity_for(model, code) is None:
            continue
        try:
            reports = list(CHECKS[code](context))
        except Exception as exc:  # a broken rule must not stop the lint
            findings.append(
                make_finding(
                    model,
                    RULE_ERROR,
                    (code,),
                    f"rule {code} crashed on this model ({type(exc).__name__}: {exc}); "
                    "the other rules ran",
                    "Report this model to the bpmtool developers.",
                )
            )
            continue
        findings += [
            make_finding(model, code, r.subject, r.message, r.fix, r.evidence) for r in reports
        ]
    findings += _unknown_overrides(model)
    return sort_findings(f for f in findings if f is not None)


def _unknown_overrides(model: Model) -> list[Finding | None]:
    out = []
    for code in sorted(model.rules):
        if code in RULES:
            continue
        close = difflib.get_close_matches(code, list(RULES), n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        out.append(
            make_finding(
                model,
                UNKNOWN_RULE,
                (code,),
                f"'rules:' names {code!r}, which is not a rule code, so the setting does nothing."
                + hint,
                "Use a code listed by `bpmtool rules`.",
            )
        )
    return out
