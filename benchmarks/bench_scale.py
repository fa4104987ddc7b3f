"""Scale: one process vs. a LocalCluster of two worker processes, at 1M, 5M and 20M events.

For each size the reference model's log is generated once (seeded; sizes above
``--generate-max`` events are that log repeated with the case ids prefixed per copy, written
line by line) and written as partitioned Parquet with ``bpmtool log --to-parquet``.  Then,
each in its own subprocess:

* **single**: ``api.read_log`` of the CSV and ``api.check`` — what ``bpmtool check`` does;
* **pieces**: ``api.check(model, PARTS)`` without a cluster: the partitions one after
  another in one process, each reduced to its check facts, the facts merged;
* **cluster**: ``api.cluster(workers=2)`` and ``api.check(model, PARTS, cluster=...)``: each
  partition read, mapped and reduced to its check facts on a worker, the facts merged on
  the client, the distinct variants aligned on the workers.

Measured: wall time per phase, and the peak resident memory of every process of the run
(the driver, and for the cluster each worker, its nanny and the scheduler), sampled every
0.1 s with psutil; each partition's task time on its worker (Dask's task stream); the two
results' JSON is compared (hash).

    python benchmarks/bench_scale.py                    # 1M, 5M and 20M events
    python benchmarks/bench_scale.py --sizes 100000     # a quick run
    python benchmarks/bench_scale.py --analysis journey --sizes 1000000 5000000

``--analysis journey`` measures ``api.journey`` the same three ways (single: the CSV read
whole and its journey; pieces and cluster: each partition reduced to its journey facts,
merged and judged on the client); the JSON hash leaves out the reader's notes.
``--analysis report`` measures what ``bpmtool report MODEL --log LOG`` does: the check, the
journey and the HTML report (its flow numbers read partition by partition for pieces and
cluster); the hash is the HTML's, which must be the same in all three.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
MODEL = ROOT / "models" / "saas-handoffs.yaml"
EVENTS_PER_CASE = 18.5  # what the generator averages for the reference model

RUN = r"""
import hashlib, json, sys, time
from bpmtool import api

def main():
    mode, log, model = sys.argv[1], sys.argv[2], api.load(sys.argv[3])
    t = {}
    span = []
    parts = []

    def aligning(done, total):  # keeps when the first and the last alignment (batch) ended
        span.append(time.perf_counter())
        del span[1:-1]

    def partition_done(done, total):
        parts.append(time.perf_counter())

    start = time.perf_counter()
    tasks = []
    if mode == "single":
        frame = api.read_log(log)
        t["read"] = time.perf_counter() - start
        result = api.check(model, frame, progress=aligning)
        events = len(frame)
    elif mode == "pieces":  # one process, the partitions one after another
        result = api.check(model, log, progress=aligning, read_progress=partition_done)
        t["partitions"] = parts[-1] - start if parts else 0.0
        events = result.events
    else:
        from distributed import get_task_stream

        with api.cluster(workers=2, memory_limit=sys.argv[4]) as cluster:
            t["start_cluster"] = time.perf_counter() - start
            with get_task_stream(cluster.client) as stream:
                result = api.check(
                    model, log, cluster=cluster, progress=aligning, read_progress=partition_done
                )
            # each partition's task on its worker (read, map, gather its facts): the first
            # tasks started, one per file; the alignment batches come after them
            done = []
            for task in stream.data:
                compute = [s for s in task.get("startstops", ()) if s.get("action") == "compute"]
                if compute:
                    done.append((compute[0]["start"], sum(s["stop"] - s["start"] for s in compute)))
            from bpmtool.distributed.partitions import find_partitions

            files = len(find_partitions(log))
            tasks = [round(spent, 3) for _, spent in sorted(done)[:files]]
        t["partitions"] = parts[-1] - start - t["start_cluster"] if parts else 0.0
        events = result.events
    t["total"] = time.perf_counter() - start
    t["check"] = t["total"] - t.get("read", 0.0) - t.get("start_cluster", 0.0)
    t["after_partitions"] = t["check"] - t.get("partitions", 0.0) if mode != "single" else None
    t["first_to_last_alignment"] = span[-1] - span[0] if span else 0.0
    doc = json.dumps(result.to_dict(), sort_keys=True).encode()
    print(json.dumps({"times": t, "events": events, "tasks_s": tasks,
                      "json_sha1": hashlib.sha1(doc).hexdigest()}))

