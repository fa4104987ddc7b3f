"""Reading event logs: every real log in shared/data, agreement with pm4py, bad input."""

from __future__ import annotations

import gzip
import time
import warnings
from pathlib import Path

import pandas as pd
import pytest

from bpmtool.errors import EventLogError
from bpmtool.io.eventlog import read_log
from tests.conftest import SHARED_DATA, corpus_files

LOGS = corpus_files(
    sorted(
        p
        for p in (SHARED_DATA / "logs").glob("*")
        if p.name.endswith((".xes", ".xes.gz", ".csv")) and p.name != "xes_20.xes"
    )
)
#: the heaviest logs are checked against the counts shared/data/README.md gives for them
#: (cases, events) instead of against a second, slow read with pm4py
PUBLISHED = {
    "bpic2012.xes.gz": (13087, None),
    "07_bpic2013_incidents.xes.gz": (7554, 65533),
    "16_bpic2019_1t_per_variant.xes.gz": (11973, 338247),
    "15_bpic2020_permit_log_1t_per_variant.xes.gz": (1478, 26028),
}


def _pm4py(path: Path) -> pd.DataFrame:
    import pm4py

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if path.name.endswith(".csv"):
            raw = pd.read_csv(path, sep=None, engine="python")
            return raw
        return pm4py.read_xes(str(path), return_legacy_log_object=False)


@pytest.mark.parametrize("path", LOGS, ids=lambda p: p.name)
def test_every_shared_log_reads_and_agrees_with_pm4py(path: Path) -> None:
    df = read_log(path)
    assert list(df.columns[:3]) == ["case:concept:name", "concept:name", "time:timestamp"]
    assert isinstance(df["time:timestamp"].dtype, pd.DatetimeTZDtype)
    if path.name.endswith(".csv"):
        return  # the CSVs are compared with their XES twins below
    if path.name in PUBLISHED:
        cases, events = PUBLISHED[path.name]
        assert df["case:concept:name"].nunique() == cases
        assert events is None or len(df) == events
        return
    ref = _pm4py(path)
    assert df["case:concept:name"].nunique() == ref["case:concept:name"].nunique()
    lifecycle = ref.get("lifecycle:transition")
    if lifecycle is not None and {str(v).lower() for v in lifecycle.dropna().unique()} <= {
        "start",
        "complete",
        "schedule",
    }:
        ref = ref[lifecycle.str.lower() == "complete"]
    assert len(df) == len(ref)
    assert sorted(df["concept:name"].astype(str).unique()) == sorted(
        ref["concept:name"].astype(str).unique()
    )


@pytest.mark.parametrize(
    "xes, csv",
    [
        ("receipt.csv", "08_receipt.xes.gz"),
        ("reviewing.csv", "reviewing.xes"),
        ("roadtraffic100traces.csv", "roadtraffic100traces.xes"),
        ("interval_event_log.csv", "interval_event_log.xes"),
    ],
)
def test_csv_and_xes_twins_give_the_same_frame(xes: str, csv: str) -> None:
    a, b = read_log(SHARED_DATA / "logs" / xes), read_log(SHARED_DATA / "logs" / csv)
    assert len(a) == len(b)
    assert a["case:concept:name"].nunique() == b["case:concept:name"].nunique()
    assert (
        a["time:timestamp"].sort_values().to_numpy() == b["time:timestamp"].sort_values().to_numpy()
    ).all()


def test_lifecycle_keeps_complete_events_with_their_start_time() -> None:
    df = read_log(SHARED_DATA / "logs" / "reviewing.xes")
    assert set(df["lifecycle:transition"].astype(str).str.lower()) == {"complete"}
    assert "start_timestamp" in df.columns and df["start_timestamp"].notna().mean() > 0.5
    assert (
        df["start_timestamp"].dropna() <= df.loc[df["start_timestamp"].notna(), "time:timestamp"]
    ).all()


def test_ticket_states_are_not_taken_for_a_lifecycle() -> None:
    df = read_log(SHARED_DATA / "logs" / "06_bpic2013_closed.xes.gz")
    assert len(df) == 6660  # every event kept: the states are not start/complete


