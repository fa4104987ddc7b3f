"""``bpmtool journey`` as a user runs it: exit codes, the CSV work list, JSON and text."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from test_journey_scenario import scenario_log
from typer.testing import CliRunner

from bpmtool.cli import app

REFERENCE = Path(__file__).resolve().parent.parent / "models" / "saas-handoffs.yaml"
NOW = "2024-04-10T00:00:00+00:00"  # day 100 of the scenario


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("journey")
    log = folder / "log.csv"
    scenario_log().rename(columns={"case:concept:name": "customer"}).to_csv(log, index=False)
    surveys = folder / "surveys.csv"
    surveys.write_text("case_id,nps\nbuild-0,10\nok-a0,9\n")
    return log, surveys


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["journey", *args])
    return result.exit_code, result.output


def test_the_csv_work_list_has_one_row_per_struggling_customer(files) -> None:
    log, surveys = files
    code, out = _run(
        str(REFERENCE),
        str(log),
        "--case",
        "customer",
        "--now",
        NOW,
        "--surveys",
        str(surveys),
        "--exceptions",
        "--format",
        "csv",
    )
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 8
    assert list(rows[0]) == [
        "case",
        "reasons",
        "stage",
        "stage_name",
        "days_in_stage",
        "days_since_last_event",
        "last_activity",
        "detail",
        "action",
        "quadrant",
        "quadrant_action",
    ]
    build0 = next(r for r in rows if r["case"] == "build-0")
    assert build0["stage"] == "build" and float(build0["days_in_stage"]) == 95
    assert build0["quadrant"] == "Happy but drifting"


def test_json_and_text(files) -> None:
    log, _ = files
    code, out = _run(
        str(REFERENCE), str(log), "--case", "customer", "--now", NOW, "--format", "json"
    )
    assert code == 0, out
    data = json.loads(out)
    assert [s["reached"] for s in data["funnel"]] == [16, 10, 8]
    assert data["triggers"][0]["missed_cases"] == ["grow-1", "ok-a4", "ok-a5"]
    code, out = _run(str(REFERENCE), str(log), "--case", "customer", "--now", NOW)
    assert code == 0, out
    assert "Struggling customers: 8" in out and "MISSED-TRIGGER" in out
    code, out = _run(
        str(REFERENCE),
        str(log),
        "--case",
        "customer",
        "--now",
        NOW,
        "--exceptions",
        "--format",
        "json",
    )
    assert len(json.loads(out)["exceptions"]) == 8


def test_bad_input_exits_with_2(files, tmp_path: Path) -> None:
    log, _ = files
    code, out = _run(str(REFERENCE), str(log))  # the case column is not named as pm4py's
    assert code == 2 and "case:concept:name" in out
    code, out = _run(str(REFERENCE), str(tmp_path / "missing.csv"))
    assert code == 2


def test_the_per_case_journey_as_csv(files, tmp_path: Path) -> None:
    log, _ = files
    code, out = _run(
        str(REFERENCE),
        str(log),
        "--case",
        "customer",
        "--now",
        NOW,
        "--cases",
        str(tmp_path / "cases.csv"),
    )
    assert code == 0, out
    rows = {
        r["case"]: r
        for r in csv.DictReader(io.StringIO((tmp_path / "cases.csv").read_text(encoding="utf-8")))
    }
    assert len(rows) == 19
    assert rows["grow-0"]["stage"] == "grow"
    assert rows["grow-0"]["reached:live"] == "2024-01-17T00:00:00+00:00"
    assert rows["lost-0"]["reached:signed"] == ""
    assert float(rows["build-0"]["days_in:build"]) == 95


def test_happy_path_variants_are_those_of_successful_cases_on_every_face(tmp_path) -> None:
    """`successful_variants` counts the distinct traces of the successful cases (it once
    counted every case's and was printed as if successful); JSON and text say the same."""
    from test_journey_scenario import scenario_cases

    from bpmtool import api

    cases = scenario_cases()
    result = api.journey(api.load(REFERENCE), scenario_log(), now=NOW)
    ok = set(result.cases.index[result.cases["success"]].astype(str))
    traces = {
        c: tuple(a for a, _ in sorted(steps, key=lambda s: s[1])) for c, steps in cases.items()
    }
    expected_ok = len({traces[c] for c in ok})
    expected_all = len(set(traces.values()))
    assert expected_ok < expected_all
    hp = result.to_dict()["happy_paths"]
    assert (hp["successful_cases"], hp["successful_variants"], hp["all_variants"]) == (
        len(ok),
        expected_ok,
        expected_all,
    )
    log = tmp_path / "log.csv"
    scenario_log().to_csv(log, index=False)
    code, out = _run(str(REFERENCE), str(log), "--now", NOW)
    assert code == 0, out
    assert (
        f"Happy paths ({len(ok)} successful cases, {expected_ok} variants among them; "
        f"{expected_all} among all cases)"
    ) in out


def test_one_ctq_result_on_every_face(tmp_path) -> None:
    """Time to live: 10 went live within the limit, 6 are still waiting past it. Every face
    says 62.5 % compliant, 6 breaches of 16 decided cases, all 6 open past the limit — the
    report once said 100 % compliant with 0 breaches while the finding, "0 of 10 took
    longer", named compliant cases as the slowest."""
    import html
    import re

    from bpmtool import api

    model = api.load(REFERENCE)
    log = tmp_path / "log.csv"
    scenario_log().to_csv(log, index=False)
    code, out = _run(str(REFERENCE), str(log), "--now", NOW, "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    live = next(c for c in data["ctqs"] if c["ctq"] == "time_to_live")
    assert (
        live["decided"],
        live["breaches"],
        live["late"],
        live["open_overdue"],
        live["compliant"],
        live["compliant_text"],
    ) == (16, 6, 0, 6, 10, "62.5 %")
    assert {w["state"] for w in live["worst"]} == {"open"}
    summary = live["summary"]
    assert (
        "62.5 % compliant, 6 of 16 decided case(s) broke it (6 still open past the "
        "limit)" in summary
    )
    # the finding: the same sentence, the breaching cases only
    finding = next(
        f
        for f in data["findings"]
        if f["code"] == "CTQ-BREACH" and f["subject"][0] == "time_to_live"
    )
    assert finding["message"] == summary
    assert finding["evidence"]["worst_cases"] == live["worst"]
    assert "took longer" not in finding["message"]
    # the CLI text
    code, text = _run(str(REFERENCE), str(log), "--now", NOW)
    assert summary in text
    # the report
    result = api.journey(model, scenario_log(), now=NOW)
    page = api.report(model, journey=result, fmt="html")
    row = re.search(
        r'<tr title="([^"]*)"><td>' + re.escape(live["name"]) + r"</td>(.*?)</tr>", page
    )
    assert row is not None and html.unescape(row.group(1)) == summary
    cells = re.findall(r'<td class="n">([^<]*)</td>', row.group(2))
    assert cells[1:7] == ["16", "62.5 %", "6", "0", "6", "0"]


def test_a_ctq_nobody_broke_is_no_finding_and_never_shows_100_when_one_did() -> None:
    from bpmtool.mining.journey_ctq import CtqResult, ctq_findings

    model = __import__("bpmtool.api", fromlist=["load"]).load(REFERENCE)
    clean = CtqResult("c", "Fast", "a", "b", 5.0, 324, 324, 1.0, 2.0, 0, 3, [])
    assert ctq_findings(model, [clean]) == []
    assert clean.summary().startswith("Fast (limit 5d): 100.0 % compliant, 0 of 324")
    one = CtqResult("c", "Fast", "a", "b", 5.0, 341, 340, 1.0, 2.0, 0, 0, [("x", 9.0, "late")])
    assert one.compliant_text() == "99.7 %"
    big = CtqResult("c", "Fast", "a", "b", 5.0, 100_000, 99_999, 1.0, 2.0, 0, 0, [])
    assert big.compliant_text() == "99.9 %"
    (finding,) = ctq_findings(model, [one])
    assert "1 of 341 decided case(s) broke it (1 finished late)" in finding.message
