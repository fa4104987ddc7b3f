"""Render a generated 300-node, 8-lane model: layout + SVG, and the whole `bpmtool render`.

Goal (issue 5): under 1 s.  Also times 1,000 and 5,000 nodes to show how it grows.

    python benchmarks/bench_render.py            # 300, 1000 and 5000 nodes
    python benchmarks/bench_render.py 300        # one size
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_model import generate_model

from bpmtool import api
from bpmtool.layout import layout_model
from bpmtool.model import Model


def measure(nodes: int, lanes: int = 8, repeats: int = 3) -> None:
    model = Model.model_validate(generate_model(nodes, lanes))
    findings = api.lint(model)
    best_layout = best_svg = float("inf")
    svg = ""
    for _ in range(repeats):
        t0 = time.perf_counter()
        lay = layout_model(model)
        t1 = time.perf_counter()
        svg = api.render_svg(model, findings=findings)
        t2 = time.perf_counter()
        best_layout, best_svg = min(best_layout, t1 - t0), min(best_svg, t2 - t1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.yaml"
        path.write_text(yaml.safe_dump(generate_model(nodes, lanes), sort_keys=False))
        t0 = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bpmtool",
                "render",
                str(path),
                "-o",
                str(Path(tmp) / "out.svg"),
            ],
            check=True,
        )
        cli = time.perf_counter() - t0
    print(
        f"{len(model.nodes):>5} nodes, {len(model.flows):>5} flows, {lanes} lanes, "
        f"{len(findings)} findings: layout {best_layout:.3f} s, layout+SVG {best_svg:.3f} s "
        f"({len(svg) / 1e6:.2f} MB, {lay.width:.0f}x{lay.height:.0f} px); "
        f"`bpmtool render` end to end {cli:.2f} s"
    )


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [300, 1000, 5000]
    for n in sizes:
        measure(n)
    print("goal: the 300-node model rendered in under 1 s (layout+SVG, best of 3)")


if __name__ == "__main__":
    main()
