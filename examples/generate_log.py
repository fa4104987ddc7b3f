"""Generate realistic, seeded event logs for the reference model, with known deviations.

    python examples/generate_log.py --cases 400 --seed 7 -o examples/saas-handoffs.csv

Cases walk the model's graph as a timed token game: exclusive gateways choose a branch
(the acceptance-test loop repeats now and then, some deals are lost, the churn-risk
escalation is never taken by default), parallel branches run side by side and join.
Each lane has named resources, activities take business-like durations and handoffs
wait longer than work inside a team.  A share of cases carries exactly one injected
deviation, and a ground-truth JSON beside the log says which cases and what a check
should report for them.  Open cases (cut off at "now") are listed too.

Deviations (each in its own cases):
  skip        'Configure tenant' never happens          → SKIPPED-ACTIVITY
  unexpected  'Update CRM record' (not in the model)    → UNEXPECTED-ACTIVITY
  wrong_lane  'Kickoff meeting' done by Sales           → WRONG-LANE, SHARED-ACTIVITY
  bounce      the customer refuses go-live once: Approve go-live → Fix defects → Run
              acceptance tests → Approve go-live        → PING-PONG-OBSERVED
  foreign     'Migrate data' done by Customer Support   → WRONG-LANE, SHARED-ACTIVITY,
              UNMODELLED-HANDOFF (Customer → Support, Support → Implementation)
  slow        Implementation → Support handoff waits 4-9 days (CTQ: 2 days) → SLOW-HANDOFF
  (never)     the churn-risk escalation to Sales       → UNUSED-HANDOFF (two flows)
"""

from __future__ import annotations

import argparse
import heapq
import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bpmtool.graph import ProcessGraph  # noqa: E402
from bpmtool.io.yaml_model import load_model  # noqa: E402
from bpmtool.model import Model  # noqa: E402

MODEL = ROOT / "models" / "saas-handoffs.yaml"
RESOURCES = {
    "customer": ["cust-admin", "cust-cfo", "cust-it"],
    "sales": ["ana.sales", "ben.sales", "chloe.sales"],
    "impl": ["dev.impl", "eli.impl", "fay.impl", "gus.impl"],
    "support": ["hana.support", "ivo.support"],
    "success": ["jon.success", "kim.success"],
}
#: hours of work per activity, by lane (median); handoffs add a wait in days
WORK_HOURS = {"customer": 20.0, "sales": 6.0, "impl": 16.0, "support": 4.0, "success": 5.0}
HANDOFF_DAYS = 1.2
#: handoffs that are quicker than that (median days): Support picks go-lives up fast
HANDOFF_DAYS_TO = {"setup_support": 0.4}
#: deviation kind → share of cases
DEVIATIONS = {
    "skip": 0.015,
    "unexpected": 0.015,
    "wrong_lane": 0.015,
    "bounce": 0.015,
    "foreign": 0.015,
}
#: exactly this share of the cases that reach Support wait too long for it (p90 > CTQ)
SLOW_SHARE = 0.115
LOST_SHARE = 0.10
UAT_REPEAT = 0.25
START = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


@dataclass
class Event:
    case: str
    activity: str
    time: datetime
    resource: str
    lane: str