if __name__ == "__main__":
    main()
"""


JOURNEY_RUN = r"""
import hashlib, json, sys, time
from bpmtool import api

def main():
    mode, log, model = sys.argv[1], sys.argv[2], api.load(sys.argv[3])
    t, parts, tasks = {}, [], []

    def partition_done(done, total):
        parts.append(time.perf_counter())

    start = time.perf_counter()
    if mode == "single":
        frame = api.read_log(log)
        t["read"] = time.perf_counter() - start
        result = api.journey(model, frame)
    elif mode == "pieces":
        result = api.journey(model, log, read_progress=partition_done)
    else:
        from distributed import get_task_stream

        with api.cluster(workers=2, memory_limit=sys.argv[4]) as cluster:
            t["start_cluster"] = time.perf_counter() - start
            with get_task_stream(cluster.client) as stream:
                result = api.journey(model, log, cluster=cluster, read_progress=partition_done)
            for task in stream.data:
                compute = [s for s in task.get("startstops", ()) if s.get("action") == "compute"]
                tasks += [round(sum(s["stop"] - s["start"] for s in compute), 3)] if compute else []
    t["total"] = time.perf_counter() - start
    if parts:
        t["partitions"] = parts[-1] - start - t.get("start_cluster", 0.0)
        t["after_partitions"] = t["total"] - t["partitions"] - t.get("start_cluster", 0.0)
    data = result.to_dict()
    data.pop("notes")
    doc = json.dumps(data, sort_keys=True, default=str).encode()
    print(json.dumps({"times": t, "events": result.n_events, "cases": result.n_cases,
                      "tasks_s": tasks, "json_sha1": hashlib.sha1(doc).hexdigest()}))

if __name__ == "__main__":
    main()
"""


REPORT_RUN = r"""
import hashlib, json, sys, time
from bpmtool import api

def main():
    mode, log, model = sys.argv[1], sys.argv[2], api.load(sys.argv[3])
    t = {}
    start = time.perf_counter()

    def report(source, cluster=None):
        result = api.check(model, source, cluster=cluster)
        t["check"] = time.perf_counter() - start - t.get("read", 0.0) - t.get("start_cluster", 0.0)
        journey = api.journey(model, source, cluster=cluster)
        return result, api.report(model, check=result, journey=journey, cluster=cluster)

    if mode == "single":
        frame = api.read_log(log)
        t["read"] = time.perf_counter() - start
        result, html = report(frame)
    elif mode == "pieces":
        result, html = report(log)
    else:
        with api.cluster(workers=2, memory_limit=sys.argv[4]) as cluster:
            t["start_cluster"] = time.perf_counter() - start
            result, html = report(log, cluster)
    t["total"] = time.perf_counter() - start
    t["journey_and_report"] = (
        t["total"] - t["check"] - t.get("read", 0.0) - t.get("start_cluster", 0.0)
    )
    print(json.dumps({"times": t, "events": result.events,
                      "html_sha1": hashlib.sha1(html.encode()).hexdigest()}))

if __name__ == "__main__":
    main()
