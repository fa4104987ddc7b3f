"""The report never contradicts itself: every number it shows twice reads the same twice.

The report of the example (check + journey + surveys) is rendered once and read back as
text; each figure printed in two places — the header cards and the log table, a CTQ's row
and its CTQ-BREACH finding, a slow handoff and the handoff table, the summary's costs and
the findings' evidence — is compared."""

from __future__ import annotations

import html
import re

import pytest

from bpmtool import api
from bpmtool.durations import days_label
from tests.conftest import EXAMPLES, REFERENCE_MODEL


@pytest.fixture(scope="module")
def example() -> tuple[str, object, object]:
    model = api.load(REFERENCE_MODEL)
    log = api.read_log(EXAMPLES / "saas-handoffs.csv")
    check = api.check(model, log)
    journey = api.journey(model, log, surveys=EXAMPLES / "saas-handoffs-surveys.csv")
    page = api.report(model, check=check, journey=journey, source=REFERENCE_MODEL.name)
    return page, check, journey


def _text(page: str) -> str:
    page = re.sub(r"<svg.*?</svg>", " ", page, flags=re.S)
    page = re.sub(r"<style.*?</style>", " ", page, flags=re.S)
    page = re.sub(r"<(tr|li|h[1-6]|p|dt|div)[^>]*>", "\n", page)
    return re.sub(r"[ \t]+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_each_ctq_reads_the_same_in_its_row_its_finding_and_its_slow_handoff(example) -> None:
    page, check, journey = example
    text = _text(page)
    table = _section(text, "Critical to quality", "SIPOC")
    findings = {f.subject[0]: f for f in journey.findings if f.code == "CTQ-BREACH"}
    slow = {f.evidence.get("ctq"): f for f in check.findings if f.code == "SLOW-HANDOFF"}
    assert findings, "the example breaks CTQs"
    for c in journey.ctqs:
        d = c.to_dict()
        row = next(line for line in table.splitlines() if line.strip().startswith(c.name))
        cells = row.split()
        # the row shows the p50/p90 texts the finding's sentence uses
        for figure in (d["p50_text"], d["p90_text"], d["compliant_text"].split()[0]):
            assert figure in cells, (c.ctq, figure, row)
            if c.ctq in findings:
                assert figure in findings[c.ctq].message, (c.ctq, figure)
        assert str(c.breaches) in cells and str(c.decided) in cells
        if c.ctq in findings:
            f = findings[c.ctq]
            assert f"{c.breaches} of {c.decided} decided" in f.message
            assert f.message in text  # the finding as listed
        if c.ctq in slow:
            # the slow handoff measures the same wait: its p90 and its late cases agree
            s = slow[c.ctq]
            assert s.evidence["p90"] == d["p90_text"] and s.evidence["p50"] == d["p50_text"]
            assert s.evidence["cases"] == c.late
            assert f"{c.late} case(s) waited longer" in s.message
            assert f"{c.late} finished late" in c.summary()


def test_the_header_the_log_table_and_the_summary_agree(example) -> None:
    page, check, _ = example
    text = _text(page)
    s = check.summary()
    header = text[: text.index("Summary")]
    table = _section(text, "What the event log shows", "Observed handoffs")
    assert f"{s['cases']:,} cases in the log" in header
    assert f"Cases (open) {s['cases']:,} ({s['open_cases']})" in table
    summary = _section(text, "Summary", "Swimlanes")
    assert (
        f"{s['cases']:,} cases, {s['open_cases']} of them still open, {s['events']:,} events"
        in summary
    )
    fitness = s["fitness_alignments"]
    assert f"{fitness:.1%} fitness" in header and f"Fitness (alignments) {fitness:.1%}" in table
    assert (
        f"{s['precision']:.1%} precision" in header and f"Precision {s['precision']:.1%}" in table
    )
    assert "7 Jan 2025 – 11 Aug 2025" in summary


def test_the_summarys_costs_are_the_findings_evidence(example) -> None:
    page, check, journey = example
    text = _text(page)
    summary = _section(text, "Summary", "Swimlanes")
    findings = api.diagram_findings(api.load(REFERENCE_MODEL), check) + journey.findings
    top = api.costly_problems(findings)
    assert len(top) == 3
    for cost in top:
        f = findings[cost.number - 1]
        assert cost.finding is f
        listed = f"{cost.number} {f.severity.value}"  # numbered as the findings list
        assert listed in re.sub(r"\s+", " ", _section(text, "Findings", "Handoffs"))
        expected_cases = f.evidence.get("breaches", f.evidence.get("cases"))
        assert cost.cases == expected_cases
        assert f"{cost.cases} cases, {cost.days_text} {cost.basis}" in summary
        if "days_over_limit" in f.evidence:
            assert cost.days_text == days_label(f.evidence["days_over_limit"])
            assert cost.days_text in f.message  # the finding says the same total
        else:
            assert cost.days == pytest.approx(f.evidence["extra_days"] * f.evidence["cases"])
    # the slow handoff of a broken CTQ is that CTQ's problem, not a second one
    codes = [c.finding.code for c in top]
    assert codes[0] == "CTQ-BREACH" and "SLOW-HANDOFF" not in codes


def test_the_slow_handoff_and_the_handoff_table_show_one_wait(example) -> None:
    page, check, _ = example
    text = _text(page)
    table = _section(text, "Observed handoffs", "Skipped and inserted steps")
    for f in check.findings:
        if f.code != "SLOW-HANDOFF":
            continue
        row = next(
            h for h in check.handoffs if (h.source_lane, h.target_lane) == tuple(f.subject[1:3])
        )
        by_pair = next(a for a in row.by_activity if [a["from"]] == f.evidence["sender"])
        assert by_pair["p90_wait"] == f.evidence["p90"]
        assert row.p90_wait in table
