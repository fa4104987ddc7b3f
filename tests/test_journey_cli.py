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
    code, out = _run(str(REFERENCE), str(log), "--case-column", "customer", "--now", NOW,
                     "--surveys", str(surveys), "--exceptions", "--format", "csv")
    assert code == 0, out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 8
    assert list(rows[0]) == ["case", "reasons", "stage", "stage_name", "days_in_stage",
                             "days_since_last_event", "last_activity", "detail", "action",
                             "quadrant", "quadrant_action"]
    build0 = next(r for r in rows if r["case"] == "build-0")
    assert build0["stage"] == "build" and float(build0["days_in_stage"]) == 95
    assert build0["quadrant"] == "Happy but drifting"


def test_json_and_text(files) -> None:
    log, _ = files
    code, out = _run(str(REFERENCE), str(log), "--case-column", "customer", "--now", NOW,
                     "--format", "json")
    assert code == 0, out
    data = json.loads(out)
    assert [s["reached"] for s in data["funnel"]] == [16, 10, 8]
    assert data["triggers"][0]["missed_cases"] == ["grow-1", "ok-a4", "ok-a5"]
    code, out = _run(str(REFERENCE), str(log), "--case-column", "customer", "--now", NOW)
    assert code == 0, out
    assert "Struggling customers: 8" in out and "MISSED-TRIGGER" in out
    code, out = _run(str(REFERENCE), str(log), "--case-column", "customer", "--now", NOW,
                     "--exceptions", "--format", "json")
    assert len(json.loads(out)["exceptions"]) == 8


def test_bad_input_exits_with_2(files, tmp_path: Path) -> None:
    log, _ = files
    code, out = _run(str(REFERENCE), str(log))  # the case column is not named as pm4py's
    assert code == 2 and "case:concept:name" in out
    code, out = _run(str(REFERENCE), str(tmp_path / "missing.csv"))
    assert code == 2


def test_the_per_case_journey_as_csv(files) -> None:
    log, _ = files
    code, out = _run(str(REFERENCE), str(log), "--case-column", "customer", "--now", NOW,
                     "--cases")
    assert code == 0, out
    rows = {r["case"]: r for r in csv.DictReader(io.StringIO(out))}
    assert len(rows) == 19
    assert rows["grow-0"]["stage"] == "grow"
    assert rows["grow-0"]["reached:live"] == "2024-01-17T00:00:00+00:00"
    assert rows["lost-0"]["reached:signed"] == ""
    assert float(rows["build-0"]["days_in:build"]) == 95
