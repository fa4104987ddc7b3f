"""Handoffs read from a log: every injected deviation found with its count, nothing else."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from bpmtool import api
from bpmtool.graph import ProcessGraph
from bpmtool.mining.handoffs import analyse_handoffs
from bpmtool.mining.model_order import concurrent_pairs, follows_pairs
from tests.conftest import EXAMPLES, REFERENCE_MODEL

sys.path.insert(0, str(EXAMPLES))
import generate_log


def _findings(log: Path) -> tuple[dict, list]:
    model = api.load(REFERENCE_MODEL)
    mapped = api.map_log(model, api.read_log(log))
    _, findings = analyse_handoffs(ProcessGraph(model), mapped.df, lanes_observed=True)
    truth = json.loads(log.with_name(log.name.split(".")[0] + ".truth.json").read_text())
    return truth, findings


def _check_against_truth(truth: dict, findings: list) -> None:
    dev = truth["deviations"]
    got = {(f.code, f.subject): f.evidence.get("cases") for f in findings}
    expected = {
        ("UNEXPECTED-ACTIVITY", ("Update CRM record",)): len(dev["unexpected"]),
        ("WRONG-LANE", ("kickoff", "sales")): len(dev["wrong_lane"]),
        ("WRONG-LANE", ("migrate_data", "support")): len(dev["foreign"]),
        ("SHARED-ACTIVITY", ("kickoff", "impl", "sales")): None,
        ("SHARED-ACTIVITY", ("migrate_data", "impl", "support")): None,
        ("UNMODELLED-HANDOFF", ("customer", "support")): len(dev["foreign"]),
        ("UNMODELLED-HANDOFF", ("support", "impl")): len(dev["foreign"]),
        ("PING-PONG-OBSERVED", ("customer", "impl")): len(dev["bounce"]),
        ("SLOW-HANDOFF", ("live_split->setup_support", "impl", "support")): len(
            truth["slow_support_handoff"]
        ),
        ("UNUSED-HANDOFF", ("churn_risk->rescue_account", "churn_risk", "rescue_account")): None,
        ("UNUSED-HANDOFF", ("rescue_account->risk_join", "rescue_account", "risk_join")): None,
    }
    expected = {k: v for k, v in expected.items() if v != 0}
    assert got == expected
    # a refused go-live is customer → impl → customer and impl → customer → impl: two bounces
    for f in findings:
        if f.code == "PING-PONG-OBSERVED":
            n = len(dev["bounce"])
            assert (f.evidence["bounces"], f.evidence["back_to"]) == (
                2 * n,
                {"customer": n, "impl": n},
            )


def test_the_example_log_gives_exactly_its_ground_truth() -> None:
    _check_against_truth(*_findings(EXAMPLES / "saas-handoffs.csv"))


@pytest.mark.parametrize("seed", [1, 2])
def test_fresh_logs_give_exactly_their_ground_truth(tmp_path: Path, seed: int) -> None:
    out = tmp_path / "log.csv"
    generate_log.main(["--cases", "800", "--seed", str(seed), "-o", str(out)])
    _check_against_truth(*_findings(out))


def test_interleaving_and_the_rework_loop_are_not_findings(tmp_path: Path) -> None:
    """A log of plain cases only (deviation shares set to zero) gives no finding but the
    unused escalation."""
    out = tmp_path / "clean.csv"
    saved = dict(generate_log.DEVIATIONS), generate_log.SLOW_SHARE
    generate_log.DEVIATIONS.update({k: 0.0 for k in generate_log.DEVIATIONS})
    generate_log.SLOW_SHARE = 0.0
    try:
        generate_log.main(["--cases", "600", "--seed", "4", "-o", str(out)])
    finally:
        generate_log.DEVIATIONS.update(saved[0])
        generate_log.SLOW_SHARE = saved[1]
    _, findings = _findings(out)
    assert Counter(f.code for f in findings) == {"UNUSED-HANDOFF": 2}


def test_model_order_knows_interleavings() -> None:
    g = ProcessGraph(api.load(REFERENCE_MODEL))
    assert ("go_live", "setup_support") in follows_pairs(g)  # through the parallel split
    assert ("run_uat", "run_uat") not in follows_pairs(g)
    assert ("fix_defects", "run_uat") in follows_pairs(g)
    conc = concurrent_pairs(g)
    assert ("congratulate", "setup_support") in conc and ("setup_support", "congratulate") in conc
    assert ("configure_tenant", "migrate_data") in conc
    assert ("kickoff", "configure_tenant") not in conc


def test_a_log_without_timestamps_still_sees_its_handoffs(tmp_path: Path) -> None:
    """Waits need times, whether a handoff happens does not: without a timestamp column the
    same handoffs are seen (no extra UNUSED-HANDOFF) and none is called slow."""
    timed = api.read_log(EXAMPLES / "saas-handoffs.csv")
    untimed = tmp_path / "untimed.csv"
    raw = pd.read_csv(EXAMPLES / "saas-handoffs.csv")
    raw.drop(columns=["timestamp"]).to_csv(untimed, index=False)
    model = api.load(REFERENCE_MODEL)
    graph = ProcessGraph(model)

    def codes(df: pd.DataFrame) -> dict[str, set]:
        stats, findings = analyse_handoffs(graph, api.map_log(model, df).df, lanes_observed=True)
        assert all(h.median_wait is None for h in stats) or df is timed
        return {
            c: {f.subject for f in findings if f.code == c}
            for c in ("UNUSED-HANDOFF", "SLOW-HANDOFF", "UNMODELLED-HANDOFF")
        }

    with_times, without = codes(timed), codes(api.read_log(untimed))
    assert without["UNUSED-HANDOFF"] == with_times["UNUSED-HANDOFF"]
    assert len(without["UNUSED-HANDOFF"]) == 2
    assert without["SLOW-HANDOFF"] == set() and with_times["SLOW-HANDOFF"]
    assert without["UNMODELLED-HANDOFF"] == with_times["UNMODELLED-HANDOFF"]


def _bounces(rows: list[tuple[str, str, str | None]]) -> list[tuple]:
    df = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "org:group"])
    df["time:timestamp"] = pd.date_range("2024-01-01", periods=len(df), freq="h", tz="UTC")
    model = api.load(REFERENCE_MODEL)
    _, findings = analyse_handoffs(
        ProcessGraph(model), api.map_log(model, df).df, lanes_observed=True
    )
    return [
        (
            f.subject,
            f.evidence["cases"],
            f.evidence["bounces"],
            f.evidence["back_to"],
            f.evidence["example_cases"],
        )
        for f in findings
        if f.code == "PING-PONG-OBSERVED"
    ]


def test_ping_pong_is_work_coming_back_to_a_lane_whatever_the_activity() -> None:
    """A → B → A at the lane level is a bounce when the model has no such path, whether the
    same activity is repeated (c3) or not (c1: Sales closes, Implementation kicks off, Sales
    kicks off again; c6: Implementation configures, Support sets up, Implementation tests).
    Not a bounce: the same team going on (c4, c5), an event of no known team in between
    (c2), the modelled test-fix-test loop across Implementation and Customer (c7), rework
    inside one lane (c8), the modelled customer → sales → customer steps of the sale (c9)."""
    rows = [
        ("c1", "Close deal", "sales"),
        ("c1", "Kickoff meeting", "impl"),
        ("c1", "Kickoff meeting", "sales"),
        ("c4", "Configure tenant", "impl"),
        ("c4", "Migrate data", "impl"),
        ("c4", "Kickoff meeting", "impl"),
        ("c4", "Kickoff meeting", "sales"),
        ("c5", "Kickoff meeting", "impl"),
        ("c5", "Configure tenant", "impl"),
        ("c5", "Kickoff meeting", "sales"),
        ("c2", "Kickoff meeting", "impl"),
        ("c2", "Update CRM record", None),
        ("c2", "Kickoff meeting", "impl"),
        ("c3", "Kickoff meeting", "impl"),
        ("c3", "Close deal", "sales"),
        ("c3", "Kickoff meeting", "impl"),
        ("c6", "Configure tenant", "impl"),
        ("c6", "Set up support account", "support"),
        ("c6", "Run acceptance tests", "impl"),
        ("c7", "Run acceptance tests", "impl"),
        ("c7", "Fix defects", "impl"),
        ("c7", "Run acceptance tests", "impl"),
        ("c7", "Approve go-live", "customer"),
        ("c7", "Go live", "impl"),
        ("c8", "Configure tenant", "impl"),
        ("c8", "Configure tenant", "impl"),
        ("c8", "Migrate data", "impl"),
        ("c8", "Configure tenant", "impl"),
        ("c9", "Request demo", "customer"),
        ("c9", "Qualify lead", "sales"),
        ("c9", "Run demo", "sales"),
        ("c9", "Send proposal", "sales"),
        ("c9", "Review proposal", "customer"),
    ]
    assert _bounces(rows) == [
        (("sales", "impl"), 2, 2, {"sales": 1, "impl": 1}, ["c1", "c3"]),
        (("impl", "support"), 1, 1, {"impl": 1, "support": 0}, ["c6"]),
    ]


def test_ping_pong_counts_every_bounce_of_a_case() -> None:
    """Three trips back in one case are three bounces in one case."""
    rows = [("c1", "Configure tenant", "impl")]
    rows += [("c1", "Set up support account", "support"), ("c1", "Configure tenant", "impl")] * 3
    assert _bounces(rows) == [(("impl", "support"), 1, 5, {"impl": 3, "support": 2}, ["c1"])]


@pytest.mark.slow
def test_a_large_log_gives_exactly_its_ground_truth(tmp_path: Path) -> None:
    """At 20,000 cases (about 370k events) the whole check reports every injected deviation
    with its exact count and nothing else — the rare plain case whose wait would fall past a
    CTQ by chance included (the generator keeps plain cases within it)."""
    out = tmp_path / "large.csv"
    generate_log.main(["--cases", "20000", "--seed", "11", "-o", str(out)])
    truth = json.loads(out.with_name("large.truth.json").read_text())
    result = api.check(api.load(REFERENCE_MODEL), out)
    _check_against_truth(truth, [f for f in result.findings if f.code != "SKIPPED-ACTIVITY"])
    skipped = {
        f.subject: f.evidence["cases"] for f in result.findings if f.code == "SKIPPED-ACTIVITY"
    }
    assert skipped == {("configure_tenant",): len(truth["deviations"]["skip"])}


def test_the_same_log_in_another_shape_gives_the_same_check(tmp_path: Path) -> None:
    """The example log as another system might write it — start and complete events, rows in
    time order across cases, numeric case ids, other column names, semicolons; and as XES
    written by pm4py — gives the same summary and the same findings with the same counts."""
    import warnings

    src = pd.read_csv(EXAMPLES / "saas-handoffs.csv")
    done = pd.to_datetime(src["timestamp"], utc=True)
    shape = "%Y-%m-%dT%H:%M:%S.000Z"
    both = pd.concat(
        [
            src.assign(timestamp=done.dt.strftime(shape), transition="complete"),
            src.assign(
                timestamp=(done - pd.Timedelta(minutes=30)).dt.strftime(shape), transition="start"
            ),
        ]
    ).sort_values("timestamp", kind="stable")
    both["case_id"] = both["case_id"].str.slice(1).astype(int)
    both = both.rename(
        columns={
            "case_id": "Case ID",
            "activity": "Activity",
            "timestamp": "Timestamp",
            "resource": "Resource",
            "lane": "Team",
            "transition": "lifecycle",
        }
    )
    as_csv = tmp_path / "other.csv"
    both.to_csv(as_csv, index=False, sep=";")
    frame = both.rename(
        columns={
            "Case ID": "case:concept:name",
            "Activity": "concept:name",
            "Timestamp": "time:timestamp",
            "Resource": "org:resource",
            "Team": "org:group",
            "lifecycle": "lifecycle:transition",
        }
    )
    frame["case:concept:name"] = frame["case:concept:name"].astype(str)
    frame["time:timestamp"] = pd.to_datetime(frame["time:timestamp"], utc=True).dt.as_unit("ns")
    as_xes = tmp_path / "other.xes.gz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py

        pm4py.write_xes(frame, str(as_xes))
    model = api.load(REFERENCE_MODEL)

    def seen(log: Path) -> tuple[dict, dict]:
        result = api.check(model, log)
        return result.summary(), {
            (f.code, f.subject): f.evidence.get("cases") for f in result.findings
        }

    reference = seen(EXAMPLES / "saas-handoffs.csv")
    assert len(reference[1]) == 12
    assert seen(as_csv) == reference
    assert seen(as_xes) == reference


def test_the_models_rules_settings_apply_to_every_log_check_code() -> None:
    """``rules:`` in the model switches log-check codes off and changes their severity, as
    it does for the static rules (the handoff checks once hard-coded both)."""
    model = api.load(REFERENCE_MODEL)
    df = api.map_log(model, api.read_log(EXAMPLES / "saas-handoffs.csv")).df
    tuned = model.model_copy(
        update={
            "rules": {
                "WRONG-LANE": "off",
                "SLOW-HANDOFF": "error",
                "UNUSED-HANDOFF": "off",
                "PING-PONG-OBSERVED": "info",
            }
        }
    )
    _, plain = analyse_handoffs(ProcessGraph(model), df, lanes_observed=True)
    _, found = analyse_handoffs(ProcessGraph(tuned), df, lanes_observed=True)
    severity = {f.code: f.severity.value for f in found}
    assert {"WRONG-LANE", "UNUSED-HANDOFF"} <= {f.code for f in plain}
    assert "WRONG-LANE" not in severity and "UNUSED-HANDOFF" not in severity
    assert severity["SLOW-HANDOFF"] == "error" and severity["PING-PONG-OBSERVED"] == "info"
    assert severity["UNMODELLED-HANDOFF"] == "warning"


INCIDENT_MODEL = """
id: incidents
lanes: [{id: desk, name: Service desk}]
nodes:
  - {id: open, type: start, lane: desk}
  - {id: again, type: exclusive, lane: desk}
  - {id: queued, name: Queued, lane: desk}
  - {id: accepted, name: Accepted, lane: desk}
  - {id: completed, name: Completed, lane: desk}
  - {id: done, type: exclusive, lane: desk}
  - {id: closed, type: end, lane: desk}
