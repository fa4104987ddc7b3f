"""`bpmtool log LOG --to-parquet DIR` for CSV and XES: the log is written while it is read,
in pieces, and the partitions give the same check and journey as the log itself."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pm4py
import pytest
from typer.testing import CliRunner

import bpmtool.io.eventlog_csv_stream as csv_stream
import bpmtool.io.eventlog_xes as xes_reader
from bpmtool import api
from bpmtool.cli.app import app
from bpmtool.distributed import streaming
from bpmtool.distributed.partitions import find_partitions

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "saas-handoffs.yaml"
LOG = ROOT / "examples" / "saas-handoffs.csv"
CASE = "case:concept:name"


@pytest.fixture
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Readers hand on ~500 events at a time and partitions flush every 300: the example
    log then goes through many pieces. Returns the sizes handed to the writer."""
    monkeypatch.setattr(csv_stream, "_HAND_ON_ROWS", 500)
    monkeypatch.setattr(csv_stream, "_BLOCK", 16 * 1024)
    monkeypatch.setattr(xes_reader, "_HAND_ON_EVENTS", 500)
    monkeypatch.setattr(streaming, "FLUSH_ROWS", 300)
    sizes: list[int] = []
    original = streaming.PartitionWriter.__call__

    def counting(self: streaming.PartitionWriter, frame: pd.DataFrame, share: float) -> None:
        sizes.append(len(frame))
        original(self, frame, share)

    monkeypatch.setattr(streaming.PartitionWriter, "__call__", counting)
    return sizes


def _whole_cases(folder: Path) -> int:
    seen: dict[str, int] = {}
    for i, f in enumerate(find_partitions(folder)):
        for case in pd.read_parquet(f)[CASE].unique():
            assert seen.setdefault(str(case), i) == i, f"case {case} in two files"
    return len(seen)


def test_a_csv_streams_into_partitions_that_check_as_the_log(
    tmp_path: Path, small_pieces: list[int]
) -> None:
    model = api.load(MODEL)
    out = tmp_path / "parts"
    written = api.stream_log_to_parquet(LOG, out, partitions=3)
    original = api.read_log(LOG)
    assert len(small_pieces) > 5 and sum(small_pieces) == len(original)
    assert written.events == len(original)
    assert written.cases == original[CASE].nunique() == _whole_cases(out)
    pd.testing.assert_frame_equal(api.read_log(out), original)
    assert api.check(model, out).to_dict() == api.check(model, LOG).to_dict()


def test_an_xes_streams_whole_traces_into_partitions(
    tmp_path: Path, small_pieces: list[int]
) -> None:
    model = api.load(MODEL)
    xes = tmp_path / "log.xes"
    standard = api.read_log(LOG)  # pm4py's column names
    pm4py.write_xes(standard.astype({c: str for c in standard.columns[:2]}), str(xes))
    out = tmp_path / "parts"
    written = api.stream_log_to_parquet(xes, out)  # partitions estimated: a small log, one
    assert [p.name for p in written.files] == ["part-00000.parquet"]
    assert len(small_pieces) > 5
    original = api.read_log(xes)
    assert written.events == len(original) and written.cases == _whole_cases(out)
    assert api.check(model, out).to_dict() == api.check(model, xes).to_dict()


def test_dates_whose_order_comes_late_are_held_until_it_is_known(
    tmp_path: Path, small_pieces: list[int]
) -> None:
    # 1,200 events whose dates fit both orders, then one that is day-first only
    rows = [f"C{i // 4},Step {i % 4},0{1 + i % 9}/02/2025 10:00" for i in range(1200)]
    rows.append("C300,Step 0,13/02/2025 10:00")
    log = tmp_path / "dates.csv"
    log.write_text("case,activity,time\n" + "\n".join(rows) + "\n", encoding="utf-8")
    columns = {"case": "case", "activity": "activity", "timestamp": "time"}
    out = tmp_path / "parts"
    written = api.stream_log_to_parquet(log, out, columns=columns, partitions=2)
    assert any("day-first" in n.message for n in written.notes)
    original = api.read_log(log, columns=columns)
    pd.testing.assert_frame_equal(api.read_log(out), original)
    assert original["time:timestamp"].dt.month.eq(2).all()  # read as February, not January


def test_case_attributes_keep_the_journey_the_same(tmp_path: Path, small_pieces: list[int]) -> None:
    frame = pd.read_csv(LOG)
    cases = sorted(frame["case_id"].unique())
    nps = {c: (i * 7) % 11 for i, c in enumerate(cases)}
    frame["case:nps"] = frame["case_id"].map(nps)
    log = tmp_path / "nps.csv"
    frame.to_csv(log, index=False)
    out = tmp_path / "parts"
    api.stream_log_to_parquet(log, out, partitions=4)
    model = api.load(MODEL)
    assert api.journey(model, out).to_dict() == api.journey(model, log).to_dict()


def test_the_cli_streams_and_refuses_bad_input_plainly(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "parts"
    result = runner.invoke(app, ["log", str(LOG), "--to-parquet", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert "7,146 events of 400 cases written to 1 Parquet file(s)" in result.output
    broken = tmp_path / "broken.xes"
    broken.write_text("<log><trace><event><string key='concept:name' value='a'/>", "utf-8")
    result = runner.invoke(app, ["log", str(broken), "--to-parquet", str(tmp_path / "b")])
    assert result.exit_code == 2
    assert "broken.xes" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "b").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".b.")] == []
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine", "utf-8")
    result = runner.invoke(app, ["log", str(LOG), "--to-parquet", str(foreign)])
    assert result.exit_code == 2 and "not replacing it" in result.output
    assert (foreign / "notes.txt").read_text("utf-8") == "mine"


def test_partitioned_output_is_json_summarised_like_any_log(tmp_path: Path) -> None:
    out = tmp_path / "parts"
    api.stream_log_to_parquet(LOG, out, partitions=2)
    result = CliRunner().invoke(app, ["log", str(out), "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["summary"]["events"] == 7146 if "summary" in doc else doc["events"] == 7146
