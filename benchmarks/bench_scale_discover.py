"""Scale of the as-is discovery: one process vs. partition by partition vs. a LocalCluster of
two worker processes, at 1M and 5M events (``bpmtool discover``, ``docs/scale.md``).

The logs are ``bench_scale.py``'s (the reference model's generated log, seeded; written as
partitioned Parquet with ``bpmtool log --to-parquet``, one partition per million events).
Each way runs in its own subprocess:

* **single**: ``api.read_log`` of the CSV and ``api.discover`` — what ``bpmtool discover``
  of the CSV does;
* **pieces**: ``api.discover(PARTS)`` without a cluster: the partitions one after another in
  one process (read twice: counted, then measured on the model), the facts merged;
* **cluster**: ``api.cluster(workers=2)`` and ``api.discover(PARTS, cluster=...)``: each
  partition read and reduced to its facts on a worker, the facts merged on the client.

Measured: wall time, the peak resident memory of every process (sampled every 0.1 s), each
partition task's time on its worker (Dask's task stream), and a hash of the result's JSON
and of the model's YAML, which must be the same all three ways.

    python benchmarks/bench_scale_discover.py                  # 1M and 5M events
    python benchmarks/bench_scale_discover.py --sizes 100000   # a quick run
"""

from __future__ import annotations

import argparse
import json
import sys

from bench_scale import DATA, make_log, measure

RUN = r"""
import hashlib, json, sys, time
from bpmtool import api

def main():
    mode, log = sys.argv[1], sys.argv[2]
    t = {}
    parts = []

    def partition_done(done, total):
        parts.append(time.perf_counter())

    start = time.perf_counter()
    tasks = []
    if mode == "single":
        frame = api.read_log(log)
        t["read"] = time.perf_counter() - start
        found = api.discover(frame)
    elif mode == "pieces":  # one process, the partitions one after another
        found = api.discover(log, progress=partition_done)
    else:
        from distributed import get_task_stream

        with api.cluster(workers=2, memory_limit=sys.argv[3]) as cluster:
            t["start_cluster"] = time.perf_counter() - start
            with get_task_stream(cluster.client) as stream:
                found = api.discover(log, cluster=cluster, progress=partition_done)
            for task in stream.data:
                compute = [s for s in task.get("startstops", ()) if s.get("action") == "compute"]
                if compute:
                    spent = sum(s["stop"] - s["start"] for s in compute)
                    tasks.append((compute[0]["start"], spent))
            tasks = [round(spent, 3) for _, spent in sorted(tasks)]
    if parts:
        t["partitions"] = parts[-1] - start - t.get("start_cluster", 0.0)
    t["total"] = time.perf_counter() - start
    t["discover"] = t["total"] - t.get("read", 0.0) - t.get("start_cluster", 0.0)
    if parts:
        t["after_partitions"] = t["discover"] - t["partitions"]
    doc = json.dumps(found.to_dict(), sort_keys=True).encode()
    print(json.dumps({
        "times": t, "events": found.events, "cases": found.cases, "variants": found.variants,
        "tasks_s": tasks, "json_sha1": hashlib.sha1(doc).hexdigest(),
        "yaml_sha1": hashlib.sha1(api.dump_model(found.model).encode()).hexdigest(),
    }))

if __name__ == "__main__":
    main()
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 5_000_000])
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
    )
    args = parser.parse_args()
    rows = []
    for events in args.sizes:
        log = make_log(events, args.generate_max)
        parts = log.with_suffix(".parts")
        if not parts.is_dir():
            measure([sys.executable, "-m", "bpmtool", "log", str(log), "--to-parquet", str(parts)])
        row: dict[str, object] = {"events_requested": events}
        for mode in args.modes:
            source = log if mode == "single" else parts
            argv = [sys.executable, "-c", RUN, mode, str(source)]
            row[mode] = measure([*argv, args.memory_limit] if mode == "cluster" else argv)
            print(json.dumps({mode: row[mode]}), flush=True)
        hashes = {
            (r["result"]["json_sha1"], r["result"]["yaml_sha1"])  # type: ignore[index]
            for m, r in row.items()
            if m in args.modes
        }
        row["same_result"] = len(hashes) == 1
        rows.append(row)
        print(json.dumps({"events": events, "same_result": row["same_result"]}), flush=True)
    out = DATA / f"scale-discover-{'-'.join(str(n) for n in args.sizes)}.json"
    out.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
