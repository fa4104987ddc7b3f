"""Alignments on models discovered from real logs: bpmtool vs pm4py on the same net.

For each log (SEPSIS, Hospital Billing and BPI Challenge 2020 travel permits with one trace
per variant; BPI Challenge 2012 whole), pm4py's inductive miner discovers a model, written as
BPMN by ``pm4py.write_bpmn``; both sides align on the Petri net bpmtool builds from that
file (the same net as pm4py's own conversion, see docs/conformance.md):

* **sample, no time limit**: the same ``--sample`` variants (drawn with a fixed seed)
  aligned by ``pm4py.conformance_diagnostics_alignments`` and by bpmtool (no time limit, its
  default memory bounds), each in its own process, ``--rounds`` times in turn (pm4py first
  in odd rounds, bpmtool first in even ones): aligning time summed over the rounds, peak
  memory of the process, and whether every cost is the same.  Rounds, because the work of
  pm4py's A* on one variant differs from process to process: where several states have the
  same estimate, which one it expands first follows Python's hashes of the synchronous
  product's places and transitions, which are memory addresses; on 10 SEPSIS variants
  pm4py's own aligning took from 1× to 1.8× its fastest run;
* **whole log, default budget**: bpmtool's alignments of every variant with the default
  budget: time, peak memory, variants approximated, share of cases aligned exactly.

One run prints a line per measurement and, at the end, the table of all logs (with the
load average before and after) in the form of benchmarks/README.md.

    python benchmarks/bench_alignments.py                  # all four logs
    python benchmarks/bench_alignments.py --logs 13_SEPSIS --sample 20
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_b2b import DATA, DISCOVER, ROOT, _measure

LOGS = {
    "13_SEPSIS": "13_SEPSIS_1t_per_variant.xes.gz",
    "14_Billing": "14_Billing_1t_per_variant.xes.gz",
    "15_bpic2020": "15_bpic2020_permit_log_1t_per_variant.xes.gz",
    "bpic2012": "bpic2012.xes.gz",
}

#: the sample's variants: bpmtool's variants in order, a fixed-seed draw of ``n`` of them
SAMPLE = r"""
import random
from bpmtool import api
from bpmtool.mining.conformance import variants
def sample(log, n):
    found = variants(api.read_log(log))
    return found if n <= 0 else random.Random(7).sample(found, min(n, len(found)))
# the linear programs pm4py's A* solves, counted on both sides alike (its results say them)
SOLVED = [0]
def count_solved():
    from pm4py.algo.conformance.alignments.petri_net.variants import state_equation_a_star
    search = state_equation_a_star.apply
    def counted(*args, **kwargs):
        found = search(*args, **kwargs)
        SOLVED[0] += found["lp_solved"] if found is not None else 0
        return found
    state_equation_a_star.apply = counted
"""

PLAIN = (
    SAMPLE
    + r"""
import sys, json, time, warnings, contextlib, io
warnings.filterwarnings("ignore")
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    import pm4py
    from pm4py.objects.log.obj import Event, EventLog, Trace
    from bpmtool.mining.petri import to_petri_net
    picked = sample(sys.argv[1], int(sys.argv[3]))
    wf = to_petri_net(api.load(sys.argv[2]))
    log = EventLog([Trace([Event({"concept:name": a}) for a in v.labels]) for v in picked])
    count_solved()
    t, cpu = time.perf_counter(), time.process_time()
    found = pm4py.conformance_diagnostics_alignments(log, wf.net, wf.initial, wf.final)
    took, cpu = time.perf_counter() - t, time.process_time() - cpu
print(json.dumps({"align_s": took, "align_cpu": cpu, "solved": SOLVED[0],
                  "costs": [int(a["cost"]) for a in found]}))
"""
)

OURS = (
    SAMPLE
    + r"""
