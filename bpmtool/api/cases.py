"""Drill-down: the cases behind a check's numbers, and one case's timeline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bpmtool.errors import InputError
from bpmtool.model import Model

if TYPE_CHECKING:
    import pandas as pd

    from bpmtool.distributed import Cluster
    from bpmtool.mining.cases import CaseIndex
    from bpmtool.mining.check import CheckResult
    from bpmtool.mining.journey_result import JourneyResult

__all__ = [
    "CASE_FORMATS",
    "case_index",
    "case_table_bytes",
    "case_timeline",
    "finding_selection",
    "open_case_index",
    "write_case_index",
]

#: what a case list can be written as
CASE_FORMATS = ("text", "csv", "xlsx", "json")


def case_index(
    model: Model,
    result: CheckResult,
    journey: JourneyResult | None = None,
    *,
    cluster: Cluster | None = None,
) -> CaseIndex:
    """The cases of a check, for case lists and timelines (see :mod:`bpmtool.mining.cases`):
    ``index.case_rows(key, offset=, limit=)`` pages a selection's cases,
    ``index.timeline(case_id)`` gives one case's events and deviations.  With the
    ``journey`` of the same log, its CTQs' breaches (``ctq:ID``) and its struggling
    customers by reason (``reason:R``) are selections too.

    A check of a partitioned log that ran partition by partition reads its partitions
    again for the index — on the ``cluster``'s workers, else here, one after another —
    and keeps only the case rows; a timeline reads the one partition of its case
    (:mod:`bpmtool.distributed.case_index`).  The index is the single-process check's."""
    from bpmtool.mining.cases import add_journey_selections, check_case_index

    if result.mapping.df is None and result.pieces is not None:
        from bpmtool.distributed.case_index import partitioned_index

        index: CaseIndex = partitioned_index(model, result, cluster)
    else:
        _need_events(result, "a case index")
        index = check_case_index(model, result)
    if journey is not None:
        add_journey_selections(index, journey)
    return index


def finding_selection(
    result: CheckResult, code: str, subject: Sequence[str] = ()
) -> tuple[str, list[int]]:
    """The selection key of the findings with ``code`` whose subject holds every one of
    ``subject`` (ids, any case), and their positions; an unknown one is an input error
    that lists the findings there are."""
    wanted = [s.casefold() for s in subject]
    hits = [
        i
        for i, f in enumerate(result.findings)
        if f.code.casefold() == code.casefold()
        and all(w in {x.casefold() for x in f.subject} for w in wanted)
    ]
    if not hits:
        there = sorted({f"{f.code} {' '.join(f.subject)}" for f in result.findings})
        about = f" about {', '.join(subject)}" if subject else ""
        raise InputError.single(
            f"the check has no finding {code}{about}",
            key="finding",
            expected="one of: " + "; ".join(there[:15]) if there else "a check with findings",
        )
    return "|".join(f"finding:{i}" for i in hits), hits


def case_table_bytes(rows: pd.DataFrame, fmt: str) -> bytes:
    """A case list as a file: ``csv``, ``xlsx`` (one sheet, ``Cases``) or ``json`` (records)."""
    import io

    out = rows.copy()
    for column in ("start", "end"):
        if column in out.columns:
            out[column] = out[column].map(lambda t: "" if t is None or t != t else t.isoformat())
    if fmt == "csv":
        return str(out.to_csv(index=False, lineterminator="\n")).encode("utf-8")
    if fmt == "json":
        return (out.to_json(orient="records", force_ascii=False, indent=2) + "\n").encode("utf-8")
    if fmt == "xlsx":
        buffer = io.BytesIO()
        out.to_excel(buffer, index=False, sheet_name="Cases", engine="openpyxl")
        return buffer.getvalue()
    raise InputError.single(
        f"unknown case list format {fmt!r}", key="format", expected=", ".join(CASE_FORMATS[1:])
    )


def case_timeline(findings: Sequence[Any], index: CaseIndex, case_id: str) -> dict[str, Any]:
    """One case as JSON-ready data: ``case`` (its row of the case list), ``events``
    (activity, lane, resource, time, note: where the event leaves the model), ``deviation``
    (fitness, skipped and inserted steps of its variant) and ``findings`` (the findings it is
    one of the cases of: ``{"index", "code", "subject"}``, from the check's ``findings`` —
    :class:`~bpmtool.findings.Finding` s or their JSON).  An unknown id is an input error
    naming it."""
    row, events, deviation = index.timeline(case_id)
    code = index.code_of(case_id)
    found = []
    for key in index.selections_of(code):
        i = int(key.partition(":")[2])
        f = findings[i] if i < len(findings) else None
        if f is None:
            continue
        code_, subject = (f["code"], f["subject"]) if isinstance(f, dict) else (f.code, f.subject)
        found.append({"index": i, "code": code_, "subject": list(subject)})
    return {
        "case": _jsonable(row),
        "events": [_jsonable(e) for e in events.to_dict(orient="records")],
        "deviation": None
        if deviation is None
        else {
            "fitness": None if deviation.fitness is None else round(deviation.fitness, 4),
            "skipped": list(deviation.skipped),
            "inserted": list(deviation.inserted),
        },
        "findings": found,
    }


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    import pandas as pd

    out: dict[str, Any] = {}
    for k, v in row.items():
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            out[k] = None
        elif isinstance(v, pd.Timestamp):
            out[k] = v.isoformat()
        elif hasattr(v, "item"):
            out[k] = v.item()
        else:
            out[k] = v
    return out


def write_case_index(index: CaseIndex, cases: Path, events: Path, sets: Path) -> None:
    """Keep a check's case index in three Parquet files (a web worker does, so that pages
    read only the slice they show: :func:`open_case_index`)."""
    from bpmtool.io.case_store import CasePaths
    from bpmtool.io.case_store import write_case_index as write

    write(index, CasePaths(cases, events, sets))


def open_case_index(cases: Path, events: Path, sets: Path) -> CaseIndex:
    """A case index written by :func:`write_case_index`: its case table read now, a
    selection or a case's events when asked for."""
    from bpmtool.io.case_store import CasePaths, StoredCases

    return StoredCases.open(CasePaths(cases, events, sets))


def _need_events(result: CheckResult, what: str) -> None:
    """Refuse ``what`` of a check that never held its log's events (a partitioned log
    checked partition by partition)."""
    if result.mapping.df is None:
        raise InputError.single(
            f"{what} needs the log's events, and this check of a partitioned log kept only "
            "their summaries",
            file=result.source,
            expected="the check of a log read into memory (api.read_log, then api.check of "
            "the frame)",
        )
