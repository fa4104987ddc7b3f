"""Conformance with pm4py: agreement with pm4py's own figures, unknown labels never hidden,
the Petri nets of our models sound, and the example log's ground truth found exactly."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app
from bpmtool.mining.alignments import AlignmentBudget
from bpmtool.mining.conformance import conformance, quiet_pm4py, variants
from bpmtool.mining.petri import WorkflowNet, to_petri_net
from tests.conftest import EXAMPLES, MODELS, REFERENCE_MODEL, SHARED_DATA, corpus_files

#: no time limit but the fast search's: for comparisons with pm4py to the last digit
EXACT = AlignmentBudget(variant_s=1e9, total_s=1e9, precision_s=1e9)

PAIRS = [
    ("running-example.xes", "running-example.pnml"),
    ("09_a32f0n00.xes.gz", "a32.pnml"),
    ("roadtraffic100traces.xes", "roadtraffic.pnml"),
]


def _pnml(name: str) -> WorkflowNet:
    import pm4py

    with quiet_pm4py():
        net, im, fm = pm4py.read_pnml(str(SHARED_DATA / "pnml" / name))
    return WorkflowNet(net, im, fm, labels={t.label for t in net.transitions if t.label})


def _pm4py_frame(df: pd.DataFrame) -> pd.DataFrame:
    out = df[["case:concept:name", "concept:name", "time:timestamp"]].copy()
    for c in ("case:concept:name", "concept:name"):
        out[c] = out[c].astype(str)
    if out["time:timestamp"].isna().all():
        out["time:timestamp"] = pd.Timestamp("2000-01-01", tz="UTC") + pd.to_timedelta(
            range(len(out)), unit="s"
        )
    return out


@pytest.mark.parametrize("log, net", PAIRS)
def test_fitness_equals_pm4pys_own(log: str, net: str) -> None:
    import pm4py

    wf = _pnml(net)
    df = api.read_log(SHARED_DATA / "logs" / log)
    ours = conformance(wf, variants(df), budget=EXACT)
    with quiet_pm4py():
        theirs_tbr = pm4py.fitness_token_based_replay(
            _pm4py_frame(df), wf.net, wf.initial, wf.final
        )
        theirs_align = pm4py.fitness_alignments(_pm4py_frame(df), wf.net, wf.initial, wf.final)
    assert ours.replay_fitness == pytest.approx(theirs_tbr["log_fitness"], abs=1e-9)
    assert ours.alignment_fitness == pytest.approx(theirs_align["log_fitness"], abs=1e-9)


def test_alignments_of_every_search_agree() -> None:
    """The reachability-graph walk, the layered search, pm4py's Dijkstra search and pm4py's
    A* give every variant the same optimal cost and the log the same fitness."""
    wf = _pnml("roadtraffic.pnml")
    found = variants(api.read_log(SHARED_DATA / "logs" / "roadtraffic100traces.xes"))
    graph = conformance(wf, found, replay=False, budget=EXACT)
    assert {v.alignment.search for v in found} == {"graph"}
    graph_costs = [v.alignment.cost for v in found]
    layers = conformance(
        wf, found, replay=False, budget=AlignmentBudget(variant_s=1e9, total_s=1e9, graph_mb=0)
    )
    assert {v.alignment.search for v in found} == {"layers"}
    assert [v.alignment.cost for v in found] == graph_costs
    assert layers.alignment_fitness == pytest.approx(graph.alignment_fitness, abs=1e-12)
    pm4py_only = {"variant_s": 1e9, "total_s": 1e9, "graph_mb": 0, "layers_mb": 0}
    fast = conformance(wf, found, replay=False, budget=AlignmentBudget(**pm4py_only))
    assert "dijkstra" in {v.alignment.search for v in found}  # the fast search answered
    assert [v.alignment.cost for v in found] == graph_costs
    exact = conformance(
        wf,
        found,
        replay=False,
        budget=AlignmentBudget(**pm4py_only, fast_misses=0),
    )
    assert {v.alignment.search for v in found} == {"a*"}
    assert [v.alignment.cost for v in found] == graph_costs
    assert exact.alignment_fitness == pytest.approx(fast.alignment_fitness, abs=1e-12)
    assert graph.alignment_fitness == pytest.approx(exact.alignment_fitness, abs=1e-12)
    assert exact.skips == fast.skips and exact.insertions == fast.insertions
    assert graph.skips == exact.skips and graph.insertions == exact.insertions


def test_a_spent_budget_approximates_and_says_so() -> None:
    """No time at all: every variant is approximated from token replay, flagged, and the
    fitness is the replay's; the check lists them in one finding."""

    wf = _pnml("roadtraffic.pnml")
    found = variants(api.read_log(SHARED_DATA / "logs" / "roadtraffic100traces.xes"))
    result = conformance(wf, found, replay=True, budget=AlignmentBudget(total_s=0.0))
    assert {v.alignment.search for v in found} == {"approximate"}
    assert len(result.approximated) == len(found) and not result.skips
    for v in found:
        assert v.alignment.fitness == v.replay.fitness
    assert result.alignment_fitness == pytest.approx(result.replay_fitness, abs=0.02)
    model = api.load(REFERENCE_MODEL)
    checked = api.check(model, EXAMPLES / "saas-handoffs.csv", budget=AlignmentBudget(total_s=0.0))
    flagged = [f for f in checked.findings if f.code == "ALIGNMENT-APPROXIMATED"]
    assert len(flagged) == 1 and flagged[0].evidence["cases"] == 400 - checked.open_cases
    assert checked.summary()["approximated_variants"] == checked.variants - sum(
        1 for v in checked.conformance.variants if v.open
    )
    assert all(row["approximate"] for row in checked.variant_rows() if not row["open"])


