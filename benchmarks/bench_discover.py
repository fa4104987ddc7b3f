"""bpmtool discover at 10k, 100k and 1M events (goal: 1M events in under 30 s), next to the
plain pm4py script that discovers a process tree with the inductive miner.

Two generated logs per size: the reference model's simulation (``examples/generate_log.py``,
about 35 variants) and the B2B log with 70 % noise (``benchmarks/generate_b2b.py``, about
15,000 variants at 1.2M events: the inductive miner's hard case).  Each way runs in its own
fresh interpreter; wall time and peak RSS include starting Python and importing pandas and
pm4py (about 2 s and 220 MB on their own).

* **bpmtool**: ``api.discover(path)`` — reading, lanes and shares, the variants, the
  inductive miner (IMf, paths 80 %), the model, flow numbers, handoffs with waits, lint,
  the SIPOC — then the process map SVG;
* **plain pm4py**: ``pm4py.read_xes`` / ``pd.read_csv`` + ``format_dataframe``, then
  ``pm4py.discover_process_tree_inductive(df, noise_threshold=0.2)`` (the tree only).

    python benchmarks/bench_discover.py                      # 10k, 100k, 1M events
    python benchmarks/bench_discover.py --sizes 1000000 --logs saas
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
EVENTS_PER_CASE = {"saas": 18.5, "b2b": 15.4}
GOAL_S = 30.0

BPMTOOL = r"""
import sys, time, json
t0 = time.perf_counter()
from bpmtool import api
df = api.read_log(sys.argv[1])
t1 = time.perf_counter()
found = api.discover(df)
t2 = time.perf_counter()
svg = api.render_svg(found.model, discovery=found)
t3 = time.perf_counter()
print(json.dumps({"read": t1 - t0, "discover": t2 - t1, "draw": t3 - t2,
                  "cases": found.cases, "variants": found.variants,
                  "activities": len(found.model.activities()), "flows": len(found.model.flows)}))
"""

PLAIN = r"""
import sys, warnings, contextlib, io
warnings.filterwarnings("ignore")
with contextlib.redirect_stdout(io.StringIO()):
    import pm4py
import pandas as pd
path = sys.argv[1]
if path.endswith(".csv"):
    df = pd.read_csv(path)
    df = pm4py.format_dataframe(df, case_id="case_id", activity_key="activity",
                                timestamp_key="timestamp")
else:
    df = pm4py.read_xes(path)
tree = pm4py.discover_process_tree_inductive(df, noise_threshold=0.2)
print(str(tree)[:40])
"""


def _measure(code: str, log: Path) -> tuple[float, float, float, str]:
    """Wall seconds, peak MB, CPU seconds (user + system) and the last line printed."""
    wrapper = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "w = time.perf_counter() - t\n"
        "if p.returncode: sys.stderr.write(p.stderr); sys.exit(1)\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "c = u.ru_utime + u.ru_stime\n"
        "print(json.dumps([w, u.ru_maxrss / 1024, c, p.stdout.strip().splitlines()[-1]]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, sys.executable, "-c", code, str(log)],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"run failed on {log}:\n{proc.stderr[-3000:]}")
    wall, rss, cpu, out = json.loads(proc.stdout.strip().splitlines()[-1])
    return float(wall), float(rss), float(cpu), str(out)


def _log(kind: str, events: int) -> Path:
    DATA.mkdir(parents=True, exist_ok=True)
    cases = max(1, round(events / EVENTS_PER_CASE[kind]))
    if kind == "saas":
        path = DATA / f"saas-{events}.csv"
        command = [str(ROOT / "examples" / "generate_log.py"), "--cases", str(cases)]
        command += ["--seed", "1", "-o", str(path)]
    else:
        path = DATA / f"b2b-noisy-{events}.csv"
        command = [str(ROOT / "benchmarks" / "generate_b2b.py"), "--cases", str(cases)]
        command += ["--noise", "0.7", "--seed", "1", "-o", str(path)]
    if not path.exists():
        subprocess.run([sys.executable, *command], check=True, capture_output=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description="bpmtool discover vs plain pm4py")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--logs", nargs="*", default=["saas", "b2b"])
    parser.add_argument("--no-plain", action="store_true", help="Only bpmtool.")
    args = parser.parse_args()
    print(
        f"{'log':>5} {'events':>9} | {'bpmtool s':>9} {'cpu s':>6} {'MB':>6} "
        f"(read / discover / draw) | {'pm4py IMf s':>11} {'cpu s':>6} {'MB':>6} | variants | goal"
    )
    for size in args.sizes:
        for kind in args.logs:
            log = _log(kind, size)
            wall, rss, cpu, out = _measure(BPMTOOL, log)
            parts = json.loads(out)
            plain = ""
            if not args.no_plain:
                p_wall, p_rss, p_cpu, _ = _measure(PLAIN, log)
                plain = f"{p_wall:>11.1f} {p_cpu:>6.1f} {p_rss:>6.0f}"
            goal = "-" if size < 1_000_000 else ("met" if wall < GOAL_S else "NOT MET")
            print(
                f"{kind:>5} {size:>9,} | {wall:>9.1f} {cpu:>6.1f} {rss:>6.0f} "
                f"({parts['read']:.1f} / {parts['discover']:.1f} / {parts['draw']:.1f}) | "
                f"{plain:>25} | {parts['variants']:>8,} | {goal} (< {GOAL_S:.0f} s)",
                flush=True,
            )


if __name__ == "__main__":
    main()
