"""The memory bound of pm4py's searches holds on a large net: a child process aligns the
longest variant of BPI Challenge 2020 (travel permits: 90 events) on the model pm4py's
inductive miner discovers from that log (128 places, 195 transitions) with a small
``variant_mb``, and its own peak resident memory (``VmHWM``, reset just before the
alignment) stays within that budget of where it was.  The layered search is turned off
(``layers_mb=0``): its graph has its own budget, and the search measured here is pm4py's."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from bpmtool import api
from tests.conftest import ROOT, SHARED_DATA

PERMITS = SHARED_DATA / "logs" / "15_bpic2020_permit_log_1t_per_variant.xes.gz"
BUDGET_MB = 32
#: what one variant's alignment holds besides its search (the synchronous product, the
#: trace, the result), and the steps between two reads of the memory (64 of at most 20 KB
#: each on this net)
SLACK_MB = 3

CHILD = r"""
import gc, json, sys
from bpmtool import api
from bpmtool.mining import search_bounds
from bpmtool.mining.alignments import AlignmentBudget
from bpmtool.mining.conformance import conformance, variants
from bpmtool.mining.petri import to_petri_net

log, model, mb, estimate = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
if estimate == "off":  # the steps estimate says nothing: the memory read alone holds
    search_bounds._A_STAR_FIXED, search_bounds._A_STAR_PER_TRANSITION = 1, 0
wf = to_petri_net(api.load(model))
found = variants(api.read_log(log))
longest = [max(found, key=lambda v: len(v.labels))]
budget = AlignmentBudget(variant_s=1e9, total_s=1e9, variant_mb=mb, layers_mb=0)
conformance(wf, found[:1], replay=False, budget=budget)  # pm4py's modules loaded, and so on
gc.collect()

def status(key):
    with open("/proc/self/status") as fh:
        return next(int(l.split()[1]) * 1024 for l in fh if l.startswith(key + ":"))

with open("/proc/self/clear_refs", "w") as fh:
    fh.write("5")  # the peak starts again from here
base = status("VmRSS")
conformance(wf, longest, replay=False, budget=budget)
print(json.dumps({"base": base, "peak": status("VmHWM"), "events": len(longest[0].labels),
                  "search": longest[0].alignment.search}))
"""


@pytest.fixture(scope="module")
def permits_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The model pm4py's inductive miner discovers from the permits log, written with
    ``pm4py.write_bpmn``."""
    import pm4py

    df = api.read_log(PERMITS)
    frame = df[["case:concept:name", "concept:name", "time:timestamp"]].astype(
        {"case:concept:name": str, "concept:name": str}
    )
    path = tmp_path_factory.mktemp("bpmn") / "permits.bpmn"
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        pm4py.write_bpmn(pm4py.discover_bpmn_inductive(frame), str(path), auto_layout=False)
    return path


@pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize("estimate", ["on", "off"])
def test_a_search_stays_within_its_memory(permits_model: Path, estimate: str) -> None:
    """With the steps estimate (the usual case) and without it (the memory read alone, the
    bound that holds whatever the net), the search is stopped — the variant is
    approximated — and the process's peak stays within the budget of its start."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(PERMITS), str(permits_model), str(BUDGET_MB), estimate],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["events"] == 90 and got["search"] == "approximate"
    grew = (got["peak"] - got["base"]) / (1 << 20)
    assert grew <= BUDGET_MB + SLACK_MB, f"the search took the process {grew:.1f} MB up"
