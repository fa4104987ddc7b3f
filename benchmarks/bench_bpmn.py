"""Import and render a 5,000-node BPMN file that carries its author's diagram (BPMNDI).

Goal: a 5,000-node BPMN imports and renders in under 10 s.

The file is made from the generated swimlane model (benchmarks/generate_model.py): exported
to BPMN with its diagram, then stripped of everything bpmtool adds (its extension elements
and attributes), so it reads as a modeller's file would: a collaboration, one pool with 8
lanes, tasks, gateways, events, data objects, sequence and message flows, and a shape or
edge for each.  Timed: reading it (parse + model + diagram), drawing the SVG on the
author's layout, the export back to BPMN, and `bpmtool render` end to end.

    python benchmarks/bench_bpmn.py            # 300, 1000 and 5000 nodes
    python benchmarks/bench_bpmn.py 5000       # one size
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate_model import generate_model

from bpmtool import api
from bpmtool.io.bpmn import BPMTOOL_NS, read_bpmn
from bpmtool.model import Model


def modeller_file(nodes: int, lanes: int = 8) -> bytes:
    """A BPMN file with DI as a modelling tool writes it: no bpmtool extensions."""
    model = Model.model_validate(generate_model(nodes, lanes))
    root = etree.fromstring(api.export_bpmn(model))
    ours = f"{{{BPMTOOL_NS}}}"
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        if el.tag.startswith(ours):
            holder = el.getparent()
            holder.remove(el)
            if holder.tag.endswith("extensionElements") and len(holder) == 0:
                holder.getparent().remove(holder)
            continue
        for key in [k for k in el.attrib if k.startswith(ours)]:
            del el.attrib[key]
    etree.cleanup_namespaces(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def measure(nodes: int, repeats: int = 3) -> None:
    data = modeller_file(nodes)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big.bpmn"
        path.write_bytes(data)
        best_read = best_svg = best_export = cpu = float("inf")
        model = None
        svg = ""
        for _ in range(repeats):
            c0 = time.process_time()
            t0 = time.perf_counter()
            model, _ = read_bpmn(path)
            t1 = time.perf_counter()
            svg = api.render_svg(model)
            t2 = time.perf_counter()
            cpu = min(cpu, time.process_time() - c0)
            api.export_bpmn(model)
            t3 = time.perf_counter()
            best_read = min(best_read, t1 - t0)
            best_svg = min(best_svg, t2 - t1)
            best_export = min(best_export, t3 - t2)
        assert model is not None and model.diagram is not None  # the author's layout
        out = Path(tmp) / "big.svg"
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bpmtool", "render", str(path), "-o", str(out)], check=True
        )
        cli = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    shapes, edges = len(model.diagram.shapes), len(model.diagram.edges)
    print(
        f"{len(model.nodes):>5} nodes, {len(model.flows):>5} flows, {len(model.lanes)} lanes, "
        f"{shapes} shapes, {edges} edges, {len(data) / 1e6:.2f} MB BPMN: "
        f"import {best_read:.3f} s, import+SVG {best_read + best_svg:.3f} s "
        f"(SVG {best_svg:.3f} s, {len(svg) / 1e6:.2f} MB; CPU {cpu:.3f} s), "
        f"export {best_export:.3f} s; `bpmtool render` end to end {cli:.2f} s "
        f"(CPU {cli_cpu:.2f} s); load {os.getloadavg()[0]:.1f}"
    )


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [300, 1000, 5000]
    for n in sizes:
        measure(n)
    print("goal: a 5,000-node BPMN imported and rendered in under 10 s (end to end)")


if __name__ == "__main__":
    main()
