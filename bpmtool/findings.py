"""Findings, the common currency of every check, and the catalogue of their codes.

Every code a user can meet is declared here, up front, as data: its kind, its
default severity, whether it is optional (off in the ``recommended`` preset, on in
``all``) and a one-line reason why it matters.  Nothing has to be imported for a
code to be known, so ``rules: {WRONG-LANE: off}`` means the same whatever ran
before.  Static rules attach their check function to a declared code in
:mod:`bpmtool.rules`; log checks and the journey make their findings with
:func:`make_finding`, which applies the model's preset and overrides.  Severities
live in presets and model overrides, not in the check (as in bpmnlint).

>>> RULES["WRONG-LANE"].scope, RULES["WRONG-LANE"].severity.value
('log', 'warning')
>>> PRESETS["recommended"]["IMPLICIT-SPLIT"] is None, PRESETS["all"]["IMPLICIT-SPLIT"].value
(True, 'warning')
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Literal, Protocol

__all__ = [
    "CASE_CODES",
    "PRESETS",
    "RULES",
    "RULE_ERROR",
    "UNKNOWN_RULE",
    "Finding",
    "Kind",
    "Policy",
    "Report",
    "Rule",
    "Severity",
    "make_finding",
    "severity_for",
    "sort_findings",
]


class Kind(StrEnum):
    """What sort of problem a finding is."""

    GAP = "gap"
    OVERLAP = "overlap"
    STRUCTURE = "structure"
    DEVIATION = "deviation"
    PERFORMANCE = "performance"


class Severity(StrEnum):
    """How bad a finding is; compare with :attr:`rank`."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


@dataclass(frozen=True)
class Finding:
    """One flagged problem, about the model or about what a log shows."""

    code: str
    kind: Kind
    severity: Severity
    subject: tuple[str, ...]
    message: str
    fix: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)
    #: a log finding's cases, as integer codes into its log's case ids (a numpy int32 array,
    #: or ``None``): what the finding's case list shows (:mod:`bpmtool.mining.cases`)
    case_codes: Any = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON shape documented in the README."""
        return {
            "code": self.code,
            "kind": self.kind.value,
            "severity": self.severity.value,
            "subject": list(self.subject),
            "message": self.message,
            "fix": self.fix,
            "evidence": dict(self.evidence),
        }

    @classmethod
    def from_dict(cls, doc: Mapping[str, Any]) -> Finding:
        """The finding of a :meth:`to_dict` (e.g. read back from a check's JSON)."""
        return cls(
            code=str(doc["code"]),
            kind=Kind(doc["kind"]),
            severity=Severity(doc["severity"]),
            subject=tuple(str(s) for s in doc.get("subject") or ()),
            message=str(doc.get("message") or ""),
            fix=str(doc.get("fix") or ""),
            evidence=dict(doc.get("evidence") or {}),
        )


@dataclass(frozen=True)
class Report:
    """What a static rule function yields; the runner turns it into a :class:`Finding`."""

    subject: tuple[str, ...]
    message: str
    fix: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)


#: ``model``: a static rule on the model; ``log``: a check on an event log;
#: ``lint``: what the rule runner itself reports
Scope = Literal["model", "log", "lint"]


@dataclass(frozen=True)
class Rule:
    """A declared finding code: what it flags, how bad by default, and why it matters."""

    code: str
    kind: Kind
    severity: Severity
    scope: Scope
    why: str
    #: off in the ``recommended`` preset, on in ``all``
    optional: bool = False


#: the evidence key under which a log check hands its cases' codes to :func:`make_finding`
CASE_CODES = "bpmtool:case_codes"
RULE_ERROR = "RULE-ERROR"
UNKNOWN_RULE = "UNKNOWN-RULE"

