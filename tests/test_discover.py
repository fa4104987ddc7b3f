"""As-is discovery (bpmtool discover / api.discover) on the example log, generated logs with
a known structure and a real XES log, checked against counts computed from the log itself."""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app
from bpmtool.log_schema import ACTIVITY, CASE, GROUP

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_LOG = ROOT / "examples" / "saas-handoffs.csv"
runner = CliRunner()


@pytest.fixture(scope="module")
def example_log() -> pd.DataFrame:
    return api.read_log(EXAMPLE_LOG)


@pytest.fixture(scope="module")
def example(example_log: pd.DataFrame) -> api.Discovery:
    return api.discover(example_log, activities="100%", paths="100%")


def _write_structured_log(path: Path, cases: int = 300, seed: int = 7) -> None:
    """A → (B or C) → (D and E, in either order) → F; A by team Front, B/C by Back, D by
    Back, E by Ops 70 % / Back 30 % of the time, F by Front."""
    rng = random.Random(seed)
    rows = []
    t0 = datetime(2025, 1, 1)
    for i in range(cases):
        t = t0 + timedelta(hours=i)
        steps = [("A", "Front")]
        steps.append(("B", "Back") if rng.random() < 0.6 else ("C", "Back"))
        e_team = "Ops" if rng.random() < 0.7 else "Back"
        pair = [("D", "Back"), ("E", e_team)]
        rng.shuffle(pair)
        steps += pair
        steps.append(("F", "Front"))
        for activity, team in steps:
            t += timedelta(hours=rng.randint(1, 30))
            rows.append((f"c{i:04d}", activity, t.isoformat(), f"{team.lower()}-1", team))
    pd.DataFrame(rows, columns=["case_id", "activity", "timestamp", "resource", "team"]).to_csv(
        path, index=False
    )


# --- the example log: every number against the log itself ---


def test_activities_lanes_and_shares_match_the_log(
    example: api.Discovery, example_log: pd.DataFrame
) -> None:
    by_activity = example_log.groupby(ACTIVITY, observed=True)
    cases = by_activity[CASE].nunique()
    events = by_activity.size()
    lanes = example_log.groupby([ACTIVITY, GROUP], observed=True).size()
    found = {a.label: a for a in example.activities}
    assert set(found) == set(cases.index)
    for label, fact in found.items():
        assert fact.cases == cases[label]
        assert fact.events == events[label]
        per_lane = lanes[label].sort_values(ascending=False)
        assert fact.lane == per_lane.index[0]
        assert fact.share == pytest.approx(per_lane.iloc[0] / per_lane.sum())
    # each activity stands in the lane that does most of its work
    model = example.model
    for node in model.activities():
        assert node.lane == found[node.label].lane
    assert {lane.id for lane in model.lanes} == set(example_log[GROUP].unique())
    # Kickoff meeting is done by sales in 11 cases: two teams, one activity
    kickoff = found["Kickoff meeting"]
    assert dict(kickoff.lanes) == {"impl": 330, "sales": 11}
    shared = [f for f in example.findings if f.code == "SHARED-ACTIVITY"]
    assert any("Kickoff meeting" in f.message for f in shared)


def test_flow_case_counts_match_the_log(example: api.Discovery, example_log: pd.DataFrame) -> None:
    model = example.model
    cases = example_log.groupby(ACTIVITY, observed=True)[CASE].nunique()
    flows = example.flows()
    start = next(f for f in flows if f["source"] == "start")
    assert start["cases"] == example_log[CASE].nunique() == example.cases == 400
    incoming: dict[str, int] = {}
    for f in model.flows:
        incoming[f.target] = incoming.get(f.target, 0) + 1
    checked = 0
    for f in flows:
        target = model.node_by_id[f["target"]]
        if target.is_activity and incoming[target.id] == 1:
            assert f["cases"] == cases[target.label], f
            checked += 1
    assert checked >= 10
    # Request demo → Qualify lead: every case, directly, measured by hand
    df = example_log
    nxt = df.groupby(CASE, observed=True)[ACTIVITY].shift(-1)
    direct = (df[ACTIVITY] == "Request demo") & (nxt == "Qualify lead")
    assert (
        next(
            f["cases"]
            for f in flows
            if (f["source"], f["target"]) == ("request_demo", "qualify_lead")
        )
        == df.loc[direct, CASE].nunique()
    )