"""


def _watch(pid: int, peaks: dict[int, tuple[str, float]], stop: threading.Event) -> None:
    """Peak RSS (MB) of a process and all its descendants, by pid, until ``stop``."""
    import psutil

    try:
        root = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    while not stop.is_set():
        try:
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            break
        for p in procs:
            try:
                rss = p.memory_info().rss / 2**20
                cmd = " ".join(p.cmdline())
            except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
                continue
            role = _role(cmd, p.pid == pid)
            if rss > peaks.get(p.pid, ("", 0.0))[1]:
                peaks[p.pid] = (role, rss)
        stop.wait(0.1)


def _role(cmd: str, is_root: bool) -> str:
    if is_root:
        return "driver"
    if "spawn_main" in cmd or "multiprocessing" in cmd:
        return "worker"
    return "other"


def measure(argv: list[str]) -> dict[str, object]:
    """Run a command; its wall time, stdout's last line as JSON, and peak RSS by role."""
    peaks: dict[int, tuple[str, float]] = {}
    stop = threading.Event()
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**__import__("os").environ, "PYTHONPATH": str(ROOT)},
    )
    watcher = threading.Thread(target=_watch, args=(proc.pid, peaks, stop), daemon=True)
    watcher.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    watcher.join()
    if proc.returncode:
        raise SystemExit(f"failed: {' '.join(argv)}\n{err[-3000:]}")
    by_role: dict[str, float] = {}
    each: dict[str, list[float]] = {}
    for role, rss in peaks.values():
        by_role[role] = max(by_role.get(role, 0.0), rss)
        each.setdefault(role, []).append(round(rss, 1))
    lines = [x for x in out.strip().splitlines() if x.startswith("{")]
    return {
        "wall": wall,
        "peak_mb": by_role,
        "peak_mb_each": {r: sorted(v, reverse=True) for r, v in each.items()},
        "result": json.loads(lines[-1]) if lines else None,
    }


def make_log(events: int, generate_max: int) -> Path:
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"scale-{events}.csv"
    if path.exists():
        return path
    base_events = min(events, generate_max)
    base = DATA / f"scale-{base_events}.csv"
    if not base.exists():
        cases = round(base_events / EVENTS_PER_CASE)
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "examples" / "generate_log.py"),
                "--cases",
                str(cases),
                "--seed",
                "11",
                "-o",
                str(base),
            ],
            check=True,
        )
    if base == path:
        return path
    copies = round(events / base_events)
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        for k in range(copies):
            with base.open(encoding="utf-8") as src:
                header = src.readline()
                if k == 0:
                    out.write(header)
                for line in src:  # the case id is the first column
                    out.write(f"R{k:02d}-{line}")
    tmp.replace(path)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000, 20_000_000])
    parser.add_argument(
        "--generate-max",
        type=int,
        default=5_000_000,
        help="larger logs repeat a generated log of this many events",
    )
    parser.add_argument("--memory-limit", default="3GB", help="per worker")
    parser.add_argument(
        "--modes",
        nargs="+",
        default=["single", "pieces", "cluster"],
        choices=["single", "pieces", "cluster"],
        help="single: the CSV read whole; pieces: the partitions one after another in one "
        "process; cluster: the partitions on a LocalCluster of two workers",
    )
    parser.add_argument(
        "--skip-single-above",
        type=int,
        default=None,
        help="no single-process run above this many events",
    )
    parser.add_argument(
        "--analysis",
        choices=["check", "journey", "report"],
        default="check",
        help="what is measured: api.check, api.journey, or the report (check, journey, HTML)",
    )
    parser.add_argument(
        "--reuse-parts",
        action="store_true",
        help="keep a partitioned log written by an earlier run (no conversion measured)",
    )
    args = parser.parse_args()
    run = {"journey": JOURNEY_RUN, "report": REPORT_RUN}.get(args.analysis, RUN)
    rows = []
    for events in args.sizes:
        log = make_log(events, args.generate_max)
        parts = log.with_suffix(".parts")
        row: dict[str, object] = {"events_requested": events}
        if not (args.reuse_parts and parts.is_dir()):
            row["to_parquet"] = measure(
                [sys.executable, "-m", "bpmtool", "log", str(log), "--to-parquet", str(parts), "-q"]
            )
        if "single" in args.modes and (
            args.skip_single_above is None or events <= args.skip_single_above
        ):
            row["single"] = measure([sys.executable, "-c", run, "single", str(log), str(MODEL)])
            print(json.dumps(row["single"]), flush=True)
        if "pieces" in args.modes:
            row["pieces"] = measure([sys.executable, "-c", run, "pieces", str(parts), str(MODEL)])
            print(json.dumps(row["pieces"]), flush=True)
        if "cluster" in args.modes:
            row["cluster"] = measure(
                [sys.executable, "-c", run, "cluster", str(parts), str(MODEL), args.memory_limit]
            )
        rows.append(row)
        print(json.dumps(row), flush=True)
    name = "-".join(str(n) for n in args.sizes)
    prefix = "" if args.analysis == "check" else f"{args.analysis}-"
    out = DATA / f"scale-results-{prefix}{name}.json"
    out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
