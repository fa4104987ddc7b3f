"""Two windows side by side as text: the table of ``check --compare`` and ``journey --compare``."""

from __future__ import annotations

from bpmtool import api

__all__ = ["format_comparison"]


def format_comparison(c: api.WindowComparison, window: str, what: str = "Comparison") -> str:
    """Two windows' KPIs and finding counts as a text table (``check --compare`` and
    ``journey --compare``)."""
    a, b = c.labels
    how = "events in" if window == "trim" else f"cases {window} in"
    width = max([34, *(len(k["label"]) for k in c.kpis), *(len(f["code"]) for f in c.findings)])
    lines = [f"{what} of {a} and {b} ({how} each)", ""]
    lines.append(f"  {'KPI':<{width}} {a:>12} {b:>12} {'change':>10}")
    for k in c.kpis:
        lines.append(
            f"  {k['label']:<{width}} {_kpi(k['a'], k['kind']):>12} "
            f"{_kpi(k['b'], k['kind']):>12} {_change(k['change'], k['kind']):>10}"
        )
    lines += ["", f"  {'findings (findings / cases)':<{width}} {a:>12} {b:>12} {'cases':>10}"]
    for f in c.findings:
        lines.append(
            f"  {f['code']:<{width}} {_pair(f['findings_a'], f['cases_a']):>12} "
            f"{_pair(f['findings_b'], f['cases_b']):>12} {_change(f['cases_change'], 'count'):>10}"
        )
    if not c.findings:
        lines.append("  no findings in either window")
    return "\n".join(lines) + "\n"


def _pair(findings: int, cases: int | None) -> str:
    """``findings / cases``, or the findings alone when they do not list their cases."""
    return f"{findings:,}" if cases is None else f"{findings:,} / {cases:,}"


def _kpi(value: float | None, kind: str) -> str:
    if value is None:
        return "-"
    if kind == "compliance":
        return api.compliance_label(value)
    if kind == "share":
        return f"{value:.1%}"
    if kind == "days":
        return f"{value:.2f}"
    return f"{int(value):,}"


def _change(value: float | None, kind: str) -> str:
    if value is None:
        return "-"
    if kind in ("share", "compliance"):
        return f"{value * 100:+.1f} pt"
    if kind == "days":
        return f"{value:+.2f}"
    return f"{int(value):+,}"
