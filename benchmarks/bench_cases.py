"""Drill-down timings on a generated log: the case list of every finding, and the web pages
of a check's results (run page, case list pages, a case timeline).

Measured in one process on the seeded generator's log (``examples/generate_log.py``, ~18.5
events per case), checked once against the reference model:

* **case lists**: building the case index of the check (once per check), then the whole case
  list of each finding, sorted by start — target < 2 s for a finding of a 1M-event log;
* **web pages**: the check run through the web app's own worker (``/api/check``), then each
  page requested through an in-process ``TestClient`` (server time, no network): the run's
  result page, the case list of each finding (first page and the last page), the list of
  all cases at its last page, a case's timeline and the JSON API — target < 1 s each.

    python benchmarks/bench_cases.py                   # 1M events
    python benchmarks/bench_cases.py --events 100000
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))
from bench_web import _log  # noqa: E402

MODEL = ROOT / "models" / "saas-handoffs.yaml"


def _timed(fn):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


def case_lists(log: Path) -> None:
    from bpmtool import api

    model = api.load(MODEL)
    result, took = _timed(lambda: api.check(model, log, precision=False))
    print(f"check (no precision): {took:.1f} s, {result.cases:,} cases, {result.events:,} events")
    index, took = _timed(lambda: api.case_index(model, result))
    print(f"case index (once per check): {took:.2f} s")
    worst = 0.0
    for f in result.findings:
        (key, _), _ = _timed(lambda f=f: api.finding_selection(result, f.code, f.subject))
        (_, total), took = _timed(lambda key=key: index.case_rows(key))
        worst = max(worst, took)
        print(f"  {f.code:<22} {' '.join(f.subject)[:40]:<40} {total:>7,} cases  {took:.3f} s")
    print(f"slowest whole case list of a finding: {worst:.3f} s")


def web_pages(log: Path) -> None:
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

    from bpmtool.web.config import Settings
    from bpmtool.web.main import create_app

    ws = Path(tempfile.mkdtemp(prefix="bpmtool-bench-cases-"))
    try:
        app = create_app(Settings(workspace=ws, max_log_bytes=2_000_000_000))
        with TestClient(app, base_url="http://127.0.0.1:8000") as c:
            (ws / "logs").mkdir(parents=True, exist_ok=True)
            shutil.copy(log, ws / "logs" / log.name)
            start = time.perf_counter()
            run_id = c.post("/api/check", json={"model": MODEL.name, "log": log.name}).json()["id"]
            while c.get(f"/api/runs/{run_id}").json()["status"] not in ("done", "failed"):
                time.sleep(0.5)
            run = c.get(f"/api/runs/{run_id}").json()
            print(f"web check: {run['status']} in {time.perf_counter() - start:.1f} s")
            result = c.get(f"/api/runs/{run_id}/result").json()
            total = result["summary"]["cases"]
            last = -(-total // 100)
            urls = [f"/runs/{run_id}", f"/runs/{run_id}/cases?page={last}"]
            for i, f in enumerate(result["findings"]):
                n = f["evidence"].get("cases") or 0
                urls.append(f"/runs/{run_id}/cases?sel=finding:{i}")
                if n > 100:
                    urls.append(f"/runs/{run_id}/cases?sel=finding:{i}&page={-(-n // 100)}")
            first_case = c.get(f"/api/runs/{run_id}/cases?limit=1").json()["cases"][0]["case"]
            urls += [
                f"/runs/{run_id}/cases/{first_case}",
                f"/api/runs/{run_id}/cases?sel=variant:1&offset=1000&limit=100",
                f"/api/runs/{run_id}/cases/{first_case}",
            ]
            c.get(urls[1])  # the first visit imports pyarrow's Parquet reader
            worst = 0.0
            for url in urls:
                times = []
                for _ in range(3):
                    r, took = _timed(lambda url=url: c.get(url))
                    assert r.status_code == 200, (url, r.status_code, r.text[:200])
                    times.append(took)
                worst = max(worst, statistics.median(times))
                page = url.split(run_id)[-1] or "/"
                print(f"  {statistics.median(times) * 1000:7.0f} ms  {page}")
            print(f"slowest page (median of 3): {worst * 1000:.0f} ms")
    finally:
        shutil.rmtree(ws, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--skip-web", action="store_true")
    args = parser.parse_args()
    log = _log(args.events)
    case_lists(log)
    if not args.skip_web:
        web_pages(log)


if __name__ == "__main__":
    main()
