"""Hostile and broken event logs: each is refused with a located error, never a crash.

Every reproducer is generated here: deep nesting and NULs that crashed the native XES
reader, values and inflation that exhausted memory, duplicated CSV columns, stale
temporary folders of killed readers.
"""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from bpmtool import api
from bpmtool.errors import EventLogError, InputError
from bpmtool.io import limits
from bpmtool.io.eventlog_xes_fast import read_xes_fast, remove_stale_pieces

ROOT = Path(__file__).resolve().parent.parent
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n'


def _xes(inner: str = "", trace_inner: str = "", events: int = 1) -> str:
    event = (
        '<event><string key="concept:name" value="A"/>'
        '<date key="time:timestamp" value="2024-01-01T00:00:00Z"/>' + inner + "</event>"
    )
    return (
        HEAD
        + '<trace><string key="concept:name" value="c1"/>'
        + trace_inner
        + event * events
        + "</trace>\n</log>\n"
    )


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bpmtool", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
    )


@pytest.mark.parametrize("tag", ["container", "list"])
def test_deep_nesting_is_refused_not_a_segfault(tmp_path: Path, tag: str) -> None:
    nested = "".join(f'<{tag} key="k{i}">' for i in range(20_000)) + f"</{tag}>" * 20_000
    path = tmp_path / "deep.xes"
    path.write_text(_xes(nested))
    result = _cli("log", str(path))
    assert result.returncode == 2, result.stderr[-500:]
    assert "nested deeper than 256" in result.stderr and "deep.xes:3" in result.stderr


def test_moderate_nesting_is_read_by_lxml_not_rustxes(tmp_path: Path) -> None:
    nested = '<list key="x">' * 100 + "</list>" * 100
    path = tmp_path / "nested.xes"
    path.write_text(_xes(nested))
    assert read_xes_fast(path) is None  # deeper than rustxes is trusted with
    frame = api.read_log(path)
    assert frame["concept:name"].tolist() == ["A"]


@pytest.mark.parametrize("key", ["a\x00b", "a&#0;b", "a&#x0;b"])
def test_nul_in_an_attribute_key_is_a_located_error(tmp_path: Path, key: str) -> None:
    path = tmp_path / "nul.xes"
    path.write_bytes(_xes(f'<string key="{key}" value="v"/>').encode())
    result = _cli("log", str(path))
    assert result.returncode == 2, result.stderr[-500:]
    assert "nul.xes:3" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("where", ["event", "trace"])
