"""The customer journey of a partitioned log, partition by partition: each partition's
journey facts merged on the client equal the facts of the whole log, so the journey is the
same — its JSON, the per-case table, the work list and the cases behind every finding —
without the client ever joining the events (``read_partitioned`` is made unavailable)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import bpmtool.distributed.frames as frames
from bpmtool import api
from bpmtool.distributed.partitions import partition_of
from bpmtool.errors import EventLogError, InputError
from bpmtool.mining.journey_facts import gather, merge
from bpmtool.model import EmotionSource, Model

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "saas-handoffs.yaml"
LOG = ROOT / "examples" / "saas-handoffs.csv"
SURVEYS = ROOT / "examples" / "saas-handoffs-surveys.csv"
CASE = "case:concept:name"


@pytest.fixture(scope="module")
def model() -> Model:
    return api.load(MODEL)


@pytest.fixture(scope="module")
def example() -> pd.DataFrame:
    return api.read_log(LOG)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> tuple[pd.DataFrame, Path]:
    """A generated log of 1,500 cases, 15 % of them still open (another seed than the
    example's), and its surveys."""
    folder = tmp_path_factory.mktemp("generated")
    log, surveys = folder / "log.csv", folder / "surveys.csv"
    run = [sys.executable, str(ROOT / "examples" / "generate_log.py")]
    subprocess.run(
        [*run, "--cases", "1500", "--seed", "19", "--open-share", "0.15", "-o", str(log)],
        check=True,
    )
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "generate_surveys.py"),
            str(log),
            "-o",
            str(surveys),
        ],
        check=True,
    )
    return api.read_log(log), surveys


