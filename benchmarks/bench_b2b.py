"""bpmtool check vs. the plain pm4py script on logs it was not built around, in one run.

Logs: ``generate_b2b.py``'s B2B order-to-payment process (80k cases, about 1.23M events) with
about 3.7k variants and a noisy twin with about 15k, each as XES and CSV; and BPI Challenge
2012 against a model pm4py's inductive miner discovered from it (written as BPMN by
``pm4py.write_bpmn``).  Each run is its own subprocess, measured for wall time and peak
memory (ru_maxrss):

* plain pm4py: ``pm4py.read_xes(variant="rustxes")`` or ``pd.read_csv`` +
  ``format_dataframe``, bpmtool's Petri net of the same model, token-replay and alignment
  diagnostics, fitness from both (pm4py's own evaluations of those diagnostics);
* bpmtool: ``api.check`` — reading, mapping, replay and alignments on variants, precision,
  open cases, the handoff analysis.

The fitness of both is printed; the goal is agreement within 0.005.

    python benchmarks/bench_b2b.py                   # everything (about 15 min on 2 cores)
    python benchmarks/bench_b2b.py --logs clean-csv  # one log
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / "data"
MODEL = ROOT / "benchmarks" / "b2b_model.yaml"
CASES = 80_000
NOISE = {"clean": 0.04, "noisy": 0.7}
#: time and memory shares of the plain script's to meet
GOALS = {"clean": (0.5, 0.35), "noisy": (0.35, 0.5)}
BPI_SECONDS = 120.0
BPI_PLAIN_TIMEOUT = 600

PLAIN = r"""
import sys, json, warnings, contextlib, io
warnings.filterwarnings("ignore")
with contextlib.redirect_stdout(io.StringIO()):
    import pm4py
import pandas as pd
from pm4py.algo.evaluation.replay_fitness.variants import alignment_based, token_replay
from bpmtool.io.yaml_model import load_model
from bpmtool import api
from bpmtool.mining.petri import to_petri_net
path, model = sys.argv[1], sys.argv[2]
if path.endswith(".csv"):
    df = pd.read_csv(path)
    df = pm4py.format_dataframe(df, case_id="case_id", activity_key="activity",
                                timestamp_key="timestamp")
else:
    df = pm4py.read_xes(path, variant="rustxes")
wf = to_petri_net(api.load(model))
with contextlib.redirect_stdout(io.StringIO()):
    tbr = pm4py.conformance_diagnostics_token_based_replay(df, wf.net, wf.initial, wf.final)
    replay = token_replay.evaluate(tbr)["log_fitness"]
    out = {"fitness_replay": replay}
    if sys.argv[3] == "align":
        ali = pm4py.conformance_diagnostics_alignments(df, wf.net, wf.initial, wf.final)
        out["fitness_alignments"] = alignment_based.evaluate(ali)["log_fitness"]
print(json.dumps(out))
"""

BPMTOOL = r"""
import sys, json
from bpmtool import api
result = api.check(api.load(sys.argv[2]), sys.argv[1])
s = result.summary()
print(json.dumps({k: s[k] for k in ("fitness_replay", "fitness_alignments", "variants",
                                    "open_cases", "approximated_variants")}))
"""

DISCOVER = r"""
import sys, warnings, contextlib, io
warnings.filterwarnings("ignore")
with contextlib.redirect_stdout(io.StringIO()):
    import pm4py
    from bpmtool import api
    df = api.read_log(sys.argv[1])
    d = df[["case:concept:name", "concept:name", "time:timestamp"]].astype(
        {"case:concept:name": str, "concept:name": str})
    pm4py.write_bpmn(pm4py.discover_bpmn_inductive(d), sys.argv[2], auto_layout=False)
