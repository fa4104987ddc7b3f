"""The case filter: each test keeps exactly the cases pandas finds in the raw CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app as cli
from bpmtool.errors import InputError
from tests.conftest import EXAMPLES, REFERENCE_MODEL

REGIONS = ("EMEA", "APAC", "AMER")


@pytest.fixture(scope="module")
def region_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example log with a Region column (by case number) the reader must keep."""
    df = pd.read_csv(EXAMPLES / "saas-handoffs.csv")
    df["Region"] = [REGIONS[int(c[1:]) % 3] for c in df["case_id"]]
    path = tmp_path_factory.mktemp("filter") / "region.csv"
    df.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def raw(region_log: Path) -> pd.DataFrame:
    df = pd.read_csv(region_log)
    df["ts"] = pd.to_datetime(df["timestamp"], utc=True).dt.tz_convert(None)
    return df.sort_values(["case_id", "ts"], kind="stable")  # a case's events by time


@pytest.fixture(scope="module")
def frame(region_log: Path) -> pd.DataFrame:
    return api.read_log(region_log, keep=("Region",))


def _kept(frame: pd.DataFrame, f: api.LogFilter) -> set[str]:
    out, outcome = api.filter_log(frame, f)
    cases = set(out["case:concept:name"].astype(str))
    assert outcome.cases_after == len(cases) and outcome.events_after == len(out)
    assert outcome.cases_before == frame["case:concept:name"].nunique()
    return cases


def test_a_region_filter_keeps_the_cases_of_that_region(frame, raw) -> None:
    expected = set(raw.loc[raw["Region"] == "EMEA", "case_id"])
    got = _kept(frame, api.LogFilter(where=(api.parse_where("region=emea"),)))
    assert got == expected and 0 < len(got) < raw["case_id"].nunique()
    others = _kept(frame, api.LogFilter(where=(api.parse_where("Region!=EMEA"),)))
    assert others == set(raw["case_id"]) - expected


def test_time_windows_keep_cases_by_their_first_last_or_any_event(frame, raw) -> None:
    start, end = api.parse_period("2025-Q2")
    span = raw.groupby("case_id")["ts"].agg(["min", "max"])
    started = set(span.index[(span["min"] >= start) & (span["min"] < end)])
    contained = set(span.index[(span["min"] >= start) & (span["max"] < end)])
    inside = raw[(raw["ts"] >= start) & (raw["ts"] < end)]
    assert _kept(frame, api.LogFilter(since=start, until=end)) == started
    assert _kept(frame, api.LogFilter(since=start, until=end, window="contained")) == contained
    touching = api.LogFilter(since=start, until=end, window="intersecting")
    assert _kept(frame, touching) == set(inside["case_id"])
    trimmed, outcome = api.filter_log(frame, api.LogFilter(since=start, until=end, window="trim"))
    assert len(trimmed) == len(inside) == outcome.events_after
    assert started and contained < started


def test_variant_one_is_the_most_frequent_activity_sequence(frame, raw) -> None:
    seqs = raw.groupby("case_id", sort=False)["activity"].agg(tuple)
    counts = seqs.value_counts()
    top = sorted(s for s, n in counts.items() if n == counts.max())[0]
    assert _kept(frame, api.LogFilter(variants=(1,))) == set(seqs.index[seqs == top])


def test_lane_and_case_id_filters(frame, raw) -> None:
    model = api.load(REFERENCE_MODEL)
    lane = next(x for x in model.lanes if x.id == "support")
    expected = set(raw.loc[raw["lane"] == "support", "case_id"])
    out, _ = api.filter_log(frame, api.LogFilter(lanes=(lane.label,)), model=model)
    assert set(out["case:concept:name"].astype(str)) == expected
    ids = frozenset(["C000001", "C000007", "nope"])
    assert _kept(frame, api.LogFilter(case_ids=ids)) == {"C000001", "C000007"}


def test_check_says_what_the_filter_kept_and_refuses_an_empty_result(region_log, raw) -> None:
    out = CliRunner().invoke(
        cli,
        [
            "check",
            str(REFERENCE_MODEL),
            str(region_log),
            "--where",
            "Region=APAC",
            "--from",
            "2025-03",
            "-f",
            "json",
            "-q",
        ],
    )
    assert out.exit_code == 0, out.output
    doc = json.loads(out.stdout)
    first = raw.groupby("case_id").agg(start=("ts", "min"), region=("Region", "first"))
    expected = first[(first["region"] == "APAC") & (first["start"] >= "2025-03-01")]
    assert doc["summary"]["cases"] == doc["filter"]["cases_after"] == len(expected)
    assert doc["filter"]["description"] == "cases started 2025-03-01 … the end; Region = APAC"
    none = CliRunner().invoke(
        cli, ["check", str(REFERENCE_MODEL), str(region_log), "--where", "Region=Mars", "-q"]
    )
    assert none.exit_code == 2 and "keeps none of the log's 400 cases" in none.output
    bad = CliRunner().invoke(
        cli, ["check", str(REFERENCE_MODEL), str(region_log), "--from", "last tuesday"]
    )
    assert bad.exit_code == 2 and "--from" in bad.output and "Traceback" not in bad.output


def test_a_form_filter_names_a_bad_field() -> None:
    with pytest.raises(InputError) as err:
        api.filter_from_fields({"variant": "first"})
    assert err.value.problems[0].key == "variant"
    fields = {"from": "2025-Q2", "to": "2025-Q2", "where": "Region=EMEA\n", "lane": "Sales"}
    f = api.filter_from_fields(fields)
    assert f is not None and f.describe() == (
        "cases started 2025-04-01 … 2025-06-30; Region = EMEA; lane Sales"
    )
    assert api.filter_from_fields({"from": " ", "where": ""}) is None