def test_handoffs_carry_count_and_waits(example: api.Discovery, example_log: pd.DataFrame) -> None:
    df = example_log
    same_case = df[CASE].eq(df[CASE].shift())
    change = same_case & df[GROUP].ne(df[GROUP].shift())
    assert sum(h.count for h in example.handoffs) == int(change.sum())
    impl_support = next(
        h for h in example.handoffs if (h.source_lane, h.target_lane) == ("impl", "support")
    )
    # the same numbers as the conformance check's handoff table (one definition)
    assert (impl_support.count, impl_support.median_wait, impl_support.p90_wait) == (
        321,
        "0.62d",
        "5.48d",
    )


def test_sipoc_and_lint_of_the_discovered_model(example: api.Discovery) -> None:
    table = example.sipoc
    assert table is not None
    rows = {r.process: r for r in table.rows}
    assert set(rows) == {n.label for n in example.model.activities()}
    # suppliers and customers come from the lanes before and after each activity
    kickoff = rows["Kickoff meeting"]
    assert kickoff.lane == "impl"
    assert kickoff.suppliers == ("sales",)  # after Close deal / Update CRM record
    assert set(kickoff.customers) == {"customer", "impl"}  # Export legacy data, Configure tenant
    impl = next(r for r in table.lanes if r.id == "impl")
    assert "sales" in impl.suppliers and "support" in impl.customers
    codes = {f.code for f in api.lint(example.model)}
    # acceptance tests bounce between impl and the customer: a ping-pong loop
    assert "PING-PONG" in codes
    assert {f.code for f in example.findings} >= {"PING-PONG", "SHARED-ACTIVITY"}
    # a log never says what a handoff carries: no finding on every handoff for that
    assert "HANDOFF-NO-ARTIFACT" not in codes
    loop = next(f for f in example.findings if f.code == "PING-PONG")
    gateways = [n.id for n in example.model.nodes if n.type != "activity"]
    assert "'Run acceptance tests'" in loop.message
    assert not any(f"'{g}'" in loop.message for g in gateways)  # no miner-made ids


def test_activity_filter_keeps_the_most_frequent(example_log: pd.DataFrame) -> None:
    found = api.discover(example_log, activities="50%")
    kept = [a for a in found.activities if a.kept]
    assert len(kept) == 11
    cases = example_log.groupby(ACTIVITY, observed=True)[CASE].nunique()
    assert min(a.cases for a in kept) >= max(a.cases for a in found.activities if not a.kept)
    assert {n.label for n in found.model.activities()} == {a.label for a in kept}
    assert all(cases[a.label] == a.cases for a in kept)


def test_paths_filter_simplifies(example_log: pd.DataFrame) -> None:
    every = api.discover(example_log, paths="100%")
    fewer = api.discover(example_log, paths="60%")
    assert len(fewer.model.flows) < len(every.model.flows)
    assert len(fewer.model.activities()) == len(every.model.activities())


# --- a generated log with a known choice, concurrency and a shared activity ---


def test_gateways_where_the_log_shows_choice_and_concurrency(tmp_path: Path) -> None:
    path = tmp_path / "structured.csv"
    _write_structured_log(path)
    found = api.discover(path, paths="100%", columns={"lane": "team"})
    model = found.model
    by_label = {n.label: n.id for n in model.activities()}
    succ: dict[str, set[str]] = {}
    for f in model.flows:
        succ.setdefault(f.source, set()).add(f.target)
    types = {n.id: n.type for n in model.nodes}
    xor = [g for g, t in types.items() if t == "exclusive" and len(succ.get(g, ())) == 2]
    assert any(succ[g] == {by_label["B"], by_label["C"]} for g in xor)
    par = [g for g, t in types.items() if t == "parallel" and len(succ.get(g, ())) == 2]
    assert any(succ[g] == {by_label["D"], by_label["E"]} for g in par)
    lanes = {n.label: n.lane for n in model.activities()}
    assert lanes == {"A": "front", "B": "back", "C": "back", "D": "back", "E": "ops", "F": "front"}
    e = next(a for a in found.activities if a.label == "E")
    df = pd.read_csv(path)
    expected = (df[df.activity == "E"].team == "Ops").mean()
    assert e.share == pytest.approx(expected)
    assert 0.6 < e.share < 0.8
    # the log fits the discovered model (fitness 1 with the inductive miner at 100 %)
    result = api.check(model, path, columns={"lane": "team"}, precision=False)
    assert result.conformance.alignment_fitness == pytest.approx(1.0, abs=1e-4)


