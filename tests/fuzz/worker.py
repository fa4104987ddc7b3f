"""A fuzzing worker: reads inputs from stdin, hands each to bpmtool's API, answers with the
outcome.  Runs under a memory limit (``resource.setrlimit``); the parent enforces the time
limit and notices a worker that dies (a crash in native code).

Protocol: each message is a 4-byte big-endian length and a pickle.  In: ``(target, data)``;
out: ``(outcome, detail)`` where outcome is ``accepted``, ``refused`` (an ``InputError``:
a clean, located refusal) or ``crash`` (any other exception, with its traceback's end).
"""

from __future__ import annotations

import os
import pickle
import resource
import struct
import sys
import tempfile
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

#: the file name each target's input is written to (the extension picks the reader)
FILE_NAMES = {
    "yaml-model": "model.yaml",
    "json-model": "model.json",
    "bpmn": "model.bpmn",
    "csv": "log.csv",
    "csv-gz": "log.csv.gz",
    "xes": "log.xes",
    "xes-gz": "log.xes.gz",
    "parquet": "log.parquet",
    "surveys": "surveys.csv",
    "lanes-yaml": "lanes.yaml",
    "lanes-csv": "lanes.csv",
}


class _Api:
    """The API and the fixed inputs the targets need, loaded once per worker."""

    def __init__(self) -> None:
        from bpmtool import api

        self.api = api
        self.model = api.load(ROOT / "models" / "saas-handoffs.yaml")
        self.log = api.read_log(ROOT / "examples" / "saas-handoffs.csv").head(400)
        self.journey_model = _journey_model(self.model)


def _journey_model(model: Any) -> Any:
    """The reference model with its journey cut to what surveys feed: one stage and its
    milestone, no CTQs or triggers, one behaviour measure, the same emotion reading (NPS,
    or CSAT when a file has no NPS).  Survey files go through the whole of ``api.journey``
    at under half the reference model's cost (0.26 s against 0.59 s per file), the time that
    bounded the fuzzing run."""
    from bpmtool.model import Model

    data = model.model_dump(by_alias=True, exclude_defaults=True, mode="json")
    first = data["stages"][0]
    data["stages"] = [{**first, "milestones": first["milestones"][:1]}]
    data["ctqs"], data["triggers"] = [], []
    journey = data["journey"]
    journey.update(
        success={"milestone": first["milestones"][0]["id"]},
        happy_paths=1,
        behaviour=journey["behaviour"][:1],
    )
    journey.pop("sale", None)
    return Model.model_validate(data)


def run_one(state: _Api, target: str, path: Path) -> None:
    """Hand the input at ``path`` to the API the way a user's command would."""
    api = state.api
    if target in ("yaml-model", "json-model", "bpmn"):
        model = api.load(path)
        api.lint(model)
    elif target == "surveys":
        surveys = api.read_surveys(path)
        api.journey(state.journey_model, state.log, surveys=surveys)
    elif target in ("lanes-yaml", "lanes-csv"):
        api.map_log(state.model, state.log, lanes_from=path)
    else:
        api.read_log(path)


def _read(stream: Any) -> Any:
    head = stream.read(4)
    if len(head) < 4:
        return None
    (size,) = struct.unpack(">I", head)
    return pickle.loads(stream.read(size))


def _write(stream: Any, value: object) -> None:
    data = pickle.dumps(value)
    stream.write(struct.pack(">I", len(data)) + data)
    stream.flush()


def main() -> None:
    memory = int(os.environ.get("FUZZ_MEMORY_BYTES", str(3 << 30)))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    from bpmtool.errors import InputError

    state = _Api()
    inbox, outbox = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing the API prints may corrupt the protocol
    with tempfile.TemporaryDirectory(prefix="bpmtool-fuzz-") as tmp:
        _write(outbox, ("ready", ""))
        while (message := _read(inbox)) is not None:
            target, data = message
            path = Path(tmp) / FILE_NAMES[target]
            path.write_bytes(data)
            try:
                run_one(state, target, path)
                outcome: tuple[str, str] = ("accepted", "")
            except InputError as err:
                located = all(p.message for p in err.problems) and str(err).strip() != ""
                outcome = ("refused", "") if located else ("crash", f"empty error: {err!r}")
            except Exception as exc:
                tail = "".join(traceback.format_exception(exc)[-4:])
                outcome = ("crash", f"{type(exc).__name__}: {exc}"[:300] + "\n" + tail[-1500:])
            _write(outbox, outcome)


if __name__ == "__main__":
    main()