def test_a_huge_attribute_key_is_refused_at_its_line_in_bounded_memory(
    tmp_path: Path, where: str
) -> None:
    # a 6.5M-character key (fuzzing found one) became a column and ran past 3 GiB
    attribute = f'<string key="{"k" * 6_500_000}" value="v"/>'
    path = tmp_path / "key.xes"
    path.write_text(_xes(attribute) if where == "event" else _xes(trace_inner=attribute))
    assert read_xes_fast(path) is None  # never handed to rustxes
    limit = "import resource; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
    result = subprocess.run(
        [sys.executable, "-c", limit + "from bpmtool.cli import main; main()", "log", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 2, result.stderr[-500:]
    assert "key.xes:3" in result.stderr and "6,500,000 characters" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "attribute, native",
    [
        (f"<string key='{'k' * 100_001}' value='v'/>", False),  # over the limit, either quote
        (f'<string  key = "{"k" * 100_001}" value="v"/>', False),
        (f'<string key="{"k" * 100_000}" value="v"/>', True),  # at the limit
        (f'<string key="note" value="{"v" * 100_001}"/>', True),  # a long value is no key
        (f"<string key='note' value='monkey=\"{'v' * 100_001}'/>", True),  # nor a longer name
    ],
)
def test_only_attribute_keys_over_the_limit_keep_a_piece_from_rustxes(
    tmp_path: Path, attribute: str, native: bool
) -> None:
    path = tmp_path / "key.xes"
    path.write_text(_xes(attribute))
    assert (read_xes_fast(path) is not None) is native


def test_a_root_element_named_with_many_colons_is_not_an_xes_log(tmp_path: Path) -> None:
    # XML allows <l9999-12-31T23:59:59Z…og>; lxml's QName raised ValueError on it (fuzzing)
    name = "l" + "9999-12-31T23:59:59Z" * 40 + "og"
    path = tmp_path / "odd.xes.gz"
    path.write_bytes(gzip.compress(f'<?xml version="1.0"?>\n<{name}></{name}>\n'.encode()))
    with pytest.raises(EventLogError, match="not an XES log") as err:
        api.read_log(path)
    assert err.value.problems[0].line == 2 and "…" in err.value.problems[0].message


def test_a_huge_attribute_is_refused_while_streaming(tmp_path: Path) -> None:
    value = "x" * (limits.MAX_XML_TOKEN + 1000)
    path = tmp_path / "big.xes.gz"
    path.write_bytes(gzip.compress(_xes(f'<string key="b" value="{value}"/>').encode(), 1))
    with pytest.raises(EventLogError, match="longer than 10,000,000 bytes") as err:
        api.read_log(path)
    assert err.value.problems[0].line == 3


def test_inflation_past_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "many.xes.gz"
    path.write_bytes(gzip.compress(_xes(events=20_000).encode()))
    monkeypatch.setenv(limits.MAX_INFLATED_ENV, "1M")
    with pytest.raises(limits.InflatedTooLarge, match="BPMTOOL_MAX_INFLATED"):
        api.read_log(path)
    with pytest.raises(limits.InflatedTooLarge):
        api.inflated_size(path)
    with pytest.raises(InputError, match="more than 64 KiB"):
        api.inflated_size(path, limit=64 << 10)  # e.g. the web's upload limit
    assert api.inflated_size(path, limit=None) == len(gzip.decompress(path.read_bytes()))
    monkeypatch.setenv(limits.MAX_INFLATED_ENV, "0")  # no limit
    assert len(api.read_log(path)) == 20_000
    monkeypatch.setenv(limits.MAX_INFLATED_ENV, "lots")
    with pytest.raises(InputError, match="is not a size"):
        api.read_log(path)


def test_a_gzip_bomb_of_whitespace_is_refused_on_the_cli(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xes.gz"
    with gzip.open(path, "wb", compresslevel=9) as fh:
        fh.write(HEAD.encode())
        for _ in range(40):
            fh.write(b" \n" * (1 << 20))
        fh.write(_xes().split("\n", 2)[2].encode())
    result = _cli("log", str(path), env={limits.MAX_INFLATED_ENV: "64M"})
    assert result.returncode == 2
    assert "bomb.xes.gz" in result.stderr and "Traceback" not in result.stderr


def test_csv_gz_inflation_is_bounded_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = "".join(f"c{i},A,2024-01-01T00:00:00Z\n" for i in range(50_000))
    path = tmp_path / "log.csv.gz"
    path.write_bytes(gzip.compress(("case,activity,timestamp\n" + rows).encode()))
    monkeypatch.setenv(limits.MAX_INFLATED_ENV, "256K")
    with pytest.raises(limits.InflatedTooLarge):
        api.read_log(path)


@pytest.mark.parametrize(
    "prolog",
    [
        "<!--" + "c" * 70_000 + "-->\n",  # <log> after 64 KB of prolog
        '<!DOCTYPE log PUBLIC "-//x//y" "">\n'[:0],  # (no DOCTYPE: a plain prolog)
    ],
)
def test_a_long_prolog_is_not_refused(tmp_path: Path, prolog: str) -> None:
    text = _xes()
    path = tmp_path / "long.xes"
    path.write_text(text.replace("<log", prolog + "<log", 1))
    assert api.read_log(path)["concept:name"].tolist() == ["A"]


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE log PUBLIC "-//bpmtool//x" "http://example.org/x.dtd">',
        '<!DOCTYPE log SYSTEM "file:///etc/passwd">',
        '<!DOCTYPE log [<!ENTITY a "b">]>',
    ],
)
def test_a_doctype_after_a_long_comment_is_still_refused(tmp_path: Path, doctype: str) -> None:
    text = _xes().replace("<log", "<!--" + "c" * 70_000 + "-->\n" + doctype + "\n<log", 1)
    path = tmp_path / "dtd.xes"
    path.write_text(text)
    with pytest.raises(EventLogError, match="entities or an external DTD"):
        api.read_log(path)


