"""Write survey answers (NPS 0–10, CSAT 1–5) for the customers of an example event log.

The answers are joined to the log by case id (``bpmtool journey MODEL LOG --surveys FILE``).
Customers who got further on the journey answer better on average, with enough noise that
every quadrant of the behaviour × emotion grid is populated; prospects who never signed are
not surveyed, and about a third of the customers do not answer.  Seeded: the same log and
seed give the same file.

    .venv/bin/python examples/generate_surveys.py examples/saas-handoffs.csv \\
        -o examples/saas-handoffs-surveys.csv
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bpmtool import api  # noqa: E402

MODEL = ROOT / "models" / "saas-handoffs.yaml"
#: mean NPS by the furthest stage reached (build, grow, ignite) and for renewed customers
MEAN_NPS = {"build": 5.0, "grow": 6.5, "ignite": 7.5, "renewed": 8.5}


def generate_surveys(
    log: pd.DataFrame, *, seed: int = 7, answer_rate: float = 0.65, model_path: Path = MODEL
) -> pd.DataFrame:
    """One row per answering customer: ``case_id``, ``nps``, ``csat``."""
    model = api.load(model_path)
    cases = api.journey(model, log).cases
    customers = cases[cases["stage"] != ""]
    rng = np.random.default_rng(seed)
    key = customers["stage"].where(~customers["success"].astype(bool), "renewed")
    mean = key.map(MEAN_NPS).fillna(MEAN_NPS["build"]).to_numpy(dtype=float)
    nps = np.clip(np.rint(rng.normal(mean, 2.2)), 0, 10).astype(int)
    csat = np.clip(np.rint(1 + nps * 0.4 + rng.normal(0, 0.6, size=len(nps))), 1, 5).astype(int)
    answered = rng.random(len(nps)) < answer_rate
    return pd.DataFrame(
        {
            "case_id": customers.index.astype(str)[answered],
            "nps": nps[answered],
            "csat": csat[answered],
        }
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log", type=Path, help="the example event log (CSV, Parquet, XES)")
    parser.add_argument(
        "-o", "--out", type=Path, default=ROOT / "examples" / "saas-handoffs-surveys.csv"
    )
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if not args.log.exists():
        parser.exit(2, f"error: no event log at {args.log} (run examples/generate_log.py)\n")
    log = api.analysis._read_journey_log(args.log)
    surveys = generate_surveys(log, seed=args.seed)
    surveys.to_csv(args.out, index=False, lineterminator="\n")
    sys.stdout.write(f"{len(surveys)} answers written to {args.out}\n")


if __name__ == "__main__":
    main()
