"""Every static rule fires on its `fires` fixture and stays silent on its `silent` one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bpmtool import api
from bpmtool.findings import PRESETS, RULES, Report, Severity
from bpmtool.io.yaml_model import loads_model
from bpmtool.model import Model
from bpmtool.rules import RULE_ERROR, UNKNOWN_RULE, run_rules
from bpmtool.rules.registry import CHECKS

FIXTURES = Path(__file__).parent / "fixtures" / "rules"
STATIC = sorted(code for code, rule in RULES.items() if rule.scope == "model")


def _cases(code: str) -> tuple[Model, list[Model]]:
    """The first document of a fixture fires the rule; every other one must stay silent."""
    text = (FIXTURES / f"{code}.yaml").read_text()
    # preset: all, so that the optional rules fire on their fixtures too
    fires, *silent = (
        loads_model(yaml.safe_dump({"preset": "all", **doc}), f"{code}.yaml")
        for doc in yaml.safe_load_all(text)
    )
    assert silent, f"{code} needs at least one silent example"
    return fires, silent


def test_every_static_rule_has_fixtures() -> None:
    assert {p.stem for p in FIXTURES.glob("*.yaml")} == set(STATIC)


@pytest.mark.parametrize("code", STATIC)
def test_rule_fires_where_it_should(code: str) -> None:
    fires, _ = _cases(code)
    findings = [f for f in run_rules(fires) if f.code == code]
    assert findings, f"{code} stayed silent on its 'fires' fixture"
    for f in findings:
        assert f.kind == RULES[code].kind
        known = (
            {n.id for n in fires.nodes}
            | {x.key for x in fires.flows}
            | {lane.id for lane in fires.lanes}
            | {s.id for s in fires.stages}
            | {a.id for a in fires.artifacts}
            | {fires.id}
            | {m.id for s in fires.stages for m in s.milestones}
        )
        assert set(f.subject) <= known, f"{code} names ids that are not in the model"


@pytest.mark.parametrize("code", STATIC)
def test_rule_is_silent_where_it_should_be(code: str) -> None:
    _, silent = _cases(code)
    for model in silent:
        assert [f for f in run_rules(model) if f.code == code] == [], model.id


def _model(**extra: object) -> Model:
    base = {
        "id": "m",
        "lanes": [{"id": "a"}, {"id": "b"}],
        "nodes": [
            {"id": "s", "type": "start", "lane": "a"},
            {"id": "x", "lane": "a"},
            {"id": "y", "lane": "b"},
            {"id": "e", "type": "end", "lane": "b"},
        ],
        "flows": ["s -> x", "x -> y", "y -> e"],
    }
    base.update(extra)
    return Model.model_validate(base)


def test_a_model_can_switch_a_rule_off_or_change_its_severity() -> None:
    codes = {f.code: f.severity for f in run_rules(_model())}
    assert codes == {"HANDOFF-NO-ARTIFACT": Severity.WARNING}
    assert run_rules(_model(rules={"HANDOFF-NO-ARTIFACT": "off"})) == []
    raised = run_rules(_model(rules={"HANDOFF-NO-ARTIFACT": "error"}))
    assert [f.severity for f in raised] == [Severity.ERROR]


def test_yaml_off_is_read_as_off() -> None:
    model = loads_model("id: m\nrules: {HANDOFF-NO-ARTIFACT: off}\n")
    assert model.rules == {"HANDOFF-NO-ARTIFACT": "off"}


def test_unknown_rule_in_overrides_is_reported_with_a_suggestion() -> None:
    findings = run_rules(_model(rules={"HANDOF-NO-ARTIFACT": "off"}))
    unknown = [f for f in findings if f.code == UNKNOWN_RULE]
    assert len(unknown) == 1 and "HANDOFF-NO-ARTIFACT" in unknown[0].message


def test_a_crashing_rule_becomes_a_rule_error_and_the_lint_goes_on(monkeypatch) -> None:
    def crash(_: object) -> list[Report]:
        raise ZeroDivisionError("boom")

    monkeypatch.setitem(CHECKS, "LANE-EMPTY", crash)
    findings = run_rules(_model())
    codes = [f.code for f in findings]
    assert RULE_ERROR in codes and "HANDOFF-NO-ARTIFACT" in codes
    err = next(f for f in findings if f.code == RULE_ERROR)
    assert err.subject == ("LANE-EMPTY",) and "ZeroDivisionError" in err.message
    assert err.severity == Severity.ERROR


def test_every_static_code_has_a_check_and_every_check_a_static_code() -> None:
    assert set(CHECKS) == set(STATIC)


def test_presets_are_data_and_really_differ() -> None:
    optional = sorted(code for code, rule in RULES.items() if rule.optional)
    assert optional, "some rules must be optional, or the two presets are the same"
    for code in optional:
        assert PRESETS["recommended"][code] is None
        assert PRESETS["all"][code] == RULES[code].severity
    assert {c for c, s in PRESETS["recommended"].items() if s is not None} == set(RULES) - set(
        optional
    )


def test_an_optional_rule_is_off_by_default_and_on_with_preset_all() -> None:
    split = {
        "id": "m",
        "lanes": [{"id": "a"}],
        "nodes": [
            {"id": "s", "type": "start", "lane": "a"},
            {"id": "x", "lane": "a"},
            {"id": "y", "lane": "a"},
            {"id": "e", "type": "end", "lane": "a"},
        ],
        "flows": ["s -> x", "x -> y", "x -> e", "y -> e"],
    }
    assert RULES["IMPLICIT-SPLIT"].optional
    assert "IMPLICIT-SPLIT" not in {f.code for f in run_rules(Model.model_validate(split))}
    everything = Model.model_validate({**split, "preset": "all"})
    assert "IMPLICIT-SPLIT" in {f.code for f in run_rules(everything)}
    switched = Model.model_validate({**split, "rules": {"IMPLICIT-SPLIT": "error"}})
    assert [f.severity for f in run_rules(switched) if f.code == "IMPLICIT-SPLIT"] == [
        Severity.ERROR
    ]


def test_every_code_is_known_without_importing_the_checks() -> None:
    """The catalogue is data: a fresh interpreter that imports only bpmtool.findings knows
    every log-check code, and lint honours an override of one without UNKNOWN-RULE whatever
    was imported before (it once depended on the mining modules being imported)."""
    program = (
        "import sys\n"
        "from bpmtool.findings import RULES\n"
        "assert {'WRONG-LANE', 'SLOW-HANDOFF', 'CTQ-BREACH', 'PING-PONG-OBSERVED'} <= set(RULES)\n"
        "from bpmtool.io.yaml_model import loads_model\n"
        "from bpmtool.rules import run_rules\n"
        "m = loads_model('id: m\\nrules: {WRONG-LANE: off, SLOW-HANDOFF: error}\\n')\n"
        "print(sorted({f.code for f in run_rules(m)} - {'EMPTY-MODEL'}))\n"
        "print(sorted(n for n in sys.modules if n.startswith(('pm4py', 'bpmtool.mining'))))\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=True,
    )
    codes, imported = done.stdout.splitlines()
    assert codes == "[]"  # no UNKNOWN-RULE for the log-check codes
    assert imported == "[]"


def test_findings_are_sorted_worst_first_and_deterministic() -> None:
    model = api.load(Path(__file__).parent.parent / "models" / "flawed-handoffs.yaml")
    first, second = api.lint(model), api.lint(model)
    assert first == second
    ranks = [f.severity.rank for f in first]
    assert ranks == sorted(ranks, reverse=True)


def test_docs_list_every_static_rule() -> None:
    docs = (Path(__file__).parent.parent / "docs" / "rules.md").read_text()
    for code in STATIC:
        assert f"## {code}\n" in docs, code