@pytest.mark.parametrize("log, net", PAIRS)
def test_precision_equals_pm4pys_own(log: str, net: str) -> None:
    import pm4py

    wf = _pnml(net)
    df = api.read_log(SHARED_DATA / "logs" / log)
    ours = conformance(
        wf, variants(df), replay=False, alignments=False, precision=True, budget=EXACT
    )
    with quiet_pm4py():
        theirs = pm4py.precision_token_based_replay(_pm4py_frame(df), wf.net, wf.initial, wf.final)
    assert ours.precision == pytest.approx(theirs, abs=1e-9)


def test_unknown_labels_count_as_pm4py_counts_them() -> None:
    """Token replay steps over unknown work as pm4py's does (so its fitness is pm4py's);
    alignments count each unknown event as a log move, so they show it."""
    import pm4py

    wf = _pnml("running-example.pnml")
    df = api.read_log(SHARED_DATA / "logs" / "running-example.xes")
    # the same log with three events of work the model does not know in every case
    extra = df.groupby("case:concept:name", observed=True).head(1).copy()
    extra = pd.concat([extra] * 3, ignore_index=True)
    extra["concept:name"] = "Chase the customer by phone"
    mixed = pd.concat([df.astype({"concept:name": str}), extra], ignore_index=True)
    mixed = mixed.sort_values(["case:concept:name", "time:timestamp"], kind="stable")
    with quiet_pm4py():
        theirs = pm4py.fitness_token_based_replay(_pm4py_frame(mixed), wf.net, wf.initial, wf.final)
    before = conformance(wf, variants(df), budget=EXACT)
    after = conformance(wf, variants(mixed), budget=EXACT)
    assert after.replay_fitness == pytest.approx(theirs["log_fitness"], abs=1e-12)
    assert after.replay_fitness == pytest.approx(before.replay_fitness, abs=1e-12)
    assert before.alignment_fitness is not None and after.alignment_fitness is not None
    assert after.alignment_fitness < before.alignment_fitness - 0.05
    assert after.insertions["Chase the customer by phone"] == 6


@pytest.mark.parametrize("path", sorted(MODELS.glob("*.yaml")), ids=lambda p: p.name)
def test_nets_of_our_models(path: Path) -> None:
    from pm4py.algo.analysis.woflan import algorithm as woflan

    model = api.load(path)
    wf = to_petri_net(model)
    assert {n.label for n in model.activities()} == wf.labels
    if path.name == "saas-handoffs.yaml":
        with quiet_pm4py():
            assert woflan.apply(
                wf.net, wf.initial, wf.final, parameters={"print_diagnostics": False}
            )


_STRUCTURAL = {"UNREACHABLE", "DEAD-END", "NO-START", "NO-END", "DISCONNECTED"}


@pytest.mark.parametrize(
    "path",
    corpus_files(sorted((SHARED_DATA / "bpmn").rglob("*.bpmn"))),
    ids=lambda p: f"{p.parent.name}/{p.name}",
)
def test_nets_of_the_shared_bpmn_files(path: Path) -> None:
    """Every activity is a labelled transition; on a model without structural errors the
    final marking can be reached and every activity happens in some run that finishes
    (an alignment of the one-activity trace, with log moves priced out, syncs on it)."""
    from pm4py.algo.conformance.alignments.petri_net import algorithm as align
    from pm4py.objects.log.obj import Event, Trace

    model = api.load(path)
    wf = to_petri_net(model)
    assert wf.labels == {n.label for n in model.activities()}
    if {f.code for f in api.lint(model)} & _STRUCTURAL or not model.activities():
        return
    fast = align.Variants.VERSION_DIJKSTRA_LESS_MEMORY
    # a case starts at one start event: MIWG B.2.0 (a notation test) joins, at a parallel
    # gateway, a branch after Task 27 with one that begins at another start event, so in
    # the B.2.0 files that lint finds no structural error in, Task 27 and the activities
    # upstream of that join are in no finishing run; only the final marking is checked there
    # (a non-interrupting boundary event's branch is no longer a reason: it runs in parallel
    # with its activity's continuation)
    several_starts = path.name.startswith("B.2.0")
    with quiet_pm4py():
        assert align.apply(Trace(), wf.net, wf.initial, wf.final, variant=fast) is not None
        for label in [] if several_starts else sorted(wf.labels):
            trace = Trace([Event({"concept:name": label})])
            a = align.apply(
                trace,
                wf.net,
                wf.initial,
                wf.final,
                variant=fast,
                parameters={align.Parameters.PARAM_TRACE_COST_FUNCTION: [10**9]},
            )
            assert (label, label) in [tuple(m) for m in a["alignment"]], label


