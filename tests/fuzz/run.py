"""Fuzz every parser of bpmtool through its public API and count what happens.

    python -m tests.fuzz.run                      # 10,000 inputs per parser (``make fuzz``)
    python -m tests.fuzz.run --per-target 300     # the fast slice the test suite runs
    python -m tests.fuzz.run --targets xes,csv --json out.json

A quarter of the inputs of a parser are drawn by hypothesis from strategies that know the
format's shape, the rest are byte-level mutations of valid seed files.  Each input is read
in a worker
process (a pool of long-lived workers, so Python and pandas start once per worker) under a
memory limit (``RLIMIT_AS``, default 3 GiB) and a time limit (default 20 s of processor time,
or six times that in wall time: a loaded machine does not make hangs); a worker that
dies is a crash, one that overruns the time limit is a hang (it is killed and replaced).
Outcomes: ``accepted`` (read and analysed), ``refused`` (a clean ``InputError`` with located
problems), ``crash`` (any other exception, or a dead worker), ``hang``.  Crashing and
hanging inputs are saved under ``--out`` for replay.  Exit code 1 when any input crashed
or hung.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import select
import struct
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from tests.fuzz.inputs import TARGETS, hypothesis_inputs, mutation_inputs
from tests.fuzz.worker import FILE_NAMES

ROOT = Path(__file__).resolve().parents[2]
#: an input still running after this many times the time limit in wall time is a hang, however
#: little processor time it got
WALL_FACTOR = 6


class _Worker:
    """One worker process and its pipes."""

    def __init__(self, memory: int) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "FUZZ_MEMORY_BYTES": str(memory)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fuzz.worker"],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.busy: tuple[str, bytes] | None = None
        self.started = 0.0
        self.cpu_started = 0.0
        self.ready = False

    def cpu_seconds(self) -> float | None:
        """The processor time the worker has used (Linux), ``None`` where it cannot tell."""
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def overran(self, timeout: float, now: float) -> bool:
        """Whether the input in hand has used more than ``timeout`` seconds of processor
        time, or more than :data:`WALL_FACTOR` times that in wall time: on a loaded machine a
        worker may wait long for a processor, and that is not a hang."""
        wall = now - self.started
        if wall <= timeout:
            return False
        cpu = self.cpu_seconds()
        return cpu is None or cpu - self.cpu_started > timeout or wall > WALL_FACTOR * timeout

    @property
    def out(self) -> IO[bytes]:
        assert self.proc.stdout is not None
        return self.proc.stdout

    def send(self, target: str, data: bytes) -> None:
        assert self.proc.stdin is not None
        message = pickle.dumps((target, data))
        self.proc.stdin.write(struct.pack(">I", len(message)) + message)
        self.proc.stdin.flush()
        self.busy = (target, data)
        self.started = time.monotonic()
        self.cpu_started = self.cpu_seconds() or 0.0

    def receive(self) -> tuple[str, str] | None:
        head = self.out.read(4)
        if len(head) < 4:
            return None
        (size,) = struct.unpack(">I", head)
        outcome: tuple[str, str] = pickle.loads(self.out.read(size))
        return outcome

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()


@dataclass
class Report:
    """Counts per parser, and the first few crashes and hangs."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    failures: list[dict[str, str]] = field(default_factory=list)
    seconds: float = 0.0
    #: wall seconds spent on each parser's inputs (generating them and waiting for answers)
    target_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    def add(self, target: str, outcome: str, detail: str, data: bytes, out: Path) -> None:
        self.counts.setdefault(target, Counter())[outcome] += 1
        if outcome in ("crash", "hang"):
            digest = hashlib.sha1(data).hexdigest()[:12]
            out.mkdir(parents=True, exist_ok=True)
            saved = out / f"{outcome}-{target}-{digest}-{FILE_NAMES[target]}"
            saved.write_bytes(data)
            if len(self.failures) < 50:
                self.failures.append(
                    {
                        "target": target,
                        "outcome": outcome,
                        "detail": detail[:2000],
                        "input": str(saved),
                    }
                )

    def to_dict(self) -> dict[str, Any]:
        rows = {
            t: {
                "inputs": sum(c.values()),
                **{k: c.get(k, 0) for k in ("refused", "accepted", "crash", "hang")},
                "seconds": round(self.target_seconds[t], 1),
                "per_second": round(sum(c.values()) / max(self.target_seconds[t], 1e-9), 1),
            }
            for t, c in self.counts.items()
        }
        total = {
            k: sum(r[k] for r in rows.values())
            for k in ("inputs", "refused", "accepted", "crash", "hang")
        }
        return {
            "targets": rows,
            "total": total,
            "seconds": round(self.seconds, 1),
            "failures": self.failures,
        }

    def table(self) -> str:
        data = self.to_dict()
        lines = [
            f"{'parser':<12} {'inputs':>8} {'refused':>8} {'accepted':>9} {'crashes':>8}"
            f" {'hangs':>6} {'seconds':>8} {'inputs/s':>9}"
        ]
        total = {**data["total"], "seconds": data["seconds"]}
        total["per_second"] = round(total["inputs"] / max(data["seconds"], 1e-9), 1)
        for name, row in [*data["targets"].items(), ("total", total)]:
            lines.append(
                f"{name:<12} {row['inputs']:>8,} {row['refused']:>8,} "
                f"{row['accepted']:>9,} {row['crash']:>8,} {row['hang']:>6,}"
                f" {row['seconds']:>8,.0f} {row['per_second']:>9,.1f}"
            )
        lines.append(f"{data['seconds']:.0f} s")
        return "\n".join(lines)


