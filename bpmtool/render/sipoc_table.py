"""SIPOC tables as text, Markdown, CSV, HTML, JSON and Excel (.xlsx).

Drawing only: the table itself comes from :func:`bpmtool.sipoc.sipoc`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from html import escape

from bpmtool.sipoc import Sipoc, SipocRow

__all__ = ["FORMATS", "to_csv", "to_html", "to_json", "to_markdown", "to_text", "to_xlsx"]

FORMATS = ("text", "md", "csv", "html", "json", "xlsx")
HEADER = ("Stage", "Lane", "Suppliers", "Inputs", "Process", "Outputs", "Customers")


def _cells(table: Sipoc, row: SipocRow, sep: str = ", ") -> tuple[str, ...]:
    stage = next((s.name for s in table.stages if s.id == row.stage), "")
    return (
        stage,
        row.lane,
        sep.join(row.suppliers),
        sep.join(row.inputs),
        row.process,
        sep.join(row.outputs),
        sep.join(row.customers),
    )


def to_text(table: Sipoc) -> str:
    """An aligned plain-text table, one line per activity, then the roll-ups."""
    rows = [HEADER, *(_cells(table, r) for r in table.rows)]
    widths = [min(max(len(r[i]) for r in rows), 40) for i in range(len(HEADER))]

    def line(cells: tuple[str, ...]) -> str:
        return "  ".join(_clip(c, w).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [f"SIPOC — {table.model_name}", "", line(HEADER), line(tuple("-" * w for w in widths))]
    out += [line(r) for r in rows[1:]]
    for title, rollups in (("By stage", table.stages), ("By lane", table.lanes)):
        if not rollups:
            continue
        out += ["", f"{title} (what crosses the boundary)"]
        for r in rollups:
            out.append(f"  {r.name}")
            out.append(f"    suppliers: {', '.join(r.suppliers) or '-'}")
            out.append(f"    inputs:    {', '.join(r.inputs) or '-'}")
            out.append(f"    process:   {' → '.join(r.process) or '-'}")
            out.append(f"    outputs:   {', '.join(r.outputs) or '-'}")
            out.append(f"    customers: {', '.join(r.customers) or '-'}")
    return "\n".join(out) + "\n"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def to_markdown(table: Sipoc) -> str:
    """GitHub-flavoured Markdown tables."""

    def md(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    out = [
        f"# SIPOC — {md(table.model_name)}",
        "",
        "| " + " | ".join(HEADER) + " |",
        "|" + "---|" * len(HEADER),
    ]
    out += ["| " + " | ".join(md(c) for c in _cells(table, r, "<br>")) + " |" for r in table.rows]
    for title, rollups in (("By stage", table.stages), ("By lane", table.lanes)):
        if not rollups:
            continue
        out += [
            "",
            f"## {title}",
            "",
            "| | Suppliers | Inputs | Process | Outputs | Customers |",
            "|---|---|---|---|---|---|",
        ]
        for r in rollups:
            cells = (
                r.name,
                ", ".join(r.suppliers),
                ", ".join(r.inputs),
                " → ".join(r.process),
                ", ".join(r.outputs),
                ", ".join(r.customers),
            )
            out.append("| " + " | ".join(md(c) for c in cells) + " |")
    return "\n".join(out) + "\n"


def to_csv(table: Sipoc) -> str:
    """One row per activity; several suppliers or artifacts are joined with '; '."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(("node", *[h.lower() for h in HEADER]))
    for r in table.rows:
        writer.writerow((r.node, *_cells(table, r, "; ")))
    return buf.getvalue()


def to_json(table: Sipoc) -> str:
    return json.dumps(table.to_dict(), indent=2, ensure_ascii=False) + "\n"


def to_html(table: Sipoc, *, standalone: bool = True) -> str:
    """An HTML table (a whole page unless ``standalone`` is False)."""
    head = "".join(f"<th>{escape(h)}</th>" for h in HEADER)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(c)}</td>" for c in _cells(table, r, ", ")) + "</tr>"
        for r in table.rows
    )
    fragment = f'<table class="sipoc"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    if not standalone:
        return fragment
    style = (
        "body{font-family:system-ui,sans-serif;margin:2rem;color:#1d2733}"
        "table{border-collapse:collapse;font-size:14px}th,td{border:1px solid #cfd6de;"
        "padding:6px 10px;vertical-align:top;text-align:left}th{background:#eef2f6}"
    )
    return (
        f"<!doctype html><html lang=en><meta charset=utf-8><title>SIPOC — "
        f"{escape(table.model_name)}</title><style>{style}</style><h1>SIPOC — "
        f"{escape(table.model_name)}</h1>{fragment}</html>\n"
    )


def to_xlsx(table: Sipoc) -> bytes:
    """An Excel workbook: a summary sheet, one sheet per stage, one for unstaged activities."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE6EF")
    wrap = Alignment(wrap_text=True, vertical="top")

    def sheet(
        title: str, header: tuple[str, ...], rows: Sequence[tuple[str, ...]], first: bool
    ) -> None:
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        ws.title = _sheet_title(title, wb.sheetnames if not first else [])
        ws.append(list(header))
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
        for row in rows:
            ws.append(list(row))
        for i, _ in enumerate(header, start=1):
            ws.column_dimensions[get_column_letter(i)].width = 28
        for line in ws.iter_rows(min_row=2):
            for cell in line:
                cell.alignment = wrap
        ws.freeze_panes = "A2"

    roll_header = ("Scope", "Name", "Suppliers", "Inputs", "Process", "Outputs", "Customers")
    summary = [
        (
            r.scope,
            r.name,
            "\n".join(r.suppliers),
            "\n".join(r.inputs),
            "\n".join(r.process),
            "\n".join(r.outputs),
            "\n".join(r.customers),
        )
        for r in (*table.stages, *table.lanes)
    ]
    sheet("Summary", roll_header, summary, first=True)
    groups = [(s.name, s.id) for s in table.stages]
    if any(r.stage is None for r in table.rows):
        groups.append(("No stage" if table.stages else "Activities", None))  # type: ignore[arg-type]
    for name, stage_id in groups:
        rows = [_cells(table, r, "\n") for r in table.rows_of_stage(stage_id)]
        sheet(name, HEADER, rows, first=False)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _sheet_title(title: str, taken: list[str]) -> str:
    clean = "".join(c for c in title if c not in "[]:*?/\\")[:31] or "Sheet"
    candidate, n = clean, 2
    while candidate in taken:
        candidate = f"{clean[:28]} {n}"
        n += 1
    return candidate
