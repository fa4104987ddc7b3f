"""Behaviour × emotion on the hand-built log, with scores worked out from the case lengths."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from test_journey_scenario import NOW, scenario_log

from bpmtool import api
from bpmtool.errors import InputError
from bpmtool.model import BehaviourMeasure, EmotionSource, Model

REFERENCE = Path(__file__).resolve().parent.parent / "models" / "saas-handoffs.yaml"


def _with_journey(**update: object) -> Model:
    model = api.load(REFERENCE)
    assert model.journey is not None
    return model.model_copy(update={"journey": model.journey.model_copy(update=update)})


# one point per event, full marks at 20 events (the whole path): a successful case scores 100,
# grow-0 (16 events) 80, a case stopped in Build (9 events) 45, a lost prospect (5 events) 25
EVENTS = [BehaviourMeasure(id="events", kind="events", full_at=20)]

SURVEYS = pd.DataFrame(
    {
        "case_id": ["ok-a0", "ok-a1", "ok-a1", "build-0", "build-1", "grow-0", "lost-0", "nobody"],
        "nps": [9, 10, 4, 10, 0, 7, 6, 9],
    }
)


def test_quadrants_from_a_survey_table() -> None:
    result = api.journey(_with_journey(behaviour=EVENTS), scenario_log(), surveys=SURVEYS, now=NOW)
    groups = {g.key: g.case_ids for g in result.sentiment.groups}
    assert groups == {
        "champion": ["grow-0", "ok-a0"],
        "loyal_unhappy": ["ok-a1"],
        "happy_drifting": ["build-0"],
        "at_risk": ["build-1", "lost-0"],
    }
    data = result.sentiment.to_dict()
    assert (data["cases_scored"], data["cases_without_emotion"]) == (6, 13)
    assert data["unmatched_survey_rows"] == 1
    scores = result.cases["behaviour"]
    assert scores["ok-a0"] == pytest.approx(100) and scores["grow-0"] == pytest.approx(80)
    assert scores["build-0"] == pytest.approx(45) and scores["lost-0"] == pytest.approx(25)


def test_the_exception_report_carries_the_quadrant_action() -> None:
    model = _with_journey(behaviour=EVENTS)
    rows = (
        api.journey(model, scenario_log(), surveys=SURVEYS, now=NOW)
        .exceptions_frame()
        .set_index("case")
    )
    assert rows.loc["build-0", "quadrant"] == "Happy but drifting"
    assert rows.loc["build-0", "quadrant_action"] == model.journey.quadrants.happy_drifting.action
    assert rows.loc["build-2", "quadrant"] == ""


def test_recency_falls_linearly_to_zero_at_the_horizon() -> None:
    model = _with_journey(behaviour=[BehaviourMeasure(id="recent", kind="recency", horizon="100d")])
    scores = api.journey(model, scenario_log(), now=NOW).cases["behaviour"]
    assert scores["ok-a0"] == pytest.approx(60)  # last event day 60, 40 days silent
    assert scores["lost-0"] == pytest.approx(4)  # last event day 4, 96 days silent


def test_fewer_support_contacts_is_better_and_weights_mix_measures() -> None:
    support = BehaviourMeasure(
        id="support", kind="events", lanes=["support"], full_at=1, lower_is_better=True
    )
    done = BehaviourMeasure(id="done", kind="activities", full_at=20, weight=3)
    model = _with_journey(behaviour=[support, done])
    cases = api.journey(model, scenario_log(), now=NOW).cases
    # ok-a0: one support contact (0) and 20 of 20 activities (1): (0*1 + 1*3) / 4
    assert cases.loc["ok-a0", "behaviour"] == pytest.approx(75)
    # build-0: no support contact (1) and 9 activities (0.45): (1 + 1.35) / 4
    assert cases.loc["build-0", "behaviour"] == pytest.approx(58.75)


def test_csat_from_a_case_attribute() -> None:
    log = scenario_log()
    log["case:csat"] = log["case:concept:name"].map({"ok-a0": 5, "build-0": 2})
    model = _with_journey(
        behaviour=EVENTS, emotion=EmotionSource(attribute="case:csat", scale="csat")
    )
    result = api.journey(model, log, now=NOW)
    groups = {g.key: g.case_ids for g in result.sentiment.groups}
    assert groups["champion"] == ["ok-a0"] and groups["at_risk"] == ["build-0"]
    assert result.sentiment.source == "attribute:case:csat"
    assert result.sentiment.happy_at == 4


def test_an_answer_out_of_range_is_an_input_error() -> None:
    bad = pd.DataFrame({"case_id": ["ok-a0"], "nps": [11]})
    with pytest.raises(InputError, match="out of range"):
        api.journey(api.load(REFERENCE), scenario_log(), surveys=bad, now=NOW)


def test_a_survey_file_is_read_and_joined_by_case_id(tmp_path: Path) -> None:
    path = tmp_path / "surveys.csv"
    SURVEYS.to_csv(path, index=False)
    result = api.journey(_with_journey(behaviour=EVENTS), scenario_log(), surveys=path, now=NOW)
    assert result.sentiment.to_dict()["cases_scored"] == 6


def test_without_an_emotion_source_nobody_is_placed() -> None:
    model = api.load(REFERENCE).model_copy(update={"journey": None})
    result = api.journey(model, scenario_log(), now=NOW)
    assert all(g.case_ids == [] for g in result.sentiment.groups)
    assert result.sentiment.source is None
    # and the default success is the last milestone of the last stage
    assert result.happy.successful_cases == 8