import sys, json, time
from collections import Counter
from bpmtool.mining.alignments import AlignmentBudget
from bpmtool.mining.conformance import conformance
from bpmtool.mining.petri import to_petri_net
picked = sample(sys.argv[1], int(sys.argv[3]))
wf = to_petri_net(api.load(sys.argv[2]))
own = {} if sys.argv[5] == "all" else {"layers_mb": 0}  # "pm4py": its A* past the table
budget = AlignmentBudget(variant_s=1e9, total_s=1e9, **own) if sys.argv[4] == "exact" else (
    AlignmentBudget(**own))
count_solved()
t, cpu = time.perf_counter(), time.process_time()
result = conformance(wf, picked, replay=False, budget=budget)
took, cpu = time.perf_counter() - t, time.process_time() - cpu
print(json.dumps({"align_s": took, "align_cpu": cpu, "solved": SOLVED[0],
                  "costs": [v.alignment.cost for v in picked],
                  "approximated": len(result.approximated), "variants": len(picked),
                  "fitness": result.alignment_fitness,
                  "exact_share": result.aligned_exactly_share,
                  "searches": dict(Counter(v.alignment.search for v in picked))}))
"""
)


def _rounds(
    rounds: int, log: str, model: str, n: str, timeout: float, own: str
) -> tuple[tuple[float, float, dict], tuple[float, float, dict] | None]:
    """Both sides ``rounds`` times in turn; per side the wall time and aligning time summed,
    the largest peak, and the costs (the same in every round: the alignments are optimal);
    pm4py's side is ``None`` when a round did not finish in ``timeout`` seconds."""
    ours: tuple[float, float, dict] | None = None
    plain: tuple[float, float, dict] | None = None
    for r in range(max(rounds, 1)):
        for side in ("plain", "ours") if r % 2 == 0 else ("ours", "plain"):
            if side == "ours":
                got = _measure(OURS, log, model, n, "exact", own)
                assert got is not None
                print(f"  round {r + 1}: bpmtool {_said(got[2])}", flush=True)
                ours = got if ours is None else _add(ours, got)
            else:
                got = _measure(PLAIN, log, model, n, timeout=timeout)
                if got is None:
                    return _finish(ours, log, model, n, own), None
                print(f"  round {r + 1}: pm4py {_said(got[2])}", flush=True)
                plain = got if plain is None else _add(plain, got)
    assert ours is not None
    return ours, plain


def _said(got: dict) -> str:
    return (
        f"{got['align_s']:.1f} s aligning, {got['align_cpu']:.1f} s CPU, "
        f"{got['solved']:,} linear programs"
    )


def _finish(
    ours: tuple[float, float, dict] | None, log: str, model: str, n: str, own: str
) -> tuple[float, float, dict]:
    if ours is not None:
        return ours
    got = _measure(OURS, log, model, n, "exact", own)
    assert got is not None
    return got


def _add(a: tuple[float, float, dict], b: tuple[float, float, dict]) -> tuple[float, float, dict]:
    assert a[2]["costs"] == b[2]["costs"], "optimal costs differ between rounds"
    summed = {k: a[2][k] + b[2][k] for k in ("align_s", "align_cpu", "solved")}
    return a[0] + b[0], max(a[1], b[1]), {**a[2], **summed}


