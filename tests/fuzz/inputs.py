"""The inputs the fuzzer tries: valid seed files of every format, byte-level mutations of
them, and structured inputs that hypothesis generates.

Everything is made from the repository's own model and example log, so a run needs no
data from elsewhere, and a seed makes the same inputs every time.
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

#: byte strings that broke, or could break, a reader somewhere
TOKENS = [
    b"\x00",
    b"\xff\xfe",
    b"\xef\xbb\xbf",
    b"\n",
    b"\r",
    b'"',
    b"'",
    b",",
    b";",
    b"\t",
    b"<",
    b">",
    b"&",
    b"&#0;",
    b"&amp;",
    b"<!DOCTYPE x [<!ENTITY a 'b'>]>",
    b'<!DOCTYPE log PUBLIC "-//x" "http://x/y.dtd">',
    b"<![CDATA[",
    b"]]>",
    b"<!--",
    b"-->",
    b"<list key='l'>",
    b"<container key='c'>",
    b"</list>",
    b"<event>",
    b"<trace>",
    b"</trace>",
    b"&a;",
    b"!!binary ",
    b"!!set ",
    b"!foo ",
    b"&x ",
    b"*x",
    b"? ",
    b"- ",
    b": ",
    b"{",
    b"}",
    b"[",
    b"]",
    b"9" * 400,
    b"99999999999d",
    b"1e400",
    b"-1",
    b"NaN",
    b"inf",
    b"null",
    b"~",
    b"true",
    b"0x10",
    b"2024-02-30T25:61:00Z",
    b"1970-01-01",
    b"9999-12-31T23:59:59Z",
    b"case:concept:name",
    b"concept:name",
    b"time:timestamp",
    b"org:resource",
    b"->",
    b"x" * 3000,
    b"\xc3\x28",
    b"\xf0\x9f\x98\x80",
    b"\\",
    b"%s",
    b"${x}",
]

TARGETS = (
    "yaml-model",
    "json-model",
    "bpmn",
    "csv",
    "csv-gz",
    "xes",
    "xes-gz",
    "parquet",
    "surveys",
    "lanes-yaml",
    "lanes-csv",
)


@functools.lru_cache(maxsize=1)
def seeds() -> dict[str, list[bytes]]:
    """Valid inputs per target, small enough to be read in milliseconds."""
    import pandas as pd

    from bpmtool import api

    model_path = ROOT / "models" / "saas-handoffs.yaml"
    model = api.load(model_path)
    model_yaml = model_path.read_bytes()
    flawed = (ROOT / "models" / "flawed-handoffs.yaml").read_bytes()
    as_json = json.dumps(model.model_dump(by_alias=True, exclude_defaults=True, mode="json"))
    lines = (ROOT / "examples" / "saas-handoffs.csv").read_text().splitlines()
    log_csv = ("\n".join(lines[:60]) + "\n").encode()
    rows = list(csv.DictReader(io.StringIO(log_csv.decode())))
    xes = _xes(rows).encode()
    frame = pd.read_csv(io.BytesIO(log_csv))
    parquet = io.BytesIO()
    frame.to_parquet(parquet)
    survey_lines = (ROOT / "examples" / "saas-handoffs-surveys.csv").read_text().splitlines()
    surveys = ("\n".join(survey_lines[:30]) + "\n").encode()
    resources = sorted({r["resource"]: r["lane"] for r in rows}.items())
    lanes_yaml = "".join(f"{r}: {lane}\n" for r, lane in resources).encode()
    lanes_csv = ("resource,lane\n" + "".join(f"{r},{lane}\n" for r, lane in resources)).encode()
    return {
        "yaml-model": [model_yaml, flawed],
        "json-model": [as_json.encode()],
        "bpmn": [api.export_bpmn(model)],
        "csv": [log_csv],
        "csv-gz": [log_csv],  # gzipped after mutation
        "xes": [xes],
        "xes-gz": [xes],
        "parquet": [parquet.getvalue()],
        "surveys": [surveys],
        "lanes-yaml": [lanes_yaml],
        "lanes-csv": [lanes_csv],
    }


def _xes(rows: list[dict[str, str]]) -> str:
    from xml.sax.saxutils import quoteattr

    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0">\n']
    by_case: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_case.setdefault(row["case_id"], []).append(row)
    for case, events in by_case.items():
        out.append(f'<trace><string key="concept:name" value={quoteattr(case)}/>\n')
        for e in events:
            stamp = e["timestamp"].replace(" ", "T").replace("+0000", "+00:00")
            out.append(
                f'<event><string key="concept:name" value={quoteattr(e["activity"])}/>'
                f'<string key="org:resource" value={quoteattr(e["resource"])}/>'
                f'<date key="time:timestamp" value="{stamp}"/></event>\n'
            )
        out.append("</trace>\n")
    out.append("</log>\n")
    return "".join(out)


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random edits: flip, insert, delete, duplicate, splice a token, repeat."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(buf) + 1)
        kind = rng.randrange(8)
        if kind == 0 and buf:
            buf[min(at, len(buf) - 1)] ^= 1 << rng.randrange(8)
        elif kind == 1:
            buf[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif kind == 2:
            del buf[at : at + rng.randint(1, 64)]
        elif kind == 3:
            end = min(len(buf), at + rng.randint(1, 200))
            buf[at:at] = buf[at:end] * rng.randint(1, 20)
        elif kind == 4:
            buf[at:at] = rng.choice(TOKENS)
        elif kind == 5:  # a token repeated: nesting, long names, many columns
            buf[at:at] = rng.choice(TOKENS) * rng.randint(2, 3000)
        elif kind == 6:
            buf = buf[:at]  # cut short
        else:
            end = min(len(buf), at + rng.randint(1, 40))
            buf[at:end] = rng.choice(TOKENS)
    return bytes(buf)


def finish(target: str, data: bytes, rng: random.Random) -> bytes:
    """Compress the gzip targets; sometimes damage the compressed bytes too."""
    if target.endswith("-gz"):
        data = gzip.compress(data, compresslevel=1)
        if rng.random() < 0.15:
            data = mutate(data, rng)
    return data


def mutation_inputs(target: str, count: int, seed: int) -> Iterator[bytes]:
    """``count`` mutated inputs for ``target``."""
    rng = random.Random(f"{target}-{seed}")
    pool = seeds()[target]
    for _ in range(count):
        yield finish(target, mutate(rng.choice(pool), rng), rng)


def hypothesis_inputs(target: str, count: int, seed: int) -> list[bytes]:
    """``count`` structured inputs for ``target``, drawn by hypothesis from strategies that
    know the format's shape (keys, columns, elements) but not what is valid."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as hseed

    from tests.fuzz.strategies import STRATEGIES

    strategy = STRATEGIES[target]
    found: list[bytes] = []
    rng = random.Random(f"h-{target}-{seed}")

    @hseed(seed)
    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(value: bytes) -> None:
        found.append(finish(target, value, rng))

    collect()
    return found[:count]


Make = Callable[[str, int, int], Any]