flows: [open -> again, again -> queued, again -> accepted, queued -> accepted,
        accepted -> completed, accepted -> done, completed -> done, done -> again,
        done -> closed]
"""


def test_ping_pong_on_the_bpi_2013_incidents_matches_a_plain_count(shared_data: Path) -> None:
    """On the real BPI Challenge 2013 incident log, with the support teams (org:group) as
    lanes, every A → B → A between teams is a bounce (the model is one desk: it has no
    handoff at all). A plain per-case count over the log gives the same bounces, per pair and
    per direction, and the same cases."""
    from bpmtool.io.yaml_model import loads_model

    model = loads_model(INCIDENT_MODEL)
    log = api.read_log(shared_data / "logs" / "07_bpic2013_incidents.xes.gz")
    mapped = api.map_log(model, log)
    assert mapped.lane_source == "org:group"
    _, findings = analyse_handoffs(ProcessGraph(model), mapped.df, lanes_observed=True)
    found = {f.subject: f for f in findings if f.code == "PING-PONG-OBSERVED"}

    expected: dict[tuple[str, str], Counter] = {}
    cases: dict[tuple[str, str], set] = {}
    ordered = log.sort_values(["case:concept:name", "time:timestamp"], kind="stable")
    for case, groups in ordered.groupby("case:concept:name", sort=False)["org:group"]:
        stints = [g for g in groups.dropna().astype(str)]
        stints = [g for i, g in enumerate(stints) if i == 0 or g != stints[i - 1]]
        for a, b, c in zip(stints, stints[1:], stints[2:], strict=False):
            if a == c:
                pair = tuple(sorted((a, b)))
                expected.setdefault(pair, Counter())[a] += 1
                cases.setdefault(pair, set()).add(case)
    assert set(found) == set(expected)
    assert len(found) == 538
    for pair, f in found.items():
        assert f.evidence["bounces"] == sum(expected[pair].values())
        assert {k: v for k, v in f.evidence["back_to"].items() if v} == dict(expected[pair])
        assert f.evidence["cases"] == len(cases[pair])
    assert sum(f.evidence["bounces"] for f in found.values()) == 2394
    assert len(set().union(*cases.values())) == 1177  # of 7,554 incidents


def test_one_handoff_wait_in_the_table_the_finding_the_cli_and_the_report() -> None:
    """Go live → Set up support account: the handoff table's Implementation → Support row
    and SLOW-HANDOFF measure the same handoffs the same way (the table once said p90 0.84 d
    over other activity pairs while the finding said 5.48 d), and the finding names the two
    activities. Checked on the CLI's JSON, its text and the Markdown report."""
    import re

    from typer.testing import CliRunner

    from bpmtool.cli import app

    res = CliRunner().invoke(
        app,
        [
            "check",
            str(REFERENCE_MODEL),
            str(EXAMPLES / "saas-handoffs.csv"),
            "-f",
            "json",
            "--method",
            "replay",
        ],
    )
    doc = json.loads(res.output)
    (row,) = [
        h for h in doc["handoffs"] if (h["source_lane"], h["target_lane"]) == ("impl", "support")
    ]
    (slow,) = [f for f in doc["findings"] if f["code"] == "SLOW-HANDOFF"]
    assert [(a["from"], a["to"]) for a in row["by_activity"]] == [
        ("Go live", "Set up support account")
    ]
    assert (row["median_wait"], row["p90_wait"], row["max_wait"], row["count"]) == (
        slow["evidence"]["p50"],
        slow["evidence"]["p90"],
        slow["evidence"]["max"],
        slow["evidence"]["handoffs"],
    )
    assert "from 'Go live' to 'Set up support account'" in slow["message"]
    assert f"waits {row['p90_wait']} at the 90th percentile" in slow["message"]
    # the waits are the plain differences go-live → support set-up of the log
    raw = pd.read_csv(EXAMPLES / "saas-handoffs.csv")
    raw["timestamp"] = pd.to_datetime(raw["timestamp"], utc=True)
    pivot = raw.pivot_table(
        index="case_id", columns="activity", values="timestamp", aggfunc="first"
    )
    days = (pivot["Set up support account"] - pivot["Go live"]).dropna() / pd.Timedelta(days=1)
    assert row["count"] == len(days)
    assert row["p90_wait"] == f"{days.quantile(0.9):.2f}d"
    text = (
        CliRunner()
        .invoke(
            app,
            [
                "check",
                str(REFERENCE_MODEL),
                str(EXAMPLES / "saas-handoffs.csv"),
                "--method",
                "replay",
            ],
        )
        .output
    )
    assert re.search(
        rf"impl → support\s+{row['count']}\s+{row['median_wait']} / "
        rf"{row['p90_wait']}",
        text,
    ), text
    model = api.load(REFERENCE_MODEL)
    result = api.check(model, EXAMPLES / "saas-handoffs.csv", method="replay")
    report = api.report(model, check=result, fmt="md")
    assert re.search(
        rf"\| {row['count']} \| {row['count']} \| yes \| {row['median_wait']} \| "
        rf"{row['p90_wait']} \| {row['max_wait']} \|",
        report,
    )