def test_the_example_log_check_matches_its_ground_truth() -> None:
    result = api.check(api.load(REFERENCE_MODEL), EXAMPLES / "saas-handoffs.csv")
    truth = json.loads((EXAMPLES / "saas-handoffs.truth.json").read_text())
    skipped = [f for f in result.findings if f.code == "SKIPPED-ACTIVITY"]
    assert [(f.subject, f.evidence["cases"]) for f in skipped] == [
        (("configure_tenant",), len(truth["deviations"]["skip"]))
    ]
    assert set(skipped[0].evidence["example_cases"]) <= set(truth["deviations"]["skip"])
    summary = result.summary()
    assert summary["open_cases"] <= len(truth["open_cases"])
    assert 0.95 < summary["fitness_alignments"] < 1.0 and 0.8 < summary["precision"] <= 1.0
    codes = {f.code for f in result.findings}
    assert codes == {f["code"] for f in truth["expected_findings"]}


def test_check_cli_text_json_and_cases(tmp_path: Path) -> None:
    runner = CliRunner()
    cases = tmp_path / "cases.csv"
    res = runner.invoke(
        app,
        ["check", str(REFERENCE_MODEL), str(EXAMPLES / "saas-handoffs.csv"), "--cases", str(cases)],
    )
    assert res.exit_code == 0, res.output
    assert "fitness      replay" in res.output and "← not in the model" in res.output
    assert len(pd.read_csv(cases)) == 400
    doc = json.loads(
        runner.invoke(
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
        ).output
    )
    assert set(doc) == {
        "model",
        "summary",
        "findings",
        "handoffs",
        "activities",
        "variants",
        "mapping",
        "flows",
        "notes",
        "filter",
    }
    assert doc["filter"] is None  # no filter given: every case
    assert doc["summary"]["fitness_alignments"] is None
    failing = runner.invoke(
        app,
        [
            "check",
            str(REFERENCE_MODEL),
            str(EXAMPLES / "saas-handoffs.csv"),
            "--fail-on",
            "warning",
        ],
    )
    assert failing.exit_code == 1
    other = runner.invoke(
        app, ["check", str(REFERENCE_MODEL), str(SHARED_DATA / "logs" / "running-example.xes")]
    )
    assert other.exit_code == 2 and "none of the log's" in other.output


@pytest.mark.slow
@pytest.mark.timeout(600)
def test_precision_and_alignments_finish_on_bpi_challenge_2012() -> None:
    import pm4py

    df = api.read_log(SHARED_DATA / "logs" / "bpic2012.xes.gz")
    with quiet_pm4py(), warnings.catch_warnings():
        net, im, fm = pm4py.discover_petri_net_inductive(_pm4py_frame(df), noise_threshold=0.5)
    wf = WorkflowNet(net, im, fm, labels={t.label for t in net.transitions if t.label})
    found = variants(df)
    assert len(found) > 4000
    result = conformance(wf, found, precision=True)
    assert result.precision is not None and 0 < result.precision <= 1
    assert result.alignment_fitness is not None and 0.5 < result.alignment_fitness <= 1


@pytest.mark.parametrize("log, net", PAIRS)
def test_prefix_tree_replay_is_pm4pys_per_trace(log: str, net: str) -> None:
    """Replaying one step per prefix gives every variant pm4py's own token counts."""
    from pm4py.algo.conformance.tokenreplay import algorithm as token_replay
    from pm4py.objects.log.obj import Event, EventLog, Trace

    from bpmtool.mining.replay_trie import replay_tree

    wf = _pnml(net)
    seqs = [v.labels for v in variants(api.read_log(SHARED_DATA / "logs" / log))]
    tree = replay_tree(wf.net, wf.initial, wf.final, seqs, replay=seqs, enabled=True)
    with quiet_pm4py():
        theirs = token_replay.apply(
            EventLog(Trace(Event({"concept:name": a}) for a in seq) for seq in seqs),
            wf.net,
            wf.initial,
            wf.final,
            parameters={"show_progress_bar": False},
        )
    for seq, d in zip(seqs, theirs, strict=True):
        r = tree.replays[seq]
        assert (r.missing, r.consumed, r.remaining, r.produced, r.fit) == (
            d["missing_tokens"],
            d["consumed_tokens"],
            d["remaining_tokens"],
            d["produced_tokens"],
            d["trace_is_fit"],
        ), seq
        assert r.fitness == pytest.approx(d["trace_fitness"], abs=1e-12)