def test_a_duplicated_standard_column_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text(
        "case:concept:name,concept:name,case:concept:name,time:timestamp\nc1,A,c1,2024-01-01\n"
    )
    with pytest.raises(EventLogError, match="appears more than once") as err:
        api.read_log(path)
    assert err.value.problems[0].line == 1 and "columns 1 and 3" in str(err.value)


def test_stale_piece_folders_of_dead_processes_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    stale = tmp_path / f"bpmtool-xes-{dead.stdout.strip()}-abc"
    stale.mkdir()
    (stale / "piece.xes").write_text("x")
    alive = tmp_path / f"bpmtool-xes-{os.getpid()}-def"
    alive.mkdir()
    other = tmp_path / "bpmtool-xes-notapid"
    other.mkdir()
    assert remove_stale_pieces(tmp_path) == [stale]
    assert not stale.exists() and alive.exists() and other.exists()


def test_a_killed_reader_leaves_no_folder(tmp_path: Path) -> None:
    path = tmp_path / "log.xes"
    path.write_text(_xes(events=200_000))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp_path)}
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from bpmtool import api; api.read_log(sys.argv[1])",
            str(path),
        ],
        env=env,
    )
    try:
        child.wait(timeout=1.5)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
    assert not list(tmp_path.glob("bpmtool-xes-*"))
    assert tempfile.gettempdir()  # the test's own temp dir is untouched


def test_a_key_given_twice_in_one_event_keeps_the_first(tmp_path: Path) -> None:
    path = tmp_path / "twice.xes"
    path.write_text(
        _xes(
            '<string key="org:resource" value="ana"/><string key="org:resource" value="ben"/>',
            events=2,
        ).replace("<list", "<x")
    )
    # nested values keep rustxes out, so the streaming reader is the one tested
    path.write_text(
        path.read_text().replace(
            '<string key="org:resource" value="ana"/>',
            '<string key="org:resource" value="ana"/><list key="l"><values>'
            + '<list key="m">' * 40
            + "</list>" * 40
            + "</values></list>",
        )
    )
    assert read_xes_fast(path) is None
    frame = api.read_log(path)
    assert frame["org:resource"].tolist() == ["ana", "ana"]  # as rustxes reads it
    plain = tmp_path / "plain.xes"
    plain.write_text(
        _xes(
            '<string key="org:resource" value="ana"/><string key="org:resource" value="ben"/>',
            events=2,
        )
    )
    fast = read_xes_fast(plain)
    assert fast is not None and fast["org:resource"].tolist() == ["ana", "ana"]


def test_parquet_with_invalid_utf8_text_is_refused(tmp_path: Path) -> None:
    import pandas as pd

    path = tmp_path / "log.parquet"
    pd.DataFrame(
        {
            "case_id": ["c1"],
            "activity": ["Wrapping Fix defects"],
            "timestamp": ["2024-01-01T00:00:00Z"],
        }
    ).to_parquet(path)
    data = path.read_bytes()
    at = data.index(b"defects")
    path.write_bytes(data[: at + 4] + b"\xff" + data[at + 5 :])
    with pytest.raises(EventLogError, match=r"not a readable Parquet file.*UTF8"):
        api.read_log(path)


def test_a_damaged_csv_gz_header_is_refused(tmp_path: Path) -> None:
    data = bytearray(gzip.compress(b"case,activity,timestamp\nc1,A,2024-01-01\n"))
    data[-8] ^= 0xFF  # the CRC no longer matches
    path = tmp_path / "log.csv.gz"
    path.write_bytes(bytes(data))
    with pytest.raises(EventLogError, match="cut short or damaged"):
        api.read_log(path)


def test_a_time_beyond_2261_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text(
        "case,activity,timestamp\nc1,A,2024-01-01 10:00:00+0000\nc1,B,2825-01-23 07:17:17+0000\n"
    )
    with pytest.raises(EventLogError, match="outside the years 1678 to 2261") as err:
        api.read_log(path)
    assert err.value.problems[0].line == 3


