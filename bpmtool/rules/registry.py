"""The check functions of the static rules, each attached to a code declared in
:data:`bpmtool.findings.RULES`.

Kind, default severity and reason live in the catalogue; a rule module only says
which declared code its function checks:

>>> @rule("NO-START")
... def _example(graph):
...     return []
>>> CHECKS["NO-START"] is _example
True
>>> from bpmtool.rules import structure
>>> CHECKS["NO-START"] = structure.no_start  # put the real one back
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from bpmtool.findings import RULES, Report

__all__ = ["CHECKS", "Check", "rule"]

Check = Callable[[Any], Iterable[Report]]

#: code → the function that checks it (filled by the modules of :mod:`bpmtool.rules`)
CHECKS: dict[str, Check] = {}


def rule(code: str) -> Callable[[Check], Check]:
    """Attach a check function to a static rule code declared in the catalogue."""
    declared = RULES.get(code)
    if declared is None or declared.scope != "model":
        raise ValueError(f"{code} is not a static rule code declared in bpmtool.findings")

    def attach(fn: Check) -> Check:
        CHECKS[code] = fn
        return fn

    return attach
