"""Background jobs: checks run in worker processes, so pages stay responsive meanwhile.

A process (not a thread) because a conformance check is CPU-bound Python that would hold
the interpreter lock; the worker reports through workspace files (see :mod:`web.check_job`).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime

from bpmtool.web.check_job import JobSpec, run_job, warm_up, watch_parent
from bpmtool.web.log_attachments import LANE_MAP, SURVEYS
from bpmtool.web.workspace import NotFound, Workspace

__all__ = ["JobRunner"]


class JobRunner:
    """A small pool of worker processes and the runs it was given."""

    def __init__(self, workspace: Workspace, workers: int = 1, *, warm: bool = False) -> None:
        self.workspace = workspace
        self.workers = workers
        self.warm = warm
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[str, Future[str]] = {}

    def start(self) -> None:
        """Mark runs a previous server left unfinished, and start the pool."""
        for run in self.workspace.list_runs():
            if run.get("status") in ("queued", "running"):
                run.update(
                    status="failed",
                    error="the server stopped before the run ended",
                    finished=_now(),
                )
                self.workspace.write_run(run["id"], run)
        self._pool = self._new_pool()
        if self.warm:
            for _ in range(self.workers):
                self._pool.submit(warm_up)

    def _new_pool(self) -> ProcessPoolExecutor:
        # spawn: a clean interpreter, no copy of the server's threads and sockets; each
        # worker ends itself when the server process is gone (even killed with -9)
        return ProcessPoolExecutor(
            self.workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=watch_parent,
            initargs=(os.getpid(),),
        )

    def submit(
        self,
        kind: str,
        *,
        model: str,
        log: str,
        method: str = "both",
        columns: dict[str, str] | None = None,
        log_filter: dict[str, str] | None = None,
        periods: list[str] | None = None,
    ) -> str:
        """Queue a check, a journey or a full report (``kind``: check, journey or report)
        of ``log`` against ``model``; returns the run id."""
        if self._pool is None:
            self.start()
        assert self._pool is not None
        ws = self.workspace
        model_path, log_path = ws.model_path(model), ws.log_path(log)
        run_id = ws.new_run_id()
        _, version = ws.read_model(model)
        ws.write_run(
            run_id,
            {
                "id": run_id,
                "kind": kind,
                "model": model,
                "model_version": version,
                "log": log,
                "method": method,
                "columns": columns or {},
                "filter": log_filter or {},
                **({"periods": periods} if periods else {}),
                "status": "queued",
                "created": _now(),
            },
        )
        spec: JobSpec = {
            "kind": kind,
            "model_path": str(model_path),
            "log_path": str(log_path),
            "method": method,
            "columns": columns or {},
            "date_format": ws.log_date_format(log),
            "filter": log_filter or {},
            "periods": periods or [],
            "surveys_path": str(found) if (found := SURVEYS.path(ws, log)) else None,
            "lanes_path": str(lanes) if (lanes := LANE_MAP.path(ws, log)) else None,
        }
        try:
            future = self._pool.submit(run_job, str(ws.root), run_id, spec)
        except BrokenProcessPool:  # a worker died (killed, out of memory): start afresh
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = self._new_pool()
            future = self._pool.submit(run_job, str(ws.root), run_id, spec)
        self._futures[run_id] = future
        future.add_done_callback(lambda f, rid=run_id: self._finished(rid, f))  # type: ignore[misc]
        return run_id

    def _finished(self, run_id: str, future: Future[str]) -> None:
        self._futures.pop(run_id, None)
        if future.cancelled() or future.exception() is not None:
            try:
                run = self.workspace.read_run(run_id)
            except NotFound:
                return
            if run.get("status") in ("queued", "running"):
                reason = "cancelled" if future.cancelled() else str(future.exception())
                run.update(status="failed", error=f"the worker stopped: {reason}", finished=_now())
                self.workspace.write_run(run_id, run)

    def active(self) -> int:
        return len(self._futures)

    def shutdown(self) -> None:
        """Stop the workers, a running check too, and wait until they are gone: nothing is
        left running and the pool's queues and semaphores are released."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        processes = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join(timeout=5)
        pool.shutdown(wait=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
