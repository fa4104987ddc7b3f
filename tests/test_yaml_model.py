"""Loading the native model format: every problem at once, located, never a traceback."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from bpmtool.errors import ModelError
from bpmtool.io.yaml_model import dump_model, load_model, loads_model
from bpmtool.model import json_schema, parse_duration
from tests.conftest import MODELS, REFERENCE_MODEL

BROKEN = """\
id: broken
lanes:
  - {id: sales}
  - {id: sales}
nodes:
  - {id: a, lane: salse}
  - {id: b, lane: sales, type: gateway}
  - {id: c, lane: sales, inputs: [nothing]}
flows:
  - a -> b
  - b -> zzz: {artifact: contract}
ctqs:
  - {id: fast, from: a, to: b, max: 5x}
unknown_key: 1
"""


def _problems(text: str) -> list:
    with pytest.raises(ModelError) as err:
        loads_model(text, "broken.yaml")
    return err.value.problems


def test_a_broken_model_reports_all_its_problems_with_line_column_and_key() -> None:
    problems = _problems(BROKEN)
    by_key = {p.key: p for p in problems}
    assert (
        by_key["lanes[1].id"].line == 4
        and "duplicate lane id 'sales'" in by_key["lanes[1].id"].message
    )
    assert (
        by_key["nodes[0].lane"].line == 6
        and "did you mean 'sales'" in by_key["nodes[0].lane"].message
    )
    assert by_key["nodes[1].type"].line == 7 and "'gateway'" in by_key["nodes[1].type"].message
    assert by_key["nodes[2].inputs[0]"].line == 8
    assert by_key["flows[1].target"].line == 11 and "'zzz'" in by_key["flows[1].target"].message
    assert by_key["flows[1].target"].column == 5  # points at the `b -> zzz` shorthand
    assert by_key["flows[1].artifact"].line == 11
    assert by_key["ctqs[0].max"].line == 13 and "'5x'" in by_key["ctqs[0].max"].message
    assert by_key["unknown_key"].line == 14 and "unknown key" in by_key["unknown_key"].message
    assert all(p.file == "broken.yaml" and p.column for p in problems)
    assert [p.line for p in problems] == sorted(p.line for p in problems)


def test_yaml_syntax_error_is_located() -> None:
    problems = _problems("id: x\nlanes: [{id: a}\nnodes: []\n")
    assert len(problems) == 1 and problems[0].line == 3 and "not valid YAML" in problems[0].message


@pytest.mark.parametrize(
    "text, needle",
    [
        ("- just\n- a list\n", "top level of a model must be a mapping"),
        ("", "top level of a model must be a mapping"),
        ("nodes: []\n", "missing required key 'id'"),
        ("id: x\nnodes: {a: 1}\n", "'nodes' should be a list of entries, each starting with '- '"),
        (
            "id: x\nnodes: [{id: a, inputs: x}]\n",
            "'inputs' should be a list, e.g. [a, b] (got 'x')",
        ),
        ("id: x\nname: [1]\n", "'name' should be text"),
        ("id: has space\n", "not a valid id"),
        (
            "id: x\nlanes: [{id: a, external: maybe}]\n",
            "'external' should be true or false (got 'maybe')",
        ),
    ],
)
def test_wrong_shapes_give_clear_messages(text: str, needle: str) -> None:
    problems = _problems(text)
    assert any(needle in p.message for p in problems), [str(p) for p in problems]


def test_binary_junk_is_refused_with_a_location(tmp_path: Path) -> None:
    junk = tmp_path / "junk.yaml"
    junk.write_bytes(os.urandom(4096) + b"\x00")
    with pytest.raises(ModelError) as err:
        load_model(junk)
    assert err.value.problems[0].file == str(junk)
    assert err.value.problems[0].line == 1


def test_non_utf8_text_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin.yaml"
    path.write_bytes("id: x\nname: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ModelError) as err:
        load_model(path)
    assert err.value.problems[0].line == 2 and "UTF-8" in str(err.value.problems[0])


def test_a_50_mb_file_is_refused_quickly(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.write(b"id: big\nnodes:\n")
        fh.write(b"  - {id: n, lane: a}\n" * (50 * 1024 * 1024 // 21))
    start = time.perf_counter()
    with pytest.raises(ModelError) as err:
        load_model(big)
    assert time.perf_counter() - start < 5
    assert "MB" in err.value.problems[0].message


def test_alias_bomb_is_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        bomb += f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]\n"
    bomb += "id: bomb\n"
    with pytest.raises(ModelError) as err:
        loads_model(bomb)
    assert "2 million" in str(err.value)


def test_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError) as err:
        load_model(tmp_path / "nope.yaml")
    assert "cannot read" in str(err.value)


def test_dump_and_load_round_trip_every_model() -> None:
    for path in MODELS.glob("*.yaml"):
        model = load_model(path)
        again = loads_model(dump_model(model), "dumped.yaml")
        assert again == model, path.name


def test_durations() -> None:
    assert parse_duration("1w2d").days == 9
    assert parse_duration("36h").total_seconds() == 36 * 3600
    assert parse_duration("P5D").days == 5
    with pytest.raises(ValueError):
        parse_duration("5x")
    with pytest.raises(ValueError):
        parse_duration(5)


def test_json_schema_accepts_the_shorthands() -> None:
    schema = json_schema()
    items = schema["properties"]["flows"]["items"]["anyOf"]
    assert {"$ref": "#/$defs/Flow"} in items
    assert any(i.get("type") == "string" for i in items)
    assert "Node" in schema["$defs"] and "lanes" in schema["properties"]


def test_json_models_load_too(tmp_path: Path) -> None:
    import json

    data = load_model(REFERENCE_MODEL).model_dump(by_alias=True, mode="json")
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data))
    assert load_model(path) == load_model(REFERENCE_MODEL)


def test_recursive_alias_is_refused() -> None:
    problems = _problems("id: x\na: &a [1, *a]\n")
    assert problems[0].line == 2 and "refers to itself" in problems[0].message


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("id: m\nname: Model\nid: other\n", 3, "id"),
        ('{"id": "m", "lanes": [], "id": "k"}', 1, "id"),
        (
            "id: m\nlanes:\n  - id: sales\n    name: Sales\n    name: Marketing\n",
            5,
            "lanes[0].name",
        ),
    ],
)
def test_a_key_given_twice_is_refused_where_it_repeats(text: str, line: int, key: str) -> None:
    # a loader that kept the last value would silently lose the first ("Sales" above)
    with pytest.raises(ModelError) as raised:
        loads_model(text, "twice.yaml")
    problem = raised.value.problems[0]
    assert "given twice" in problem.message
    assert (problem.file, problem.line, problem.key) == ("twice.yaml", line, key)