@pytest.fixture
def never_joined(monkeypatch: pytest.MonkeyPatch) -> None:
    """Joining the partitions on the client is not possible in this test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the partitions were joined on the client")

    monkeypatch.setattr(frames, "read_partitioned", refuse)


def everything(result: api.JourneyResult) -> dict[str, object]:
    """The JSON with every list whole, the per-case table, the work list, and each finding's
    cases by id (the codes index the journey's sorted case ids)."""
    data = result.to_dict(limit=10**9)
    data.pop("notes")
    ids = result.cases.index
    data["cases_csv"] = result.cases_csv()
    data["work_list"] = result.exceptions_csv()
    data["cases_behind"] = [
        (
            f.code,
            f.subject,
            sorted(str(ids[c]) for c in (f.case_codes if f.case_codes is not None else [])),
        )
        for f in result.findings
    ]
    return data


def _write(frame: pd.DataFrame, folder: Path, partitions: int) -> Path:
    api.write_partitioned_log(frame, folder, partitions=partitions)
    return folder


@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_the_example_in_pieces_is_the_whole_journey(
    model: Model, example: pd.DataFrame, tmp_path: Path, partitions: int, never_joined: None
) -> None:
    whole = api.journey(model, example, surveys=SURVEYS)
    assert any(f.case_codes is not None and len(f.case_codes) for f in whole.findings)
    parts = _write(example, tmp_path / "parts", partitions)
    pieces = api.journey(model, parts, surveys=SURVEYS)
    assert everything(pieces) == everything(whole)
    # open cases measured at another moment: the same moment applied to the merged facts
    at = "2025-05-01"
    assert everything(api.journey(model, parts, surveys=SURVEYS, now=at)) == everything(
        api.journey(model, example, surveys=SURVEYS, now=at)
    )


@pytest.mark.parametrize("partitions", [1, 3, 7])
def test_a_generated_log_in_pieces_is_the_whole_journey(
    model: Model,
    generated: tuple[pd.DataFrame, Path],
    tmp_path: Path,
    partitions: int,
    never_joined: None,
) -> None:
    frame, surveys = generated
    whole = api.journey(model, frame, surveys=surveys)
    assert whole.exceptions.shape[0] > 10 and len(whole.happy.paths) >= 2
    pieces = api.journey(model, _write(frame, tmp_path / "parts", partitions), surveys=surveys)
    assert everything(pieces) == everything(whole)


def test_merged_facts_equal_the_facts_of_the_whole(model: Model, example: pd.DataFrame) -> None:
    """The merge, field by field: cases in the order of their ids, every time kept (so the
    quantiles are exact), counts and traces the same."""
    part = np.asarray(partition_of(pd.Index(example[CASE].astype(str)), 5))[
        example[CASE].astype("category").cat.codes.to_numpy()
    ]
    joined = merge([gather(model, example[part == p].reset_index(drop=True)) for p in range(5)])
    whole = gather(model, example)
    assert list(joined.case_ids) == list(whole.case_ids)
    assert joined.events == whole.events == len(example)
    for name in ("start", "end", "last_label"):
        assert np.array_equal(getattr(joined, name), getattr(whole, name)), name
    assert [joined.sequences[v] for v in joined.variant] == [
        whole.sequences[v] for v in whole.variant
    ]
    assert joined.times.keys() == whole.times.keys() and len(whole.times) > 10
    for key in whole.times:
        np.testing.assert_array_equal(joined.times[key], whole.times[key], err_msg=key)
    for key in whole.counts:
        np.testing.assert_array_equal(joined.counts[key], whole.counts[key], err_msg=key)
    assert joined.label_nodes == whole.label_nodes and joined.unmapped == whole.unmapped
    assert joined.latest == whole.latest


def test_filters_run_on_each_partition(
    model: Model, example: pd.DataFrame, tmp_path: Path, never_joined: None
) -> None:
    """A filter that decides each case from its own events (a time window, an attribute, a
    lane, case ids) cuts each partition; what it kept is added up."""
    parts = _write(example, tmp_path / "parts", 3)
    ids = frozenset(example[CASE].astype(str).unique()[::3])
    for chosen in (
        api.LogFilter(since=datetime(2025, 3, 1), until=datetime(2025, 7, 1)),
        api.LogFilter(since=datetime(2025, 2, 1), until=datetime(2025, 5, 1), window="trim"),
        api.LogFilter(where=(api.AttributeTest("org:resource", ("ana.sales",)),)),
        api.LogFilter(lanes=("Support",)),
        api.LogFilter(case_ids=ids),
    ):
        whole = api.journey(model, example, log_filter=chosen)
        pieces = api.journey(model, parts, log_filter=chosen)
        assert pieces.filtered is not None and whole.filtered is not None
        assert pieces.filtered.to_dict() == whole.filtered.to_dict()
        assert 0 < whole.filtered.cases_after < whole.filtered.cases_before
        assert everything(pieces) == everything(whole), chosen.describe()
    with pytest.raises(InputError, match="keeps none of the log's 400 cases"):
        api.journey(model, parts, log_filter=api.LogFilter(case_ids=frozenset({"nobody"})))


def test_a_variant_filter_numbers_the_whole_logs_variants(
    model: Model, example: pd.DataFrame, tmp_path: Path, never_joined: None
) -> None:
    """Variant numbers rank the whole log's variants: each partition's sequences are
    counted first, numbered once, and each partition keeps the cases of the numbers asked
    for — alone and in each window of a comparison."""
    parts = _write(example, tmp_path / "parts", 3)
    chosen = api.LogFilter(variants=(2, 3))
    whole = api.journey(model, example, log_filter=chosen)
    assert whole.filtered is not None and 0 < whole.filtered.cases_after < 400
    assert everything(api.journey(model, parts, log_filter=chosen)) == everything(whole)
    assert (
        api.compare_journey_windows(model, parts, ["quarter"], log_filter=chosen).to_dict()
        == api.compare_journey_windows(model, example, ["quarter"], log_filter=chosen).to_dict()
    )


def test_a_lane_filter_takes_the_lanes_of_the_log(
    model: Model, example: pd.DataFrame, tmp_path: Path, never_joined: None
) -> None:
    """Some partitions have no teams at all: the whole log's lanes come from its teams, so a
    lane filter judges those partitions' events by the teams too (none there), not by the
    model's owners."""
    codes = example[CASE].astype("category").cat.codes.to_numpy()
    part = np.asarray(partition_of(pd.Index(example[CASE].astype("category").cat.categories), 4))
    groups = example["org:group"].astype(object)
    groups[part[codes] >= 2] = None
    frame = example.assign(**{"org:group": groups.astype("category")})
    chosen = api.LogFilter(lanes=("Support",))
    whole = api.journey(model, frame, log_filter=chosen)
    pieces = api.journey(model, _write(frame, tmp_path / "parts", 4), log_filter=chosen)
    assert everything(pieces) == everything(whole)


@pytest.mark.parametrize("periods", [["quarter"], ["2025-Q1", "2025-Q2"]])
def test_compared_windows_in_pieces(
    model: Model, example: pd.DataFrame, tmp_path: Path, periods: list[str], never_joined: None
) -> None:
    parts = _write(example, tmp_path / "parts", 3)
    whole = api.compare_journey_windows(model, example, periods, surveys=SURVEYS)
    pieces = api.compare_journey_windows(model, parts, periods, surveys=SURVEYS)
    assert pieces.to_dict() == whole.to_dict()
    assert whole.to_dict()["kpis"]


def test_emotion_from_the_log_in_pieces(
    model: Model, example: pd.DataFrame, tmp_path: Path, never_joined: None
) -> None:
    """The emotion attribute of the log's events: each case's last answer, from the
    partition that holds the case; an answer out of range is named the same way as in the
    whole log (all of them counted, the first ones in case order shown)."""
    assert model.journey is not None
    journey = model.journey.model_copy(
        update={"emotion": EmotionSource(attribute="case:nps", scale="nps")}
    )
    scored = model.model_copy(update={"journey": journey})
    codes = example[CASE].astype("category").cat.codes.to_numpy()
    frame = example.assign(**{"case:nps": np.where(codes % 4 == 0, np.nan, codes % 11)})
    whole = api.journey(scored, frame)
    assert whole.sentiment.to_dict()["cases_scored"] > 200
    parts = _write(frame, tmp_path / "parts", 3)
    assert everything(api.journey(scored, parts)) == everything(whole)
    bad = frame.assign(**{"case:nps": np.where(codes % 50 == 7, 12.0, frame["case:nps"])})
    with pytest.raises(InputError) as alone:
        api.journey(scored, bad)
    with pytest.raises(InputError) as spread:
        api.journey(scored, _write(bad, tmp_path / "bad", 3))
    assert "out of range" in str(alone.value)
    assert str(spread.value) == str(alone.value)


def test_a_case_in_two_partitions_is_refused(model: Model, example: pd.DataFrame) -> None:
    first = example[example[CASE].astype(str) <= "C000010"].reset_index(drop=True)
    again = example[example[CASE].astype(str) >= "C000010"].reset_index(drop=True)
    with pytest.raises(EventLogError, match="'C000010' has events in two partitions"):
        merge([gather(model, first), gather(model, again)])


def test_a_parquet_folder_with_its_own_column_names(
    example: pd.DataFrame, tmp_path: Path, never_joined: None
) -> None:
    """Partitions whose columns have other names (``--case``, ``--activity``,
    ``--timestamp``): each partition is read with them, through the command line as from a
    CSV with the same names."""
    from typer.testing import CliRunner

    from bpmtool.cli.app import app

    own = example.rename(columns={CASE: "ticket", "concept:name": "step", "time:timestamp": "at"})
    folder = tmp_path / "own"
    folder.mkdir()
    codes = own["ticket"].astype("category").cat.codes.to_numpy()
    for p in range(3):
        own[codes % 3 == p].to_parquet(folder / f"piece-{p}.parquet", index=False)
    csv = tmp_path / "own.csv"
    own.to_csv(csv, index=False)
    names = ["--case", "ticket", "--activity", "step", "--timestamp", "at"]
    outputs = []
    for log in (csv, folder):
        out = tmp_path / f"{log.name}.json"
        result = CliRunner().invoke(
            app, ["journey", str(MODEL), str(log), *names, "-q", "-f", "json", "-o", str(out)]
        )
        assert result.exit_code == 0, result.output
        data = json.loads(out.read_text())
        data.pop("notes")
        outputs.append(data)
    assert outputs[0] == outputs[1] and outputs[0]["cases"] == 400


def test_a_filter_that_empties_partitions_and_drops_activities(
    model: Model, example: pd.DataFrame, tmp_path: Path, never_joined: None
) -> None:
    """Two cases kept of seven partitions: most partitions keep nothing, and the activities
    neither case did stay behind as unused categories of the partitions' label column (their
    traces must still read as the cases' own labels)."""
    parts = _write(example, tmp_path / "parts", 7)
    chosen = api.LogFilter(case_ids=frozenset({"C000001", "C000002"}))
    whole = api.journey(model, example, log_filter=chosen)
    pieces = api.journey(model, parts, log_filter=chosen)
    assert everything(pieces) == everything(whole)
    walked = {tuple(p.activities) for p in pieces.happy.paths}
    cases = example[example[CASE].astype(str).isin(["C000001", "C000002"])]
    traces = {tuple(g["concept:name"].astype(str)) for _, g in cases.groupby(CASE, observed=True)}
    assert walked == traces


def test_labels_as_categories_with_unused_ones(model: Model, example: pd.DataFrame) -> None:
    """A log whose activity column is categorical with text categories, some unused (a
    Parquet log cut by a filter): the same journey as with plain text labels."""
    plain = example.assign(**{"concept:name": example["concept:name"].astype(str)})
    labels = pd.CategoricalDtype(  # an unused category before the used ones
        pd.Index(["A step never done", *sorted(plain["concept:name"].unique())], dtype="string")
    )
    coded = plain.assign(**{"concept:name": plain["concept:name"].astype(labels)})
    assert everything(api.journey(model, coded)) == everything(api.journey(model, plain))