@dataclass
class Truth:
    seed: int
    cases: int
    deviations: dict[str, list[str]] = field(default_factory=dict)
    slow: list[str] = field(default_factory=list)
    open_cases: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)

    def to_dict(self, model: Model) -> dict[str, Any]:
        n = {k: len(v) for k, v in self.deviations.items()}
        expected = [
            {"code": "SKIPPED-ACTIVITY", "subject": "configure_tenant", "cases": n["skip"]},
            {
                "code": "UNEXPECTED-ACTIVITY",
                "subject": "Update CRM record",
                "cases": n["unexpected"],
            },
            {"code": "WRONG-LANE", "subject": "kickoff", "lane": "sales", "cases": n["wrong_lane"]},
            {
                "code": "WRONG-LANE",
                "subject": "migrate_data",
                "lane": "support",
                "cases": n["foreign"],
            },
            {"code": "SHARED-ACTIVITY", "subject": "kickoff", "lanes": ["impl", "sales"]},
            {"code": "SHARED-ACTIVITY", "subject": "migrate_data", "lanes": ["impl", "support"]},
            {
                "code": "UNMODELLED-HANDOFF",
                "subject": ["customer", "support"],
                "cases": n["foreign"],
            },
            {"code": "UNMODELLED-HANDOFF", "subject": ["support", "impl"], "cases": n["foreign"]},
            {"code": "PING-PONG-OBSERVED", "subject": ["impl", "customer"], "cases": n["bounce"]},
            {
                "code": "SLOW-HANDOFF",
                "subject": ["impl", "support"],
                "ctq": "support_ready",
                "cases": len(self.slow),
            },
            {"code": "UNUSED-HANDOFF", "subject": "churn_risk->rescue_account"},
            {"code": "UNUSED-HANDOFF", "subject": "rescue_account->risk_join"},
        ]
        return {
            "model": model.id,
            "seed": self.seed,
            "cases": self.cases,
            "deviations": self.deviations,
            "slow_support_handoff": self.slow,
            "lost_deals": self.lost,
            "open_cases": self.open_cases,
            "expected_findings": expected,
            "note": "Open cases were cut off at the log's end ('now'): their missing tail "
            "is not a deviation. Every other case follows the model except for "
            "the deviations listed.",
        }


class Walker:
    """Plays the token game for one case and returns its events."""

    def __init__(self, model: Model, rng: np.random.Generator) -> None:
        self.model = model
        self.g = ProcessGraph(model)
        self.rng = rng
        self.in_degree = {n: self.g.graph.in_degree(n) for n in self.g.graph}

    def _duration(self, lane: str, node: str = "") -> timedelta:
        hours = float(self.rng.lognormal(np.log(WORK_HOURS.get(lane, 8.0)), 0.5))
        if node == "configure_tenant":
            # done within a working day, before the customer's data export arrives, so the
            # order of the two parallel branches (and the ground truth) is fixed
            hours = min(hours, 10.0)
        return timedelta(hours=hours)

    def _wait(self, node: str = "") -> timedelta:
        median = HANDOFF_DAYS_TO.get(node, HANDOFF_DAYS)
        return timedelta(days=float(self.rng.lognormal(np.log(median), 0.45)))

    def _within_ctq(self, events: list[Event], t: datetime) -> datetime:
        """A plain case's support account is ready within the CTQ after go-live, so only the
        injected slow cases wait longer, however many cases are drawn (the lognormal tail
        would otherwise put about 3 in 10,000 plain cases over it)."""
        ctq = next(c for c in self.model.ctqs if c.id == "support_ready")
        live = self.model.node_by_id[ctq.from_].label
        went_live = max(e.time for e in events if e.activity == live)
        return min(t, went_live + ctq.max - timedelta(hours=1))

    def _choose(self, node: str, kind: str) -> str:
        succ = sorted(self.g.graph.successors(node))
        if node == "deal_decision":
            return "deal_lost" if kind == "lost" else "sign_contract"
        if node == "uat_passed":
            return "fix_defects" if self.rng.random() < UAT_REPEAT else "sign_off"
        if node == "churn_risk":
            return "risk_join"  # the escalation is never taken: an unused handoff
        return succ[int(self.rng.integers(len(succ)))]

    def walk(self, case: str, start: datetime, kind: str, slow: bool) -> list[Event]:
        m = self.model
        events: list[Event] = []
        heap: list[tuple[datetime, int, str, str]] = []  # (time, seq, node, from lane)
        seq = 0
        for s in sorted(self.g.starts):
            heapq.heappush(heap, (start, seq, s, m.lane_of(s) or ""))
            seq += 1
        arrived: dict[str, list[datetime]] = {}
        bounced = False
        while heap:
            t, _, node, from_lane = heapq.heappop(heap)
            n = m.node_by_id[node]
            lane = n.lane or ""
            if n.type == "parallel" and self.in_degree[node] > 1:
                arrived.setdefault(node, []).append(t)
                if len(arrived[node]) < self.in_degree[node]:
                    continue
                t = max(arrived.pop(node))
            if n.is_activity:
                done_lane = from_lane  # a skipped step leaves the work where it was
                if from_lane and from_lane != lane:
                    t += self._wait(node)
                    if slow and node == "setup_support":
                        t += timedelta(days=float(self.rng.uniform(4, 9)))
                if kind == "skip" and node == "configure_tenant":
                    pass  # the step is skipped: no event
                else:
                    do_lane = lane
                    if kind == "wrong_lane" and node == "kickoff":
                        do_lane = "sales"
                    if kind == "foreign" and node == "migrate_data":
                        do_lane = "support"
                    t += self._duration(do_lane, node)
                    if node == "setup_support" and not slow:
                        t = self._within_ctq(events, t)
                    events.append(self._event(case, n.label, t, do_lane))
                    done_lane = do_lane
                    if kind == "unexpected" and node == "close_deal":
                        t += self._duration("sales")
                        events.append(self._event(case, "Update CRM record", t, "sales"))
                    if kind == "bounce" and node == "sign_off" and not bounced:
                        bounced = True  # the customer sends it back once
                        for extra in ("fix_defects", "run_uat", "sign_off"):
                            xl = m.lane_of(extra) or ""
                            t += self._wait() if xl != events[-1].lane else timedelta()
                            t += self._duration(xl)
                            events.append(self._event(case, m.node_by_id[extra].label, t, xl))
                lane = done_lane
            else:
                lane = from_lane or lane  # gateways and events do not change hands
            if n.type == "end":
                continue
            succ = sorted(self.g.graph.successors(node))
            if n.type in ("exclusive", "event_based", "inclusive") and len(succ) > 1:
                succ = [self._choose(node, kind)]
            for nxt in succ:
                heapq.heappush(heap, (t, seq, nxt, lane))
                seq += 1
        return events

    def _event(self, case: str, label: str, t: datetime, lane: str) -> Event:
        people = RESOURCES.get(lane, [f"{lane}-staff"])
        return Event(case, label, t, people[int(self.rng.integers(len(people)))], lane)