def _fits(model_doc: dict[str, object], traces: list[list[str]]) -> list[bool]:
    """Whether each trace has an alignment without log or model moves on the model's net."""
    from bpmtool.model import Model

    wf = to_petri_net(Model.model_validate(model_doc))
    found = variants(
        pd.DataFrame(
            {
                "case:concept:name": [f"c{i}" for i, t in enumerate(traces) for _ in t],
                "concept:name": [a for t in traces for a in t],
            }
        )
    )
    conformance(wf, found, replay=False, budget=EXACT)
    fitting = {v.labels: v.alignment.fitness == 1.0 for v in found}
    return [fitting[tuple(t)] for t in traces]


def test_a_non_interrupting_boundary_event_runs_beside_its_activity() -> None:
    """Review (with a non-interrupting reminder timer → Send reminder) → Approve: the
    reminder's branch runs in parallel with the rest; an interrupting one replaces it."""
    doc: dict[str, object] = {
        "id": "boundary",
        "lanes": [{"id": "team"}],
        "nodes": [
            {"id": "s", "type": "start", "lane": "team"},
            {"id": "review", "name": "Review", "lane": "team"},
            {
                "id": "timer",
                "type": "intermediate",
                "lane": "team",
                "attached_to": "review",
                "interrupting": False,
                "event_definition": "timer",
            },
            {"id": "remind", "name": "Send reminder", "lane": "team"},
            {"id": "approve", "name": "Approve", "lane": "team"},
            {"id": "e1", "type": "end", "lane": "team"},
            {"id": "e2", "type": "end", "lane": "team"},
        ],
        "flows": [
            {"source": "s", "target": "review"},
            {"source": "review", "target": "approve"},
            {"source": "approve", "target": "e1"},
            {"source": "timer", "target": "remind"},
            {"source": "remind", "target": "e2"},
        ],
    }
    traces = [
        ["Review", "Approve"],
        ["Review", "Send reminder", "Approve"],
        ["Review", "Approve", "Send reminder"],
        ["Send reminder", "Review", "Approve"],  # the reminder while the review runs
        ["Send reminder", "Approve"],  # but the review still has to finish
    ]
    assert _fits(doc, traces) == [True, True, True, True, False]
    interrupting = {
        **doc,
        "nodes": [
            {**n, "interrupting": True} if n["id"] == "timer" else n
            for n in doc["nodes"]  # type: ignore[attr-defined]
        ],
    }
    assert _fits(interrupting, [["Send reminder"], ["Review", "Send reminder", "Approve"]]) == [
        True,
        False,
    ]


def test_an_event_subprocess_inside_a_subprocess_goes_on_after_it() -> None:
    """An event sub-process nested in a sub-process replaces the rest of it; then the flow
    goes on after the sub-process (it does not end the case)."""
    doc: dict[str, object] = {
        "id": "esp",
        "lanes": [{"id": "team"}],
        "subprocesses": [
            {"id": "booking", "name": "Make booking", "lane": "team"},
            {
                "id": "cancel",
                "name": "Handle cancel",
                "lane": "team",
                "event": True,
                "parent": "booking",
            },
        ],
        "nodes": [
            {"id": "s", "type": "start", "lane": "team"},
            {"id": "bs", "type": "start", "lane": "team", "parent": "booking"},
            {"id": "book", "name": "Book flight", "lane": "team", "parent": "booking"},
            {"id": "be", "type": "end", "lane": "team", "parent": "booking"},
            {"id": "cs", "type": "start", "lane": "team", "parent": "cancel", "triggered_by": "bs"},
            {"id": "undo", "name": "Cancel flight", "lane": "team", "parent": "cancel"},
            {"id": "ce", "type": "end", "lane": "team", "parent": "cancel"},
            {"id": "charge", "name": "Charge card", "lane": "team"},
            {"id": "e", "type": "end", "lane": "team"},
        ],
        "flows": [
            {"source": "s", "target": "bs"},
            {"source": "bs", "target": "book"},
            {"source": "book", "target": "be"},
            {"source": "be", "target": "charge"},
            {"source": "charge", "target": "e"},
            {"source": "cs", "target": "undo"},
            {"source": "undo", "target": "ce"},
        ],
    }
    assert _fits(
        doc,
        [["Book flight", "Charge card"], ["Cancel flight", "Charge card"], ["Cancel flight"]],
    ) == [True, True, False]