def test_lanes_from_a_resource_map(tmp_path: Path) -> None:
    path = tmp_path / "structured.csv"
    _write_structured_log(path, cases=60)
    lane_map = tmp_path / "lanes.csv"
    lane_map.write_text("resource,lane\nfront-1,Desk\nback-1,Desk\nops-1,Field\n")
    found = api.discover(path, lanes_from=lane_map)
    assert found.lane_source == "resource map"
    assert {lane.label for lane in found.model.lanes} == {"Desk", "Field"}
    lanes = {n.label: n.lane for n in found.model.activities()}
    assert lanes["E"] == "field" and lanes["A"] == "desk"


# --- round trips and the comparison ---


def test_round_trip_yaml_and_bpmn(example: api.Discovery, tmp_path: Path) -> None:
    model = example.model
    again = api.loads_model(api.dump_model(model))
    assert again == model
    bpmn = tmp_path / "asis.bpmn"
    bpmn.write_bytes(api.export_bpmn(model))
    back = api.load(bpmn)
    assert api.compare(model, back).same
    assert len(back.activities()) == len(model.activities())
    assert {(f.source, f.target) for f in back.flows} == {(f.source, f.target) for f in model.flows}


def test_compare_lists_a_known_difference(example: api.Discovery) -> None:
    asis = example.model
    data = asis.model_dump(by_alias=True, exclude_defaults=True, mode="json")
    # the to-be: no "Update CRM record", "Migrate data" moves to support, a new lane "Legal"
    crm = next(n["id"] for n in data["nodes"] if n.get("name") == "Update CRM record")
    data["nodes"] = [n for n in data["nodes"] if n["id"] != crm]
    data["flows"] = [f for f in data["flows"] if crm not in (f["source"], f["target"])]
    for n in data["nodes"]:
        if n.get("name") == "Migrate data":
            n["lane"] = "support"
    data["lanes"].append({"id": "legal", "name": "Legal"})
    data["nodes"].append({"id": "review_terms", "name": "Review terms", "lane": "legal"})
    tobe = api.Model.model_validate(data)
    diff = api.compare(asis, tobe)
    assert diff.activities_only_a == ["Update CRM record"]
    assert diff.activities_only_b == ["Review terms"]
    assert diff.lanes_only_b == ["Legal"] and diff.lanes_only_a == []
    assert diff.moved == [{"activity": "Migrate data", "lane_a": "impl", "lane_b": "support"}]
    pairs_b = {(h["from"], h["to"]) for h in diff.handoffs_only_b}
    assert ("customer", "support") in pairs_b or ("support", "impl") in pairs_b


def test_compare_against_the_reference_model(example: api.Discovery) -> None:
    reference = api.load(ROOT / "models" / "saas-handoffs.yaml")
    diff = api.compare(example.model, reference)
    # log group ids match the reference's lane ids; "Contract signed" is an alias
    assert diff.lanes_only_a == [] and diff.lanes_only_b == []
    assert diff.activities_only_a == ["Update CRM record"]
    assert diff.activities_only_b == ["Run account rescue call"]


# --- a real log ---


