"""Hostile and broken models, lane maps and survey files: located errors, never a crash;
and label wrapping that stays linear in the length of a word."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from bpmtool import api
from bpmtool.errors import EventLogError, InputError, ModelError
from bpmtool.layout.text import text_width, wrap

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "saas-handoffs.yaml"
LOG = ROOT / "examples" / "saas-handoffs.csv"
SMALL = "id: t\nlanes: [{id: a}]\nnodes: [{id: x, lane: a}, {id: y, lane: a}]\n"


def _load(tmp_path: Path, text: str, name: str = "m.yaml") -> ModelError:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ModelError) as err:
        api.load(path)
    return err.value


@pytest.mark.parametrize("duration", ["99999999999d", "9" * 400 + "s", "P99999999999D", "36501d"])
def test_a_huge_duration_is_a_located_model_error(tmp_path: Path, duration: str) -> None:
    err = _load(tmp_path, SMALL + f"ctqs: [{{id: c, name: c, from: x, to: y, max: {duration}}}]\n")
    problem = err.problems[0]
    assert problem.line == 4 and "longest duration" in problem.message


@pytest.mark.parametrize(
    ("value", "tag"),
    [
        ("!foo x", "!foo"),
        ("!!set {a, b}", "!!set"),
        ("!!binary aGVsbG8=", "!!binary"),
        ("!!python/name:os.system ''", "!!python"),
    ],
)
def test_unsupported_yaml_tags_are_located(tmp_path: Path, value: str, tag: str) -> None:
    err = _load(tmp_path, SMALL + f"name: {value}\n")
    assert err.problems[0].line == 4 and tag in err.problems[0].message


def test_binary_does_not_slip_past_validation_into_convert(tmp_path: Path) -> None:
    source = tmp_path / "m.yaml"
    source.write_text(SMALL.replace("{id: x, lane: a}", "{id: x, lane: a, name: !!binary gA==}"))
    with pytest.raises(ModelError, match="!!binary"):
        api.convert(source, tmp_path / "out.bpmn")
    assert not (tmp_path / "out.bpmn").exists()


def test_a_five_thousand_digit_version_is_text_or_an_error(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(SMALL + "version: " + "9" * 5000 + "\n")
    assert api.load(path).version == "9" * 5000
    err = _load(tmp_path, SMALL + "lanes_x: " + "9" * 5000 + "\n")
    assert err.problems[0].line == 4


@pytest.mark.parametrize("key", ["? [a, b]\n: c\n", "!foo x: c\n", '{"a": 1, !foo "b": 2}\n'])
def test_a_mapping_or_tag_used_as_a_key_is_located(tmp_path: Path, key: str) -> None:
    err = _load(tmp_path, SMALL + ("extra: " if key.startswith("{") else "") + key)
    assert err.problems[0].line == 4 and "key" in err.problems[0].message


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("syntax.yaml", "alice: sales\nbob: [impl\n", 3),
        ("nul.yaml", "alice: sales\nbob: im\x00pl\n", 2),
        ("alias.yaml", "alice: &x [sales]\nbob: *x\n", 1),
        ("recursive.yaml", "alice: &x [*x]\n", 1),
        ("unhashable.yaml", "? [alice, bob]\n: sales\n", 1),
        ("tagged.yaml", "alice: !!binary aGk=\n", 1),
        ("list.yaml", "- alice\n- bob\n", 1),
        ("huge-field.csv", "resource,lane\nalice,sales\nbob," + "x" * 140_000 + "\n", 3),
        ("one-column.csv", "alice,sales\nbob\n", 2),
        ("nul.csv", "alice,sales\nbo\x00b,sales\n", 2),
    ],
)
def test_broken_lane_maps_are_located(tmp_path: Path, name: str, text: str, line: int) -> None:
    path = tmp_path / name
    path.write_text(text)
    model = api.load(MODEL)
    with pytest.raises(EventLogError) as err:
        api.check(model, LOG, lanes_from=path, method="replay", precision=False)
    problem = err.value.problems[0]
    assert problem.file == str(path) and problem.line == line, str(err.value)


def test_a_good_yaml_lane_map_still_works(tmp_path: Path) -> None:
    path = tmp_path / "lanes.yaml"
    path.write_text("alice: sales\nbob: Implementation\n")
    log = pd.DataFrame(
        {
            "case:concept:name": ["c1", "c1"],
            "concept:name": ["Close deal", "Kickoff meeting"],
            "time:timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"], utc=True),
            "org:resource": ["alice", "bob"],
        }
    )
    mapped = api.map_log(api.load(MODEL), log, lanes_from=path)
    assert mapped.df["bpmtool:lane"].astype(str).tolist() == ["sales", "impl"]


def test_a_huge_nps_names_the_file_and_row(tmp_path: Path) -> None:
    path = tmp_path / "surveys.csv"
    path.write_text("case_id,nps\nC000001,9\nC000002," + "9" * 400 + "\n")
    with pytest.raises(InputError) as err:
        api.read_surveys(path)
    problem = err.value.problems[0]
    assert problem.file == str(path) and problem.line == 3 and "row 2" in problem.message


def test_many_repeated_survey_columns_are_refused_at_once(tmp_path: Path) -> None:
    path = tmp_path / "surveys.csv"
    path.write_text(",".join(["x"] * 50_000) + "\n" + ",".join(["1"] * 50_000) + "\n")
    with pytest.raises(InputError, match="appears more than once") as err:
        api.read_surveys(path)
    assert err.value.problems[0].file == str(path) and "columns 1 and 2" in str(err.value)


def test_survey_without_a_case_column_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "surveys.csv"
    path.write_text("ticket,nps\nC1,9\n")
    with pytest.raises(InputError, match="no case id column 'case_id'") as err:
        api.journey(api.load(MODEL), LOG, surveys=path)
    assert err.value.problems[0].file == str(path)


def test_surveys_given_as_a_frame_with_huge_ints_are_range_errors() -> None:
    surveys = pd.DataFrame({"case_id": ["C000001"], "nps": [10**400]})
    with pytest.raises(InputError, match="out of range"):
        api.journey(api.load(MODEL), LOG, surveys=surveys)


def _old_wrap_cut(word: str, width: float) -> int:
    """The cut the wrapping made before it was linear (the longest prefix that fits)."""
    for cut in range(len(word) - 1, 0, -1):
        if text_width(word[:cut]) <= width:
            return cut
    return 1


def test_wrapping_a_long_word_cuts_where_it_always_did() -> None:
    word = "Implementation" * 4
    lines = wrap(word, 100, max_lines=10)
    assert "".join(lines) == word
    assert len(lines[0]) == _old_wrap_cut(word, 100)
    assert wrap("Sales-to-implementation handover notes", 100) == [
        "Sales-to-",
        "implementation",
        "handover notes",
    ]


def test_a_three_thousand_character_name_renders(tmp_path: Path) -> None:
    name = "x" * 3000
    path = tmp_path / "long.yaml"
    path.write_text(
        f"id: t\nlanes: [{{id: a, name: {name}}}]\n"
        f"nodes: [{{id: s, type: start, lane: a}}, {{id: x, lane: a, name: {name}}}]\n"
        "flows: [s -> x]\n"
    )
    svg = api.render_svg(api.load(path))
    assert "xxxxxxxx…" in svg
    lines = wrap(name * 30, 120, max_lines=3)
    assert len(lines) == 3 and lines[-1].endswith("…")


@pytest.mark.parametrize("flow", ["q", "x -> nowhere"])
def test_an_error_heavy_model_lists_the_first_thousand_and_counts_all(
    tmp_path: Path, flow: str
) -> None:
    from bpmtool.io.yaml_model import MAX_PROBLEMS

    err = _load(tmp_path, SMALL + "flows: [" + ", ".join([flow] * 5000) + "]\n")
    total = 5000 if flow == "q" else 5001  # 5,000 unknown targets and one duplicate flow
    assert len(err.problems) == MAX_PROBLEMS == 1000 and err.omitted == total - 1000
    assert f"{total:,} problem(s)" in err.summary and "first 1,000" in err.summary
    assert err.problems[0].line == 4 and err.problems[0].key == "flows[0]" + (
        "" if flow == "q" else ".target"
    )


_PEAK = """
import sys
from bpmtool.errors import ModelError
from bpmtool.io.yaml_model import load_model
try:
    load_model(sys.argv[1])
