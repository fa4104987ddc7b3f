"""The deliberately flawed model: every static rule fires, and exactly where it was planted."""

from __future__ import annotations

from collections import Counter

from bpmtool import api
from bpmtool.findings import RULES
from tests.conftest import FLAWED_MODEL, REFERENCE_MODEL

# (code, subject) for every flaw planted in models/flawed-handoffs.yaml (see its comments)
EXPECTED = {
    ("ARTIFACT-MULTIPLE-PRODUCERS", ("faq", "configure", "setup")),
    ("DEAD-END", ("chase",)),
    ("DEAD-END", ("nag",)),
    ("DISCONNECTED", ("orphan",)),
    ("DISCONNECTED", ("audit", "fix", "upsell")),
    ("DUPLICATE-ACTIVITY", ("sales_kickoff", "kickoff")),
    ("DUPLICATE-HANDOFF", ("sales_kickoff->kickoff", "close->kickoff")),
    ("GATEWAY-SINGLE-FLOW", ("pass",)),
    ("HANDOFF-ARTIFACT-NOT-PRODUCED", ("configure->review", "configure", "review", "config_doc")),
    ("HANDOFF-ARTIFACT-NOT-USED", ("sales_kickoff->kickoff", "sales_kickoff", "kickoff", "notes")),
    ("HANDOFF-ARTIFACT-NOT-USED", ("close->kickoff", "close", "kickoff", "notes")),
    ("HANDOFF-NO-ARTIFACT", ("decide->golive", "decide", "golive")),
    ("HANDOFF-NO-RECEIVER", ("route->notify", "route", "notify")),
    ("IMPLICIT-SPLIT", ("sales_kickoff", "close", "kickoff")),
    ("IMPLICIT-SPLIT", ("fix", "audit", "upsell")),
    ("INPUT-NO-SUPPLIER", ("golive", "runbook")),
    ("LANE-EMPTY", ("finance",)),
    ("MILESTONE-NOT-MEASURABLE", ("live", "onboard")),
    ("NO-END", ("flawed-handoffs",)),
    ("NO-START", ("flawed-handoffs",)),
    ("NODE-NO-LANE", ("orphan",)),
    ("OUTPUT-NO-CUSTOMER", ("close", "contract")),
    ("PING-PONG", ("configure", "review", "decide")),
    ("STAGE-NO-HANDOFF", ("support", "expand", "support", "impl")),
    ("STAGE-NOT-COVERED", ("renew",)),
    ("STAGE-OVERLAP", ("golive", "onboard", "support")),
    ("UNREACHABLE", ("audit",)),
    ("UNREACHABLE", ("fix",)),
    ("UNREACHABLE", ("upsell",)),
}


def test_flawed_model_raises_exactly_the_planted_findings() -> None:
    findings = api.lint(api.load(FLAWED_MODEL))
    got = [(f.code, f.subject) for f in findings]
    assert len(got) == len(set(got)), Counter(got).most_common(3)
    assert set(got) == EXPECTED


def test_every_static_rule_fires_on_the_flawed_model() -> None:
    fired = {f.code for f in api.lint(api.load(FLAWED_MODEL))}
    static = {code for code, rule in RULES.items() if rule.scope == "model"}
    # EMPTY-MODEL fires only on a model without nodes, where no other rule has work
    assert static - fired == {"EMPTY-MODEL"}


def test_reference_model_lints_clean_and_is_rich_enough() -> None:
    model = api.load(REFERENCE_MODEL)
    assert api.lint(model) == []
    assert len(model.lanes) >= 4 and any(lane.external for lane in model.lanes)
    assert len(model.nodes) >= 20
    types = {n.type for n in model.nodes}
    assert {"parallel", "exclusive", "start", "end"} <= types
    assert [s.name for s in model.stages] == ["Build", "Grow", "Ignite"]
    assert model.ctqs and model.triggers


def test_findings_carry_analyst_language() -> None:
    for f in api.lint(api.load(FLAWED_MODEL)):
        assert f.message.endswith((".", "?")) and len(f.message) > 40, f
        assert f.fix, f.code
        assert RULES[f.code].why
