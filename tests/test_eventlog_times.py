"""Times of CSV and Parquet logs: the time column found by its values, the day/month order of
numeric dates read from the data (refused when the data cannot tell), ``--date-format``, and
notes that say what was found or assumed."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from bpmtool import api
from bpmtool.cli import app
from bpmtool.errors import EventLogError

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "saas-handoffs.yaml"
runner = CliRunner()


def _write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def _log(path: Path, times: list[str], time_header: str = "timestamp") -> Path:
    rows = [f"C{i // 3},step {i % 3},{t},ana" for i, t in enumerate(times)]
    return _write(path, f"case_id,activity,{time_header},resource", rows)


def _times(df: pd.DataFrame) -> list[str]:
    return [t.strftime("%Y-%m-%d %H:%M") for t in df["time:timestamp"]]


def test_a_time_column_with_an_unusual_name_is_found_by_its_values_and_reported(
    tmp_path: Path,
) -> None:
    path = _log(
        tmp_path / "when.csv",
        ["2025-01-07 09:00", "2025-01-08 10:30", "2025-01-09 11:00"],
        time_header="When",
    )
    df = api.read_log(path)
    assert _times(df) == ["2025-01-07 09:00", "2025-01-08 10:30", "2025-01-09 11:00"]
    notes = api.log_notes(df)
    assert len(notes) == 1 and notes[0].key == "When"
    assert "'When' holds dates" in notes[0].message

    result = runner.invoke(app, ["log", str(path), "-q"])
    assert result.exit_code == 0, result.output
    assert "note:" in result.stderr and "'When'" in result.stderr
    assert "2025-01-07" in result.stdout  # the time span is there
    doc = json.loads(runner.invoke(app, ["log", str(path), "-q", "-f", "json"]).stdout)
    assert doc["notes"][0]["key"] == "When"


def test_a_log_without_any_time_column_says_so_and_keeps_file_order(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "untimed.csv", "case_id,activity,Team", ["C1,b,sales", "C1,a,impl", "C2,a,sales"]
    )
    df = api.read_log(path)
    assert df["time:timestamp"].isna().all()
    assert df["concept:name"].tolist() == ["b", "a", "a"]  # file order within the case
    (note,) = api.log_notes(df)
    assert "no column holds times" in note.message and "no waiting times" in note.message
    result = runner.invoke(app, ["log", str(path), "-q"])
    assert result.exit_code == 0 and "file" in result.stderr and "no waiting" in result.stderr


def test_an_xes_like_frame_without_times_gets_the_general_note(tmp_path: Path) -> None:
    path = tmp_path / "untimed.xes"
    path.write_text(
        '<log xmlns="http://www.xes-standard.org/"><trace>'
        '<string key="concept:name" value="C1"/><event>'
        '<string key="concept:name" value="a"/></event></trace></log>'
    )
    (note,) = api.log_notes(api.read_log(path))
    assert note.message.startswith("the log has no times")


def test_several_unnamed_date_columns_are_refused_naming_them(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "two.csv",
        "case_id,activity,Opened,Closed",
        ["C1,a,2025-01-07,2025-01-09", "C1,b,2025-01-08,2025-01-10"],
    )
    with pytest.raises(EventLogError) as err:
        api.read_log(path)
    assert "'Opened', 'Closed'" in str(err.value) and "--timestamp" in str(err.value)
    ok = api.read_log(path, columns={"timestamp": "Closed"})
    assert _times(ok)[0] == "2025-01-09 00:00"


def test_day_first_dates_are_detected_from_the_data(tmp_path: Path) -> None:
    path = _log(tmp_path / "eu.csv", ["07/01/2025 09:00", "08/01/2025 10:30", "13/01/2025 11:00"])
    df = api.read_log(path)
    assert _times(df) == ["2025-01-07 09:00", "2025-01-08 10:30", "2025-01-13 11:00"]
    (note,) = api.log_notes(df)
    assert "day-first" in note.message and "'13/01/2025 11:00'" in note.message
    assert note.line == 4


def test_the_day_first_order_never_turns_year_first_dates(tmp_path: Path) -> None:
    # one file, two formats: the order read from 13/01 must leave 2025-01-07 alone
    df = api.read_log(
        _log(tmp_path / "both.csv", ["13/01/2025 09:00", "2025-01-07 9:30", "07/02/2025 9:45 PM"])
    )
    assert sorted(_times(df)) == ["2025-01-07 09:30", "2025-01-13 09:00", "2025-02-07 21:45"]


def test_blank_times_stay_empty_whatever_the_order(tmp_path: Path) -> None:
    df = api.read_log(
        _log(tmp_path / "gaps.csv", ["07/01/2025 09:00", "", "13/01/2025 11:00", " "])
    )
    assert df["time:timestamp"].notna().sum() == 2
    assert sorted(_times(df.dropna(subset=["time:timestamp"]))) == [
        "2025-01-07 09:00",
        "2025-01-13 11:00",
    ]


def test_month_first_dates_are_detected_from_the_data(tmp_path: Path) -> None:
    df = api.read_log(
        _log(tmp_path / "us.csv", ["07/01/2025 09:00", "07/13/2025 10:30", "07/14/2025 11:00"])
    )
    assert _times(df) == ["2025-07-01 09:00", "2025-07-13 10:30", "2025-07-14 11:00"]
    assert "month-first" in api.log_notes(df)[0].message


def test_the_deciding_date_far_down_a_big_file_fixes_the_earlier_blocks(tmp_path: Path) -> None:
    # ~60k rows of dates that fit both orders (several of the reader's blocks), then one
    # that only fits day-first: every earlier date must be read day-first too
    times = [f"{1 + i % 12:02d}/{1 + (i // 12) % 12:02d}/2025 09:00" for i in range(60000)]
    times.append("25/12/2025 09:00")
    df = api.read_log(_log(tmp_path / "late.csv", times))
    got = df.sort_values("case:concept:name", kind="stable")
    first = df[df["case:concept:name"] == "C0"]["time:timestamp"].iloc[1]
    assert first.strftime("%Y-%m-%d") == "2025-01-02"  # 02/01 read as 2 January
    assert got["time:timestamp"].notna().all()
    assert (df["time:timestamp"].dt.day > 12).sum() > 0  # days above 12 only day-first
    assert "day-first" in api.log_notes(df)[0].message


def test_dates_that_fit_both_orders_are_refused_with_the_first_such_value(tmp_path: Path) -> None:
    path = _log(
        tmp_path / "ambiguous.csv", ["01/01/2025 09:00", "07/01/2025 10:30", "08/01/2025 11:00"]
    )
    with pytest.raises(EventLogError) as err:
        api.read_log(path)
    (problem,) = err.value.problems
    assert problem.line == 3 and problem.key == "timestamp"
    assert "'07/01/2025 10:30'" in problem.message
    assert "7 January 2025" in problem.message and "1 July 2025" in problem.message
    assert "--date-format '%d/%m/%Y %H:%M'" in (problem.expected or "")

    result = runner.invoke(app, ["log", str(path), "-q"])
    assert result.exit_code == 2
    assert f"{path}:3" in result.output and "could be 7 January 2025" in result.output
    assert "Traceback" not in result.output
    check = runner.invoke(app, ["check", str(MODEL), str(path), "-q"])
    assert check.exit_code == 2 and "--date-format" in check.output


def test_a_contradiction_far_down_a_big_file_is_refused_at_its_line(tmp_path: Path) -> None:
    times = ["13/01/2025 09:00"] + [f"{1 + i % 12:02d}/01/2025 09:00" for i in range(60000)]
    times.append("01/13/2025 09:00")
    with pytest.raises(EventLogError) as err:
        api.read_log(_log(tmp_path / "late.csv", times))
    (problem,) = err.value.problems
    assert problem.line == len(times) + 1 and "mixes both date orders" in problem.message


def test_dates_that_read_the_same_either_way_need_no_decision(tmp_path: Path) -> None:
    df = api.read_log(_log(tmp_path / "same.csv", ["01/01/2025", "02/02/2025", "03/03/2025"]))
    assert _times(df) == ["2025-01-01 00:00", "2025-02-02 00:00", "2025-03-03 00:00"]
    assert api.log_notes(df) == []


def test_date_format_is_honoured_by_the_api_and_the_cli(tmp_path: Path) -> None:
    path = _log(
        tmp_path / "ambiguous.csv", ["01/02/2025 09:00", "03/02/2025 10:30", "04/02/2025 11:00"]
    )
    us = api.read_log(path, date_format="%m/%d/%Y %H:%M")
    assert _times(us) == ["2025-01-02 09:00", "2025-03-02 10:30", "2025-04-02 11:00"]
    eu = api.read_log(path, date_format="%d/%m/%Y %H:%M")
    assert _times(eu) == ["2025-02-01 09:00", "2025-02-03 10:30", "2025-02-04 11:00"]
    result = runner.invoke(
        app, ["log", str(path), "-q", "-f", "json", "--date-format", "%d/%m/%Y %H:%M"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["start"].startswith("2025-02-01")


def test_date_format_that_does_not_fit_a_value_names_its_line(tmp_path: Path) -> None:
    path = _log(tmp_path / "x.csv", ["01/02/2025 09:00", "2025-02-03 10:30", "04/02/2025"])
    with pytest.raises(EventLogError) as err:
        api.read_log(path, date_format="%d/%m/%Y %H:%M")
    (problem,) = err.value.problems
    assert problem.line == 3 and "'2025-02-03 10:30'" in problem.message
    assert "%d/%m/%Y %H:%M" in (problem.expected or "")


def test_a_file_mixing_both_orders_is_refused(tmp_path: Path) -> None:
    path = _log(tmp_path / "mixed.csv", ["13/01/2025", "01/14/2025", "02/01/2025"])
    with pytest.raises(EventLogError) as err:
        api.read_log(path)
    assert "mixes both date orders" in str(err.value) and err.value.problems[0].line == 3


def test_parquet_text_times_get_the_same_treatment(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "case_id": ["C1", "C1", "C2"],
            "activity": ["a", "b", "a"],
            "When": ["07/01/2025 09:00", "13/01/2025 10:00", "08/01/2025 11:00"],
        }
    )
    path = tmp_path / "eu.parquet"
    frame.to_parquet(path)
    df = api.read_log(path)
    assert sorted(_times(df)) == ["2025-01-07 09:00", "2025-01-08 11:00", "2025-01-13 10:00"]
    messages = [n.message for n in api.log_notes(df)]
    assert any("'When' holds dates" in m for m in messages)
    assert any("day-first" in m for m in messages)
    frame.iloc[[0, 2]].to_parquet(path)
    with pytest.raises(EventLogError, match="could be 7 January"):
        api.read_log(path)
    us = api.read_log(path, date_format="%m/%d/%Y %H:%M")
    assert sorted(_times(us)) == ["2025-07-01 09:00", "2025-08-01 11:00"]


def test_a_parquet_datetime_column_with_any_name_is_the_time(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "case_id": ["C1", "C1"],
            "activity": ["a", "b"],
            "Moment": pd.to_datetime(["2025-01-08 10:00", "2025-01-07 09:00"]),
        }
    )
    path = tmp_path / "typed.parquet"
    frame.to_parquet(path)
    df = api.read_log(path)
    assert _times(df) == ["2025-01-07 09:00", "2025-01-08 10:00"]  # ordered by time
    assert api.log_notes(df)[0].key == "Moment"


def _day_first_copy(path: Path) -> tuple[Path, pd.Series]:
    """The example log with its time column renamed ``When`` and written day-first."""
    source = pd.read_csv(ROOT / "examples" / "saas-handoffs.csv")
    stamps = pd.to_datetime(source.pop("timestamp"), utc=True)
    source["When"] = stamps.dt.strftime("%d/%m/%Y %H:%M:%S")
    source.to_csv(path, index=False)
    return path, stamps


def test_a_day_first_log_checks_exactly_like_its_iso_original(tmp_path: Path) -> None:
    path, stamps = _day_first_copy(tmp_path / "eu.csv")
    assert api.read_log(path)["time:timestamp"].min() == stamps.min().floor("s")
    result = runner.invoke(
        app, ["check", str(MODEL), str(path), "-q", "-f", "json", "--method", "replay"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [n["key"] for n in doc["notes"]] == ["When", "When"]
    assert "day-first" in doc["notes"][1]["message"]
    iso = json.loads(
        runner.invoke(
            app,
            [
                "check",
                str(MODEL),
                str(ROOT / "examples" / "saas-handoffs.csv"),
                "-q",
                "-f",
                "json",
                "--method",
                "replay",
            ],
        ).stdout
    )
    assert doc["summary"] == iso["summary"] and doc["handoffs"] == iso["handoffs"]
    assert doc["variants"] == iso["variants"]


def test_journey_and_render_show_the_notes(tmp_path: Path) -> None:
    path, _ = _day_first_copy(tmp_path / "eu.csv")
    journey = runner.invoke(app, ["journey", str(MODEL), str(path), "-f", "json"])
    assert journey.exit_code == 0, journey.output
    assert "note:" in journey.stderr and "day-first" in journey.stderr
    assert any("day-first" in n["message"] for n in json.loads(journey.stdout)["notes"])
    render = runner.invoke(
        app, ["render", str(MODEL), "--log", str(path), "-q", "-o", str(tmp_path / "x.svg")]
    )
    assert render.exit_code == 0, render.output
    assert "'When' holds dates" in render.stderr


def test_the_report_says_how_the_log_was_read(tmp_path: Path) -> None:
    path, _ = _day_first_copy(tmp_path / "eu.csv")
    for fmt in ("md", "html"):
        out = tmp_path / f"report.{fmt}"
        result = runner.invoke(
            app, ["report", str(MODEL), "--log", str(path), "-q", "--format", fmt, "-o", str(out)]
        )
        assert result.exit_code == 0, result.output
        text = out.read_text(encoding="utf-8")
        assert "Reading the log:" in text and "day-first (day/month/year)" in text
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "&#39;" not in markdown and "'When'" in markdown  # Markdown is not HTML-escaped
