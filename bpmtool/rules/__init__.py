"""Static rules: the gaps, overlaps and structural problems visible in the model itself.

One small function per rule, registered in :mod:`bpmtool.findings` under a stable
code (see :mod:`bpmtool.rules.gaps`, :mod:`bpmtool.rules.overlaps`,
:mod:`bpmtool.rules.structure`).  :func:`run_rules` applies the model's preset and
overrides, runs every rule inside a guard (a crashing rule becomes a ``RULE-ERROR``
finding and the lint goes on) and returns the findings sorted.
"""

from __future__ import annotations

import difflib

from bpmtool.findings import RULES, Finding, Kind, Severity, effective_severity, sort_findings
from bpmtool.graph import ProcessGraph
from bpmtool.model import Model
from bpmtool.rules import gaps, overlaps, structure  # noqa: F401  (registers the rules)

__all__ = ["RULE_ERROR", "UNKNOWN_RULE", "run_rules"]

RULE_ERROR = "RULE-ERROR"
UNKNOWN_RULE = "UNKNOWN-RULE"


def run_rules(model: Model, graph: ProcessGraph | None = None) -> list[Finding]:
    """Lint ``model`` with the static rules its preset and overrides switch on."""
    context = graph or ProcessGraph(model)
    findings: list[Finding] = []
    for code in sorted(RULES):
        rule = RULES[code]
        if rule.scope != "model" or rule.check is None:
            continue
        severity = effective_severity(rule, model.preset, model.rules)
        if severity is None:
            continue
        try:
            reports = list(rule.check(context))
        except Exception as exc:  # a broken rule must not stop the lint
            findings.append(Finding(
                RULE_ERROR, Kind.STRUCTURE, Severity.ERROR, (code,),
                f"rule {code} crashed on this model ({type(exc).__name__}: {exc}); "
                "the other rules ran", "Report this model to the bpmtool developers."))
            continue
        findings += [Finding(code, rule.kind, severity, r.subject, r.message, r.fix,
                             dict(r.evidence)) for r in reports]
    findings += _unknown_overrides(model)
    return sort_findings(findings)


def _unknown_overrides(model: Model) -> list[Finding]:
    out = []
    for code in sorted(model.rules):
        if code in RULES:
            continue
        close = difflib.get_close_matches(code, list(RULES), n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        out.append(Finding(
            UNKNOWN_RULE, Kind.STRUCTURE, Severity.WARNING, (code,),
            f"'rules:' names {code!r}, which is not a rule code, so the setting does nothing."
            + hint, "Use a code listed by `bpmtool rules`."))
    return out
