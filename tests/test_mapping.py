"""Mapping a log onto a model: labels to nodes, events to lanes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app
from bpmtool.errors import EventLogError
from bpmtool.io.eventlog import read_log
from bpmtool.mining.mapping import LANE, NODE, map_log
from tests.conftest import REFERENCE_MODEL


def _log(tmp_path: Path, rows: list[str], header: str = "case_id,activity,timestamp") -> Path:
    path = tmp_path / "log.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n")
    return path


def test_labels_match_by_name_alias_case_and_spacing(tmp_path: Path) -> None:
    model = api.load(REFERENCE_MODEL)
    df = read_log(
        _log(
            tmp_path,
            [
                "c1,close  DEAL,2024-01-01",
                "c1,Contract signed,2024-01-02",
                "c1,kickoff,2024-01-03",
                "c1,Order pizza,2024-01-04",
            ],
        )
    )
    mapped = map_log(model, df)
    assert mapped.matched == {
        "close  DEAL": "close_deal",
        "Contract signed": "sign_contract",
        "kickoff": "kickoff",
    }
    assert [u.label for u in mapped.unmatched] == ["Order pizza"]
    assert df.shape[0] == 4 and mapped.df[NODE].isna().sum() == 1
    assert mapped.lane_source == "model"
    assert mapped.df[LANE].astype(str).tolist()[:3] == ["sales", "customer", "impl"]


def test_closest_names_are_suggested(tmp_path: Path) -> None:
    model = api.load(REFERENCE_MODEL)
    df = read_log(_log(tmp_path, ["c1,Close deal,2024-01-01", "c1,Kick-off meeting,2024-01-02"]))
    mapped = map_log(model, df)
    assert mapped.unmatched[0].closest[0] == "Kickoff meeting"


def test_lane_from_org_group_by_id_or_name(tmp_path: Path) -> None:
    model = api.load(REFERENCE_MODEL)
    df = read_log(
        _log(
            tmp_path,
            [
                "c1,Close deal,2024-01-01,Sales",
                "c1,Kickoff meeting,2024-01-02,implementation",
                "c1,Go live,2024-01-03,Finance",
            ],
            header="case_id,activity,timestamp,team",
        )
    )
    mapped = map_log(model, df)
    assert mapped.lane_source == "org:group"
    assert mapped.df[LANE].astype(str).tolist() == ["sales", "impl", "Finance"]
    assert mapped.unknown_groups == ["Finance"]


def test_lane_from_a_resource_map(tmp_path: Path) -> None:
    model = api.load(REFERENCE_MODEL)
    df = read_log(
        _log(
            tmp_path,
            ["c1,Close deal,2024-01-01,ann", "c1,Go live,2024-01-03,bob"],
            header="case_id,activity,timestamp,resource",
        )
    )
    lanes = tmp_path / "lanes.csv"
    lanes.write_text("resource,lane\nann,Sales\nbob,impl\n")
    mapped = api.map_log(model, df, lanes_from=lanes)
    assert mapped.df[LANE].astype(str).tolist() == ["sales", "impl"]
    bad = tmp_path / "bad.csv"
    bad.write_text("ann,Marketing\n")
    with pytest.raises(EventLogError, match="unknown lane 'Marketing'"):
        api.map_log(model, df, lanes_from=bad)


def test_a_log_that_matches_nothing_is_refused(tmp_path: Path) -> None:
    model = api.load(REFERENCE_MODEL)
    df = read_log(_log(tmp_path, ["c1,Bake bread,2024-01-01"]))
    with pytest.raises(EventLogError, match="none of the log's 1 activities"):
        map_log(model, df)


def test_log_command_text_json_and_bad_input(tmp_path: Path) -> None:
    path = _log(
        tmp_path,
        ["c1,Close deal,2024-01-01", "c1,Kickoff meeting,2024-01-02", "c2,Close deal,2024-01-05"],
    )
    runner = CliRunner()
    result = runner.invoke(app, ["log", str(path), "--model", str(REFERENCE_MODEL)])
    assert result.exit_code == 0, result.output
    assert "cases       2" in result.output and "variants    2" in result.output
    assert "3 of 3 events (100%)" in result.output
    import json

    doc = json.loads(runner.invoke(app, ["log", str(path), "-f", "json"]).output)
    assert doc["summary"]["events"] == 3
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert runner.invoke(app, ["log", str(empty)]).exit_code == 2
    assert pd.__version__  # pandas is what the frame is built on


def test_check_and_journey_match_labels_the_same_way() -> None:
    """One matcher: a log whose labels differ from the model's names only in case and
    spacing gives the journey the same funnel as the original log (the journey once needed
    exact names), and the check maps every such label to the same node."""
    from test_journey_scenario import NOW, scenario_log

    model = api.load(REFERENCE_MODEL)
    plain = scenario_log()
    shouted = plain.assign(
        **{"concept:name": plain["concept:name"].str.upper().str.replace(" ", "  ")}
    )
    funnel = [s.to_dict() for s in api.journey(model, plain, now=NOW).funnel]
    assert [s.to_dict() for s in api.journey(model, shouted, now=NOW).funnel] == funnel
    assert funnel[0]["reached"] > 0
    by_check = api.map_log(model, shouted).matched
    assert len(by_check) == plain["concept:name"].nunique()
    original = api.map_log(model, plain).matched
    assert sorted(by_check.values()) == sorted(original.values())


def _ambiguous_model():
    from bpmtool.model import Model

    return Model.model_validate(
        {
            "id": "m",
            "lanes": [{"id": "a"}, {"id": "b"}],
            "nodes": [
                {"id": "s", "type": "start", "lane": "a"},
                {"id": "review", "name": "Review", "lane": "a"},
                {"id": "check", "name": "Check", "lane": "b", "aliases": ["review"]},
                {"id": "e", "type": "end", "lane": "b"},
            ],
            "flows": ["s -> review", "review -> check", "check -> e"],
        }
    )


def test_a_label_that_names_two_nodes_is_an_error_for_check_and_journey() -> None:
    """'Review' is one node's name and another's alias: no first or last match wins."""
    model = _ambiguous_model()
    log = pd.DataFrame(
        {
            "case:concept:name": ["c1", "c1"],
            "concept:name": ["REVIEW", "Check"],
            "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"], utc=True),
        }
    )
    for run in (
        lambda: api.map_log(model, log, filename="log.csv"),
        lambda: api.journey(model, log),
    ):
        with pytest.raises(EventLogError) as err:
            run()
        text = str(err.value)
        assert "'REVIEW'" in text and "review, check" in text, text
    # a model whose ambiguous label the log never uses is fine
    fine = log.assign(**{"concept:name": ["Check", "Check"]})
    assert api.map_log(model, fine).matched == {"Check": "check"}


def test_an_ambiguous_label_makes_the_cli_exit_2(tmp_path: Path) -> None:
    import yaml

    model_file = tmp_path / "m.yaml"
    model_file.write_text(
        yaml.safe_dump(
            _ambiguous_model().model_dump(by_alias=True, exclude_defaults=True, mode="json")
        )
    )
    log = _log(tmp_path, ["c1,Review,2024-01-01", "c1,Check,2024-01-02"])
    result = CliRunner().invoke(app, ["check", str(model_file), str(log)])
    assert result.exit_code == 2, result.output
    assert "matches 2 model nodes" in result.output


def test_a_label_naming_an_activity_and_an_event_is_the_activity() -> None:
    """pm4py writes an end event named 'end'; a log (teleclaims) has an activity 'end' too:
    the event is the activity, not the end event, and still two activities are ambiguous."""
    from bpmtool.model import Model

    model = Model.model_validate(
        {
            "id": "m",
            "lanes": [{"id": "a"}],
            "nodes": [
                {"id": "s", "type": "start", "name": "start", "lane": "a"},
                {"id": "t", "name": "end", "lane": "a"},
                {"id": "e", "type": "end", "name": "end", "lane": "a"},
            ],
            "flows": ["s -> t", "t -> e"],
        }
    )
    log = pd.DataFrame(
        {
            "case:concept:name": ["c1"],
            "concept:name": ["end"],
            "time:timestamp": pd.to_datetime(["2024-01-01"], utc=True),
        }
    )
    assert api.map_log(model, log).matched == {"end": "t"}
    with pytest.raises(EventLogError):
        api.map_log(_ambiguous_model(), log.assign(**{"concept:name": ["Review"]}))
