"""What a background worker process runs: one check (or journey) of a log against a model.

It reads and writes only workspace files — ``runs/<id>.json`` (status),
``<id>.progress.json`` (while it works), ``<id>.result.json`` (the CLI's JSON),
``<id>.svg`` (the overlay swimlane) and ``<id>.report.html`` —
so the web process only has to read files to show progress and results.
"""

from __future__ import annotations

import json
import os
import threading
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bpmtool import api
from bpmtool.api import write_file as write_atomic
from bpmtool.errors import BpmtoolError, InputError
from bpmtool.web import features
from bpmtool.web.messages import for_web, problems_for_web
from bpmtool.web.workspace import Workspace

__all__ = ["JobSpec", "run_job", "warm_up", "watch_parent"]

JobSpec = dict[str, Any]

#: share of the progress bar per phase: reading the log, then aligning the variants
_PHASES = {"reading": (0.0, 0.45), "aligning": (0.5, 0.95)}


class _Progress:
    """Writes ``<id>.progress.json`` at most a few times a second."""

    def __init__(self, ws: Workspace, run_id: str) -> None:
        self.path = ws.run_file(run_id, "progress")
        self.last = 0.0

    def phase(self, name: str) -> Any:
        low, high = _PHASES[name]

        def update(done: int, total: int | None) -> None:
            now = time.monotonic()
            if now - self.last < 0.2 and not (total and done >= total):
                return
            self.last = now
            share = done / total if total else 0.0
            self.write(name, low + (high - low) * min(share, 1.0), done, total)

        return update

    def write(self, phase: str, fraction: float, done: int = 0, total: int | None = None) -> None:
        doc = {
            "phase": phase,
            "fraction": round(fraction, 4),
            "done": done,
            "total": total,
            "updated": _now(),
        }
        write_atomic(self.path, json.dumps(doc))


def warm_up() -> None:
    """Import the conformance stack in a fresh worker, so the first check starts at once."""
    api.warm_up()


