"""Memory of pm4py's searches under bpmtool's bound, on models discovered from real logs.

For each log (SEPSIS, Hospital Billing, BPI Challenge 2020 travel permits: one trace per
variant; the models of ``bench_alignments.py``) and each ``variant_mb``, one process aligns
the sample of ``bench_alignments.py`` (a fixed-seed draw of variants) and the log's longest
variant with no time limit, one variant at a time, with the layered search off
(``layers_mb=0``: its graph has its own budget; what is measured here is pm4py's search).
Before each variant the process's peak resident memory is reset (``/proc/self/clear_refs``),
and after it ``VmHWM`` says how far that variant's alignment took the process above where it
started.  The bound holds when no variant grew it by more than ``variant_mb`` (plus what an
alignment holds besides its search: the synchronous product, a few MB at most).

    python benchmarks/bench_align_memory.py
    python benchmarks/bench_align_memory.py --logs 15_bpic2020 --budgets 64 256 --sample 5
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_alignments import LOGS, SAMPLE
from bench_b2b import DATA, DISCOVER, ROOT

CHILD = (
    SAMPLE
    + r"""
import gc, json, sys, time
from bpmtool.mining.alignments import AlignmentBudget
from bpmtool.mining.conformance import conformance
from bpmtool.mining.petri import to_petri_net

def status(key):
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) * 1024 for l in fh if l.startswith(key + ":"))

found = sample(sys.argv[1], 0)
picked = sample(sys.argv[1], int(sys.argv[3]))
picked.append(max(found, key=lambda v: len(v.labels)))
wf = to_petri_net(api.load(sys.argv[2]))
budget = AlignmentBudget(variant_s=1e9, total_s=1e9, variant_mb=float(sys.argv[4]), layers_mb=0)
conformance(wf, found[:1], replay=False, budget=budget)  # modules loaded, solver warmed up
del found
gc.collect()
base = status("VmRSS")
rows = []
for v in picked:
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")
    start = status("VmRSS")
    t = time.process_time()
    conformance(wf, [v], replay=False, budget=budget)
    rows.append({"events": len(v.labels), "start": start, "peak": status("VmHWM"),
                 "cpu": time.process_time() - t, "search": v.alignment.search})
print(json.dumps({"base": base, "rows": rows}))
"""
)


def main() -> None:
    parser = argparse.ArgumentParser(description="memory of alignments under variant_mb")
    parser.add_argument("--logs", nargs="*", default=["13_SEPSIS", "14_Billing", "15_bpic2020"])
    parser.add_argument("--budgets", nargs="*", type=float, default=[64.0, 256.0])
    parser.add_argument("--sample", type=int, default=10)
    args = parser.parse_args()
    corpus = Path(os.environ.get("BPMTOOL_TEST_DATA") or ROOT.parent / "shared" / "data")
    DATA.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    load_before = os.getloadavg()
    table = []
    for name in args.logs:
        log = corpus / "logs" / LOGS[name]
        model = DATA / f"{name}-inductive.bpmn"
        if not model.exists():
            subprocess.run([sys.executable, "-c", DISCOVER, str(log), str(model)], check=True)
        for mb in args.budgets:
            done = subprocess.run(
                [sys.executable, "-c", CHILD, str(log), str(model), str(args.sample), str(mb)],
                capture_output=True,
                text=True,
                env=env,
                check=False,
            )
            if done.returncode:
                raise SystemExit(done.stderr[-3000:])
            got = json.loads(done.stdout.strip().splitlines()[-1])
            rows = got["rows"]
            grew = [(r["peak"] - r["start"]) / (1 << 20) for r in rows]
            stopped = sum(r["search"] == "approximate" for r in rows)
            peak = max(r["peak"] for r in rows) / (1 << 20)
            held = "yes" if max(grew) <= mb else "NO"
            print(
                f"{name:<12} | variant_mb {mb:.0f} | {len(rows)} variants, {stopped} stopped "
                f"by a bound | largest growth of one variant {max(grew):.1f} MB | process "
                f"{got['base'] / (1 << 20):.0f} MB before, peak {peak:.0f} MB | "
                f"{sum(r['cpu'] for r in rows):.1f} s CPU | bound held: {held}",
                flush=True,
            )
            table.append(
                [
                    name,
                    f"{mb:.0f}",
                    f"{len(rows)} ({stopped} stopped)",
                    f"{max(grew):.1f}",
                    f"{got['base'] / (1 << 20):.0f} / {peak:.0f}",
                    held,
                ]
            )
    load_after = os.getloadavg()
    print(f"\nload average (1, 5, 15 min) before {load_before}, after {load_after}")
    head = [
        "log",
        "variant_mb",
        "variants aligned",
        "largest growth of one variant (MB)",
        "process before / peak (MB)",
        "bound held",
    ]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in table:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
