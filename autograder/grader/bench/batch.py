"""Benchmark the batch: ``python -m grader.bench.batch --homework HWn --help`` (``make bench-batch``).

Builds the homework's autograder zip once (outside the measurement) and a plain folder of its
bench class (``"bench"`` of ``autograder/HWn/classes.json``: typically 8 correct, buggy, hostile
and incomplete submissions), then grades that same batch twice through :func:`grader.operations.batch.run`,
from scratch each time: on 1 Dask worker, then on 2.
Prints both wall times (cluster start included), the speed-up (goal: at least 1.7x on a 2-core
machine), the cost of one submission, whether both runs gave byte-identical per-test scores, the
machine's load average before and after (the figures are only as quiet as the machine), and the
projected time of a 500-student class on 2 cores and on a 64-core node.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from grader.operations import batch, synthetic
from grader.release import build
from harness.homework import add_homework_argument, chosen_homework

ROOT = build.ROOT
CLASS_SIZE, BIG_NODE = 500, 64


def scores(out: Path) -> dict[str, dict[str, float]]:
    """Per-submission, per-test scores of a batch's records."""
    found = {}
    for path in sorted((out / "results").glob("*.json")):
        record = json.loads(path.read_text())
        doc = record.get("results") or {"tests": []}
        found[record["submission_id"]] = {t["number"]: t["score"] for t in doc["tests"]}
    return found


def load() -> str:
    return "load average {:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.bench.batch", description=__doc__.split("\n\n")[0])
    add_homework_argument(parser)
    parser.add_argument("--problems", default="", help="comma-separated problems to grade (default: all)")
    parser.add_argument("--workers", default="1,2", help="worker counts to compare (default: 1,2)")
    args = parser.parse_args(argv)
    counts = [int(n) for n in args.workers.split(",")]
    homework = chosen_homework(parser, ROOT, args.homework)
    bench_class = synthetic.classes(homework)["bench"]
    with tempfile.TemporaryDirectory(prefix="grader-bench-batch-") as tmp:
        work = Path(tmp)
        zip_path = build.build(homework, work / "autograder.zip")
        submissions = synthetic.plain_folder(work / "class", bench_class, homework)
        walls, runs = {}, {}
        for n in counts:
            print(f"bench-batch: {len(bench_class)} submissions on {n} worker(s); {load()}", flush=True)
            out = work / f"out-{n}"
            started = time.monotonic()
            status = batch.run(submissions, out, workers=n, problems=args.problems, zip_path=zip_path, progress=False)
            walls[n] = time.monotonic() - started
            runs[n] = scores(out)
            if status != 0:
                print(f"bench-batch: the batch on {n} worker(s) exited {status}")
                return 1
        print(f"bench-batch: after the runs, {load()} on {os.cpu_count()} cores")
    per_sub = walls[counts[0]] * counts[0] / len(bench_class)
    same = all(runs[n] == runs[counts[0]] for n in counts)
    for n in counts:
        print(f"bench-batch: {n} worker(s): {walls[n]:.1f} s for {len(bench_class)} submissions")
    if len(counts) >= 2:
        ratio = walls[counts[0]] / walls[counts[-1]]
        goal = 0.85 * counts[-1] / counts[0]
        print(f"bench-batch: speed-up {counts[-1]} vs {counts[0]} worker(s): {ratio:.2f}x "
              f"(goal >= {goal:.2f}x): {'met' if ratio >= goal else 'NOT met'}")
    print(f"bench-batch: per-test scores identical across runs: {'yes' if same else 'NO'}")
    for n in counts[1:]:
        for sub_id, tests in runs[counts[0]].items():
            other = runs[n].get(sub_id, {})
            for number in sorted(set(tests) | set(other)):
                if tests.get(number) != other.get(number):
                    print(f"bench-batch:   {sub_id} test {number}: {tests.get(number)} on {counts[0]} worker(s), "
                          f"{other.get(number)} on {n} (a loaded machine can push calls past their time limits)")
    print(f"bench-batch: one submission took {per_sub:.1f} s on 1 worker (problems: {args.problems or 'all'}; "
          "on a loaded machine this is wall time, not CPU time)")
    for cores in (2, BIG_NODE):
        hours = CLASS_SIZE * per_sub / cores / 3600
        print(f"bench-batch: projected {CLASS_SIZE} students on {cores} cores: {hours * 60:.0f} min "
              f"(one grading per core, linear scaling)")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