except ModelError as err:
    print(len(err.problems), err.omitted)
# the high-water mark of this program's own memory: ru_maxrss would also count the pytest
# process it was forked from (Linux keeps it across exec), a gigabyte late in a full run
with open("/proc/self/status", encoding="ascii") as status:
    hwm = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
print(hwm // 1024)
"""


@pytest.mark.slow
@pytest.mark.parametrize("flow", ["q", "x -> nowhere"])
def test_a_million_bad_flows_are_counted_in_bounded_memory(tmp_path: Path, flow: str) -> None:
    # 1,000,000 flows that are not flows (3 MB), or 300,000 to an unknown node: pydantic
    # used to hold an error object per problem (2 GB for the first file)
    count = 1_000_000 if flow == "q" else 300_000
    path = tmp_path / "heavy.yaml"
    path.write_text(SMALL + "flows: [" + ", ".join([flow] * count) + "]\n")
    out = subprocess.run(
        [sys.executable, "-c", _PEAK, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ).stdout.split()
    total = count if flow == "q" else count + 1  # and one duplicate flow
    assert out[:2] == ["1000", str(total - 1000)]
    assert int(out[2]) < 300, f"peak {out[2]} MB"


def test_a_large_valid_model_loads_the_same_in_pieces(tmp_path: Path) -> None:
    # over 20,000 values: the lists are validated in pieces, the model is the same
    from bpmtool.io.model_validation import CHUNK_VALUES, count_values
    from bpmtool.model import Model

    n = 4000
    data = {
        "id": "big",
        "lanes": [{"id": "a"}, {"id": "b"}],
        "artifacts": [{"id": "y"}],
        "nodes": [
            {"id": f"t{i}", "name": f"Task {i}", "lane": "ab"[i % 2], "outputs": ["y"]}
            for i in range(n)
        ],
        "flows": [{f"t{i} -> t{i + 1}": {"artifact": "y"}} for i in range(n - 1)],
    }
    assert count_values(data, 10**9) > CHUNK_VALUES
    path = tmp_path / "big.json"
    path.write_text(json.dumps(data))
    model = api.load(path)
    assert model == Model.model_validate(data) and len(model.flows) == n - 1
    data["nodes"][3999]["lane"] = ["not", "a", "lane"]
    path.write_text(json.dumps(data))
    with pytest.raises(ModelError) as err:
        api.load(path)
    assert [p.key for p in err.value.problems] == ["nodes[3999].lane"]
    assert err.value.problems[0].line == 1


def test_an_entry_of_more_than_a_piece_is_refused_unvalidated(tmp_path: Path) -> None:
    text = SMALL + "flows:\n  - source: x\n    target: y\n    name: [" + "1, " * 30_000 + "]\n"
    err = _load(tmp_path, text)
    assert err.problems[0].key == "flows[0]" and err.problems[0].line == 5
    assert "holds more than 20,000 values" in err.problems[0].message


def test_unknown_column_roles_and_methods_are_input_errors(tmp_path: Path) -> None:
    with pytest.raises(EventLogError, match="unknown column role") as err:
        api.read_log(LOG, columns={"ticket": "x"})
    assert err.value.problems[0].file == str(LOG) and err.value.problems[0].key == "columns"
    with pytest.raises(InputError, match="unknown check method 'tokens'"):
        api.check(api.load(MODEL), LOG, method="tokens")


def test_a_very_long_unknown_key_is_refused_at_once(tmp_path: Path) -> None:
    err = _load(tmp_path, SMALL + "? " + "nam" * 4000 + "\n: 1\n")
    assert err.problems[0].line == 4 and "unknown key" in err.problems[0].message


def test_deeply_nested_block_yaml_is_refused(tmp_path: Path) -> None:
    nested = "".join(" " * i + "- \n" for i in range(600)) + " " * 600 + "x\n"
    err = _load(tmp_path, SMALL + "name:\n" + nested)
    assert "nested too deeply" in err.problems[0].message


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("id: t\n---\nid: u\n", "expected a single document", 2),
        ("id: t\nlanes: [*nowhere]\n", "found undefined alias 'nowhere'", 2),
        ("id: t\nlanes: [&a {id: a}, &a {id: b}]\n", "found duplicate anchor 'a'", 2),
        ("id: t\n<<: {name: x}\n", "the YAML tag '!!merge' is not supported", 2),
        ("id: t\n[a]: 1\n", "a key is a list, a mapping or tagged", 2),
        ("id: t\nx: &k [1]\n*k : 2\n", "a key is a list, a mapping or tagged", 3),
        ("id: t\nname: !!binary aGVsbG8=\n", "the YAML tag '!!binary' is not supported", 2),
        ("id: t\nlanes: !!set {a: null}\n", "the YAML tag '!!set' is not supported", 2),
        ("- 1\n- 2\n", "the top level of a model must be a mapping", 1),
    ],
)
def test_yaml_read_from_its_events_refuses_what_a_model_may_not_hold(
    tmp_path: Path, text: str, message: str, line: int
) -> None:
    err = _load(tmp_path, text)
    assert message in err.problems[0].message and err.problems[0].line == line


def test_aliases_of_lanes_and_values_still_load(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        "id: t\nlanes: [&sales {id: sales}]\n"
        "nodes: [{id: a, lane: sales, outputs: &out [o]}, {id: b, lane: sales, inputs: *out}]\n"
        "artifacts: [{id: o}]\nflows: [a -> b]\n"
    )
    model = api.load(path)
    assert model.node_by_id["b"].inputs == ["o"] and model.lanes[0].id == "sales"


def test_a_megabyte_id_gets_no_suggestion_and_no_memory_blowup(tmp_path: Path) -> None:
    # fuzzing: difflib indexed a 3.9 MB node id for a did-you-mean and ran out of memory
    err = _load(tmp_path, SMALL + "flows: [{source: x, target: " + "y" * 2_000_000 + "}]\n")
    messages = [p.message for p in err.problems]
    assert any(m.startswith("unknown node id 'yyy") for m in messages), messages
    assert not any("did you mean" in m for m in messages)
    assert all(len(m) < 400 for m in messages)  # the value is not repeated whole
