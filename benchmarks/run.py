"""Run every benchmark in turn (what `make benchmarks` does); each prints its own figures.

python benchmarks/run.py            # all, at their full sizes (the check takes ~10 min)
python benchmarks/run.py --quick    # small sizes, a few minutes
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    runs = [
        ["bench_lint.py"],
        ["bench_render.py", *(["300"] if quick else [])],
        ["bench_bpmn.py", *(["300"] if quick else ["5000"])],
        ["bench_journey.py", *(["--events", "200000"] if quick else [])],
        ["bench_check.py", *(["--sizes", "10000", "100000"] if quick else [])],
        ["bench_discover.py", *(["--sizes", "10000", "100000"] if quick else [])],
        ["bench_web.py", *(["--events", "10000"] if quick else [])],
        ["bench_cases.py", *(["--events", "100000"] if quick else [])],
        ["bench_modeler.py", *(["--runs", "2"] if quick else [])],  # needs make web-assets
        # the full sizes (1M, 5M, 20M events) take about an hour on two cores
        ["bench_scale.py", *(["--sizes", "100000"] if quick else [])],
    ]
    failed = 0
    for script, *args in runs:
        print(f"\n== {script} {' '.join(args)}".rstrip(), flush=True)
        failed |= subprocess.run([sys.executable, str(HERE / script), *args]).returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
