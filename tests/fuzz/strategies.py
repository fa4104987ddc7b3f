"""Hypothesis strategies per input format: each builds bytes with the format's shape
(model keys, log columns, XES and BPMN elements) and arbitrary contents."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import yaml
from hypothesis import strategies as st

_MODEL_KEYS = [
    "id",
    "name",
    "version",
    "lanes",
    "nodes",
    "flows",
    "artifacts",
    "stages",
    "ctqs",
    "triggers",
    "journey",
    "severity",
]
_NODE_KEYS = ["id", "name", "type", "lane", "inputs", "outputs", "aliases", "attached_to"]
_COLUMNS = [
    "case_id",
    "activity",
    "timestamp",
    "resource",
    "lane",
    "case:concept:name",
    "concept:name",
    "time:timestamp",
    "org:resource",
    "lifecycle:transition",
    "start_timestamp",
    "case:nps",
    "x",
]
_XES_TYPES = ["string", "date", "int", "float", "boolean", "id", "list", "container"]
_XES_KEYS = [
    "concept:name",
    "time:timestamp",
    "org:resource",
    "org:group",
    "lifecycle:transition",
    "case:x",
    "k",
]
_BPMN_TAGS = [
    "startEvent",
    "endEvent",
    "task",
    "userTask",
    "exclusiveGateway",
    "parallelGateway",
    "sequenceFlow",
    "lane",
    "laneSet",
    "subProcess",
    "boundaryEvent",
    "dataObject",
    "participant",
    "messageFlow",
]

_text = st.text(max_size=40)
_ids = st.sampled_from(["a", "b", "c", "sales", "impl", "x -> y", "", "a b", "1"])
_scalar = st.one_of(
    _text,
    _ids,
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.none(),
    st.sampled_from(["5d", "99999999999d", "P1D", "-1h", "1e400"]),
)
_values = st.recursive(
    _scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(
            st.one_of(st.sampled_from(_NODE_KEYS + _MODEL_KEYS), _text), inner, max_size=5
        ),
    ),
    max_leaves=30,
)
_node = st.dictionaries(st.sampled_from(_NODE_KEYS), st.one_of(_ids, _values), max_size=6)
_model = st.fixed_dictionaries(
    {
        "id": st.one_of(_ids, _values),
        "lanes": st.lists(
            st.dictionaries(
                st.sampled_from(["id", "name", "external"]), st.one_of(_ids, _values), max_size=3
            ),
            max_size=4,
        ),
        "nodes": st.lists(_node, max_size=6),
        "flows": st.lists(st.one_of(_ids.map(lambda i: f"{i} -> {i}"), _values), max_size=6),
    },
    optional={k: _values for k in _MODEL_KEYS[6:]},
)


@st.composite
def _yaml_model(draw: st.DrawFn) -> bytes:
    return yaml.safe_dump(draw(_model), allow_unicode=True).encode("utf-8", "surrogatepass")


@st.composite
def _json_model(draw: st.DrawFn) -> bytes:
    return json.dumps(draw(_model)).encode()


def _table(header: list[str], rows: Sequence[Sequence[object]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8", "surrogatepass")


_cell = st.one_of(
    _text,
    st.integers(),
    st.floats(),
    st.sampled_from(
        [
            "2024-01-01T00:00:00Z",
            "07/01/2025 10:00",
            "not a date",
            "",
            "C1",
            "Run demo",
            "9" * 400,
            "2024-13-45",
        ]
    ),
)


@st.composite
def _csv_log(draw: st.DrawFn) -> bytes:
    header = draw(st.lists(st.one_of(st.sampled_from(_COLUMNS), _text), min_size=1, max_size=6))
    rows = draw(
        st.lists(st.lists(_cell, min_size=len(header) - 1, max_size=len(header) + 1), max_size=12)
    )
    return _table(header, rows, draw(st.sampled_from([",", ";", "\t", "|"])))


@st.composite
def _surveys(draw: st.DrawFn) -> bytes:
    header = draw(
        st.lists(
            st.sampled_from(["case_id", "nps", "csat", "x", "case_id"]), min_size=1, max_size=4
        )
    )
    rows = draw(
        st.lists(
            st.lists(
                st.one_of(_cell, st.sampled_from(["C000001", "C000003"]), st.integers(-5, 15)),
                min_size=len(header),
                max_size=len(header),
            ),
            max_size=10,
        )
    )
    return _table(header, rows)


@st.composite
def _lanes_csv(draw: st.DrawFn) -> bytes:
    rows = draw(
        st.lists(
            st.lists(
                st.one_of(
                    _text, st.sampled_from(["ana.sales", "sales", "impl", "Support", "customer"])
                ),
                max_size=3,
            ),
            max_size=10,
        )
    )
    return _table(["resource", "lane"], rows)


@st.composite
def _lanes_yaml(draw: st.DrawFn) -> bytes:
    data = draw(st.one_of(st.dictionaries(_text, st.one_of(_text, _values), max_size=8), _values))
    return yaml.safe_dump(data, allow_unicode=True).encode("utf-8", "surrogatepass")


def _attribute(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.sampled_from(_XES_TYPES))
    key = quoteattr(draw(st.one_of(st.sampled_from(_XES_KEYS), _text)))
    if kind in ("list", "container") and depth < 3:
        inner = "".join(_attribute(draw, depth + 1) for _ in range(draw(st.integers(0, 2))))
        inner = f"<values>{inner}</values>" if kind == "list" else inner
        return f"<{kind} key={key}>{inner}</{kind}>"
    value = draw(
        st.one_of(_cell.map(str), st.sampled_from(["2024-01-01T00:00:00Z", "1.5", "true", "x"]))
    )
    return f"<{kind} key={key} value={quoteattr(value)}/>"


@st.composite
def _xes(draw: st.DrawFn) -> bytes:
    traces = []
    for _ in range(draw(st.integers(0, 4))):
        attrs = "".join(_attribute(draw) for _ in range(draw(st.integers(0, 2))))
        events = "".join(
            "<event>"
            + "".join(_attribute(draw) for _ in range(draw(st.integers(0, 4))))
            + "</event>"
            for _ in range(draw(st.integers(0, 4)))
        )
        traces.append(f"<trace>{attrs}{events}</trace>")
    head = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8"?>', "", "<?xml?>"]))
    text = f'{head}<log xes.version="1.0">{"".join(traces)}</log>'
    return text.encode("utf-8", "surrogatepass")


@st.composite
def _bpmn(draw: st.DrawFn) -> bytes:
    ids = ["a", "b", "c", "d", "Lane_1", ""]
    elements = []
    for _ in range(draw(st.integers(0, 8))):
        tag = draw(st.sampled_from(_BPMN_TAGS))
        attrs = {"id": draw(st.sampled_from(ids)), "name": draw(_text)}
        if tag in ("sequenceFlow", "messageFlow"):
            attrs["sourceRef"] = draw(st.sampled_from(ids))
            attrs["targetRef"] = draw(st.sampled_from(ids))
        if tag == "boundaryEvent":
            attrs["attachedToRef"] = draw(st.sampled_from(ids))
        inner = escape(draw(_text)) if tag == "lane" else ""
        rendered = " ".join(f"{k}={quoteattr(v)}" for k, v in attrs.items())
        elements.append(f"<bpmn:{tag} {rendered}>{inner}</bpmn:{tag}>")
    body = "".join(elements)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
        f'<bpmn:process id="p" isExecutable="false">{body}</bpmn:process>'
        "</bpmn:definitions>"
    ).encode("utf-8", "surrogatepass")


@st.composite
def _parquet(draw: st.DrawFn) -> bytes:
    import pandas as pd

    names = draw(st.lists(st.sampled_from(_COLUMNS), min_size=1, max_size=5, unique=True))
    n = draw(st.integers(0, 8))
    column = st.one_of(
        st.lists(st.one_of(_text, st.none()), min_size=n, max_size=n),
        st.lists(st.integers(-(2**62), 2**62), min_size=n, max_size=n),
        st.lists(st.floats(), min_size=n, max_size=n),
        st.lists(st.datetimes(), min_size=n, max_size=n),
    )
    frame = pd.DataFrame({name: draw(column) for name in names})
    out = io.BytesIO()
    try:
        frame.to_parquet(out)
    except Exception:
        return frame.to_csv(index=False).encode("utf-8", "surrogatepass")
    return out.getvalue()


STRATEGIES = {
    "yaml-model": _yaml_model(),
    "json-model": _json_model(),
    "bpmn": _bpmn(),
    "csv": _csv_log(),
    "csv-gz": _csv_log(),
    "xes": _xes(),
    "xes-gz": _xes(),
    "parquet": _parquet(),
    "surveys": _surveys(),
    "lanes-yaml": _lanes_yaml(),
    "lanes-csv": _lanes_csv(),
}