def run(
    targets: list[str],
    per_target: int,
    *,
    workers: int = 2,
    timeout: float = 20.0,
    memory: int = 3 << 30,
    seed: int = 0,
    out: Path = ROOT / "tests" / "fuzz" / "findings",
    chunk: int = 500,
    json_path: Path | None = None,
    progress: bool = False,
) -> Report:
    """Fuzz ``targets`` with ``per_target`` inputs each and return the counts.

    The parsers take turns, ``chunk`` inputs at a time (a quarter drawn by hypothesis, the
    rest mutated), so a run stopped early has tried every parser about equally; the
    report is written to ``json_path`` after every turn."""
    start = time.monotonic()
    report = Report()
    pool = [_Worker(memory) for _ in range(workers)]
    try:
        booting = True  # the workers start while the first inputs are made
        done = 0
        turn = 0
        while done < per_target:
            size = min(chunk, per_target - done)
            for target in targets:
                began = time.monotonic()
                drawn = size // 4
                inputs = [
                    *hypothesis_inputs(target, drawn, seed + turn),
                    *mutation_inputs(target, size - drawn, seed + turn),
                ]
                inputs += list(mutation_inputs(target, size - len(inputs), seed + turn + 7919))
                made = time.monotonic() - began
                if booting:
                    _drive(pool, "", [], report, timeout, memory, out)  # until all are ready
                    booting = False
                began = time.monotonic()
                _drive(pool, target, inputs, report, timeout, memory, out)
                report.target_seconds[target] += made + time.monotonic() - began
                report.seconds = time.monotonic() - start
                if json_path is not None:
                    json_path.write_text(json.dumps(report.to_dict(), indent=2) + "\n")
            done += size
            turn += 1
            if progress:
                print(
                    f"{done:,} per parser, {report.seconds:.0f} s: {report.to_dict()['total']}",
                    file=sys.stderr,
                    flush=True,
                )
    finally:
        for worker in pool:
            worker.stop()
    report.seconds = time.monotonic() - start
    return report


def _drive(
    pool: list[_Worker],
    target: str,
    inputs: list[bytes],
    report: Report,
    timeout: float,
    memory: int,
    out: Path,
) -> None:
    pending = list(reversed(inputs))
    while pending or any(w.busy or not w.ready for w in pool):
        for worker in pool:
            if worker.busy is None and worker.ready and pending:
                worker.send(target, pending.pop())
        readable, _, _ = select.select([w.out for w in pool], [], [], 0.5)
        now = time.monotonic()
        for i, worker in enumerate(pool):
            if worker.out in readable:
                answer = worker.receive()
                if answer is None:  # the worker died: a crash in native code, or the OOM
                    code = worker.proc.wait()
                    if not worker.ready:  # it cannot start at all: restarting it would loop
                        raise SystemExit(
                            f"a fuzz worker exited with code {code} before it was ready; "
                            "`python -m tests.fuzz.worker` shows why"
                        )
                    if worker.busy is not None:
                        report.add(
                            target,
                            "crash",
                            f"worker died with exit code {code}",
                            worker.busy[1],
                            out,
                        )
                    pool[i] = _Worker(memory)
                    continue
                if answer[0] == "ready":
                    worker.ready = True
                    continue
                assert worker.busy is not None
                report.add(target, answer[0], answer[1], worker.busy[1], out)
                worker.busy = None
            elif worker.busy is not None and worker.overran(timeout, now):
                used = worker.cpu_seconds()
                spent = "" if used is None else f" ({used - worker.cpu_started:.1f} s of CPU)"
                detail = f"no answer within {now - worker.started:.0f} s{spent}"
                report.add(target, "hang", detail, worker.busy[1], out)
                worker.stop()
                pool[i] = _Worker(memory)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--targets", default=",".join(TARGETS))
    parser.add_argument("--per-target", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--memory", type=int, default=3 << 30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--chunk", type=int, default=500, help="inputs per parser per turn (the parsers take turns)"
    )
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "tests" / "fuzz" / "findings")
    args = parser.parse_args(argv)
    targets = [t for t in args.targets.split(",") if t]
    unknown = sorted(set(targets) - set(TARGETS))
    if unknown:
        parser.error(f"unknown targets {unknown}; choose from {', '.join(TARGETS)}")
    report = run(
        targets,
        args.per_target,
        workers=args.workers,
        timeout=args.timeout,
        memory=args.memory,
        seed=args.seed,
        out=args.out,
        chunk=args.chunk,
        json_path=args.json,
        progress=True,
    )
    print(report.table())
    for failure in report.failures[:10]:
        print(
            f"\n{failure['outcome']} in {failure['target']} ({failure['input']}):\n"
            f"{failure['detail']}"
        )
    if args.json is not None:
        args.json.write_text(json.dumps(report.to_dict(), indent=2) + "\n")
    total = report.to_dict()["total"]
    return 1 if total["crash"] or total["hang"] else 0


if __name__ == "__main__":
    sys.exit(main())
