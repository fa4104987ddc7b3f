"""Drill-down: the case list of a finding is the cases pandas finds in the log itself; a
case's timeline says where it left the model; ``check --compare`` puts two windows side by
side with the numbers each window's own check gives."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app as cli
from bpmtool.errors import InputError
from tests.conftest import EXAMPLES, REFERENCE_MODEL

SKIPPED = "Configure tenant"


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """The finished cases of the example log (ending with a renewal), in time order, with
    'Configure tenant' dropped from every fifth of them."""
    df = pd.read_csv(EXAMPLES / "saas-handoffs.csv")
    df["ts"] = pd.to_datetime(df["timestamp"], utc=True)
    df = df.sort_values(["case_id", "ts"], kind="stable")
    finished = df.groupby("case_id")["activity"].last() == "Renew subscription"
    df = df[df["case_id"].isin(finished.index[finished])]
    cases = sorted(df["case_id"].unique())
    dropped = set(cases[::5])
    return df[~((df["activity"] == SKIPPED) & df["case_id"].isin(dropped))]


@pytest.fixture(scope="module")
def log_file(raw: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cases") / "finished.csv"
    raw.drop(columns="ts").to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def checked(log_file: Path) -> tuple[api.Model, api.CheckResult, api.CaseIndex]:
    model = api.load(REFERENCE_MODEL)
    result = api.check(model, log_file, precision=False)
    return model, result, api.case_index(model, result)


def _ids(index: api.CaseIndex, key: str) -> list[str]:
    rows, total = index.case_rows(key)
    assert total == len(rows)
    return rows["case"].tolist()


def test_the_cases_of_a_skipped_step_are_the_cases_without_it(raw, checked) -> None:
    _, result, index = checked
    key, hits = api.finding_selection(result, "SKIPPED-ACTIVITY", ["configure_tenant"])
    without = set(raw["case_id"]) - set(raw.loc[raw["activity"] == SKIPPED, "case_id"])
    got = _ids(index, key)
    assert set(got) == without and len(got) == len(without) > 50
    assert result.findings[hits[0]].evidence["cases"] == len(without)
    # sorted by start, as the page shows them
    starts = raw.groupby("case_id")["ts"].min()
    assert got == sorted(got, key=lambda c: (starts[c], c))


def test_the_cases_of_a_wrong_lane_are_the_cases_where_that_lane_did_it(raw, checked) -> None:
    _, result, index = checked
    key, _ = api.finding_selection(result, "wrong-lane", ["kickoff", "sales"])
    expected = set(
        raw.loc[(raw["activity"] == "Kickoff meeting") & (raw["lane"] == "sales"), "case_id"]
    )
    assert set(_ids(index, key)) == expected and expected


def test_variant_cases_match_the_filter_and_the_log(raw, checked) -> None:
    _, result, index = checked
    seqs = raw.groupby("case_id")["activity"].agg(tuple)
    counts = seqs.value_counts()
    top = sorted(s for s, n in counts.items() if n == counts.max())[0]
    assert set(_ids(index, "variant:1")) == set(seqs.index[seqs == top])
    assert result.variant_rows(1)[0]["variant"] == 1
    assert result.variant_rows(1)[0]["cases"] == counts.max()


def test_the_handoff_and_flow_case_lists_count_what_the_check_counts(checked) -> None:
    _, result, index = checked
    for h in result.handoffs:
        _, total = index.case_rows(f"handoff:{h.source_lane}>{h.target_lane}", limit=1)
        assert total == h.cases
    walked = dict(result.flow_counts)
    for key, times in walked.items():
        _, total = index.case_rows(f"flow:{key}", limit=1)
        assert (total > 0) == (times > 0) and total <= times


def test_a_timeline_says_where_the_case_left_the_model(raw, checked) -> None:
    _, result, index = checked
    wrong = raw[(raw["activity"] == "Kickoff meeting") & (raw["lane"] == "sales")]
    case = wrong["case_id"].iloc[0]
    doc = api.case_timeline(result.findings, index, case)
    assert [e["activity"] for e in doc["events"]] == raw.loc[
        raw["case_id"] == case, "activity"
    ].tolist()
    kickoff = next(e for e in doc["events"] if e["activity"] == "Kickoff meeting")
    assert kickoff["note"] == "done by Sales; the model gives it to Implementation"
    assert kickoff["lane"] == "Sales"
    assert {"code": "WRONG-LANE", "subject": ["kickoff", "sales"]} in [
        {k: f[k] for k in ("code", "subject")} for f in doc["findings"]
    ]
    skipping = sorted(set(raw["case_id"]) - set(raw.loc[raw["activity"] == SKIPPED, "case_id"]))[0]
    dev = api.case_timeline(result.findings, index, skipping)["deviation"]
    assert SKIPPED in dev["skipped"] and dev["fitness"] < 1
    with pytest.raises(InputError) as err:
        index.timeline("no-such-case")
    assert "no-such-case" in str(err.value)


def test_the_stored_index_pages_like_the_one_in_memory(checked, tmp_path) -> None:
    _, result, index = checked
    files = [tmp_path / "c.parquet", tmp_path / "e.parquet", tmp_path / "s.parquet"]
    api.write_case_index(index, *files)
    stored = api.open_case_index(*files)
    key, _ = api.finding_selection(result, "SKIPPED-ACTIVITY")
    a, n = index.case_rows(key, offset=10, limit=20)
    b, m = stored.case_rows(key, offset=10, limit=20)
    assert n == m and a["case"].tolist() == b["case"].tolist() and len(a) == 20
    case = a["case"].iloc[0]
    assert api.case_timeline(result.findings, index, case) == api.case_timeline(
        result.findings, stored, case
    )


def test_a_timeline_reads_across_row_groups(checked, tmp_path) -> None:
    from bpmtool.io.case_store import CasePaths, StoredCases, write_case_index

    index = checked[2]
    paths = CasePaths(tmp_path / "c.parquet", tmp_path / "e.parquet", tmp_path / "s.parquet")
    write_case_index(index, paths, row_group=50)  # many cases straddle two row groups
    stored = StoredCases.open(paths)
    for case in index.table["case"].tolist()[::7]:
        mine, theirs = index.timeline(case)[1], stored.timeline(case)[1]
        assert mine["activity"].tolist() == theirs["activity"].tolist()
        assert mine["note"].tolist() == theirs["note"].tolist()


def test_the_cases_command_writes_csv_xlsx_and_json(raw, log_file, tmp_path) -> None:
    without = set(raw["case_id"]) - set(raw.loc[raw["activity"] == SKIPPED, "case_id"])
    base = ["cases", str(REFERENCE_MODEL), str(log_file), "--finding", "SKIPPED-ACTIVITY", "-q"]
    out = CliRunner().invoke(cli, [*base, "--subject", "configure_tenant", "-f", "csv"])
    assert out.exit_code == 0, out.output
    table = pd.read_csv(io.StringIO(out.stdout))
    assert list(table.columns) == [
        "case",
        "start",
        "end",
        "duration_days",
        "variant",
        "lanes",
        "events",
        "open",
    ]
    assert set(table["case"]) == without
    xlsx = tmp_path / "cases.xlsx"
    out = CliRunner().invoke(cli, [*base, "-f", "xlsx", "-o", str(xlsx)])
    assert out.exit_code == 0, out.output
    assert set(pd.read_excel(xlsx, sheet_name="Cases")["case"]) == without
    out = CliRunner().invoke(cli, [*base, "-f", "json", "--limit", "3"])
    assert [r["case"] for r in json.loads(out.stdout)] == table["case"].tolist()[:3]
    bad = CliRunner().invoke(cli, [*base[:-3], "--finding", "NO-SUCH-CODE", "-q"])
    assert bad.exit_code == 2 and "SKIPPED-ACTIVITY configure_tenant" in bad.output


def test_the_case_command_prints_the_timeline(raw, log_file) -> None:
    case = raw.loc[
        (raw["activity"] == "Kickoff meeting") & (raw["lane"] == "sales"), "case_id"
    ].iloc[0]
    out = CliRunner().invoke(cli, ["case", str(REFERENCE_MODEL), str(log_file), case, "-q"])
    assert out.exit_code == 0, out.output
    assert f"case {case}:" in out.stdout
    assert "← done by Sales; the model gives it to Implementation" in out.stdout
    missing = CliRunner().invoke(
        cli, ["case", str(REFERENCE_MODEL), str(log_file), "C999999", "-q"]
    )
    assert missing.exit_code == 2 and "C999999" in missing.output


def test_compare_puts_two_quarters_side_by_side(raw, log_file) -> None:
    out = CliRunner().invoke(
        cli,
        [
            "check",
            str(REFERENCE_MODEL),
            str(log_file),
            "--compare",
            "2025-Q1",
            "--compare",
            "2025-Q2",
            "-f",
            "json",
            "-q",
        ],
    )
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    assert doc["labels"] == ["2025-Q1", "2025-Q2"]
    starts = raw.groupby("case_id")["ts"].min().dt.tz_convert(None)
    q1 = int(((starts >= "2025-01-01") & (starts < "2025-04-01")).sum())
    q2 = int(((starts >= "2025-04-01") & (starts < "2025-07-01")).sum())
    cases = next(k for k in doc["kpis"] if k["kpi"] == "cases")
    assert (cases["a"], cases["b"], cases["change"]) == (q1, q2, q2 - q1)
    # each side's finding counts are those of a check of that window alone
    model = api.load(REFERENCE_MODEL)
    alone = api.check(
        model, log_file, precision=False, log_filter=api.LogFilter(*api.parse_period("2025-Q2"))
    )
    skipped = next(f for f in doc["findings"] if f["code"] == "SKIPPED-ACTIVITY")
    mine = [f for f in alone.findings if f.code == "SKIPPED-ACTIVITY"]
    assert skipped["findings_b"] == len(mine)
    assert skipped["cases_b"] == sum(f.evidence["cases"] for f in mine)
    text = CliRunner().invoke(
        cli, ["check", str(REFERENCE_MODEL), str(log_file), "--compare", "quarter", "-q"]
    )
    assert text.exit_code == 0 and "Comparison of 2025-Q2 and 2025-Q3" in text.stdout


def test_the_cases_of_a_ctq_are_its_late_and_overdue_cases() -> None:
    model = api.load(REFERENCE_MODEL)
    log = EXAMPLES / "saas-handoffs.csv"
    result = api.check(model, log, method="replay", precision=False)
    journey = api.journey(model, log)
    index = api.case_index(model, result, journey)
    df = pd.read_csv(log)
    df["ts"] = pd.to_datetime(df["timestamp"], utc=True)
    now = df["ts"].max()
    start = df[df["activity"] == "Go live"].groupby("case_id")["ts"].min()
    ready = df[df["activity"] == "Set up support account"].merge(
        start.rename("went_live"), left_on="case_id", right_index=True
    )
    ready = ready[ready["ts"] >= ready["went_live"]].groupby("case_id")["ts"].min()
    took = (ready - start[ready.index]).dt.total_seconds() / 86_400
    waiting = (now - start.drop(ready.index)).dt.total_seconds() / 86_400
    expected = set(took.index[took > 2]) | set(waiting.index[waiting > 2])
    got = _ids(index, "ctq:support_ready")
    assert set(got) == expected and expected
    ctq = next(c for c in journey.ctqs if c.ctq == "support_ready")
    assert ctq.breaches == len(got)
    stuck = journey.exceptions[journey.exceptions["reasons"].str.contains("stuck")]
    assert set(_ids(index, "reason:stuck")) == set(stuck["case"])


def test_a_handoff_is_named_by_lane_ids_or_names(log_file, checked) -> None:
    _, result, _ = checked
    h = next(x for x in result.handoffs if x.source_lane == "support")
    for spelled in ("support>impl", "Customer Support>Implementation"):
        out = CliRunner().invoke(
            cli, ["cases", str(REFERENCE_MODEL), str(log_file), "--handoff", spelled, "-q"]
        )
        assert out.exit_code == 0 and out.stdout.startswith(f"{h.cases} case(s)"), out.output
