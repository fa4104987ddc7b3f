#!/usr/bin/env python3
"""Generate a B2B order-to-payment log with many variants, and its truth.

Unlike ``examples/generate_log.py`` (a discrete-event simulation of one reference model),
this generator draws each case as a token walk over ``benchmarks/b2b_model.yaml``, with
the parallel preparation interleaved at random, two loops of random length, and noise
injected per case as edits of the finished trace:

* ``skip``: one step left out (often the last one, ``Close order``: the case stops early);
* ``swap``: two neighbouring steps of a sequence done in the other order;
* ``insert``: work the model does not know (``Call buyer``, ``Update ERP``) slipped in;
* ``wrong_lane``: a step done by another team than its owner.

At most one edit per case, so each deviation can be checked against the truth.  Times:
a case starts at a uniformly random moment of the log's year; waits are exponential.  The
log is written as CSV (``.csv``) or XES (``.xes``), streamed; the truth (which case carries
which edit) as JSON beside it.

    python benchmarks/generate_b2b.py -o benchmarks/data/b2b.csv     # 80k cases, ~1.2M events
    python benchmarks/generate_b2b.py --noise 0.7 -o benchmarks/data/b2b-noisy.xes

With 80,000 cases (about 1.23M events) the default noise of 4 % gives about 3.7k variants,
a noise of 70 % about 15k.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

MODEL = Path(__file__).resolve().parent / "b2b_model.yaml"

#: activity → owning lane (the log's org:group)
OWNER = {
    "Submit RFQ": "Buyer",
    "Send quote": "Supplier Sales",
    "Check credit": "Credit Control",
    "Reject order": "Supplier Sales",
    "Confirm order": "Supplier Sales",
    "Pick goods": "Warehouse",
    "Pack goods": "Warehouse",
    "Book carrier": "Logistics",
    "Print shipping labels": "Logistics",
    "Prepare invoice": "Billing",
    "Check export documents": "Compliance",
    "Ship goods": "Logistics",
    "Receive goods": "Buyer",
    "Report damage": "Buyer",
    "Send replacement": "Warehouse",
    "Send invoice": "Billing",
    "Pay invoice": "Buyer",
    "Send payment reminder": "Billing",
    "Close order": "Billing",
}
#: steps in a plain sequence (their neighbours are no parallel partners): swap candidates
SEQUENCE = ("Submit RFQ", "Send quote", "Check credit", "Confirm order")
FOREIGN = ("Call buyer", "Update ERP")
OTHER_LANE = {
    "Ship goods": "Warehouse",
    "Send invoice": "Supplier Sales",
    "Check credit": "Supplier Sales",
}
WAIT_HOURS = 14.0  # mean wait between two steps


def _interleave(rng: random.Random, branches: list[list[str]]) -> list[str]:
    """A random interleaving of the branches, each kept in its own order."""
    queues = [list(b) for b in branches if b]
    out: list[str] = []
    while queues:
        q = queues[rng.randrange(len(queues))]
        out.append(q.pop(0))
        queues = [x for x in queues if x]
    return out


def plain_case(rng: random.Random) -> list[str]:
    """One run of the model: rejected now and then, loops of random length."""
    trace = ["Submit RFQ", "Send quote", "Check credit"]
    if rng.random() < 0.06:
        return [*trace, "Reject order"]
    trace.append("Confirm order")
    trace += _interleave(
        rng,
        [
            ["Pick goods", "Pack goods"],
            ["Book carrier", "Print shipping labels"],
            ["Prepare invoice"],
            ["Check export documents"],
        ],
    )
    trace += ["Ship goods", "Receive goods"]
    while rng.random() < 0.12:
        trace += ["Report damage", "Send replacement", "Receive goods"]
    trace += ["Send invoice", "Pay invoice"]
    while rng.random() < 0.25:
        trace += ["Send payment reminder", "Pay invoice"]
    trace.append("Close order")
    return trace


def add_noise(rng: random.Random, trace: list[str]) -> tuple[list[str], dict[str, object]]:
    """One edit of the trace, and what it was."""
    kind = rng.choice(("skip", "skip", "swap", "insert", "wrong_lane"))
    if kind == "skip":
        # the last step half of the time: a case that stops without closing
        at = (
            len(trace) - 1
            if rng.random() < 0.5 and trace[-1] == "Close order"
            else rng.randrange(1, len(trace))
        )
        return trace[:at] + trace[at + 1 :], {"kind": "skip", "activity": trace[at]}
    if kind == "swap":
        at = rng.randrange(len(SEQUENCE) - 1)
        if trace[at + 1] != SEQUENCE[at + 1]:
            at = 0
        out = list(trace)
        out[at], out[at + 1] = out[at + 1], out[at]
        return out, {"kind": "swap", "activities": [trace[at], trace[at + 1]]}
    if kind == "insert":
        at, what = rng.randrange(1, len(trace)), rng.choice(FOREIGN)
        return [*trace[:at], what, *trace[at:]], {"kind": "insert", "activity": what}
    step = rng.choice([a for a in trace if a in OTHER_LANE] or ["Check credit"])
    if step not in trace:
        return trace, {"kind": "none"}
    return trace, {"kind": "wrong_lane", "activity": step, "lane": OTHER_LANE[step]}


def _xes_head(out: IO[str]) -> None:
    out.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n<log xes.version="1.0" '
        'xmlns="http://www.xes-standard.org/">\n'
        '  <extension name="Concept" prefix="concept" '
        'uri="http://www.xes-standard.org/concept.xesext"/>\n'
        '  <extension name="Time" prefix="time" '
        'uri="http://www.xes-standard.org/time.xesext"/>\n'
        '  <extension name="Organizational" prefix="org" '
        'uri="http://www.xes-standard.org/org.xesext"/>\n'
    )


def generate(cases: int, noise: float, seed: int, path: Path) -> dict[str, object]:
    """Write the log to ``path`` (CSV or XES by its suffix); return the truth."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=UTC)
    year = 365 * 24 * 3600.0
    truth: dict[str, list[object]] = {"skip": [], "swap": [], "insert": [], "wrong_lane": []}
    xes = path.suffix == ".xes"
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8", newline="\n") as out:
        if xes:
            _xes_head(out)
        else:
            out.write("case_id,activity,timestamp,resource,lane\n")
        for n in range(cases):
            case = f"PO-{n + 1:07d}"
            trace = plain_case(rng)
            edit: dict[str, object] = {"kind": "none"}
            if rng.random() < noise:
                trace, edit = add_noise(rng, trace)
            if edit["kind"] != "none":
                truth[str(edit["kind"])].append(
                    {"case": case, **{k: v for k, v in edit.items() if k != "kind"}}
                )
            t = start + timedelta(seconds=rng.random() * year)
            if xes:
                out.write(f'  <trace>\n    <string key="concept:name" value="{case}"/>\n')
            for activity in trace:
                t += timedelta(hours=rng.expovariate(1 / WAIT_HOURS))
                lane = OWNER.get(activity, "Supplier Sales")
                if edit["kind"] == "wrong_lane" and edit["activity"] == activity:
                    lane = str(edit["lane"])
                who = f"{lane.split()[-1].lower()}{rng.randrange(1, 9)}"
                stamp = t.strftime("%Y-%m-%dT%H:%M:%S+00:00")
                if xes:
                    out.write(
                        f'    <event>\n      <string key="concept:name" value="{activity}"/>'
                        f'\n      <date key="time:timestamp" value="{stamp}"/>\n'
                        f'      <string key="org:resource" value="{who}"/>\n'
                        f'      <string key="org:group" value="{lane}"/>\n    </event>\n'
                    )
                else:
                    out.write(f"{case},{activity},{stamp},{who},{lane}\n")
            if xes:
                out.write("  </trace>\n")
        if xes:
            out.write("</log>\n")
    tmp.replace(path)
    return {"model": MODEL.name, "cases": cases, "noise": noise, "seed": seed, "deviations": truth}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=80_000)
    parser.add_argument(
        "--noise", type=float, default=0.04, help="share of cases with one injected deviation"
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help=".csv or .xes; the truth goes to <name>.truth.json",
    )
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    truth = generate(args.cases, args.noise, args.seed, args.output)
    stem = args.output.name.rsplit(".", 1)[0]
    (args.output.parent / f"{stem}.truth.json").write_text(json.dumps(truth, indent=1))


if __name__ == "__main__":
    main()
