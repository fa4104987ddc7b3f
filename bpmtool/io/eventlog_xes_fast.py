"""The fast way into an XES log: rustxes, the Rust reader pm4py offers as its fastest importer.

Used only when its frame is the one the streaming lxml reader (:mod:`eventlog_xes`) would
give: every trace named, a real timestamp column, and no attribute whose value could be a
default that rustxes filled in from a ``<global>`` declaration (the lxml reader, like pm4py's
standard importer, leaves a missing attribute empty).  Otherwise — or when rustxes is not
installed, or fails — the caller falls back to the lxml reader, which also gives the located
error messages.  Entity declarations are refused before either reader runs.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpmtool.io.eventlog_columns import CASE, TIMESTAMP

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["read_xes_fast"]

_GLOBAL = re.compile(r"<global\s+scope=\"(event|trace)\"\s*>(.*?)</global>", re.S)
_ATTR = re.compile(r"<(string|date|int|float|boolean|id)\s+key=\"([^\"]*)\"\s+value=\"([^\"]*)\"")


def _global_defaults(head: str) -> dict[str, tuple[str, str]]:
    """Column → (XES type, default value) of the attributes declared global in the header."""
    out: dict[str, tuple[str, str]] = {}
    for scope, body in _GLOBAL.findall(head):
        for kind, key, value in _ATTR.findall(body):
            column = (CASE if key == "concept:name" else f"case:{key}") if scope == "trace" \
                else key
            out[column] = (kind, value)
    return out


def _may_hold_default(series: pd.Series, kind: str, value: str) -> bool:
    import pandas as pd

    try:
        if kind == "date":
            return bool((series == pd.Timestamp(value).tz_convert("UTC")).any())
        if kind in ("int", "float"):
            return bool((pd.to_numeric(series, errors="coerce") == float(value)).any())
    except (ValueError, TypeError):
        return True
    if kind == "boolean":
        return True  # true and false both occur in any real column
    return bool((series.astype(str) == value).any())


def read_xes_fast(path: Path, head: str) -> pd.DataFrame | None:
    """The log as the lxml reader would give it, or ``None`` when this way cannot tell."""
    try:
        import polars as pl
        import rustxes
    except ImportError:
        return None
    try:
        df, _ = rustxes.import_xes(str(path))
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a Rust panic is a BaseException; on any failure the exact
        return None        # reader will say what is wrong, and where
    schema = df.schema
    if df.height == 0 or schema.get(CASE) != pl.String or df[CASE].null_count():
        return None
    if TIMESTAMP in schema and not isinstance(schema[TIMESTAMP], pl.Datetime):
        return None
    casts: list[Any] = []
    for name, dtype in schema.items():
        if isinstance(dtype, (pl.List, pl.Struct, pl.Object)):
            casts.append(pl.lit(None).alias(name))  # nested values: the lxml reader skips them
        elif dtype == pl.String:
            casts.append(pl.col(name).cast(pl.Categorical))
        elif isinstance(dtype, pl.Datetime):
            column = pl.col(name).dt.cast_time_unit("us")
            if dtype.time_zone is None:
                column = column.dt.replace_time_zone("UTC")
            casts.append(column)
    nested = [n for n, d in schema.items() if isinstance(d, (pl.List, pl.Struct, pl.Object))]
    frame = df.with_columns(casts).drop(nested).to_pandas()
    for key, (kind, value) in _global_defaults(head).items():
        if key in frame.columns and _may_hold_default(frame[key], kind, value):
            return None
    return frame
