"""A column-oriented XES reader: one streaming pass with lxml, no per-event objects kept.

Each ``<event>``'s attributes go straight into per-key columns and the element is
cleared, so memory follows the columns, not the XML tree.  libxml2's own limits stay on
(no ``huge_tree``): an attribute value or text over 10 MB, or elements nested deeper than
256, end in a located error; a ``.xes.gz`` is refused once it inflates past the limit of
:mod:`bpmtool.io.limits`.  Trace attributes other
than the case id become ``case:<key>`` columns.  Entity declarations (billion laughs,
external entities) are refused before parsing; the parser never touches the network.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from bpmtool.errors import EventLogError
from bpmtool.io.limits import MAX_XML_TOKEN, LimitedReader, open_log_bytes
from bpmtool.log_schema import CASE, TIMESTAMP

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_xes"]

_TYPED = {"string", "date", "int", "float", "boolean", "id"}
#: the longest attribute key read: keys name columns; real ones are mostly short, but BPI
#: Challenge 2012 has keys of 5,917 characters (lists of activities in its header)
MAX_KEY = 100_000
_NS = "http://www.xes-standard.org/"


class _Columns:
    """Sparse columns filled row by row: key → (row indices, values, XES type)."""

    def __init__(self) -> None:
        self.columns: dict[str, tuple[list[int], list[str | None], str]] = {}

    def add(self, key: str, row: int, value: str | None, kind: str) -> None:
        entry = self.columns.get(key)
        if entry is None:
            entry = self.columns[key] = ([], [], kind)
        entry[0].append(row)
        entry[1].append(value)


def _parse_events(
    source: IO[bytes] | LimitedReader, events: tuple[str, ...], tag: tuple[str, ...] | None = None
) -> Any:
    from lxml import etree

    return etree.iterparse(
        source,
        events=events,
        tag=tag,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        remove_comments=True,
        remove_pis=True,
    )


def _syntax_error(exc: Any, path: Path) -> EventLogError:
    """A located error for what libxml2 refused, in words rather than its option names."""
    message = str(exc.msg or exc)
    if "Excessive depth" in message:
        message = "elements nested deeper than 256 levels"
    elif "huge" in message.lower() or "too long" in message.lower():
        message = f"a value or text longer than 10 MB ({message.split(',')[0]})"
    line = exc.lineno if hasattr(exc, "lineno") else None
    return EventLogError.single(
        f"not well-formed XES: {message}",
        file=str(path),
        line=line,
        expected="a complete XES document",
    )


def _guard(path: Path) -> None:
    """Refuse files that are not (gzipped) XES, and DOCTYPEs that declare entities or name an
    external DTD (``SYSTEM`` or ``PUBLIC``), before either reader runs.

    The prolog is parsed up to the root element however long it is (a long comment before
    the DOCTYPE hides nothing, and ``<log>`` after 64 KB of prolog is still found)."""
    from lxml import etree

    try:
        with open_log_bytes(path, max_token=MAX_XML_TOKEN) as source:
            for _, root in _parse_events(source, ("start",)):
                docinfo = root.getroottree().docinfo
                dtd = docinfo.internalDTD
                if (
                    docinfo.system_url
                    or docinfo.public_id
                    or (dtd is not None and any(True for _ in dtd.iterentities()))
                ):
                    raise EventLogError.single(
                        "the XES file declares entities or an external DTD in its DOCTYPE; "
                        "bpmtool refuses such files (entity expansion and external entities "
                        "are unsafe)",
                        file=str(path),
                        line=1,
                        expected="plain XES without entity declarations or an external DTD",
                    )
                # by text: lxml's QName refuses names XML allows (``<a:b:c>``, fuzzing)
                tag = root.tag if isinstance(root.tag, str) else ""
                name = tag.rsplit("}", 1)[-1]
                if name not in ("log", "trace"):
                    shown = name if len(name) <= 80 else name[:80] + "…"
                    raise EventLogError.single(
                        f"this is not an XES log (its root element is <{shown}>)",
                        file=str(path),
                        line=root.sourceline,
                        expected="a <log> element",
                    )
                return
    except etree.XMLSyntaxError as exc:  # before the root element: not XML at all
        error = _syntax_error(exc, path)
        problem = error.problems[0]
        raise EventLogError.single(
            "this is not an XES log ("
            + problem.message.removeprefix("not well-formed XES: ")
            + ")",
            file=str(path),
            line=problem.line,
            expected="an XES document",
        ) from None
    except (OSError, EOFError, zlib.error) as exc:
        raise EventLogError.single(
            f"cannot read the log: {exc}",
            file=str(path),
            expected="an XES file (optionally gzip-compressed)",
        ) from None
    raise EventLogError.single(
        "this is not an XES log (no <log> element)",
        file=str(path),
        line=1,
        expected="an XES document",
    )


#: with a sink, the events handed on at a time (whole traces: a case is never split)
_HAND_ON_EVENTS = 200_000


def read_xes(
    path: Path,
    progress: Callable[[int, int | None], None] | None = None,
    sink: Callable[[pd.DataFrame, float], None] | None = None,
) -> pd.DataFrame:
    """Read ``path`` (``.xes`` or ``.xes.gz``) into a frame with XES attribute keys as columns:
    with rustxes when that gives the same frame (:mod:`bpmtool.io.eventlog_xes_fast`), else
    in one streaming pass with lxml.

    With ``sink``, the lxml pass hands the traces read so far to it as a frame (with the
    share of the file read) every ~200,000 events, keeps nothing, and returns an empty frame."""
    from lxml import etree

    from bpmtool.io.eventlog_xes_fast import read_xes_fast

    _guard(path)
    total = path.stat().st_size
    fast = read_xes_fast(path, progress) if sink is None else None
    if fast is not None:
        return fast
    handed_traces = 0
    events = _Columns()
    cases: list[str] = []
    case_attrs = _Columns()
    row = 0
    trace_ends: list[int] = []  # the row after each trace's last event
    source = open_log_bytes(path, max_token=MAX_XML_TOKEN)
    raw = source.raw
    try:
        tags = ("event", "trace", f"{{{_NS}}}event", f"{{{_NS}}}trace")
        context = _parse_events(source, ("end",), tags)
        columns: dict[str, list[str | None]] = {}
        kinds: dict[str, str] = {}
        for _, elem in context:
            if elem.tag[-5:] == "event":
                for child in elem:
                    key = child.get("key")
                    if key is None:
                        continue
                    values = columns.get(key)
                    if values is None:
                        _check_key(key, child, path)
                        tag = child.tag
                        kind = tag[tag.rfind("}") + 1 :] if isinstance(tag, str) else ""
                        if kind not in _TYPED:
                            continue
                        values = columns[key] = []
                        kinds[key] = kind
                    if len(values) > row:  # a key given twice in one event: the first
                        continue  # counts, as with rustxes (the fast reader)
                    if len(values) < row:  # earlier events lacked this attribute
                        values.extend([None] * (row - len(values)))
                    values.append(child.get("value"))
                row += 1
                elem.clear(keep_tail=False)
                if progress is not None and row % 100_000 == 0:
                    progress(raw.tell(), total)
                continue
            # the end of a trace: its own attributes are its direct typed children
            case_name = ""
            for child in elem:
                kind = child.tag.rsplit("}", 1)[-1] if isinstance(child.tag, str) else ""
                key = child.get("key")
                if kind not in _TYPED or key is None:
                    continue
                _check_key(key, child, path)
                if key == "concept:name":
                    case_name = child.get("value", "")
                else:
                    case_attrs.add(f"case:{key}", len(cases), child.get("value", ""), kind)
            cases.append(case_name)
            trace_ends.append(row)
            elem.clear(keep_tail=False)
            parent = elem.getparent()
            while parent is not None and elem.getprevious() is not None:
                del parent[0]
            if sink is not None and row >= _HAND_ON_EVENTS:
                _fill(events, columns, kinds)
                frame = _frame(events, cases, trace_ends, case_attrs, row, str(path), handed_traces)
                sink(frame, min(raw.tell(), total) / max(total, 1))
                handed_traces += len(cases)
                events, case_attrs, columns = _Columns(), _Columns(), {}
                cases, trace_ends, row = [], [], 0
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(exc, path) from None
    except (EOFError, zlib.error, OSError) as exc:
        raise EventLogError.single(
            f"the file is cut short or damaged ({exc})",
            file=str(path),
            expected="a complete .xes.gz file",
        ) from None
    finally:
        source.close()
    if progress is not None:
        progress(total, total)
    _fill(events, columns, kinds)
    if sink is None:
        return _frame(events, cases, trace_ends, case_attrs, row, str(path))
    if row or not handed_traces:  # the last traces (or the error of a log without events)
        sink(_frame(events, cases, trace_ends, case_attrs, row, str(path), handed_traces), 1.0)
    import pandas as pd

    return pd.DataFrame(columns=[CASE])


def _check_key(key: str, element: Any, path: Path) -> None:
    if len(key) > MAX_KEY:
        raise EventLogError.single(
            f"an attribute key of {len(key):,} characters ({key[:40]!r}…)",
            file=str(path),
            line=element.sourceline,
            expected=f"attribute keys of at most {MAX_KEY:,} characters",
        )


def _fill(events: _Columns, columns: dict[str, list[str | None]], kinds: dict[str, str]) -> None:
    for key, values in columns.items():
        events.columns[key] = (list(range(len(values))), values, kinds[key])


def _frame(
    events: _Columns,
    cases: list[str],
    trace_ends: list[int],
    case_attrs: _Columns,
    n: int,
    filename: str,
    first_trace: int = 0,
) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    if n == 0:
        raise EventLogError.single(
            "the log has no events", file=filename, expected="at least one <event> inside a <trace>"
        )
    if trace_ends[-1:] != [n]:
        raise EventLogError.single(
            "events stand outside any <trace>",
            file=filename,
            expected="every <event> inside a <trace>",
        )
    counts = np.diff(np.asarray([0, *trace_ends], dtype=np.int64)).astype(np.int64)
    trace_of_event = np.repeat(np.arange(len(cases), dtype=np.int64), counts)
    names = np.asarray(
        [c or f"trace {i + 1}" for i, c in enumerate(cases, start=first_trace)], dtype=object
    )
    data: dict[str, Any] = {}
    if len(set(names)) == len(names):  # the usual case: codes are the trace numbers
        data[CASE] = pd.Categorical.from_codes(trace_of_event, categories=names)
    else:
        data[CASE] = pd.Categorical(names[trace_of_event])
    for key, (rows, values, kind) in events.columns.items():
        data[key] = _column(rows, values, kind, n, key, filename)
    frame = pd.DataFrame(data)
    for key, (rows, values, kind) in case_attrs.columns.items():
        per_trace = _column(rows, values, kind, len(cases), key, filename)
        frame[key] = per_trace.take(trace_of_event).reset_index(drop=True)
    return frame


def _column(
    rows: list[int], values: list[str | None], kind: str, n: int, key: str, filename: str
) -> pd.Series:
    import numpy as np
    import pandas as pd

    full = np.full(n, None, dtype=object)
    if rows and rows[-1] == len(values) - 1:  # a dense column (missing values are None)
        full[: len(values)] = values
    else:
        full[np.asarray(rows, dtype=np.int64)] = values
    series = pd.Series(full)
    if kind == "date" or key == TIMESTAMP:
        return _dates(series, key, filename)
    if kind in ("int", "float"):
        return pd.to_numeric(series, errors="coerce")
    if kind == "boolean":
        return series.map({"true": True, "false": False}, na_action="ignore")
    return series.astype("category")


def _dates(series: pd.Series, key: str, filename: str) -> pd.Series:
    import pandas as pd

    try:
        return pd.to_datetime(series, utc=True, format="ISO8601")
    except (ValueError, TypeError):
        parsed = pd.to_datetime(series, utc=True, format="mixed", errors="coerce")
    bad = parsed.isna() & series.notna()
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise EventLogError.single(
            f"event {row + 1}: {key} {series.iloc[row]!r} is not a date",
            file=filename,
            key=key,
            expected="an ISO 8601 timestamp such as 2024-03-01T09:30:00+01:00",
        )
    return parsed