def test_log_without_timestamps_keeps_file_order() -> None:
    df = read_log(SHARED_DATA / "logs" / "09_a32f0n00.xes.gz")
    assert df["time:timestamp"].isna().all() and len(df) == 25757


def _csv(tmp_path: Path, text: str, name: str = "log.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_csv_columns_found_by_common_names_and_delimiter_sniffed(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "Case ID;Activity;Complete Timestamp;Resource;Team\n"
        "c1;Close deal;2024-03-01 09:00:00;ann;Sales\n"
        "c1;Kickoff meeting;2024-03-04 10:00:00;bob;Implementation\n",
    )
    df = read_log(path)
    assert list(df.columns) == [
        "case:concept:name",
        "concept:name",
        "time:timestamp",
        "org:resource",
        "org:group",
    ]
    assert str(df["time:timestamp"].iloc[1]) == "2024-03-04 10:00:00+00:00"


def test_explicit_column_names_and_time_zones(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "ticket,step,when\nt1,Open,2024-03-01T09:00:00+02:00\nt1,Close,2024-03-01T09:30:00-05:00\n",
    )
    df = read_log(path, columns={"case": "ticket", "activity": "step", "timestamp": "when"})
    assert df["time:timestamp"].dt.hour.tolist() == [7, 14]


@pytest.mark.parametrize(
    "text, needle",
    [
        ("", "empty"),
        ("case_id,activity\n", "no events"),
        ("foo,bar\n1,2\n", "no case column"),
        ("case_id,activity,timestamp\nc1,A,2024-01-01\nc1,B,yesterday-ish\n", "row 2"),
        (
            "case_id,activity,timestamp\nc1,A,2024-01-01\nc1,B\n",
            "this row has 2 fields, the header 3: c1,B",
        ),
    ],
)
def test_bad_csv_inputs_are_located(tmp_path: Path, text: str, needle: str) -> None:
    with pytest.raises(EventLogError) as err:
        read_log(_csv(tmp_path, text))
    assert needle in str(err.value)


def test_non_utf8_csv_names_the_line_and_the_way_out(tmp_path: Path) -> None:
    path = _csv(tmp_path, "case_id,activity,timestamp\nc1,Café,2024-01-01\n", encoding="cp1252")
    with pytest.raises(EventLogError) as err:
        read_log(path)
    assert err.value.problems[0].line == 2 and "--encoding" in str(err.value)
    assert read_log(path, encoding="cp1252")["concept:name"].iloc[0] == "Café"


def test_explicit_column_that_does_not_exist(tmp_path: Path) -> None:
    path = _csv(tmp_path, "case_id,activity,timestamp\nc1,A,2024-01-01\n")
    with pytest.raises(EventLogError) as err:
        read_log(path, columns={"case": "ticket"})
    assert "'ticket'" in str(err.value)


def test_truncated_xes_gz_is_refused(tmp_path: Path) -> None:
    data = (SHARED_DATA / "logs" / "03_repairExample.xes.gz").read_bytes()
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(EventLogError) as err:
        read_log(path)
    assert "cut short" in str(err.value) or "well-formed" in str(err.value)


def test_malformed_xes_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.xes"
    path.write_text(
        '<log xmlns="http://www.xes-standard.org/">\n<trace>\n<event>\n'
        '<string key="concept:name" value="A">\n</trace></log>\n'
    )
    with pytest.raises(EventLogError) as err:
        read_log(path)
    assert err.value.problems[0].line is not None


@pytest.mark.parametrize(
    "payload",
    [
        '<!DOCTYPE log [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<log><trace><event><string key="concept:name" value="&b;"/></event></trace></log>',
        '<!DOCTYPE log [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<log><trace><event><string key="concept:name" value="&x;"/></event></trace></log>',
    ],
)
def test_hostile_xes_is_refused_quickly(tmp_path: Path, payload: str) -> None:
    path = tmp_path / "evil.xes"
    path.write_text(payload)
    start = time.perf_counter()
    with pytest.raises(EventLogError) as err:
        read_log(path)
    assert time.perf_counter() - start < 1
    assert "entities" in str(err.value)


def test_gzip_that_is_not_xes(tmp_path: Path) -> None:
    path = tmp_path / "x.xes.gz"
    path.write_bytes(gzip.compress(b"hello world, not a log"))
    with pytest.raises(EventLogError, match="not an XES log"):
        read_log(path)


