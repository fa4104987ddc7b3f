"""Lint a generated 5,000-node model: load (YAML) + validate + every static rule.

Goal (issue 2): under 2 s.  Prints measured times; run with `python benchmarks/bench_lint.py`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_model import generate_model

from bpmtool import api


def main(nodes: int = 5000, lanes: int = 8, repeats: int = 3) -> None:
    text = yaml.safe_dump(generate_model(nodes, lanes), sort_keys=False)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.yaml"
        path.write_text(text)
        best_load = best_lint = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            model = api.load(path)
            t1 = time.perf_counter()
            findings = api.lint(model)
            t2 = time.perf_counter()
            best_load, best_lint = min(best_load, t1 - t0), min(best_lint, t2 - t1)
    print(
        f"model: {len(model.nodes)} nodes, {len(model.flows)} flows, {lanes} lanes, "
        f"{len(text) / 1e6:.2f} MB YAML; findings: {len(findings)}"
    )
    print(
        f"load+validate {best_load:.3f} s, rules {best_lint:.3f} s, "
        f"total {best_load + best_lint:.3f} s (goal < 2 s; best of {repeats})"
    )


if __name__ == "__main__":
    main()
