"""A partitioned log checked partition by partition: the facts of each partition merged on the
client equal the facts of the whole log, so the check is the same — its JSON, and the cases
behind every finding and variant — without the client ever holding the events."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bpmtool import api
from bpmtool.distributed.partitions import partition_of
from bpmtool.mining.check_facts import gather_frame, merge
from bpmtool.model import Model

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "saas-handoffs.yaml"
LOG = ROOT / "examples" / "saas-handoffs.csv"
CASE, GROUP = "case:concept:name", "org:group"


@pytest.fixture(scope="module")
def model() -> Model:
    return api.load(MODEL)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return api.read_log(LOG)


def _cases_behind(result: object) -> list[tuple[str, tuple[str, ...], list[str]]]:
    """Every finding's cases by id, and every variant's (not in the JSON: the case index's)."""
    out = []
    for f in result.findings:  # type: ignore[attr-defined]
        codes = f.case_codes if f.case_codes is not None else []
        names = result.conformance.variants[0].case_names if result.conformance.variants else []  # type: ignore[attr-defined]
        out.append((f.code, f.subject, sorted(str(names[c]) for c in codes)))
    for v in result.conformance.variants:  # type: ignore[attr-defined]
        out.append(("variant", (str(v.open), *v.labels), sorted(v.cases)))
    return out


@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_partition_by_partition_equals_the_whole_log(
    model: Model, frame: pd.DataFrame, tmp_path: Path, partitions: int
) -> None:
    whole = api.check(model, frame)
    parts = tmp_path / "parts"
    api.write_partitioned_log(frame, parts, partitions=partitions)
    pieces = api.check(model, parts)
    assert pieces.mapping.df is None  # the events were never joined here
    assert pieces.to_dict() == whole.to_dict()
    assert _cases_behind(pieces) == _cases_behind(whole)
    assert pieces.case_frame().equals(whole.case_frame())


def test_merged_facts_equal_the_facts_of_the_whole(model: Model, frame: pd.DataFrame) -> None:
    """The merge itself, field by field: counts add up, waits are all there (so the
    quantiles are exact), case codes index the joint sorted case table."""
    part = np.asarray(partition_of(pd.Index(frame[CASE].astype(str)), 5))
    pieces = [
        gather_frame(model, frame[part == p].reset_index(drop=True), lane_map=None, filename="x")
        for p in range(5)
    ]
    joined = merge(pieces)
    whole = gather_frame(model, frame, lane_map=None, filename="x")
    assert joined.events == whole.events == len(frame)
    assert joined.labels == whole.labels
    assert list(joined.cases.names) == list(whole.cases.names)
    for name in ("code", "variant", "unfinished", "first", "last"):
        a, b = getattr(joined.cases, name), getattr(whole.cases, name)
        if name == "variant":  # variant numbers differ; their sequences may not
            a = [joined.cases.sequences[i] for i in a]
            b = [whole.cases.sequences[i] for i in b]
            assert a == b
        else:
            assert np.array_equal(a, b), name
    np.testing.assert_array_equal(joined.cases.lead, whole.cases.lead)
    h, w = joined.handoffs, whole.handoffs
    assert list(h.lane_names) == list(w.lane_names) and list(h.node_names) == list(w.node_names)
    for name in ("src_lane", "dst_lane", "src_node", "dst_node", "wait", "case", "b_case"):
        assert np.array_equal(getattr(h, name), getattr(w, name)), name
    assert np.array_equal(h.follows, w.follows)
    assert {k: (n, list(c)) for k, (n, c) in h.unknown.items()} == {
        k: (n, list(c)) for k, (n, c) in w.unknown.items()
    }
    assert len(h.wait) > 1000  # the example has handoffs in every partition


def test_partitions_without_lanes_take_the_lanes_of_the_log(
    model: Model, frame: pd.DataFrame, tmp_path: Path
) -> None:
    """Some partitions have no org:group at all: the whole log takes its lanes from that
    column, so those partitions are gathered again with it (their events lane-less, as in
    the joined log), not with the model's owners."""
    df = frame.copy()
    part = np.asarray(partition_of(pd.Index(df[CASE].astype(str)), 4))[
        df[CASE].astype("category").cat.codes.to_numpy()
    ]
    groups = df[GROUP].astype(object)
    groups[part >= 2] = None
    df[GROUP] = groups.astype("category")
    whole = api.check(model, df)
    parts = tmp_path / "parts"
    api.write_partitioned_log(df, parts, partitions=4)
    pieces = api.check(model, parts)
    assert pieces.summary()["lane_source"] == "org:group"
    assert pieces.to_dict() == whole.to_dict()


def test_lanes_from_the_log_on_partitions(
    frame: pd.DataFrame, model: Model, tmp_path: Path
) -> None:
    """A model without lanes checked against the log's majority lanes: the majority comes
    from the merged (node, lane) counts, the same as from the whole log."""
    data = model.model_dump(by_alias=True, exclude_defaults=True)
    data["lanes"] = []
    data.pop("journey", None)  # its behaviours name lanes
    for node in data["nodes"]:
        node.pop("lane", None)
    bare = Model.model_validate(data)
    whole = api.check(bare, frame, lanes_from_log=True)
    assert "LANES-FROM-LOG" in {f.code for f in whole.findings}
    parts = tmp_path / "parts"
    api.write_partitioned_log(frame, parts, partitions=3)
    assert api.check(bare, parts, lanes_from_log=True).to_dict() == whole.to_dict()


def test_filtered_check_of_partitions(model: Model, frame: pd.DataFrame, tmp_path: Path) -> None:
    """A filtered check runs partition by partition too (more in
    tests/test_distributed_filter.py)."""
    parts = tmp_path / "parts"
    api.write_partitioned_log(frame, parts, partitions=2)
    keep = api.LogFilter(variants=(1,))
    pieces = api.check(model, parts, log_filter=keep)
    assert pieces.mapping.df is None
    assert pieces.to_dict() == api.check(model, frame, log_filter=keep).to_dict()


@pytest.mark.parametrize(
    ("waits", "unit"),
    [
        (["2 s", "NaT", "-3 s", "40 days"], 1_000_000_000),
        (["2 s", "1500 ms", "NaT"], 1_000_000),
        (["2 s", "1500 ms", "30 days"], 0),  # 30 days in ms is past int32
        (["1 s", "7 ns"], 0),
        (["NaT", "NaT"], 1_000_000_000),
        ([], 1_000_000_000),
    ],
)
def test_waits_are_kept_compact_only_when_nothing_is_lost(waits: list[str], unit: int) -> None:
    from bpmtool.mining.handoff_facts import compact_waits

    original = pd.to_timedelta(pd.Series(waits, dtype=object)).to_numpy("timedelta64[ns]")
    stored, found = compact_waits(original)
    assert found == unit
    assert stored.dtype == (np.int32 if unit else np.dtype("timedelta64[ns]"))
    facts = gather_frame(api.load(MODEL), api.read_log(LOG), lane_map=None, filename="x")
    back = replace(facts.handoffs, wait=stored, wait_unit=found).waits()
    np.testing.assert_array_equal(back, original)