@pytest.mark.parametrize("noise", [',"', "<list key='l'>"])
def test_quotes_in_the_first_lines_do_not_stall_the_delimiter_guess(
    tmp_path: Path, noise: str
) -> None:
    # fuzzing: the csv module's Sniffer backtracked on such lines (64 KB of ,": minutes;
    # two .csv.gz inputs of 45 KB with <list key='l'> ran past the 20 s limit)
    head = "case_id,activity,timestamp,resource\nC1,Run demo,2025-01-07 09:16:28+0000,ana\n"
    path = tmp_path / "noisy.csv"
    path.write_text(head + "C1,Run" + noise * (64_000 // len(noise)) + ",2025-01-08,ana\n")
    if "," in noise:  # the commas make 16,000 columns
        with pytest.raises(EventLogError, match="this row has 16004 fields, the header 4") as err:
            api.read_log(path)
        assert (err.value.problems[0].file, err.value.problems[0].line) == (str(path), 3)
    else:
        assert len(api.read_log(path)) == 2


@pytest.mark.parametrize(
    ("lines", "delimiter"),
    [
        (["a,b,c", "1,2,3", "4,5,6"], ","),
        (["a;b;c", "1;2,5;3", "4;5,5;6"], ";"),  # decimal commas
        (["a\tb", "x, y\tz"], "\t"),
        (["a|b|c", "1|2|3"], "|"),
        (['"a;x",b,c', '"1;2",2,3'], ","),  # a delimiter inside quotes does not count
        (["case", "C1"], ","),  # one column: the default
    ],
)
def test_the_delimiter_is_the_one_that_splits_every_line_alike(
    lines: list[str], delimiter: str
) -> None:
    from bpmtool.io.eventlog_csv import guess_delimiter

    assert guess_delimiter(lines) == delimiter


#: the list in docs/eventlogs.md (Hostile and oversized input) and docs/bpmn.md, case by case:
#: what stands before the root element, and whether the file is then read
_PROLOGS = {
    "entity": ('<!DOCTYPE x [<!ENTITY a "b">]>\n', False),
    "system DTD": ('<!DOCTYPE x SYSTEM "file:///etc/passwd">\n', False),
    "public DTD": ('<!DOCTYPE x PUBLIC "-//x//y" "http://example.org/x.dtd">\n', False),
    "entity after 70 KB": ("<!--" + "c" * 70_000 + '-->\n<!DOCTYPE x [<!ENTITY a "b">]>\n', False),
    "DOCTYPE without entities": ("<!DOCTYPE x>\n", True),
    "root after 70 KB": ("<!--" + "c" * 70_000 + "-->\n", True),
}


@pytest.mark.parametrize("case", sorted(_PROLOGS))
@pytest.mark.parametrize("kind", ["xes", "xes.gz", "bpmn"])
def test_the_documented_hostile_xml_list_holds(tmp_path: Path, case: str, kind: str) -> None:
    prolog, read = _PROLOGS[case]
    if kind == "bpmn":
        text = api.export_bpmn(api.load(ROOT / "models" / "saas-handoffs.yaml")).decode()
        declaration, _, rest = text.partition("\n")
        text = declaration + "\n" + prolog + rest
    else:
        text = _xes().replace("<log", prolog + "<log", 1)
    path = tmp_path / f"doc.{kind}"
    data = text.encode()
    path.write_bytes(gzip.compress(data) if kind.endswith(".gz") else data)
    if read:
        (api.load if kind == "bpmn" else api.read_log)(path)
        return
    with pytest.raises(InputError, match="entities or an external DTD"):
        (api.load if kind == "bpmn" else api.read_log)(path)


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz"])
def test_a_row_with_another_number_of_fields_is_refused_at_its_line(
    tmp_path: Path, suffix: str
) -> None:
    rows = [f"C{i // 5},Step {i % 5},2025-01-01 10:{i % 60:02d}" for i in range(200_000)]
    rows[150_000] += ",an extra field"  # far past Arrow's first blocks
    text = "case_id,activity,timestamp\n" + "\n".join(rows) + "\n"
    path = tmp_path / f"extra{suffix}"
    path.write_bytes(gzip.compress(text.encode()) if suffix.endswith(".gz") else text.encode())
    with pytest.raises(EventLogError) as err:
        api.read_log(path)
    problem = err.value.problems[0]
    assert problem.line == 150_002  # the header is line 1
    assert problem.message.startswith("this row has 4 fields, the header 3: C30000,Step 0")
