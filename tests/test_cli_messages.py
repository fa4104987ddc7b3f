"""Ordinary mistakes get located, human messages and exit 2 — never 'internal error'."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from bpmtool.cli import app
from bpmtool.errors import ModelError
from bpmtool.io.yaml_model import loads_model
from tests.conftest import EXAMPLES, REFERENCE_MODEL

LOG = EXAMPLES / "saas-handoffs.csv"


def _problems(text: str) -> dict[str, str]:
    with pytest.raises(ModelError) as err:
        loads_model(text, "m.yaml")
    return {p.key or "": f"{p}" for p in err.value.problems}


MODEL = """id: t
lanes: [{id: sales}]
nodes:
  - {id: a, name: A, lane: sales}
  - {id: e, type: end, lane: sales}
"""


@pytest.mark.parametrize(
    "extra, key, says",
    [
        ("  - {id: b, lnae: sales}\n", "nodes[2].lnae", "unknown key 'lnae'; did you mean 'lane'?"),
        ("flow:\n  - a -> e\n", "flow", "unknown key 'flow'; did you mean 'flows'?"),
        (
            "  - {id: g, type: gateway, lane: sales}\n",
            "nodes[2].type",
            "'gateway' is not a node type; a gateway says how it splits: complex, event_based, "
            "exclusive, inclusive, parallel; did you mean 'exclusive'?",
        ),
        ("  - {id: g, type: paralel, lane: sales}\n", "nodes[2].type", "did you mean 'parallel'?"),
        ("flows:\n  - a => e\n", "flows[0]", "'a => e' is not a flow; did you mean 'a -> e'?"),
        ("flows:\n  - {source: a, taget: e}\n", "flows[0].taget", "did you mean 'target'?"),
        ("lanes2: []\n", "lanes2", "did you mean 'lanes'?"),
        (
            "flows:\n  - a -> e: yes\n",
            "flows[0]",
            "the attributes of a flow shorthand must be a mapping",
        ),
    ],
)
def test_misspelt_keys_and_values_get_a_located_suggestion(extra: str, key: str, says: str) -> None:
    problems = _problems(MODEL + extra)
    assert key in problems, problems
    assert says in problems[key]
    assert problems[key].startswith("m.yaml:")  # located: file, line and column
    assert "Input should" not in problems[key] and "Extra inputs" not in problems[key]
    assert not [k for k in problems if k.endswith("_attributes")]  # said once, not twice


def test_a_bad_flow_on_the_command_line(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MODEL + "flows:\n  - a => e\n")
    result = CliRunner().invoke(app, ["lint", str(path)])
    assert result.exit_code == 2
    assert f"{path}:7:5: [flows[0]] 'a => e' is not a flow; did you mean 'a -> e'?" in result.output


def test_a_missing_activity_column_reads_like_english(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("case,act\n1,a\n")
    result = CliRunner().invoke(app, ["log", str(path)])
    assert result.exit_code == 2
    assert "an activity column, or name it with --activity COLUMN" in result.output
    assert "a activity" not in result.output


def test_a_lane_map_that_is_no_yaml_is_located(tmp_path: Path) -> None:
    lanes = tmp_path / "lanes.yaml"
    lanes.write_text("alice: sales\nbob: [impl\n")
    result = CliRunner().invoke(
        app, ["check", str(REFERENCE_MODEL), str(LOG), "-q", "--lanes-from", str(lanes)]
    )
    assert result.exit_code == 2, result.output
    assert f"error: {lanes}:3" in result.output and "not valid YAML" in result.output


def test_a_survey_file_without_its_columns_is_named(tmp_path: Path) -> None:
    surveys = tmp_path / "answers.csv"
    surveys.write_text("case\n1\n")
    result = CliRunner().invoke(
        app, ["journey", str(REFERENCE_MODEL), str(LOG), "--surveys", str(surveys)]
    )
    assert result.exit_code == 2, result.output
    assert f"error: {surveys}" in result.output and "case_id" in result.output
    assert "<input>" not in result.output


def test_messages_without_a_file_do_not_say_input() -> None:
    from bpmtool.errors import Problem

    assert (
        str(Problem("unknown orientation 'x'", expected="horizontal or vertical"))
        == "unknown orientation 'x' (expected horizontal or vertical)"
    )
    assert str(Problem("bad", key="now")) == "[now] bad"
    assert str(Problem("bad", file="f.yaml", line=3)) == "f.yaml:3: bad"


def test_problems_found_after_reading_name_the_log_file(tmp_path: Path) -> None:
    rows = LOG.read_text(encoding="utf-8").splitlines()
    log = tmp_path / "no-resources.csv"
    log.write_text("\n".join(",".join(r.split(",")[:3]) for r in rows) + "\n")
    lanes = tmp_path / "lanes.csv"
    lanes.write_text("resource,lane\nana.sales,sales\n")
    result = CliRunner().invoke(
        app, ["check", str(REFERENCE_MODEL), str(log), "-q", "--lanes-from", str(lanes)]
    )
    assert result.exit_code == 2, result.output
    assert f"error: {log}: a resource → lane map needs an org:resource column" in result.output
