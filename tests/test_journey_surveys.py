"""The example survey generator: answers only from customers, in range, seeded."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from test_journey_scenario import scenario_log

SCRIPT = Path(__file__).resolve().parent.parent / "examples" / "generate_surveys.py"


def _module():
    spec = importlib.util.spec_from_file_location("generate_surveys", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_surveys_come_from_customers_in_range_and_are_seeded() -> None:
    generate = _module().generate_surveys
    log = scenario_log()
    surveys = generate(log, seed=3, answer_rate=1.0)
    # every one of the 16 cases that signed answers; the 3 lost prospects are not asked
    assert len(surveys) == 16
    assert not any(c.startswith("lost-") for c in surveys["case_id"])
    assert surveys["nps"].between(0, 10).all() and surveys["csat"].between(1, 5).all()
    assert surveys.equals(generate(log, seed=3, answer_rate=1.0))
