"""A filtered check of a partitioned log runs partition by partition: each partition is cut
to the filter's cases before its facts are gathered (the variant numbers, which need the
whole log, come from a first pass over all partitions), and the result — the JSON with the
filter's outcome, the cases behind every finding and variant — equals the single-process
filtered check of the whole log, without the client ever holding the events."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from bpmtool import api
from bpmtool.distributed.partitions import partition_of
from bpmtool.errors import InputError
from bpmtool.mining.filter_cases import numbered_sequences, sequence_counts, variant_numbers
from bpmtool.model import Model

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "saas-handoffs.yaml"
LOG = ROOT / "examples" / "saas-handoffs.csv"
CASE, GROUP = "case:concept:name", "org:group"
REGIONS = np.asarray(["EMEA", "APAC", "AMER"], dtype=object)


@pytest.fixture(scope="module")
def model() -> Model:
    return api.load(MODEL)


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """The example log with a case attribute (a region chosen by the case id's hash)."""
    df = api.read_log(LOG)
    case = df[CASE].astype("category")
    region = REGIONS[np.asarray(partition_of(pd.Index(case.cat.categories.astype(str)), 3))]
    df["case:Region"] = pd.Categorical(region[case.cat.codes.to_numpy()])
    return df


@pytest.fixture(scope="module")
def parts(frame: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("filtered") / "parts"
    api.write_partitioned_log(frame, out, partitions=4)
    return out


def _behind(result: api.CheckResult) -> list[tuple[str, tuple[str, ...], list[str]]]:
    """Every finding's cases by id, and every variant's."""
    variants = result.conformance.variants
    names = variants[0].case_names if variants else []
    out = [
        (
            f.code,
            f.subject,
            sorted(str(names[c]) for c in (f.case_codes if f.case_codes is not None else [])),
        )
        for f in result.findings
    ]
    out += [("variant", (str(v.open), *v.labels), sorted(v.cases)) for v in variants]
    return out


FILTERS = {
    "started": api.LogFilter(since=datetime(2025, 3, 1), until=datetime(2025, 6, 1)),
    "completed": api.LogFilter(since=datetime(2025, 3, 1), window="completed"),
    "contained": api.LogFilter(until=datetime(2025, 6, 1), window="contained"),
    "intersecting": api.LogFilter(
        since=datetime(2025, 4, 1), until=datetime(2025, 4, 15), window="intersecting"
    ),
    "trim": api.LogFilter(since=datetime(2025, 2, 1), until=datetime(2025, 5, 1), window="trim"),
    "case attribute": api.LogFilter(where=(api.AttributeTest("Region", ("EMEA", "APAC")),)),
    "event attribute not": api.LogFilter(
        where=(api.AttributeTest("org:resource", ("ana.sales",), negate=True),)
    ),
    "variants": api.LogFilter(variants=(1, 3, 4)),
    "lane": api.LogFilter(lanes=("Customer success",)),
    "case ids": api.LogFilter(case_ids=frozenset({"C000001", "C000007", "C000100", "nope"})),
    "all at once": api.LogFilter(
        since=datetime(2025, 2, 1),
        where=(api.AttributeTest("Region", ("AMER",), negate=True),),
        variants=(1, 2, 5, 8),
        lanes=("sales",),
    ),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_filtered_check_of_partitions_equals_the_whole(
    model: Model, frame: pd.DataFrame, parts: Path, name: str
) -> None:
    keep = FILTERS[name]
    whole = api.check(model, frame, log_filter=keep)
    pieces = api.check(model, parts, log_filter=keep)
    assert pieces.mapping.df is None  # filtered where the events are, never joined here
    assert pieces.filtered is not None and whole.filtered is not None
    assert pieces.filtered.to_dict() == whole.filtered.to_dict()
    assert 0 < whole.filtered.cases_after < whole.filtered.cases_before
    assert pieces.to_dict() == whole.to_dict()
    assert _behind(pieces) == _behind(whole)
    assert pieces.case_frame().equals(whole.case_frame())


def test_variant_numbers_of_pieces_are_the_whole_logs(frame: pd.DataFrame) -> None:
    """Counted per piece and numbered once, the sequences get the whole log's numbers."""
    part = np.asarray(partition_of(pd.Index(frame[CASE].astype(str)), 5))
    pieces = [frame[part == p].reset_index(drop=True) for p in range(5)]
    numbers = numbered_sequences(sequence_counts(p) for p in pieces)
    whole = variant_numbers(frame)
    names = frame[CASE].astype("category").cat.categories.astype(str)
    by_case = dict(zip(names, whole.tolist(), strict=True))
    for piece in pieces:
        counts = sequence_counts(piece)
        assert sum(counts.values()) == piece[CASE].nunique()
        # a piece's own numbering is not the whole log's ...
        assert numbered_sequences([counts]) != {s: numbers[s] for s in counts}
    # ... the joint one is the whole log's
    seqs = frame.groupby(CASE, observed=True, sort=True)["concept:name"].agg(tuple)
    assert [numbers[s] for s in seqs] == [by_case[c] for c in seqs.index.astype(str)]


def test_lane_filter_when_some_partitions_have_no_groups(
    model: Model, frame: pd.DataFrame, tmp_path: Path
) -> None:
    """Partitions without org:group values: the whole log's lanes come from that column,
    so the lane filter judges their (lane-less) events as the single process does."""
    df = frame.copy()
    part = np.asarray(partition_of(pd.Index(df[CASE].astype(str)), 4))[
        df[CASE].astype("category").cat.codes.to_numpy()
    ]
    groups = df[GROUP].astype(object)
    groups[part >= 2] = None
    df[GROUP] = groups.astype("category")
    parts = tmp_path / "parts"
    api.write_partitioned_log(df, parts, partitions=4)
    keep = api.LogFilter(lanes=("sales",), since=datetime(2025, 2, 1))
    whole = api.check(model, df, log_filter=keep)
    pieces = api.check(model, parts, log_filter=keep)
    assert pieces.summary()["lane_source"] == "org:group"
    assert pieces.to_dict() == whole.to_dict()


def test_a_filter_that_keeps_nothing_is_refused_naming_the_log(model: Model, parts: Path) -> None:
    keep = api.LogFilter(since=datetime(2031, 1, 1))
    with pytest.raises(InputError, match="keeps none of the log's 400 cases") as err:
        api.check(model, parts, log_filter=keep)
    assert err.value.problems[0].file == str(parts)


def test_cli_filtered_check_of_partitions(
    model: Model, frame: pd.DataFrame, parts: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from bpmtool.cli import app

    runner = CliRunner()
    flags = [
        "--from",
        "2025-02",
        "--where",
        "Region=EMEA",
        "--variant",
        "1",
        "--variant",
        "2",
        "-f",
        "json",
    ]
    csv = tmp_path / "log.csv"
    frame.to_csv(csv, index=False)
    a = runner.invoke(app, ["check", str(MODEL), str(parts), *flags, "-q"])
    b = runner.invoke(app, ["check", str(MODEL), str(csv), *flags, "-q"])
    assert a.exit_code == b.exit_code
    assert a.stdout == b.stdout
    assert '"cases_after"' in a.stdout


def test_filtered_check_on_a_local_cluster(model: Model, frame: pd.DataFrame, parts: Path) -> None:
    """A real LocalCluster of two worker processes: the variant numbers' pass and the
    filtered partitions both run on the workers; the result is the single process's."""
    keep = FILTERS["all at once"]
    whole = api.check(model, frame, log_filter=keep)
    with api.cluster(workers=2, memory_limit="1GB") as cluster:
        assert cluster.client.cluster.processes
        pieces = api.check(model, parts, log_filter=keep, cluster=cluster)
    assert pieces.mapping.df is None
    assert pieces.to_dict() == whole.to_dict()
    assert _behind(pieces) == _behind(whole)


@pytest.mark.parametrize(
    ("periods", "keep"),
    [
        (["quarter"], None),
        (["2025-01-01..2025-03-31", "2025-Q2"], FILTERS["case attribute"]),
    ],
    ids=["a unit", "two periods and a filter"],
)
def test_compared_windows_of_partitions_equal_the_whole(
    model: Model,
    frame: pd.DataFrame,
    parts: Path,
    periods: list[str],
    keep: api.LogFilter | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``check --compare`` of a partitioned log: each window is a filtered check run
    partition by partition (a unit's windows follow the log's last time, asked of each
    partition), never joined on the client; both sides equal the whole log's comparison,
    ``slow_after`` included."""
    from datetime import timedelta

    from bpmtool.distributed import frames

    slow = timedelta(days=2)
    whole = api.compare_windows(model, frame, periods, log_filter=keep, slow_after=slow)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the partitions were joined on the client")

    monkeypatch.setattr(frames, "read_partitioned", refuse)
    pieces = api.compare_windows(model, parts, periods, log_filter=keep, slow_after=slow)
    assert pieces.to_dict() == whole.to_dict()
    # the limit reaches both windows' checks: a looser one finds fewer slow handoffs
    loose = api.compare_windows(model, frame, periods, log_filter=keep)
    assert whole.to_dict() != loose.to_dict()


def test_cli_compare_of_partitions_equals_the_csv(
    frame: pd.DataFrame, parts: Path, tmp_path: Path
) -> None:
    from typer.testing import CliRunner

    from bpmtool.cli import app

    runner = CliRunner()
    csv = tmp_path / "log.csv"
    frame.to_csv(csv, index=False)
    flags = ["--compare", "quarter", "--slow-after", "2d", "--where", "Region=EMEA", "-f", "json"]
    a = runner.invoke(app, ["check", str(MODEL), str(parts), *flags, "-q"])
    b = runner.invoke(app, ["check", str(MODEL), str(csv), *flags, "-q"])
    assert a.exit_code == b.exit_code == 0, a.output
    assert a.stdout == b.stdout
    assert '"windows"' in a.stdout or '"labels"' in a.stdout, a.stdout[:300]