def test_parquet_round_trip(tmp_path: Path) -> None:
    df = read_log(SHARED_DATA / "logs" / "running-example.xes")
    path = tmp_path / "log.parquet"
    plain = df.astype({c: "string" for c in ("case:concept:name", "concept:name", "org:resource")})
    plain[["case:concept:name", "concept:name", "time:timestamp", "org:resource"]].to_parquet(path)
    again = read_log(path)
    assert len(again) == 42 and again["case:concept:name"].nunique() == 6


@pytest.mark.parametrize(
    "path", corpus_files(sorted((SHARED_DATA / "logs").glob("*.xes*"))), ids=lambda p: p.name
)
def test_the_fast_xes_reader_gives_the_streaming_readers_frame(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """rustxes is used only where its frame equals the lxml reader's, value for value."""
    from bpmtool.io import eventlog_xes_fast
    from bpmtool.io.eventlog_xes import read_xes

    used: list[bool] = []
    real = eventlog_xes_fast.read_xes_fast

    def spy(p: Path, progress: object = None) -> object:
        out = real(p)
        used.append(out is not None)
        return out

    monkeypatch.setattr(eventlog_xes_fast, "read_xes_fast", spy)
    fast = read_xes(path)
    monkeypatch.setattr(eventlog_xes_fast, "read_xes_fast", lambda p, progress=None: None)
    slow = read_xes(path)
    assert list(fast.columns) == list(slow.columns) or set(fast.columns) == set(slow.columns)
    for column in slow.columns:
        a = fast[column].astype(object).where(fast[column].notna(), None).tolist()
        b = slow[column].astype(object).where(slow[column].notna(), None).tolist()
        assert a == b, column
    if path.name in (
        "bpic2012.xes.gz",
        "helpdesk.xes.gz",
        "running-example.xes",
        "08_receipt.xes.gz",
        "03_repairExample.xes.gz",
    ):
        # the last two declare <global> defaults, which are taken out of what rustxes reads
        assert used == [True]


def _values(df: pd.DataFrame) -> dict[str, list[object]]:
    return {c: df[c].astype(object).where(df[c].notna(), None).tolist() for c in df.columns}


@pytest.mark.parametrize(
    "name, piece",
    [
        ("bpic2012.xes.gz", 8 << 20),
        ("16_bpic2019_1t_per_variant.xes.gz", 6 << 20),
        ("helpdesk.xes.gz", 1 << 20),
        ("interval_event_log.xes", 200_000),
        ("running-example.xes", 3_000),
    ],
)
def test_a_large_xes_read_in_pieces_gives_the_same_frame(name: str, piece: int) -> None:
    """rustxes reads a large file as pieces of whole traces, each with the log's header;
    joined, they are the frame of one read, value for value."""
    from bpmtool.io.eventlog_xes_fast import read_xes_fast

    path = SHARED_DATA / "logs" / name
    seen: list[tuple[int, int | None]] = []
    whole = read_xes_fast(path, chunk_bytes=1 << 40)
    pieces = read_xes_fast(
        path, chunk_bytes=piece, progress=lambda done, total: seen.append((done, total))
    )
    assert whole is not None and pieces is not None
    assert _values(whole) == _values(pieces)
    assert len(seen) >= 5 and seen[-1][0] == seen[-1][1]  # a piece at a time, with progress


def test_xes_pieces_refuse_events_outside_traces(tmp_path: Path) -> None:
    path = tmp_path / "stray.xes"
    trace = (
        '<trace><string key="concept:name" value="c{i}"/><event>'
        '<string key="concept:name" value="A"/>'
        '<date key="time:timestamp" value="2024-01-01T00:00:00+00:00"/></event></trace>\n'
    )
    path.write_text(
        '<log xmlns="http://www.xes-standard.org/">\n'
        + "".join(trace.format(i=i) for i in range(2000))
        + '<event><string key="concept:name" value="B"/></event>\n</log>\n'
    )
    with pytest.raises(EventLogError, match="outside any <trace>"):
        read_log(path)


def test_csv_is_read_in_blocks_with_progress(tmp_path: Path) -> None:
    rows = "".join(
        f"c{i // 5},Step {i % 5},2024-01-01T{i % 24:02d}:00:00Z,r{i % 7}\n" for i in range(60_000)
    )
    path = _csv(tmp_path, "case_id,activity,timestamp,resource\n" + rows)
    seen: list[tuple[int, int | None]] = []
    df = read_log(path, progress=lambda done, total: seen.append((done, total)))
    assert len(df) == 60_000 and df["case:concept:name"].nunique() == 12_000
    assert isinstance(df["concept:name"].dtype, pd.CategoricalDtype)
    assert len(seen) > 3 and seen[-1] == (path.stat().st_size, path.stat().st_size)
    assert str(df["time:timestamp"].iloc[0]) == "2024-01-01 00:00:00+00:00"


def test_bad_timestamp_far_into_the_file_is_located(tmp_path: Path) -> None:
    rows = [f"c{i},A,2024-01-01 10:00:00" for i in range(50_000)]
    rows[43_210] = "c43210,A,not a time"
    path = _csv(tmp_path, "case_id,activity,timestamp\n" + "\n".join(rows) + "\n")
    with pytest.raises(EventLogError) as err:
        read_log(path)
    assert "row 43211" in str(err.value) and "'not a time'" in str(err.value)
    assert err.value.problems[0].line == 43_212


def test_bytes_that_are_not_utf8_far_into_the_file_are_located(tmp_path: Path) -> None:
    rows = [f"c{i},Step,2024-01-01 10:00:00" for i in range(40_000)]
    rows[30_000] = "c30000,Caf\xe9,2024-01-01 10:00:00"
    path = tmp_path / "late.csv"
    path.write_bytes(("case_id,activity,timestamp\n" + "\n".join(rows) + "\n").encode("cp1252"))
    with pytest.raises(EventLogError) as err:
        read_log(path)
    assert err.value.problems[0].line == 30_002 and "--encoding" in str(err.value)
    assert read_log(path, encoding="cp1252")["concept:name"].astype(str).eq("Café").sum() == 1


def test_gzipped_csv_and_mixed_time_forms(tmp_path: Path) -> None:
    text = (
        "case_id,activity,timestamp\nc1,A,2024-03-01T09:00:00+02:00\n"
        "c1,B,2024-03-01 08:00:00\nc2,A,01 Mar 2024 10:00\n"
    )
    path = tmp_path / "log.csv.gz"
    path.write_bytes(gzip.compress(text.encode()))
    df = read_log(path)
    assert df["time:timestamp"].dt.hour.tolist() == [7, 8, 10]


def test_numeric_case_ids_stay_text_and_case_attributes_become_numbers(tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        "case_id,activity,timestamp,case:nps\n"
        "10,A,2024-01-01,9\n10,B,2024-01-02,9\n9,A,2024-01-01,\n",
    )
    df = read_log(path)
    assert df["case:concept:name"].astype(str).tolist() == ["10", "10", "9"]
    assert df["case:nps"].tolist()[:2] == [9.0, 9.0] and pd.isna(df["case:nps"].iloc[2])


@pytest.mark.parametrize("rows", [100, 40_000])
def test_truncated_csv_gz_is_refused(tmp_path: Path, rows: int) -> None:
    """Cut inside the first 256 KB (where the dialect is sniffed) or far past it."""
    text = "case_id,activity,timestamp\n" + "".join(
        f"c{i},Step {i % 9},2024-01-01 10:{i % 60:02d}:00\n" for i in range(rows)
    )
    packed = gzip.compress(text.encode(), compresslevel=1)
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(packed[: len(packed) // 2])
    with pytest.raises(EventLogError, match="cut short or damaged"):
        read_log(path)


def test_a_named_encoding_that_fails_far_into_the_file_is_located(tmp_path: Path) -> None:
    rows = [f"c{i},Step,2024-01-01 10:00:00" for i in range(40_000)]
    rows[30_000] = "c30000,Café,2024-01-01 10:00:00"
    path = _csv(tmp_path, "case_id,activity,timestamp\n" + "\n".join(rows) + "\n")
    with pytest.raises(EventLogError) as err:
        read_log(path, encoding="ascii")
    assert err.value.problems[0].line == 30_002 and "not ascii" in str(err.value)