def generate(
    cases: int, seed: int = 7, open_share: float = 0.0, model_path: Path = MODEL
) -> tuple[list[Event], dict[str, Any]]:
    """Events of ``cases`` cases and the ground truth of what was injected."""
    model = load_model(model_path)
    rng = np.random.default_rng(seed)
    walker = Walker(model, rng)
    truth = Truth(seed=seed, cases=cases, deviations={k: [] for k in DEVIATIONS})
    kinds = list(DEVIATIONS)
    shares = np.array([DEVIATIONS[k] for k in kinds])
    draws = rng.random(cases)
    bounds = np.cumsum(shares)
    arrivals = np.cumsum(rng.exponential(24.0 * 180 / max(cases, 1), cases))  # ~6 months
    case_ids = [f"C{i + 1:06d}" for i in range(cases)]
    kind_of: dict[str, str] = {}
    for i, case in enumerate(case_ids):
        pick = int(np.searchsorted(bounds, draws[i], side="right"))
        kind_of[case] = kinds[pick] if pick < len(kinds) else "normal"
    for case in case_ids:
        if kind_of[case] == "normal" and rng.random() < LOST_SHARE:
            kind_of[case] = "lost"
            truth.lost.append(case)
        if kind_of[case] in truth.deviations:
            truth.deviations[kind_of[case]].append(case)
    eligible = [c for c in case_ids if kind_of[c] != "lost"]
    slow = (
        set(rng.choice(eligible, size=round(SLOW_SHARE * len(eligible)), replace=False).tolist())
        if eligible and SLOW_SHARE > 0
        else set()
    )
    truth.slow = [c for c in case_ids if c in slow]
    events: list[Event] = []
    for i, case in enumerate(case_ids):
        start = START + timedelta(hours=float(arrivals[i]))
        events += walker.walk(case, start, kind_of[case], case in slow)
    if open_share > 0:
        events = _cut_open_cases(events, truth, open_share, rng)
    return events, truth.to_dict(model)