def watch_parent(parent: int) -> None:
    """In a worker: end this process as soon as ``parent`` (the server) is gone."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(1)

    threading.Thread(target=watch, name="bpmtool-watch-parent", daemon=True).start()


def run_job(root: str, run_id: str, spec: JobSpec) -> str:
    """Run one job to its end and record the outcome; returns the final status."""
    ws = Workspace(Path(root))
    status = ws.read_run(run_id)
    status.update(status="running", started=_now())
    ws.write_run(run_id, status)
    progress = _Progress(ws, run_id)
    progress.write("loading", 0.0)
    try:
        model = api.load(spec["model_path"])
        if spec["kind"] == "journey":
            doc = _journey(ws, run_id, model, spec)
        elif spec["kind"] == "report":
            doc = _full_report(ws, run_id, model, spec, progress)
        elif spec["kind"] in ("compare", "journey-compare"):
            doc = _compare(model, spec, progress)
        else:
            doc = _check(ws, run_id, model, spec, progress)
        write_atomic(
            ws.run_file(run_id, "result"),
            json.dumps(doc, indent=2, ensure_ascii=False, default=str) + "\n",
        )
        status.update(status="done", summary=doc.get("summary"))
    except InputError as err:
        status.update(
            status="failed",
            error=for_web(err.summary, ws.root),
            problems=problems_for_web([p.to_dict() for p in err.problems], ws.root),
        )
    except BpmtoolError as err:
        status.update(status="failed", error=for_web(str(err), ws.root), problems=[])
    except Exception as err:  # a bug: keep the run's page readable, the traceback for us
        status.update(
            status="failed",
            error=f"internal error: {type(err).__name__}: {err}",
            problems=[],
            traceback=traceback.format_exc(limit=8),
        )
    status["finished"] = _now()
    ws.write_run(run_id, status)
    ws.run_file(run_id, "progress").unlink(missing_ok=True)
    return str(status["status"])


def _check(
    ws: Workspace, run_id: str, model: Any, spec: JobSpec, progress: _Progress
) -> dict[str, Any]:
    result = _run_check(model, spec, progress)
    progress.write("drawing", 0.96)
    write_atomic(
        ws.run_file(run_id, "svg"), features.render_svg(model, findings=True, check=result)
    )
    write_atomic(ws.run_file(run_id, "report"), features.report_html(model, check=result))
    progress.write("drawing", 0.98)
    _write_cases(ws, run_id, model, result)
    doc: dict[str, Any] = result.to_dict()
    return doc


def _run_check(model: Any, spec: JobSpec, progress: _Progress | None, **how: Any) -> Any:
    """The run's check of its log (its method, columns, dates and filter); ``how``
    overrides, e.g. ``method="replay"``."""
    phases = (
        {"progress": progress.phase("aligning"), "read_progress": progress.phase("reading")}
        if progress is not None
        else {}
    )
    options: dict[str, Any] = {"method": spec.get("method", "both"), **phases, **how}
    return api.check(
        model,
        spec["log_path"],
        columns=spec.get("columns") or None,
        date_format=spec.get("date_format"),
        log_filter=api.filter_from_fields(spec.get("filter") or {}),
        lanes_from=spec.get("lanes_path"),
        **options,
    )


def _compare(model: Any, spec: JobSpec, progress: _Progress) -> dict[str, Any]:
    """Two windows of the log side by side: checked (``check --compare``) or, for the kind
    ``journey-compare``, as customer journeys (``journey --compare``)."""
    fields = dict(spec.get("filter") or {})
    window = fields.pop("window", "") or "started"
    common: dict[str, Any] = {
        "window": window,
        "log_filter": api.filter_from_fields(fields),
        "columns": spec.get("columns") or None,
        "date_format": spec.get("date_format"),
    }
    if spec["kind"] == "journey-compare":
        comparison = api.compare_journey_windows(
            model, spec["log_path"], spec["periods"], surveys=spec.get("surveys_path"), **common
        )
    else:
        comparison = api.compare_windows(
            model,
            spec["log_path"],
            spec["periods"],
            method=spec.get("method", "both"),
            lanes_from=spec.get("lanes_path"),
            **common,
        )
    progress.write("drawing", 0.98)
    doc: dict[str, Any] = comparison.to_dict()
    doc["window"] = window
    return doc


def _write_cases(ws: Workspace, run_id: str, model: Any, result: Any, journey: Any = None) -> None:
    """The check's case index (with the journey's CTQs and reasons), which the case list
    and timeline pages read."""
    api.write_case_index(
        api.case_index(model, result, journey),
        ws.run_file(run_id, "cases"),
        ws.run_file(run_id, "case_events"),
        ws.run_file(run_id, "case_sets"),
    )


def _full_report(
    ws: Workspace, run_id: str, model: Any, spec: JobSpec, progress: _Progress
) -> dict[str, Any]:
    """Check and journey (with the log's surveys) in one report: the check's JSON with the
    journey's findings added and the journey's own JSON under ``journey``."""
    if model.journey is None:
        raise InputError.single(
            "this model has no customer journey (stages and milestones), so the full report "
            "would be the check's: run a check instead, or add a journey to the model",
            key="model",
        )
    result = _run_check(model, spec, progress)
    progress.write("journey", 0.95)
    journey = _journey_result(model, spec)
    progress.write("drawing", 0.97)
    write_atomic(
        ws.run_file(run_id, "svg"), features.render_svg(model, findings=True, check=result)
    )
    write_atomic(
        ws.run_file(run_id, "charts"),
        json.dumps(features.journey_charts(journey), ensure_ascii=False),
    )
    write_atomic(
        ws.run_file(run_id, "report"), features.report(model, check=result, journey=journey)
    )
    _write_cases(ws, run_id, model, result, journey)
    doc: dict[str, Any] = result.to_dict()
    doc["findings"] = [*doc["findings"], *(f.to_dict() for f in journey.findings)]
    doc["journey"] = journey.to_dict()
    return doc


def _journey(ws: Workspace, run_id: str, model: Any, spec: JobSpec) -> dict[str, Any]:
    result = _journey_result(model, spec)
    write_atomic(ws.run_file(run_id, "svg"), features.render_svg(model, happy=result))
    write_atomic(
        ws.run_file(run_id, "charts"),
        json.dumps(features.journey_charts(result), ensure_ascii=False),
    )
    write_atomic(ws.run_file(run_id, "report"), features.report(model, journey=result))
    # the case lists behind the CTQs' breaches and the struggling customers, with each
    # case's timeline: they stand on a check of the same log (token replay only: fast)
    checked = _run_check(model, spec, None, method="replay", precision=False)
    _write_cases(ws, run_id, model, checked, result)
    doc: dict[str, Any] = result.to_dict()
    return doc


def _journey_result(model: Any, spec: JobSpec) -> Any:
    standard = {
        "case": "case:concept:name",
        "activity": "concept:name",
        "timestamp": "time:timestamp",
        "resource": "org:resource",
        "lane": "org:group",
    }
    renames = {
        src: standard[role] for role, src in (spec.get("columns") or {}).items() if role in standard
    }
    result = api.journey(
        model,
        spec["log_path"],
        columns=renames or None,
        date_format=spec.get("date_format"),
        log_filter=api.filter_from_fields(spec.get("filter") or {}),
        surveys=spec.get("surveys_path"),
    )
    return result


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