def test_real_xes_log(shared_data: Path) -> None:
    log = api.read_log(shared_data / "logs" / "07_bpic2013_incidents.xes.gz")
    found = api.discover(log, activities="100%", paths="80%")
    events = log.groupby(ACTIVITY, observed=True).size()
    groups = log.groupby([ACTIVITY, GROUP], observed=True).size()
    assert found.cases == log[CASE].nunique() == 7554
    assert found.events == len(log) == 65533
    for a in found.activities:
        assert a.events == events[a.label]
        assert a.lane == groups[a.label].idxmax()
    # lanes: the teams that own an activity; 649 teams share the work
    assert {lane.label for lane in found.model.lanes} == {a.lane for a in found.activities}
    assert {f.code for f in found.findings} >= {"SHARED-ACTIVITY"}
    same_case = log[CASE].eq(log[CASE].shift())
    changes = same_case & log[GROUP].notna() & log[GROUP].shift().notna()
    changes &= log[GROUP].ne(log[GROUP].shift())
    assert sum(h.count for h in found.handoffs) == int(changes.sum())
    # lint and render like any model
    api.lint(found.model)
    svg = api.render_svg(found.model, discovery=found)
    assert "data-node-note" in svg


# --- the faces ---


def test_cli_discover_writes_a_model_that_loads(tmp_path: Path) -> None:
    out, svg = tmp_path / "asis.yaml", tmp_path / "asis.svg"
    result = runner.invoke(
        app, ["discover", str(EXAMPLE_LOG), "-o", str(out), "--svg", str(svg), "-q"]
    )
    assert result.exit_code == 0, result.output
    assert "Kickoff meeting" in result.output and "impl (97%)" in result.output
    model = api.load(out)
    assert len(model.activities()) == 22
    assert "stroke-dasharray" in svg.read_text() or "unmodelled" in svg.read_text()
    as_json = runner.invoke(app, ["discover", str(EXAMPLE_LOG), "-f", "json", "-q"])
    doc = json.loads(as_json.stdout)
    assert doc["cases"] == 400 and doc["filter"]["activities_kept"] == 22
    compared = runner.invoke(app, ["compare", str(out), str(ROOT / "models/saas-handoffs.yaml")])
    assert compared.exit_code == 0
    assert "activities only in B (1):\n  Run account rescue call" in compared.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["--paths", "150%"], "outside 0–100%"),
        (["--activities", "most"], "is not a share"),
        (["-o", "model.txt"], "unknown extension"),
    ],
)
def test_cli_discover_bad_input(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["discover", str(EXAMPLE_LOG), "-q", *args])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_filters_apply_before_discovery(tmp_path: Path, example_log: pd.DataFrame) -> None:
    # the cases with work in support: the same cases as counted from the log
    in_support = set(example_log.loc[example_log[GROUP] == "support", CASE])
    chosen = api.LogFilter(lanes=("support",))
    found = api.discover(example_log, log_filter=chosen)
    assert found.cases == len(in_support)
    assert found.filtered is not None and found.filtered.cases_after == len(in_support)
    # the same through the CLI's shared filter options, and a time window
    result = runner.invoke(
        app, ["discover", str(EXAMPLE_LOG), "-q", "-f", "json", "--in-lane", "support"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["cases"] == len(in_support)
    first = example_log.groupby(CASE, observed=True)["time:timestamp"].min()
    since = first.sort_values().iloc[200]
    result = runner.invoke(
        app,
        ["discover", str(EXAMPLE_LOG), "-q", "-f", "json", "--from", since.strftime("%Y-%m-%d")],
    )
    assert result.exit_code == 0, result.output
    day = since.normalize()
    assert json.loads(result.stdout)["cases"] == int((first >= day).sum())
    bad = runner.invoke(app, ["discover", str(EXAMPLE_LOG), "-q", "--from", "someday"])
    assert bad.exit_code == 2 and "--from" in bad.output


def test_filter_by_a_lane_of_the_resource_map(tmp_path: Path) -> None:
    path = tmp_path / "structured.csv"
    _write_structured_log(path, cases=80)
    lane_map = tmp_path / "lanes.csv"
    lane_map.write_text("resource,lane\nfront-1,Desk\nback-1,Desk\nops-1,Field\n")
    found = api.discover(path, lanes_from=lane_map, log_filter=api.LogFilter(lanes=("Field",)))
    df = pd.read_csv(path)
    assert found.cases == df.loc[df.resource == "ops-1", "case_id"].nunique()


# --- the process map with numbers (render --log) ---


def test_check_overlay_writes_cases_medians_and_unmodelled_handoffs(
    example_log: pd.DataFrame, tmp_path: Path
) -> None:
    import re

    model = api.load(ROOT / "models" / "saas-handoffs.yaml")
    result = api.check(model, example_log, precision=False)
    svg = api.render_svg(model, overlay=result)
    cases = example_log.groupby(ACTIVITY, observed=True)[CASE].nunique()
    notes = dict(re.findall(r'data-node-note="([^"]+)".*?<text[^>]*>([^<]+)</text>', svg))
    for node in model.activities():
        label = node.label if node.label in cases.index else None
        if label is None:
            alias = next((a for a in node.aliases if a in cases.index), None)
            label = alias
        if label is None:
            assert node.id not in notes  # never done: no number
            continue
        assert notes[node.id].startswith(f"{cases[label]:,} cases"), (node.id, notes[node.id])
    # the median under 'Set up support account' is the median time since the previous event
    df = example_log
    since = df.groupby(CASE, observed=True)["time:timestamp"].diff()
    hours = since[df[ACTIVITY] == "Set up support account"].median() / pd.Timedelta(hours=1)
    assert notes["setup_support"].endswith(f"{hours:.1f}h") or notes["setup_support"].endswith(
        f"{hours / 24:.1f}d"
    )
    widths = sorted({float(w) for w in re.findall(r"stroke-width:([0-9.]+)px", svg)})
    assert widths[-1] / widths[0] > 5  # frequent flows visibly wider than rare ones
    # the two handoffs the model lacks, dashed between their lanes
    drawn = set(re.findall(r'class="unmodelled" data-handoff="([^"]+)"', svg))
    missing = {f"{h.source_lane}-&gt;{h.target_lane}" for h in result.handoffs if not h.modelled}
    assert drawn == missing == {"customer-&gt;support", "support-&gt;impl"}
    # the CLI draws the same
    out = tmp_path / "map.svg"
    cli = runner.invoke(
        app,
        [
            "render",
            str(ROOT / "models/saas-handoffs.yaml"),
            "--log",
            str(EXAMPLE_LOG),
            "-o",
            str(out),
            "-q",
        ],
    )
    assert cli.exit_code == 0, cli.output
    assert set(re.findall(r'class="unmodelled" data-handoff="([^"]+)"', out.read_text())) == missing


# --- small and odd logs ---


def test_a_log_without_lanes_is_one_lane(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_text(
        "case,activity,time\n1,A,2025-01-01 10:00\n1,B,2025-01-01 11:00\n2,A,2025-01-02 10:00\n"
    )
    found = api.discover(path)
    assert found.lane_source == "none"
    assert [lane.label for lane in found.model.lanes] == ["Process"]
    assert found.handoffs == []
    assert {a.label: a.cases for a in found.activities} == {"A": 2, "B": 1}
    one = tmp_path / "one.csv"
    one.write_text("case,activity,time\n1,A,2025-01-01 10:00\n")
    single = api.discover(one)
    assert [n.label for n in single.model.activities()] == ["A"]
    assert "<svg" in api.render_svg(single.model, discovery=single)


def test_a_filter_that_keeps_nothing_is_named() -> None:
    result = runner.invoke(app, ["discover", str(EXAMPLE_LOG), "-q", "--where", "org:group=nobody"])
    assert result.exit_code == 2
    assert "keeps none of the log's 400 cases" in result.output


@pytest.mark.parametrize(
    "name", ["02_teleclaims.xes.gz", "03_repairExample.xes.gz", "08_receipt.xes.gz"]
)
def test_more_real_logs_discover_lint_and_round_trip(
    shared_data: Path, name: str, tmp_path: Path
) -> None:
    log = api.read_log(shared_data / "logs" / name)
    found = api.discover(log)
    events = log.groupby(ACTIVITY, observed=True).size()
    cases = log.groupby(ACTIVITY, observed=True)[CASE].nunique()
    assert {a.label: (a.events, a.cases) for a in found.activities} == {
        label: (int(events[label]), int(cases[label])) for label in events.index
    }
    start = next(f for f in found.flows() if f["source"] == "start")
    assert start["cases"] == found.cases == log[CASE].nunique()
    api.lint(found.model)
    path = tmp_path / "asis.bpmn"
    path.write_bytes(api.export_bpmn(found.model))
    assert api.compare(found.model, api.load(path)).same


def test_cli_json_carries_the_model_and_lanes_from_a_map(tmp_path: Path) -> None:
    path = tmp_path / "structured.csv"
    _write_structured_log(path, cases=40)
    lane_map = tmp_path / "lanes.yaml"
    lane_map.write_text("front-1: Desk\nback-1: Desk\nops-1: Field\n")
    result = runner.invoke(
        app, ["discover", str(path), "--lanes-from", str(lane_map), "-q", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["lane_source"] == "resource map"
    model = api.Model.model_validate(doc["model"])
    assert {lane.label for lane in model.lanes} == {"Desk", "Field"}
    missing = runner.invoke(app, ["discover", str(path), "--lanes-from", "nope.csv", "-q"])
    assert missing.exit_code == 2 and "nope.csv" in missing.output


def test_the_map_shows_the_share_of_shared_activities(example: api.Discovery) -> None:
    import re

    svg = api.render_svg(example.model, discovery=example)
    notes = dict(re.findall(r'data-node-note="([^"]+)".*?<text[^>]*>([^<]+)</text>', svg))
    # Kickoff meeting: impl did 330 of its 341 events (96.8 %, shown rounded down)
    assert notes["kickoff_meeting"] == "341 cases · 1.9d · 96% here"
    # an activity one lane does alone shows no share
    assert "here" not in notes["qualify_lead"]
    assert sum("here" in n for n in notes.values()) == 2  # Kickoff meeting, Migrate data


def test_a_handoff_flow_shows_the_handoff_tables_p90(example: api.Discovery) -> None:
    import re

    svg = api.render_svg(example.model, discovery=example)
    index = next(
        i
        for i, f in enumerate(example.model.flows)
        if (f.source, f.target) == ("request_demo", "qualify_lead")
    )
    note = re.search(rf'data-flow-note="{index}".*?<text[^>]*>([^<]+)</text>', svg).group(1)  # type: ignore[union-attr]
    table = next(
        h for h in example.handoffs if (h.source_lane, h.target_lane) == ("customer", "sales")
    )
    pair = next(
        a for a in table.by_activity if (a["from"], a["to"]) == ("Request demo", "Qualify lead")
    )
    assert note == f"400 · 1.5d · p90 {pair['p90_wait']}"


def test_a_handoff_through_a_gateway_shows_its_p90_on_the_flow_into_the_next_team(
    example: api.Discovery,
) -> None:
    import re

    svg = api.render_svg(example.model, discovery=example)
    notes = dict(re.findall(r'data-flow-note="(\d+)".*?<text[^>]*>([^<]+)</text>', svg))
    model = example.model
    by_id = model.node_by_id
    p90 = {  # by lanes too: Kickoff meeting is impl's 327 times and sales' 11 times
        (h.source_lane, h.target_lane, a["from"], a["to"]): a["p90_wait"]
        for h in example.handoffs
        for a in h.by_activity
    }
    through = 0
    for i, flow in enumerate(model.flows):
        source, target = by_id[flow.source], by_id[flow.target]
        if source.is_activity or not target.is_activity or str(i) not in notes:
            continue
        # the activities a case did last before this gateway or event
        before = {f.source for f in model.flows if f.target == flow.source}
        while any(not by_id[n].is_activity for n in before):
            gateway = next(n for n in before if not by_id[n].is_activity)
            before = (before - {gateway}) | {f.source for f in model.flows if f.target == gateway}
        shown = re.search(r"p90 (\S+)", notes[str(i)])
        if len(before) == 1 and by_id[next(iter(before))].lane != target.lane:
            last = by_id[next(iter(before))]
            pair = (last.lane, target.lane, last.label, target.label)
            assert shown is not None and shown.group(1) == p90[pair], (flow, notes[str(i)])
            through += 1
        else:
            assert shown is None, (flow, notes[str(i)])
    # Go live → (parallel split) → Set up support account: 5.48d, as the handoff table says
    assert through >= 3 and "p90 5.48d" in svg
