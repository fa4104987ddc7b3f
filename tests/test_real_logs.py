"""A real log against a model pm4py discovered and wrote as BPMN (no lanes): the default check
gives pm4py's fitness on the same net, and the lane checks say once that they need lanes."""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import pandas as pd
import pytest

from bpmtool import api
from bpmtool.mining.conformance import quiet_pm4py
from bpmtool.mining.petri import to_petri_net
from tests.conftest import SHARED_DATA

LOG = SHARED_DATA / "logs" / "08_receipt.xes.gz"
REPAIRS = SHARED_DATA / "logs" / "03_repairExample.xes.gz"


def _pm4py_frame(df: pd.DataFrame) -> pd.DataFrame:
    return df[["case:concept:name", "concept:name", "time:timestamp"]].astype(
        {"case:concept:name": str, "concept:name": str}
    )


def _discover(df: pd.DataFrame, path: Path) -> Path:
    import pm4py

    with quiet_pm4py(), warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        pm4py.write_bpmn(
            pm4py.discover_bpmn_inductive(_pm4py_frame(df)), str(path), auto_layout=False
        )
    return path


@pytest.fixture(scope="module")
def discovered(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path]:
    df = api.read_log(LOG)
    return df, _discover(df, tmp_path_factory.mktemp("bpmn") / "receipt.bpmn")


def test_default_check_of_a_real_log_equals_pm4py_on_the_same_net(tmp_path: Path) -> None:
    """The repair log, with the last event of every tenth case cut off (cases that stopped
    early, or are still running; the discovered model lets most of them end anyway): the
    default open-case rule leaves out only the recent ones, and fitness stays within 0.005
    of pm4py's on all cases of the same net."""
    import pm4py

    full = api.read_log(REPAIRS)
    model = api.load(_discover(full, tmp_path / "repairs.bpmn"))
    ends = full.groupby("case:concept:name", observed=True).cumcount(ascending=False) == 0
    cut = full["case:concept:name"].astype(str).str[-1] == "7"
    df = full.loc[~(ends & cut)].reset_index(drop=True)
    result = api.check(model, df, precision=False)
    summary = result.summary()
    rule = summary["open_rule"]
    assert rule["rule"] == "finished-durations" and rule["unfinished"] > 0
    assert rule["open"] == summary["open_cases"] <= rule["unfinished"]
    wf = to_petri_net(model)
    with quiet_pm4py():
        replay = pm4py.fitness_token_based_replay(_pm4py_frame(df), wf.net, wf.initial, wf.final)[
            "log_fitness"
        ]
        aligned = pm4py.fitness_alignments(_pm4py_frame(df), wf.net, wf.initial, wf.final)[
            "log_fitness"
        ]
    assert summary["approximated_variants"] == 0
    assert abs(summary["fitness_replay"] - replay) <= 0.005
    assert abs(summary["fitness_alignments"] - aligned) <= 0.005
    assert summary["fitness_alignments"] < 1  # the early stops are deviations


def test_a_model_without_lanes_says_so_once(discovered: tuple[pd.DataFrame, Path]) -> None:
    df, path = discovered
    model = api.load(path)
    assert len(model.lanes) == 1  # pm4py writes no lanes: one invented lane
    assert df["org:group"].nunique() > 5  # the log's teams
    result = api.check(model, df, method="replay", precision=False)
    codes = [f.code for f in result.findings]
    assert codes.count("LANES-NOT-MODELLED") == 1
    assert not {"WRONG-LANE", "UNMODELLED-HANDOFF", "SHARED-ACTIVITY"} & set(codes)
    note = next(f for f in result.findings if f.code == "LANES-NOT-MODELLED")
    assert note.severity.value == "info" and len(note.evidence["observed_lanes"]) > 5
    assert result.summary()["lanes_modelled"] is False
    assert result.handoffs  # the observed handoffs are still counted
    # a model with lanes checks them as before
    reference = api.check(
        api.load(Path(__file__).parent.parent / "models" / "saas-handoffs.yaml"),
        Path(__file__).parent.parent / "examples" / "saas-handoffs.csv",
        method="replay",
        precision=False,
    )
    assert "LANES-NOT-MODELLED" not in {f.code for f in reference.findings}
    assert "WRONG-LANE" in {f.code for f in reference.findings}


def test_lanes_from_the_logs_majority(discovered: tuple[pd.DataFrame, Path]) -> None:
    """Asked to, a model without lanes is checked against the lane doing most of each
    activity's events: labelled once, and WRONG-LANE counts exactly the other events."""
    df, path = discovered
    model = api.load(path)
    result = api.check(model, df, method="replay", precision=False, lanes_from_log=True)
    codes = [f.code for f in result.findings]
    assert "LANES-NOT-MODELLED" not in codes and codes.count("LANES-FROM-LOG") == 1
    assert result.summary()["lanes_from_log"] is True
    assert result.summary()["lanes_modelled"] is False  # the model itself still has none
    note = next(f for f in result.findings if f.code == "LANES-FROM-LOG")
    # a plain count: each activity's most frequent org:group
    known = df[df["concept:name"].isin({n.label for n in model.activities()})]
    counts = known.groupby(["concept:name", "org:group"], observed=True).size()
    majority = {
        str(a): (str(g.idxmax()[1]), round(float(g.max() / g.sum()), 4))
        for a, g in counts.groupby(level=0, observed=True)
        if g.sum() > 0
    }
    owners = {o["activity"]: (o["lane"], o["share"]) for o in note.evidence["owners"]}
    assert owners == majority
    wrong = {f.subject[0]: f.evidence for f in result.findings if f.code == "WRONG-LANE"}
    by_label = {n.label: n.id for n in model.activities()}
    for activity, (_lane, share) in majority.items():
        if share < 1:  # some events by another team: reported against the majority lane
            assert by_label[activity] in wrong, activity
    # without the option the default stays: the lanes are said to be missing, nothing more
    plain = api.check(model, df, method="replay", precision=False)
    assert "LANES-FROM-LOG" not in {f.code for f in plain.findings}