"""


def _measure(
    code: str, *args: str, timeout: float | None = None
) -> tuple[float, float, dict[str, object]] | None:
    wrapper = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "try:\n"
        f"    p = subprocess.run(sys.argv[1:], capture_output=True, text=True,"
        f" timeout={timeout!r})\n"
        "except subprocess.TimeoutExpired:\n"
        "    print('null'); sys.exit(0)\n"
        "w = time.perf_counter() - t\n"
        "if p.returncode: sys.stderr.write(p.stderr); sys.exit(1)\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps([w, r, json.loads(p.stdout.strip().splitlines()[-1])]))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise SystemExit(f"run failed on {args}:\n{proc.stderr[-3000:]}")
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    return None if got is None else (float(got[0]), float(got[1]), got[2])


def _b2b(kind: str, fmt: str) -> Path:
    path = DATA / f"b2b-{kind}.{fmt}"
    if not path.exists():
        subprocess.run(
            [
                sys.executable,
                str(ROOT / "benchmarks" / "generate_b2b.py"),
                "--cases",
                str(CASES),
                "--noise",
                str(NOISE[kind]),
                "-o",
                str(path),
            ],
            check=True,
        )
    return path


def _fit(doc: dict[str, object], key: str) -> float | None:
    value = doc.get(key)
    return None if value is None else float(value)  # type: ignore[arg-type]


def _row(
    name: str,
    plain: tuple[float, float, dict[str, object]] | None,
    ours: tuple[float, float, dict[str, object]],
    goal: tuple[float, float] | None,
) -> None:
    ours_s, ours_mb, o = ours
    line = f"{name:<12} | bpmtool {ours_s:7.1f} s {ours_mb:6.0f} MB"
    if plain is None:
        print(
            f"{line} | pm4py's alignments not measured to the end (see above) | "
            f"variants {o['variants']}, approximated {o['approximated_variants']}, fitness "
            f"replay {o['fitness_replay']} alignments {o['fitness_alignments']}",
            flush=True,
        )
        return
    plain_s, plain_mb, p = plain
    tx, mx = ours_s / plain_s, ours_mb / plain_mb
    diffs = []
    for key in ("fitness_replay", "fitness_alignments"):
        a, b = _fit(o, key), _fit(p, key)
        if a is not None and b is not None:
            diffs.append(f"{key[8:]} {a:.4f} vs {b:.4f} (Δ {abs(a - b):.4f})")
    met = (
        "-"
        if goal is None
        else ("met" if tx <= goal[0] and mx <= goal[1] else "NOT MET")
        + f" (≤ {goal[0]}× time, ≤ {goal[1]}× memory)"
    )
    print(
        f"{line} | pm4py {plain_s:7.1f} s {plain_mb:6.0f} MB | {tx:.2f}× time "
        f"{mx:.2f}× memory | {met} | variants {o['variants']}, open {o['open_cases']}, "
        f"approximated {o['approximated_variants']} | {'; '.join(diffs)}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="bpmtool check vs plain pm4py, B2B + BPI 2012")
    parser.add_argument(
        "--logs", nargs="*", default=["clean-xes", "clean-csv", "noisy-xes", "noisy-csv", "bpi2012"]
    )
    parser.add_argument(
        "--bpi",
        type=Path,
        default=None,
        help="BPI Challenge 2012 as .xes.gz (default: $BPMTOOL_TEST_DATA/logs/bpic2012.xes.gz)",
    )
    parser.add_argument(
        "--bpi-plain-timeout",
        type=float,
        default=BPI_PLAIN_TIMEOUT,
        help="seconds the plain script may align BPI 2012 (0: only replay it)",
    )
    args = parser.parse_args()
    for name in args.logs:
        if name == "bpi2012":
            import os

            corpus = Path(os.environ.get("BPMTOOL_TEST_DATA") or ROOT.parent / "shared" / "data")
            log = args.bpi or corpus / "logs" / "bpic2012.xes.gz"
            if not log.exists():
                print(f"bpi2012      | skipped: {log} not found", flush=True)
                continue
            model = DATA / "bpic2012-inductive.bpmn"
            if not model.exists():
                DATA.mkdir(parents=True, exist_ok=True)
                subprocess.run([sys.executable, "-c", DISCOVER, str(log), str(model)], check=True)
            ours = _measure(BPMTOOL, str(log), str(model))
            assert ours is not None
            plain = (
                _measure(PLAIN, str(log), str(model), "align", timeout=args.bpi_plain_timeout)
                if args.bpi_plain_timeout
                else None
            )
            if plain is None:  # at least the replay fitness to compare with
                replay = _measure(PLAIN, str(log), str(model), "replay")
                print(
                    f"bpi2012      | pm4py's token replay alone: {replay[0]:.1f} s, "
                    f"{replay[1]:.0f} MB, fitness {replay[2]['fitness_replay']:.4f}"
                    if replay
                    else "",
                    flush=True,
                )
            _row(name, plain, ours, None)
            verdict = "met" if ours[0] < BPI_SECONDS else "NOT MET"
            print(f"bpi2012      | goal < {BPI_SECONDS:.0f} s: {verdict}", flush=True)
            continue
        kind, fmt = name.split("-")
        log = _b2b(kind, fmt)
        ours = _measure(BPMTOOL, str(log), str(MODEL))
        assert ours is not None
        plain = _measure(PLAIN, str(log), str(MODEL), "align")
        _row(name, plain, ours, GOALS[kind])


if __name__ == "__main__":
    main()
