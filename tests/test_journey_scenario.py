"""A hand-built event log on the reference model whose journey numbers are known by construction.

Day offsets from 2024-01-01; the analysis is measured at day 100.  The cases:

- ``ok-a0`` … ``ok-a5``: the whole path A (demo → renewal), successful; ``ok-a4`` and
  ``ok-a5`` celebrate go-live 4 days after it (trigger window 3 days: late).
- ``ok-b0``, ``ok-b1``: path B, the same with the legacy data exported before the tenant
  is configured (a parallel branch in the model), successful.
- ``lost-0`` … ``lost-2``: stop after reviewing the proposal (never signed, no stage).
- ``build-0`` … ``build-3``: signed at day 5, stop after configuring the tenant; ``build-3``
  had its kickoff 8 days after closing (CTQ fast_kickoff is 5 days).
- ``left-0``, ``left-1``: signed, then run acceptance tests straight after the kickoff
  (no happy path does that).
- ``grow-0``: live, support set up and celebrated, then nothing; ``grow-1``: live and
  support set up, never celebrated (trigger missed), then nothing.

Stage entries: Build at day 5 (signature), Grow at day 17 (support set-up), Ignite at day
50 (expansion proposed); successful customers spend 12 days in Build and 33 in Grow.
"""

from __future__ import annotations

import pandas as pd

T0 = pd.Timestamp("2024-01-01", tz="UTC")
NOW = T0 + pd.Timedelta(days=100)

PATH_A = [
    ("Request demo", 0),
    ("Qualify lead", 1),
    ("Run demo", 2),
    ("Send proposal", 3),
    ("Review proposal", 4),
    ("Sign contract", 5),
    ("Close deal", 6),
    ("Kickoff meeting", 8),
    ("Configure tenant", 10),
    ("Export legacy data", 11),
    ("Migrate data", 12),
    ("Run acceptance tests", 14),
    ("Approve go-live", 15),
    ("Go live", 16),
    ("Set up support account", 17),
    ("Celebrate go-live with customer", 17.5),
    ("Review adoption", 30),
    ("Hold business review", 40),
    ("Propose expansion", 50),
    ("Renew subscription", 60),
]
PATH_B = [*PATH_A[:8], ("Export legacy data", 9), ("Configure tenant", 10), *PATH_A[10:]]


def _late_celebration(path: list[tuple[str, float]]) -> list[tuple[str, float]]:
    return [(a, 20.0 if a == "Celebrate go-live with customer" else d) for a, d in path]


def scenario_cases() -> dict[str, list[tuple[str, float]]]:
    """Case id → [(activity label, day offset)]."""
    cases: dict[str, list[tuple[str, float]]] = {}
    for i in range(6):
        cases[f"ok-a{i}"] = _late_celebration(PATH_A) if i >= 4 else list(PATH_A)
    for i in range(2):
        cases[f"ok-b{i}"] = list(PATH_B)
    for i in range(3):
        cases[f"lost-{i}"] = PATH_A[:5]
    for i in range(4):
        cases[f"build-{i}"] = PATH_A[:9]
    cases["build-3"] = [*PATH_A[:7], ("Kickoff meeting", 14), ("Configure tenant", 15)]
    for i in range(2):
        cases[f"left-{i}"] = [*PATH_A[:8], ("Run acceptance tests", 9)]
    cases["grow-0"] = PATH_A[:16]
    cases["grow-1"] = PATH_A[:15]
    return cases


def to_log(cases: dict[str, list[tuple[str, float]]]) -> pd.DataFrame:
    """A pm4py-style DataFrame, rows shuffled by case order to prove the sort."""
    rows = [
        {
            "case:concept:name": cid,
            "concept:name": act,
            "time:timestamp": T0 + pd.Timedelta(days=day),
            "org:resource": "someone",
        }
        for cid, steps in reversed(list(cases.items()))
        for act, day in steps
    ]
    return pd.DataFrame(rows)


def scenario_log() -> pd.DataFrame:
    return to_log(scenario_cases())


def test_the_scenario_has_the_cases_its_docstring_lists() -> None:
    cases = scenario_cases()
    assert len(cases) == 19
    assert sum(len(steps) for steps in cases.values()) == len(scenario_log())