def _cut_open_cases(
    events: list[Event], truth: Truth, share: float, rng: np.random.Generator
) -> list[Event]:
    """Cut a share of the plain cases short: they are still running at the log's end."""
    special = (
        {c for cases in truth.deviations.values() for c in cases}
        | set(truth.slow)
        | set(truth.lost)
    )
    by_case: dict[str, list[Event]] = {}
    for e in events:
        by_case.setdefault(e.case, []).append(e)
    plain = [c for c in by_case if c not in special]
    chosen = (
        set(
            rng.choice(
                plain, size=min(len(plain), round(share * truth.cases)), replace=False
            ).tolist()
        )
        if plain
        else set()
    )
    end = max(e.time for e in events)
    kept: list[Event] = []
    cut: list[list[Event]] = []
    for case, evs in by_case.items():
        if case in chosen:
            evs = sorted(evs, key=lambda e: e.time)[: int(rng.integers(2, len(evs)))]
            truth.open_cases.append(case)
            cut.append(evs)
        kept += evs
    # a running case is one the log's extraction caught mid-way: its last event lies in the
    # last days before the log's end (the whole case moved in time, its waits unchanged)
    for evs in cut:
        shift = end - timedelta(hours=float(rng.uniform(1, 240))) - evs[-1].time
        for e in evs:
            e.time += shift
    truth.open_cases.sort()
    return kept


def write_csv(events: list[Event], path: Path) -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "case_id": [e.case for e in events],
            "activity": [e.activity for e in events],
            "timestamp": [e.time.strftime("%Y-%m-%d %H:%M:%S%z") for e in events],
            "resource": [e.resource for e in events],
            "lane": [e.lane for e in events],
        }
    )
    frame.to_csv(path, index=False)


def write_xes(events: list[Event], path: Path) -> None:
    """Write XES without pm4py (one pass; gzip when the name ends in .gz)."""
    import gzip
    from xml.sax.saxutils import quoteattr

    opener = gzip.open if path.name.endswith(".gz") else open
    by_case: dict[str, list[Event]] = {}
    for e in events:
        by_case.setdefault(e.case, []).append(e)
    with opener(path, "wt", encoding="utf-8") as fh:  # type: ignore[operator]
        fh.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<log xes.version="1.0" xmlns="http://www.xes-standard.org/">\n'
        )
        for case, evs in by_case.items():
            fh.write(f'<trace><string key="concept:name" value="{case}"/>\n')
            for e in evs:
                fh.write(
                    f'<event><string key="concept:name" value={quoteattr(e.activity)}/>'
                    f'<string key="org:resource" value="{e.resource}"/>'
                    f'<string key="org:group" value="{e.lane}"/>'
                    f'<string key="lifecycle:transition" value="complete"/>'
                    f'<date key="time:timestamp" value="{e.time.isoformat()}"/></event>\n'
                )
            fh.write("</trace>\n")
        fh.write("</log>\n")


def write_parquet(events: list[Event], path: Path) -> None:
    import pandas as pd

    pd.DataFrame(
        {
            "case:concept:name": [e.case for e in events],
            "concept:name": [e.activity for e in events],
            "time:timestamp": [e.time for e in events],
            "org:resource": [e.resource for e in events],
            "org:group": [e.lane for e in events],
        }
    ).to_parquet(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=400)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--open-share",
        type=float,
        default=0.0,
        help="share of cases still running at the log's end",
    )
    parser.add_argument(
        "-o", "--out", type=Path, required=True, help="a .csv, .xes, .xes.gz or .parquet path"
    )
    args = parser.parse_args(argv)
    events, truth = generate(args.cases, args.seed, args.open_share)
    out: Path = args.out
    name = out.name.lower()
    if name.endswith(".csv"):
        write_csv(events, out)
    elif name.endswith((".xes", ".xes.gz")):
        write_xes(events, out)
    elif name.endswith(".parquet"):
        write_parquet(events, out)
    else:
        parser.error("the output must end in .csv, .xes, .xes.gz or .parquet")
    truth_path = out.with_name(out.name.split(".")[0] + ".truth.json")
    truth_path.write_text(json.dumps(truth, indent=2) + "\n")
    print(f"{len(events)} events, {args.cases} cases → {out}; ground truth → {truth_path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