def main() -> None:
    parser = argparse.ArgumentParser(description="alignments vs pm4py on discovered models")
    parser.add_argument("--logs", nargs="*", default=list(LOGS))
    parser.add_argument("--sample", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3, help="processes per side, in turn")
    parser.add_argument(
        "--bpmtool-searches",
        choices=["all", "pm4py"],
        default="all",
        help="pm4py: bpmtool's layered search off, so that past the all-pairs table both "
        "sides run pm4py's A* (what bpmtool's path around it costs)",
    )
    parser.add_argument("--whole", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument(
        "--plain-timeout", type=float, default=900, help="seconds pm4py may take on a sample"
    )
    args = parser.parse_args()
    corpus = Path(os.environ.get("BPMTOOL_TEST_DATA") or ROOT.parent / "shared" / "data")
    DATA.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    rows = []
    for name in args.logs:
        log = corpus / "logs" / LOGS[name]
        model = DATA / f"{name}-inductive.bpmn"
        if not model.exists():
            subprocess.run([sys.executable, "-c", DISCOVER, str(log), str(model)], check=True)
        n = str(args.sample)
        ours, plain = _rounds(
            args.rounds, str(log), str(model), n, args.plain_timeout, args.bpmtool_searches
        )
        searches = ", ".join(f"{k} {v}" for k, v in sorted(ours[2]["searches"].items()))
        if plain is None:
            print(
                f"{name:<12} | sample of {n} variants | pm4py did not finish in "
                f"{args.plain_timeout:.0f} s | bpmtool {ours[2]['align_s']:.1f} s aligning "
                f"({searches}), {ours[0]:.1f} s / {ours[1]:.0f} MB in all",
                flush=True,
            )
            row = [
                name,
                f"> {args.plain_timeout:.0f} (stopped)",
                f"{ours[2]['align_s']:.1f}",
                f"< {ours[2]['align_s'] / args.plain_timeout:.2f}",
                "-",
                f"- / {ours[1]:.0f}",
                searches,
            ]
        else:
            same = plain[2]["costs"] == ours[2]["costs"]
            ratio = ours[2]["align_s"] / max(plain[2]["align_s"], 1e-9)
            print(
                f"{name:<12} | sample of {n} variants × {args.rounds}, no time limit | pm4py "
                f"{plain[2]['align_s']:.1f} s aligning, {plain[0]:.1f} s / {plain[1]:.0f} MB "
                f"in all | bpmtool {ours[2]['align_s']:.1f} s aligning ({searches}), "
                f"{ours[0]:.1f} s / {ours[1]:.0f} MB in all | {ratio:.2f}× pm4py's aligning "
                f"time | same costs: {same}",
                flush=True,
            )
            if ours[2]["solved"] and plain[2]["solved"]:
                # the work of pm4py's A* differs from process to process: per linear program
                # solved, the CPU time of the path around it on each side
                per_plain = 1000 * plain[2]["align_cpu"] / plain[2]["solved"]
                per_ours = 1000 * ours[2]["align_cpu"] / ours[2]["solved"]
                cpu = ours[2]["align_cpu"] / plain[2]["align_cpu"]
                print(
                    f"{name:<12} | pm4py {_said(plain[2])} | bpmtool {_said(ours[2])} | CPU "
                    f"per linear program: pm4py {per_plain:.3f} ms, bpmtool {per_ours:.3f} ms "
                    f"({per_ours / per_plain:.2f}×); CPU {cpu:.2f}×",
                    flush=True,
                )
            row = [
                name,
                f"{plain[2]['align_s']:.1f}",
                f"{ours[2]['align_s']:.1f}",
                f"{ratio:.2f}",
                "yes" if same else "NO",
                f"{plain[1]:.0f} / {ours[1]:.0f}",
                searches,
            ]
        if args.whole:
            whole = _measure(OURS, str(log), str(model), "0", "default", args.bpmtool_searches)
            assert whole is not None
            w = whole[2]
            print(
                f"{name:<12} | all {w['variants']} variants, default budget | bpmtool "
                f"{w['align_s']:.1f} s aligning, {whole[0]:.1f} s / {whole[1]:.0f} MB in all, "
                f"{w['approximated']} approximated, {w['exact_share']:.1%} of cases exact, "
                f"fitness {w['fitness']:.4f}",
                flush=True,
            )
            row += [
                f"{w['variants']:,}",
                f"{w['align_s']:.1f}",
                f"{whole[1]:.0f}",
                f"{w['approximated']} ({w['exact_share']:.1%} of cases exact)",
                f"{w['fitness']:.4f}",
            ]
        rows.append(row)
    load_after = os.getloadavg()
    print(f"\nload average (1, 5, 15 min) before {load_before}, after {load_after}")
    head = [
        "log",
        f"pm4py s ({args.sample} variants × {args.rounds} rounds)",
        "bpmtool s",
        "bpmtool / pm4py",
        "same costs",
        "peak MB pm4py / bpmtool",
        "bpmtool's searches",
    ]
    if args.whole:
        head += ["variants", "whole log s", "MB", "approximated", "fitness"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(json.dumps({"done": True}))


if __name__ == "__main__":
    main()