_CATALOGUE: tuple[Rule, ...] = (
    # --- static rules (bpmtool/rules), checked on the model alone
    Rule(
        "DEAD-END",
        Kind.GAP,
        Severity.ERROR,
        "model",
        "A case that reaches a step with no way to an end gets stuck there.",
    ),
    Rule(
        "HANDOFF-ARTIFACT-NOT-PRODUCED",
        Kind.GAP,
        Severity.ERROR,
        "model",
        "A team cannot hand over what none of its steps produces.",
    ),
    Rule(
        "HANDOFF-ARTIFACT-NOT-USED",
        Kind.GAP,
        Severity.WARNING,
        "model",
        "What is handed over but not used by the receiver is wasted work, or a missing input.",
    ),
    Rule(
        "HANDOFF-NO-ARTIFACT",
        Kind.GAP,
        Severity.WARNING,
        "model",
        "A handoff that names nothing handed over leaves the receiving team guessing.",
    ),
    Rule(
        "HANDOFF-NO-RECEIVER",
        Kind.GAP,
        Severity.WARNING,
        "model",
        "A handoff that leads to no activity is work sent to a team that never picks it up.",
    ),
    Rule(
        "INPUT-NO-SUPPLIER",
        Kind.GAP,
        Severity.WARNING,
        "model",
        "A step that needs something no step produces waits on a supplier nobody named.",
    ),
    Rule(
        "LANE-EMPTY",
        Kind.GAP,
        Severity.WARNING,
        "model",
        "A team in the model that does nothing is a role nobody defined.",
    ),
    Rule(
        "MILESTONE-NOT-MEASURABLE",
        Kind.GAP,
        Severity.WARNING,
        "model",
        "A milestone the log cannot answer is a question nobody can check.",
    ),
    Rule(
        "NODE-NO-LANE",
        Kind.GAP,
        Severity.ERROR,
        "model",
        "A step without an owner is a step nobody is accountable for.",
    ),
    Rule(
        "OUTPUT-NO-CUSTOMER",
        Kind.GAP,
        Severity.WARNING,
        "model",
        "An output nobody uses is either waste or a handoff the model forgot.",
    ),
    Rule(
        "STAGE-NO-HANDOFF",
        Kind.GAP,
        Severity.WARNING,
        "model",
        "When the next journey stage belongs to another team, the customer falls between "
        "stages unless someone hands them over.",
        optional=True,
    ),
    Rule(
        "STAGE-NOT-COVERED",
        Kind.GAP,
        Severity.WARNING,
        "model",
        "A journey stage with no activity is a promise to the customer no team keeps.",
    ),
    Rule(
        "UNREACHABLE", Kind.GAP, Severity.ERROR, "model", "A step no path leads to is never done."
    ),
    Rule(
        "ARTIFACT-MULTIPLE-PRODUCERS",
        Kind.OVERLAP,
        Severity.WARNING,
        "model",
        "When two teams produce the same artifact, nobody knows which version counts.",
    ),
    Rule(
        "DUPLICATE-ACTIVITY",
        Kind.OVERLAP,
        Severity.WARNING,
        "model",
        "The same work owned by two teams is done twice or argued over.",
    ),
    Rule(
        "DUPLICATE-HANDOFF",
        Kind.OVERLAP,
        Severity.WARNING,
        "model",
        "Handing the same thing over twice between the same teams means two channels and one "
        "of them is stale.",
    ),
    Rule(
        "PING-PONG",
        Kind.OVERLAP,
        Severity.WARNING,
        "model",
        "A loop across lanes hands work back to a team that already had it.",
    ),
    Rule(
        "STAGE-OVERLAP",
        Kind.OVERLAP,
        Severity.WARNING,
        "model",
        "A step in two journey stages makes the customer's stage ambiguous.",
    ),
    Rule(
        "DISCONNECTED",
        Kind.STRUCTURE,
        Severity.ERROR,
        "model",
        "Parts of a model that no flow connects are separate processes or forgotten steps.",
    ),
    Rule(
        "EMPTY-MODEL",
        Kind.STRUCTURE,
        Severity.ERROR,
        "model",
        "A model without a single step describes no process: there is nothing to check.",
    ),
    Rule(
        "GATEWAY-SINGLE-FLOW",
        Kind.STRUCTURE,
        Severity.WARNING,
        "model",
        "A gateway that neither splits nor joins decides nothing and clutters the diagram.",
    ),
    Rule(
        "IMPLICIT-SPLIT",
        Kind.STRUCTURE,
        Severity.WARNING,
        "model",
        "Several flows leaving a step without a gateway leave open whether it is 'all of "
        "them' or 'one of them'.",
        optional=True,
    ),
    Rule(
        "NO-END",
        Kind.STRUCTURE,
        Severity.ERROR,
        "model",
        "Without an end event nobody knows when the work is done.",
    ),
    Rule(
        "NO-START",
        Kind.STRUCTURE,
        Severity.ERROR,
        "model",
        "Without a start event nobody knows what triggers the process.",
    ),
    # --- log checks (bpmtool/mining), checked on an event log
    Rule(
        "LEFT-HAPPY-PATH",
        Kind.DEVIATION,
        Severity.INFO,
        "log",
        "Customers who leave every known path to success after the purchase are the ones most "
        "likely to churn.",
    ),
    Rule(
        "SKIPPED-ACTIVITY",
        Kind.DEVIATION,
        Severity.WARNING,
        "log",
        "A modelled step that cases skip is a promise not kept, or a step nobody needs.",
    ),
    Rule(
        "UNEXPECTED-ACTIVITY",
        Kind.DEVIATION,
        Severity.WARNING,
        "log",
        "Work the model does not know of is invisible to everyone who plans the handoffs "
        "around it.",
    ),
    Rule(
        "ALIGNMENT-APPROXIMATED",
        Kind.DEVIATION,
        Severity.INFO,
        "log",
        "Variants aligned within no budget have an estimated fitness and uncounted skips; "
        "the figures are approximate for them.",
    ),
    Rule(
        "LANES-NOT-MODELLED",
        Kind.GAP,
        Severity.INFO,
        "log",
        "Without lanes in the model nobody can tell right from wrong owners or agreed from "
        "improvised handoffs.",
    ),
    Rule(
        "LANES-FROM-LOG",
        Kind.GAP,
        Severity.INFO,
        "log",
        "Lanes read off the log describe who usually does the work, not who should: the lane "
        "checks against them show exceptions to habit, not to a design.",
    ),
    Rule(
        "MISSED-TRIGGER",
        Kind.GAP,
        Severity.WARNING,
        "log",
        "A milestone reached without its follow-up in time is a moment the customer was left "
        "alone.",
    ),
    Rule(
        "UNMODELLED-HANDOFF",
        Kind.GAP,
        Severity.WARNING,
        "log",
        "A handoff that happens but is not in the model has no agreed artifact, owner or timing.",
    ),
    Rule(
        "UNUSED-HANDOFF",
        Kind.GAP,
        Severity.INFO,
        "log",
        "A modelled handoff nobody does is either obsolete or done outside the systems.",
    ),
    Rule(
        "PING-PONG-OBSERVED",
        Kind.OVERLAP,
        Severity.WARNING,
        "log",
        "Work that goes back to a team it already left costs a wait at every bounce.",
    ),
    Rule(
        "SHARED-ACTIVITY",
        Kind.OVERLAP,
        Severity.WARNING,
        "log",
        "One activity done by several teams has no single owner in practice.",
    ),
    Rule(
        "WRONG-LANE",
        Kind.OVERLAP,
        Severity.WARNING,
        "log",
        "Work done by a team that does not own it means the owner did not, or both did.",
    ),
    Rule(
        "CTQ-BREACH",
        Kind.PERFORMANCE,
        Severity.WARNING,
        "log",
        "A critical-to-quality time limit broken on real cases is a promise to the customer "
        "not kept.",
    ),
    Rule(
        "MILESTONE-OVERDUE",
        Kind.PERFORMANCE,
        Severity.WARNING,
        "log",
        "A milestone not reached within its deadline is a customer falling behind.",
    ),
    Rule(
        "SLOW-HANDOFF",
        Kind.PERFORMANCE,
        Severity.WARNING,
        "log",
        "A handoff whose 90th-percentile wait exceeds its target leaves one customer in ten "
        "waiting.",
    ),
    Rule(
        "STUCK-IN-STAGE",
        Kind.PERFORMANCE,
        Severity.WARNING,
        "log",
        "Customers who stay in a stage longer than any successful customer did are at risk.",
    ),
    # --- what the rule runner reports about itself
    Rule(
        RULE_ERROR,
        Kind.STRUCTURE,
        Severity.ERROR,
        "lint",
        "A rule that crashed on a model checked nothing; the other rules still ran.",
    ),
    Rule(
        UNKNOWN_RULE,
        Kind.STRUCTURE,
        Severity.WARNING,
        "lint",
        "A setting under 'rules:' that names no code does nothing, which is rarely meant.",
    ),
)

