"""Findings, the common currency of every check, and the registry of their codes.

A *rule* is registered once under a stable code with its kind, its default
severity and a one-line reason why it matters.  Static rules (``scope="model"``)
carry a check function; log checks (``scope="log"``) only register their code
here so that ``bpmtool rules`` lists every code a user can meet.  Severities
live in presets and model overrides, not in the rule (as in bpmnlint).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

__all__ = [
    "RULES",
    "Finding",
    "Kind",
    "Report",
    "Rule",
    "Severity",
    "effective_severity",
    "register",
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


@dataclass(frozen=True)
class Report:
    """What a rule function yields; the runner turns it into a :class:`Finding`."""

    subject: tuple[str, ...]
    message: str
    fix: str = ""
    evidence: Mapping[str, Any] = field(default_factory=dict)


Scope = Literal["model", "log"]


@dataclass(frozen=True)
class Rule:
    """A registered code: what it flags and why, and (for static rules) how to check it."""

    code: str
    kind: Kind
    severity: Severity
    why: str
    scope: Scope = "model"
    check: Callable[[Any], Iterable[Report]] | None = None
    #: off in the ``recommended`` preset, on in ``all``
    optional: bool = False


RULES: dict[str, Rule] = {}


def register(code: str, kind: Kind, severity: Severity, why: str, *, scope: Scope = "model",
             optional: bool = False) -> Callable[[Callable[[Any], Iterable[Report]]],
                                                 Callable[[Any], Iterable[Report]]]:
    """Register a rule function under a stable code (a decorator).

    >>> @register("DOC-EXAMPLE", Kind.GAP, Severity.INFO, "an example", optional=True)
    ... def _example(context):
    ...     return []
    >>> RULES.pop("DOC-EXAMPLE").kind
    <Kind.GAP: 'gap'>
    """

    def decorate(fn: Callable[[Any], Iterable[Report]]) -> Callable[[Any], Iterable[Report]]:
        if code in RULES and RULES[code].check is not fn:
            raise ValueError(f"rule code {code} registered twice")
        RULES[code] = Rule(code, kind, severity, why, scope, fn, optional)
        return fn

    return decorate


def register_code(code: str, kind: Kind, severity: Severity, why: str) -> Rule:
    """Register a code produced by a log check (no static function)."""
    rule = Rule(code, kind, severity, why, scope="log")
    RULES.setdefault(code, rule)
    return RULES[code]


def effective_severity(rule: Rule, preset: str, overrides: Mapping[str, str]) -> Severity | None:
    """The severity a rule reports with under a preset and overrides; ``None`` when off."""
    setting = overrides.get(rule.code)
    if setting == "off":
        return None
    if setting is not None:
        return Severity(setting)
    if rule.optional and preset != "all":
        return None
    return rule.severity


_KIND_ORDER = {k: i for i, k in enumerate(Kind)}


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Deterministic order: severity (worst first), kind, code, subject."""
    return sorted(findings, key=lambda f: (-f.severity.rank, _KIND_ORDER[f.kind], f.code,
                                           f.subject, f.message))
