"""``journey --compare``: two windows' journeys side by side, each side the numbers of a
journey of that window alone."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app as cli
from tests.conftest import EXAMPLES, REFERENCE_MODEL

LOG = EXAMPLES / "saas-handoffs.csv"


def _compare(*args: str) -> tuple[int, str]:
    out = CliRunner().invoke(cli, ["journey", str(REFERENCE_MODEL), str(LOG), *args, "-q"])
    return out.exit_code, out.output


def test_each_side_is_the_journey_of_that_window_alone() -> None:
    code, output = _compare("--compare", "2025-Q2", "--compare", "2025-Q3", "-f", "json")
    assert code == 0, output
    doc = json.loads(output)
    assert doc["labels"] == ["2025-Q2", "2025-Q3"]
    kpis = {k["kpi"]: k for k in doc["kpis"]}
    model = api.load(REFERENCE_MODEL)
    raw = pd.read_csv(LOG)
    starts = pd.to_datetime(raw["timestamp"], utc=True).groupby(raw["case_id"]).min()
    for side, period in (("a", "2025-Q2"), ("b", "2025-Q3")):
        since, until = api.parse_period(period)
        alone = api.journey(model, LOG, log_filter=api.LogFilter(since, until))
        started = starts.dt.tz_convert(None)
        assert kpis["cases"][side] == alone.n_cases
        assert alone.n_cases == int(((started >= since) & (started < until)).sum())
        success = int(alone.cases["success"].sum())
        assert kpis["success"][side] == round(success / alone.n_cases, 4)
        for stage in alone.funnel:
            assert kpis[f"stage:{stage.stage}:conversion"][side] == stage.conversion
            assert kpis[f"stage:{stage.stage}:median_days"][side] == stage.median_days
        for ctq in alone.ctqs:
            assert kpis[f"ctq:{ctq.ctq}:compliant"][side] == ctq.share_compliant
        assert kpis["struggling"][side] == len(alone.exceptions)
        # a code's cases are the distinct cases its findings list, across all of them
        breaching = set().union(*(c.breaching_cases for c in alone.ctqs if c.breaches))
        row = next((f for f in doc["findings"] if f["code"] == "CTQ-BREACH"), None)
        assert row is not None and row[f"cases_{side}"] == len(breaching)
    q2, q3 = kpis["cases"]["a"], kpis["cases"]["b"]
    assert kpis["cases"]["change"] == q3 - q2 and q2 > 0 and q3 > 0


def test_the_text_rounds_compliance_down_as_the_journey_does() -> None:
    code, output = _compare("--compare", "2025-Q2", "--compare", "2025-Q3")
    assert code == 0, output
    assert output.startswith("Journeys of 2025-Q2 and 2025-Q3 (cases started in each)")
    model = api.load(REFERENCE_MODEL)
    since, until = api.parse_period("2025-Q2")
    alone = api.journey(model, LOG, log_filter=api.LogFilter(since, until))
    for ctq in alone.ctqs:
        line = next(x for x in output.splitlines() if x.strip().startswith(f"{ctq.name}:"))
        assert ctq.compliant_text() in line  # e.g. 85.6 %, never rounded up to 100 %
    lines = output.splitlines()
    table = lines[2 : lines.index("", 2)]  # the KPI table: header and rows, columns aligned
    assert table[0].startswith("  KPI") and len(table) > 10
    assert len({len(x) for x in table}) == 1


def test_compare_refuses_csv_and_time_filters() -> None:
    code, output = _compare("--compare", "quarter", "-f", "csv")
    assert code == 2 and "--compare writes text or json" in output
    code, output = _compare("--compare", "quarter", "--from", "2025-01-01")
    assert code == 2 and "leave out --from and --to" in output


def test_the_journey_findings_carry_their_cases() -> None:
    result = api.journey(api.load(REFERENCE_MODEL), LOG)
    ids = np.asarray(result.cases.index.astype(str))
    checked = 0
    for f in result.findings:
        listed = f.evidence.get("cases")
        if isinstance(listed, list) and f.evidence.get("count", len(listed)) == len(listed):
            assert f.case_codes is not None
            assert sorted(ids[f.case_codes].tolist()) == sorted(listed), f.code
            checked += 1
    assert checked >= 3
