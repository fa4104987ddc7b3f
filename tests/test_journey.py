"""Journey analysis on a hand-built log: every expected number follows from how the log is built
(see ``test_journey_scenario.py``)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_journey_scenario import NOW, PATH_A, PATH_B, scenario_cases, scenario_log, to_log

from bpmtool import api
from bpmtool.errors import EventLogError
from bpmtool.findings import RULES
from bpmtool.mining.journey_result import JourneyResult
from bpmtool.model import Model

REFERENCE = Path(__file__).resolve().parent.parent / "models" / "saas-handoffs.yaml"


@pytest.fixture(scope="module")
def model() -> Model:
    return api.load(REFERENCE)


@pytest.fixture(scope="module")
def result(model) -> JourneyResult:
    return api.journey(model, scenario_log(), now=NOW)


def test_funnel_counts_and_conversion(result: JourneyResult) -> None:
    funnel = {s.stage: s for s in result.funnel}
    # 19 cases; 16 signed (all but the 3 lost), 10 went live and set support up, 8 renewed
    assert result.n_cases == 19
    assert [(s.reached, s.current) for s in result.funnel] == [(16, 6), (10, 2), (8, 8)]
    assert funnel["build"].conversion == pytest.approx(16 / 19)
    assert funnel["grow"].conversion == pytest.approx(10 / 16)
    assert funnel["ignite"].conversion == pytest.approx(8 / 10)
    # those who moved on spent 12 days in Build and 33 in Grow
    assert funnel["build"].median_days == pytest.approx(12)
    assert funnel["grow"].p90_days == pytest.approx(33)


def test_milestones_reached_times_and_deadlines(result: JourneyResult) -> None:
    stats = {m.milestone: m for m in result.milestones}
    assert {k: m.reached for k, m in stats.items()} == {
        "signed": 16,
        "live": 10,
        "supported": 10,
        "adopted": 8,
        "renewed_ms": 8,
    }
    assert stats["signed"].median_days == pytest.approx(5)
    assert stats["live"].p90_days == pytest.approx(16)
    assert stats["renewed_ms"].median_days == pytest.approx(60)
    # live: 60 days from entering Build (day 5); the 6 who never went live waited 95
    assert (stats["live"].overdue, stats["live"].late) == (6, 0)
    # adopted: 45 days from entering Grow (day 17); both grow cases waited 83
    assert (stats["adopted"].overdue, stats["adopted"].late) == (2, 0)


def test_per_case_journey(result: JourneyResult) -> None:
    cases = result.cases
    assert cases.loc["build-0", "stage"] == "build"
    assert cases.loc["lost-0", "stage"] == ""
    assert cases.loc["grow-1", "stage"] == "grow"
    assert bool(cases.loc["ok-b1", "success"]) and not bool(cases.loc["grow-0", "success"])
    assert cases.loc["build-0", "days_in:build"] == pytest.approx(95)  # day 5 to day 100
    assert cases.loc["ok-a0", "days_in:ignite"] == pytest.approx(10)  # day 50 to last event
    assert pd.isna(cases.loc["lost-0", "reached:signed"])
    assert cases.loc["grow-0", "reached:live"] == pd.Timestamp("2024-01-17", tz="UTC")


def test_happy_paths_share_coverage_and_model(result: JourneyResult) -> None:
    paths = result.happy.paths
    assert result.happy.successful_cases == 8
    assert [p.activities for p in paths] == [
        tuple(a for a, _ in PATH_A),
        tuple(a for a, _ in PATH_B),
    ]
    assert [p.cases for p in paths] == [6, 2]
    assert [p.share for p in paths] == [pytest.approx(0.75), pytest.approx(0.25)]
    assert [p.coverage for p in paths] == [pytest.approx(0.75), pytest.approx(1.0)]
    assert paths[0].median_days == pytest.approx(60)
    assert all(p.follows_model for p in paths)  # B's order is a parallel interleaving
    assert paths[0].nodes[:3] == ("request_demo", "qualify_lead", "run_demo")


def test_departures_are_the_cases_that_left_every_happy_path(result: JourneyResult) -> None:
    dep = result.happy.departures
    assert sorted(result.cases.index[dep.index]) == ["left-0", "left-1"]
    assert set(dep["activity"]) == {"Run acceptance tests"}
    assert set(dep["after"]) == {"Kickoff meeting"}
    assert dep["after_sale"].all() and (dep["step"] == 8).all()


def test_a_happy_path_that_skips_a_modelled_step_does_not_follow_the_model(model) -> None:
    no_demo = [step for step in PATH_A if step[0] != "Run demo"]
    log = to_log({"x1": no_demo, "x2": no_demo, "y": PATH_A})
    paths = api.journey(model, log).happy.paths
    assert (paths[0].cases, paths[0].follows_model, paths[0].off_model_step) == (2, False, 2)
    assert (paths[1].cases, paths[1].follows_model) == (1, True)


def test_no_more_paths_than_the_model_allows(model) -> None:
    journey = model.journey.model_copy(update={"happy_paths": 1})
    one = model.model_copy(update={"journey": journey})
    assert len(api.journey(one, scenario_log(), now=NOW).happy.paths) == 1


def test_ctqs_measured_on_the_log(result: JourneyResult) -> None:
    ctqs = {c.ctq: c for c in result.ctqs}
    kickoff = ctqs["fast_kickoff"]
    # 16 closed a deal and had a kickoff; build-3 waited 8 days
    assert (kickoff.measured, kickoff.compliant, kickoff.breaches) == (16, 15, 1)
    assert kickoff.worst == [("build-3", pytest.approx(8), "late")]  # only breaching cases
    assert kickoff.p50_days == pytest.approx(2)
    live = ctqs["time_to_live"]
    # 10 went live 11 days after signing; 6 signed and are still waiting after 95 days
    assert (live.measured, live.compliant, live.open_overdue) == (10, 10, 6)
    assert ctqs["support_ready"].breaches == 0 and ctqs["support_ready"].open_overdue == 0
    breaches = [f for f in result.findings if f.code == "CTQ-BREACH"]
    assert sorted(f.subject[0] for f in breaches) == ["fast_kickoff", "time_to_live"]


def test_missed_trigger_names_the_cases(result: JourneyResult) -> None:
    (trig,) = result.triggers
    assert (trig.reached, trig.on_time, trig.late, trig.missed, trig.pending) == (10, 7, 2, 1, 0)
    assert trig.missed_cases == ["grow-1", "ok-a4", "ok-a5"]
    (finding,) = [f for f in result.findings if f.code == "MISSED-TRIGGER"]
    assert "grow-1, ok-a4, ok-a5" in finding.message
    assert finding.evidence["cases"] == ["grow-1", "ok-a4", "ok-a5"]


def test_a_trigger_window_still_open_is_pending(model) -> None:
    log = to_log({"c": PATH_A[:15]})  # live at day 16, support at 17
    (trig,) = api.journey(model, log, now=pd.Timestamp("2024-01-18", tz="UTC")).triggers
    assert (trig.missed, trig.pending) == (0, 1)


def test_exception_report_one_row_per_struggling_case(result: JourneyResult) -> None:
    frame = result.exceptions_frame()
    assert sorted(frame["case"]) == [
        "build-0",
        "build-1",
        "build-2",
        "build-3",
        "grow-0",
        "grow-1",
        "left-0",
        "left-1",
    ]
    rows = frame.set_index("case")
    assert rows.loc["build-0", "reasons"] == "stuck;milestone-overdue;ctq-overdue"
    assert rows.loc["left-0", "reasons"] == ("stuck;milestone-overdue;ctq-overdue;left-happy-path")
    assert rows.loc["grow-1", "reasons"] == "stuck;milestone-overdue"
    assert rows.loc["grow-1", "days_in_stage"] == pytest.approx(83)
    assert rows.loc["build-0", "action"] == api.load(REFERENCE).stage_by_id["build"].action
    # worst first: 95 days in Build before 83 in Grow
    assert list(frame["days_in_stage"])[:6] == [pytest.approx(95)] * 6
    assert result.to_dict()["exceptions"]["by_reason"] == {
        "ctq-overdue": 6,
        "left-happy-path": 2,
        "milestone-overdue": 8,
        "stuck": 8,
    }


def test_exception_findings_sum_up_the_report(result: JourneyResult) -> None:
    codes = sorted(f.code for f in result.findings)
    assert codes == [
        "CTQ-BREACH",
        "CTQ-BREACH",
        "LEFT-HAPPY-PATH",
        "MILESTONE-OVERDUE",
        "MILESTONE-OVERDUE",
        "MISSED-TRIGGER",
        "STUCK-IN-STAGE",
        "STUCK-IN-STAGE",
    ]
    stuck = {
        f.subject[0]: f.evidence["count"] for f in result.findings if f.code == "STUCK-IN-STAGE"
    }
    assert stuck == {"build": 6, "grow": 2}
    (left,) = [f for f in result.findings if f.code == "LEFT-HAPPY-PATH"]
    assert left.subject == ("kickoff", "run_uat")
    assert left.evidence["cases"] == ["left-0", "left-1"]


def test_every_journey_code_is_registered() -> None:
    for code in (
        "CTQ-BREACH",
        "MISSED-TRIGGER",
        "STUCK-IN-STAGE",
        "MILESTONE-OVERDUE",
        "LEFT-HAPPY-PATH",
    ):
        assert RULES[code].scope == "log"


def test_a_code_switched_off_in_the_model_is_not_reported(model) -> None:
    quiet = model.model_copy(update={"rules": {"MISSED-TRIGGER": "off"}})
    codes = {f.code for f in api.journey(quiet, scenario_log(), now=NOW).findings}
    assert "MISSED-TRIGGER" not in codes and "CTQ-BREACH" in codes


def test_json_is_stable_and_serialisable(result: JourneyResult) -> None:
    import json

    first = json.dumps(result.to_dict(), sort_keys=True)
    again = json.dumps(
        api.journey(api.load(REFERENCE), scenario_log(), now=NOW).to_dict(), sort_keys=True
    )
    assert first == again
    data = json.loads(first)
    assert data["schema"] == "bpmtool.journey/1" and data["cases"] == 19


def test_unmapped_labels_are_listed(model) -> None:
    log = to_log({"c": [*PATH_A[:3], ("Coffee with the customer", 2.5)]})
    assert api.journey(model, log).unmapped_labels == ["Coffee with the customer"]


def test_a_log_without_the_standard_columns_is_refused(model) -> None:
    log = scenario_log().drop(columns=["time:timestamp"])
    with pytest.raises(EventLogError, match="time:timestamp"):
        api.journey(model, log)


def test_now_defaults_to_the_last_event(model) -> None:
    result = api.journey(model, to_log(scenario_cases()))
    assert result.now == pd.Timestamp("2024-03-01", tz="UTC")  # day 60, the last renewal
