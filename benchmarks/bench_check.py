"""bpmtool check vs. the plain pm4py script a user would write, side by side in one run.

For each size (events) and format (XES, CSV) the log is generated once (seeded), then both
ways run in their own subprocess, measured for wall time and peak memory (ru_maxrss):

* plain pm4py: read the log (``pm4py.read_xes`` / ``pd.read_csv`` + ``format_dataframe``),
  the same Petri net, token-based replay diagnostics and alignment diagnostics.  For XES it
  runs twice: with pm4py's default importer (``iterparse``: what ``read_xes`` uses when
  rustxes is not installed, the baseline the issue measured) and with ``read_xes``'s own
  choice here (rustxes, which bpmtool installs and pm4py then picks by itself);
* bpmtool: ``api.check`` — reading, mapping, replay and alignments on variants, precision,
  and the handoff analysis on top.

    python benchmarks/bench_check.py                 # 10k, 100k and 1M events
    python benchmarks/bench_check.py --sizes 10000   # a quick run
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
MODEL = ROOT / "models" / "saas-handoffs.yaml"
EVENTS_PER_CASE = 18.5  # what the generator averages for the reference model

PLAIN = r"""
import sys, warnings, contextlib, io
warnings.filterwarnings("ignore")
with contextlib.redirect_stdout(io.StringIO()):
    import pm4py
import pandas as pd
from bpmtool.io.yaml_model import load_model
from bpmtool.mining.petri import to_petri_net
path = sys.argv[1]
if path.endswith(".csv"):
    df = pd.read_csv(path)
    df = pm4py.format_dataframe(df, case_id="case_id", activity_key="activity",
                                timestamp_key="timestamp")
elif sys.argv[3] == "auto":
    df = pm4py.read_xes(path)
else:
    df = pm4py.read_xes(path, variant=sys.argv[3])
wf = to_petri_net(load_model(sys.argv[2]))
tbr = pm4py.conformance_diagnostics_token_based_replay(df, wf.net, wf.initial, wf.final)
ali = pm4py.conformance_diagnostics_alignments(df, wf.net, wf.initial, wf.final)
print(len(tbr), len(ali))
"""

BPMTOOL = r"""
import sys
from bpmtool import api
result = api.check(api.load(sys.argv[2]), sys.argv[1])
print(result.summary()["cases"], len(result.findings))
"""


def _measure(code: str, log: Path, variant: str = "auto") -> tuple[float, float]:
    wrapper = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "w = time.perf_counter() - t\n"
        "if p.returncode: sys.stderr.write(p.stderr); sys.exit(1)\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps([w, r]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, sys.executable, "-c", code, str(log), str(MODEL), variant],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"run failed on {log}:\n{proc.stderr[-3000:]}")
    wall, rss = json.loads(proc.stdout.strip().splitlines()[-1])
    return float(wall), float(rss)


def _log(events: int, suffix: str) -> Path:
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"saas-{events}{suffix}"
    if not path.exists():
        cases = max(1, round(events / EVENTS_PER_CASE))
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "examples" / "generate_log.py"),
                "--cases",
                str(cases),
                "--seed",
                "1",
                "-o",
                str(path),
            ],
            check=True,
            capture_output=True,
        )
    return path


#: the issue's goals at 1M events against the plain script (XES read with pm4py's default
#: importer): time at most these shares, and at most half the peak memory
GOALS = {"iterparse": 0.2, "read_csv": 0.7}


def _goal(size: int, variant: str, time_x: float, memory_x: float) -> str:
    if size < 1_000_000 or variant not in GOALS:
        return "-"
    limit = GOALS[variant]
    met = time_x <= limit and memory_x <= 0.5
    return f"{'met' if met else 'NOT MET'} (time <= {limit}, memory <= 0.5)"


def main() -> None:
    parser = argparse.ArgumentParser(description="bpmtool check vs plain pm4py")
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--formats", nargs="*", default=["xes", "csv"])
    args = parser.parse_args()
    print(
        f"{'events':>9} {'format':>6} {'pm4py reads with':>17} | {'pm4py s':>8} {'MB':>6} | "
        f"{'bpmtool s':>9} {'MB':>6} | {'time ×':>6} {'memory ×':>8} | goal at 1M events"
    )
    for size in args.sizes:
        for fmt in args.formats:
            log = _log(size, ".xes" if fmt == "xes" else ".csv")
            ours_s, ours_mb = _measure(BPMTOOL, log)
            for variant in ("iterparse", "auto") if fmt == "xes" else ("read_csv",):
                plain_s, plain_mb = _measure(PLAIN, log, variant)
                shown = {"auto": "rustxes (auto)"}.get(variant, variant)
                time_x, memory_x = ours_s / plain_s, ours_mb / plain_mb
                print(
                    f"{size:>9,} {fmt:>6} {shown:>17} | {plain_s:>8.1f} {plain_mb:>6.0f} | "
                    f"{ours_s:>9.1f} {ours_mb:>6.0f} | {time_x:>6.2f} {memory_x:>8.2f} | "
                    f"{_goal(size, variant, time_x, memory_x)}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
