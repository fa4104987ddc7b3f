"""Findings as a table for spreadsheets: CSV (UTF-8 with a BOM, so Excel reads accents) and
Excel (.xlsx), one row per finding, numbered as the report and the drawing number them.

The cost columns come from :func:`bpmtool.priorities.cost_of`, the function the report's
summary uses, so a spreadsheet and the report give the same cases and days.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from bpmtool.findings import Finding
from bpmtool.priorities import cost_of

__all__ = ["HEADER", "rows", "to_csv", "to_xlsx"]

HEADER = (
    "#",
    "Severity",
    "Kind",
    "Code",
    "What is wrong",
    "Suggested fix",
    "About",
    "Cases",
    "Share of cases",
    "Days lost",
    "How the days are counted",
    "Example cases",
    "Evidence (JSON)",
)

#: a cell Excel or LibreOffice would run as a formula: written with a leading apostrophe
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def rows(findings: Sequence[Finding]) -> list[tuple[Any, ...]]:
    """One row per finding, in the order given (numbered from 1)."""
    out: list[tuple[Any, ...]] = []
    for n, f in enumerate(findings, start=1):
        cost = cost_of(f, n)
        ev = f.evidence
        examples = ev.get("example_cases") or (
            ev["cases"] if isinstance(ev.get("cases"), list) else []
        )
        out.append(
            (
                n,
                f.severity.value,
                f.kind.value,
                f.code,
                f.message,
                f.fix,
                " ".join(f.subject),
                cost.cases,
                ev.get("share_of_cases"),
                None if cost.days is None else round(cost.days, 2),
                cost.basis,
                " ".join(str(c) for c in examples),
                json.dumps(dict(ev), ensure_ascii=False, default=str, sort_keys=True),
            )
        )
    return out


def _safe(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def to_csv(findings: Sequence[Finding]) -> str:
    """The findings as CSV text (starting with a byte-order mark for Excel)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows(findings):
        writer.writerow(["" if v is None else _safe(v) for v in row])
    return "\ufeff" + buf.getvalue()


def to_xlsx(findings: Sequence[Finding]) -> bytes:
    """The findings as an Excel workbook with one sheet, ``Findings``."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Findings"
    ws.append(list(HEADER))
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDE6EF")
    for row in rows(findings):
        ws.append([_safe(v) for v in row])
    widths = (5, 10, 12, 24, 60, 50, 24, 8, 10, 10, 30, 30, 40)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")
    for line in ws.iter_rows(min_row=2):
        for cell in line:
            cell.alignment = wrap
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
