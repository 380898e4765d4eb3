"""Everything staff rely on, for every homework, on every core: ``python -m grader.quality.verify --help``.

``make verify`` (and so CI) runs this. The checks are the Makefile's own targets, each a step:
lint; for every homework its stub drift and audits, its bare stubs (every test "not implemented
yet"), its own grader tests, its knock-out check and its corpus (whose ``solutions-full`` entry
grades the reference's public and hidden tests through the real autograder; a homework without
one gets ``make verify-solutions`` instead); and the machinery's tests. Independent steps run at
once, as many as there are cores (``--jobs``); a step that itself grades two things at a time (a
corpus, the knock-out check) takes two slots, so the machine is never asked for more than it has
(time limits in the grading stay honest). The longest steps start first. Every step runs even
when another fails; each one's output goes to a log (``--logs``), shown in full when it fails; at
the end a table lists every step, slowest first, with its time and verdict. Exit status 1 when
any step failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from harness.homework import Homework, UnknownHomework, names

ROOT = Path(__file__).resolve().parents[3]


@dataclasses.dataclass
class Step:
    """One check: a command run at the project root, its expected minutes (for ordering) and its slots."""

    name: str
    command: list[str]
    minutes: float = 1.0
    slots: int = 1
    seconds: float = 0.0
    status: int | None = None


def _corpus_grades_the_reference_in_full(root: Path, name: str) -> bool:
    """Whether the homework's corpus has a ``solutions-full`` entry expecting every problem in full: its
    grading (the real autograder on the reference, every public and hidden test) is then what
    ``make verify-solutions`` checks with pytest, and verify runs it once, not twice."""
    spec_file = root / "autograder" / name / "corpus" / "solutions-full" / "expected.json"
    if not spec_file.is_file():
        return False
    spec = json.loads(spec_file.read_text())
    numbers = {int(n) for n in spec.get("problems", ())}
    try:
        table = {p.number for p in Homework(root, name).problems}
    except UnknownHomework:
        return False
    return (spec.get("base", "solutions") == "solutions" and numbers == table
            and all(spec["expect"].get(str(n)) == "full" for n in table))


def steps(root: Path, jobs: int, only: list[str] | None = None) -> list[Step]:
    """The steps of a whole verify, for the homeworks ``only`` names (default: every one)."""
    make = ["make", "--no-print-directory"]
    pair = min(2, jobs)
    out = [Step("lint", [*make, "lint"], 0.2)]
    for name in only or names(root):
        hw = f"HW={name[2:]}"
        out += [
            Step(f"{name} stubs and audits", [*make, hw, "check-stubs", "audit"], 0.5),
            Step(f"{name} stubs score 0", [*make, hw, "verify-stubs"], 1.0),
            Step(f"{name} corpus", [*make, hw, "corpus", f"CORPUS_JOBS={pair}"], 8.0, slots=pair),
            Step(f"{name} grader tests", [*make, hw, "grader-tests-own"], 2.0),
            Step(f"{name} knock-out", [*make, hw, "knockout-check"], 4.0, slots=pair),
        ]
        if not _corpus_grades_the_reference_in_full(root, name):
            out.append(Step(f"{name} solutions pass", [*make, hw, "verify-solutions"], 2.0))
    out.append(Step("machinery tests", [*make, "machinery-tests", f"TEST_JOBS={pair}"], 6.0, slots=pair))
    return out


def run(all_steps: list[Step], jobs: int, logs: Path, echo=print) -> bool:
    """Run ``all_steps`` with at most ``jobs`` slots busy; longest first. Returns whether all passed."""
    logs.mkdir(parents=True, exist_ok=True)
    pending = sorted(all_steps, key=lambda s: -s.minutes)
    free = jobs
    lock = threading.Condition()

    def work(step: Step) -> None:
        nonlocal free
        log = logs / (step.name.replace(" ", "-") + ".log")
        started = time.monotonic()
        with open(log, "wb") as handle:
            step.status = subprocess.run(step.command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT).returncode
        step.seconds = time.monotonic() - started
        with lock:
            free += min(step.slots, jobs)
            verdict = "ok  " if step.status == 0 else "FAIL"
            echo(f"verify: {verdict} {step.name} ({step.seconds:.0f} s)")
            if step.status != 0:
                echo(log.read_text(errors="replace")[-12000:])
            lock.notify_all()

    threads = []
    with lock:
        while pending:
            step = next((s for s in pending if min(s.slots, jobs) <= free), None)
            if step is None:
                lock.wait()
                continue
            pending.remove(step)
            free -= min(step.slots, jobs)
            echo(f"verify: start {step.name}: {' '.join(step.command)}")
            thread = threading.Thread(target=work, args=(step,), daemon=True)
            thread.start()
            threads.append(thread)
    for thread in threads:
        thread.join()
    return all(s.status == 0 for s in all_steps)


def table(all_steps: list[Step], wall: float) -> list[str]:
    """The steps, slowest first: time, share of the wall time, verdict."""
    lines = [f"{'step':<32} {'seconds':>8}  verdict"]
    for step in sorted(all_steps, key=lambda s: -s.seconds):
        lines.append(f"{step.name:<32} {step.seconds:>8.0f}  {'ok' if step.status == 0 else 'FAILED'}")
    busy = sum(s.seconds * s.slots for s in all_steps)
    lines.append(f"{'wall time':<32} {wall:>8.0f}  ({busy / max(wall, 1e-9):.2f} slots busy on average)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.quality.verify", description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="slots: steps at once (default: cores)")
    parser.add_argument("--homeworks", default="", help="comma-separated homeworks (default: every one)")
    parser.add_argument("--logs", type=Path, default=ROOT / "build" / "verify", help="folder for each step's log")
    args = parser.parse_args(argv)
    only = [h if h.upper().startswith("HW") else f"HW{h}" for h in args.homeworks.split(",") if h.strip()]
    all_steps = steps(ROOT, max(args.jobs, 1), only or None)
    started = time.monotonic()
    ok = run(all_steps, max(args.jobs, 1), args.logs)
    print("\n".join(["", "verify: every step, slowest first", *table(all_steps, time.monotonic() - started)]))
    print(f"verify: {'passed' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