#: every finding code, by code
RULES: Mapping[str, Rule] = MappingProxyType({r.code: r for r in _CATALOGUE})

#: preset → code → severity (``None``: off).  ``recommended`` leaves the optional codes
#: off; ``all`` turns every code on at its default severity.
PRESETS: Mapping[str, Mapping[str, Severity | None]] = MappingProxyType(
    {
        "recommended": MappingProxyType(
            {r.code: None if r.optional else r.severity for r in _CATALOGUE}
        ),
        "all": MappingProxyType({r.code: r.severity for r in _CATALOGUE}),
    }
)


class Policy(Protocol):
    """What decides a code's severity: a preset and per-code overrides (a model has both)."""

    @property
    def preset(self) -> str: ...

    @property
    def rules(self) -> Mapping[str, str]: ...


def severity_for(policy: Policy, code: str) -> Severity | None:
    """The severity ``code`` reports with under a model's preset and overrides; ``None`` when
    it is switched off.  Raises ``KeyError`` for a code that is not declared."""
    default = PRESETS[policy.preset][code]
    setting = policy.rules.get(code)
    if setting == "off":
        return None
    if setting is not None:
        return Severity(setting)
    return default


def make_finding(
    policy: Policy,
    code: str,
    subject: Iterable[str],
    message: str,
    fix: str = "",
    evidence: Mapping[str, Any] | None = None,
    *,
    case_codes: Any = None,
) -> Finding | None:
    """A finding under a declared code, with its kind and the severity the model gives it;
    ``None`` when the model switched the code off.  ``case_codes`` are the cases behind a
    log finding (see :attr:`Finding.case_codes`); evidence may carry them instead under
    :data:`CASE_CODES` (as :meth:`bpmtool.mining.handoff_facts.CaseBook.cases` does).

    >>> from types import SimpleNamespace
    >>> model = SimpleNamespace(preset="recommended", rules={"SLOW-HANDOFF": "error"})
    >>> make_finding(model, "SLOW-HANDOFF", ("a", "b"), "slow").severity.value
    'error'
    >>> make_finding(model, "IMPLICIT-SPLIT", ("x",), "split") is None  # optional
    True
    """
    rule = RULES[code]
    severity = severity_for(policy, code)
    if severity is None:
        return None
    found = dict(evidence or {})
    codes = found.pop(CASE_CODES, case_codes)
    return Finding(code, rule.kind, severity, tuple(subject), message, fix, found, codes)


_KIND_ORDER = {k: i for i, k in enumerate(Kind)}


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Deterministic order: severity (worst first), kind, code, subject."""
    return sorted(
        findings,
        key=lambda f: (-f.severity.rank, _KIND_ORDER[f.kind], f.code, f.subject, f.message),
    )
