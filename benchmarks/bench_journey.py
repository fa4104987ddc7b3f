"""Benchmark: the journey analysis of a ~1M-event log against the conformance check of the same log.

The issue asks that the journey analysis be faster than the conformance check.
Run from the repository root::

    .venv/bin/python benchmarks/bench_journey.py            # 1M events, synthesised
    .venv/bin/python benchmarks/bench_journey.py --events 200000
    .venv/bin/python benchmarks/bench_journey.py --log examples/big.csv

Without ``--log`` the log is synthesised here (vectorised, seeded) from the reference
model's paths: most cases follow the main path or its parallel interleaving, others stop at
a random step or leave the path after the kickoff.  The conformance side uses
``bpmtool.api.check`` when it exists; otherwise pm4py's token-based replay against a
Petri net discovered from the log (discovery not timed), which is what a check costs at least.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bpmtool import api  # noqa: E402

MODEL = ROOT / "models" / "saas-handoffs.yaml"
MAIN = [
    "Request demo",
    "Qualify lead",
    "Run demo",
    "Send proposal",
    "Review proposal",
    "Sign contract",
    "Close deal",
    "Kickoff meeting",
    "Configure tenant",
    "Export legacy data",
    "Migrate data",
    "Run acceptance tests",
    "Approve go-live",
    "Go live",
    "Set up support account",
    "Celebrate go-live with customer",
    "Review adoption",
    "Hold business review",
    "Propose expansion",
    "Renew subscription",
]
GAPS = [0, 1, 2, 1, 3, 4, 1, 3, 2, 1, 4, 3, 2, 1, 1, 1, 25, 30, 60, 30]  # mean days before a step
TEMPLATES = [
    MAIN,
    [*MAIN[:8], MAIN[9], MAIN[8], *MAIN[10:]],  # export before configure (parallel branches)
    [*MAIN[:8], "Run acceptance tests", "Fix defects", "Run acceptance tests", *MAIN[12:]],
    [*MAIN[:14], MAIN[15], MAIN[14], *MAIN[16:]],
]
WEIGHTS = [0.6, 0.25, 0.1, 0.05]


def synthesise_log(n_events: int, seed: int = 7) -> pd.DataFrame:
    """A pm4py-style log of about ``n_events`` events, built without Python loops over events."""
    rng = np.random.default_rng(seed)
    labels = sorted({a for t in TEMPLATES for a in t})
    code = {a: i for i, a in enumerate(labels)}
    width = max(len(t) for t in TEMPLATES)
    table = np.full((len(TEMPLATES), width), -1)
    for i, t in enumerate(TEMPLATES):
        table[i, : len(t)] = [code[a] for a in t]
    lengths = np.array([len(t) for t in TEMPLATES])
    n_cases = max(1, int(n_events / 15))
    template = rng.choice(len(TEMPLATES), size=n_cases, p=WEIGHTS)
    finished = rng.random(n_cases) < 0.5
    stop = np.where(finished, lengths[template], rng.integers(3, lengths[template], endpoint=False))
    case = np.repeat(np.arange(n_cases), stop)
    pos = np.arange(len(case)) - np.repeat(np.cumsum(stop) - stop, stop)
    label = table[template[case], pos]
    gap_mean = np.array(GAPS + [3] * (width - len(GAPS)), dtype=float)[pos]
    gaps = rng.exponential(gap_mean) * 86400
    starts = rng.uniform(0, 2 * 365 * 86400, size=n_cases)
    offset = np.cumsum(gaps)
    first = np.cumsum(stop) - stop  # index of each case's first event
    seconds = starts[case] + offset - (offset[first] - gaps[first])[case]
    times = pd.Timestamp("2023-01-01", tz="UTC") + pd.to_timedelta(seconds, unit="s")
    return pd.DataFrame(
        {
            "case:concept:name": pd.Series(case).map("C{:06d}".format),
            "concept:name": np.asarray(labels, dtype=object)[label],
            "time:timestamp": times,
            "org:resource": "someone",
        }
    )


def synthesise_surveys(log: pd.DataFrame, seed: int = 7) -> pd.DataFrame:
    """NPS answers for a third of the cases."""
    rng = np.random.default_rng(seed + 1)
    cases = log["case:concept:name"].unique()
    chosen = cases[rng.random(len(cases)) < 1 / 3]
    return pd.DataFrame({"case_id": chosen, "nps": rng.integers(0, 11, size=len(chosen))})


def _conformance(model: object, log: pd.DataFrame) -> tuple[str, float]:
    check = getattr(api, "check", None)
    if check is not None:
        start = time.perf_counter()
        check(model, log)
        return "bpmtool.api.check", time.perf_counter() - start
    import pm4py

    net, im, fm = pm4py.discover_petri_net_inductive(log, noise_threshold=0.2)
    start = time.perf_counter()
    pm4py.conformance_diagnostics_token_based_replay(log, net, im, fm)
    return "pm4py token-based replay (fallback)", time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--log", type=Path, help="an existing log instead of a synthesised one")
    parser.add_argument("--no-conformance", action="store_true")
    args = parser.parse_args()
    model = api.load(MODEL)
    t0 = time.perf_counter()
    if args.log:
        log = api.analysis._read_journey_log(args.log)
        how = str(args.log)
    else:
        log = synthesise_log(args.events)
        how = "synthesised"
    surveys = synthesise_surveys(log)
    t_read = time.perf_counter() - t0
    print(
        f"log: {len(log):,} events, {log['case:concept:name'].nunique():,} cases ({how}, "
        f"{t_read:.2f}s to build/read)"
    )
    start = time.perf_counter()
    result = api.journey(model, log, surveys=surveys)
    t_journey = time.perf_counter() - start
    print(
        f"journey analysis: {t_journey:.2f}s  ({len(result.happy.paths)} happy paths, "
        f"{result.happy.all_variants:,} variants, {len(result.exceptions):,} struggling "
        f"customers, {len(result.findings)} findings)"
    )
    print(f"peak RSS so far: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if args.no_conformance:
        return
    what, t_check = _conformance(model, log)
    print(f"conformance ({what}): {t_check:.2f}s")
    verdict = "faster" if t_journey < t_check else "SLOWER"
    print(f"journey / conformance = {t_journey / t_check:.2f} -> journey is {verdict}")


if __name__ == "__main__":
    main()
