"""A whole grading run against an earlier commit's: ``python -m grader.bench.compare --ref REV``.

``make bench-grade-compare REF=<commit> [HW=n]``. Extracts ``REV`` from this repository with ``git
archive`` into a temporary folder (no worktree, nothing in ``.git`` changes), then runs
``make bench-grade HW=n`` there (the old tree's own tooling, with this checkout's virtual
environment) and here, alternately (old, new, new, old, ...: each side runs as often early as
late, so a machine that gets busier or quieter during the comparison biases neither), both
pinned to the core ``make bench-grade`` pins to (core 0). Prints each run's wall time, peak RSS
of the grading tree, seconds per problem and load average, then the medians and the ratio of
the wall times (new / old; the goal is at most 1.00) and the peak RSS against 650 MB.

The old tree must have a ``bench-grade`` target that prints ``bench-grade: wall ... s ...
peak RSS of the process tree ... MB`` (every commit since the target exists does), and its
requirements must be installed in this virtual environment.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
SUMMARY = re.compile(r"bench-grade: (?:HW\d+: )?wall ([0-9.]+) s .*?peak RSS of the process tree ([0-9]+) MB")
PROBLEM = re.compile(r"\[supervisor\] problem (\d+): .*?, ([0-9.]+) s, ")
RATIO_GOAL = 1.00
MEMORY_GOAL_MB = 650


def extract(rev: str, target: Path, root: Path = ROOT) -> str:
    """``git archive REV`` unpacked into ``target``; returns the full commit id."""
    commit = subprocess.run(["git", "-C", str(root), "rev-parse", "--verify", f"{rev}^{{commit}}"],
                            capture_output=True, text=True, check=True).stdout.strip()
    archive = subprocess.Popen(["git", "-C", str(root), "archive", "--format=tar", commit], stdout=subprocess.PIPE)
    unpacked = subprocess.run(["tar", "-x", "-C", str(target)], stdin=archive.stdout)
    archive.stdout.close()
    if archive.wait() != 0 or unpacked.returncode != 0:
        raise RuntimeError(f"git archive {commit} | tar -x failed")
    return commit


def bench(tree: Path, venv: Path, homework: str = "1") -> dict:
    """``make bench-grade HW=homework`` in ``tree`` with ``venv``: wall s, peak MB, seconds per problem, load.
    (A tree from before homeworks were a parameter ignores ``HW``: it had one homework.)"""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "PYTHONPATH")}
    cmd = ["make", "--no-print-directory", "-C", str(tree), "bench-grade", f"HW={homework}", f"VENV={venv}",
           "-o", str(venv / ".installed")]  # never reinstall into the shared environment
    load_before = os.getloadavg()
    started = time.monotonic()
    proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seconds = time.monotonic() - started
    found = SUMMARY.findall(proc.stdout)
    if not found:
        raise RuntimeError(f"make bench-grade in {tree} printed no summary (exit {proc.returncode}):\n"
                           f"{proc.stdout[-3000:]}")
    wall, peak = found[-1]
    return {"wall": float(wall), "peak": int(peak), "problems": {int(n): float(s) for n, s in
                                                                 PROBLEM.findall(proc.stdout)},
            "load": (load_before, os.getloadavg()), "make_seconds": seconds, "ok": proc.returncode == 0,
            "score": (re.findall(r"score ([0-9.]+)", proc.stdout) or ["?"])[-1]}


def order(rounds: int) -> list[str]:
    """old, new, new, old, old, new, ...: ``rounds`` runs of each side, balanced in time."""
    pattern = ("old", "new", "new", "old")
    return [pattern[i % 4] for i in range(2 * rounds)]


def report(runs: dict[str, list[dict]], commit: str) -> tuple[float, int]:
    print("\nper problem (median seconds):")
    problems = sorted({n for side in runs.values() for r in side for n in r["problems"]})
    print("  problem  " + "  ".join(f"{n:>6}" for n in problems))
    for side in ("old", "new"):
        medians = [statistics.median([r["problems"].get(n, 0.0) for r in runs[side]]) for n in problems]
        print(f"  {side:<7}  " + "  ".join(f"{m:6.1f}" for m in medians))
    old = statistics.median(r["wall"] for r in runs["old"])
    new = statistics.median(r["wall"] for r in runs["new"])
    old_peak = max(r["peak"] for r in runs["old"])
    new_peak = max(r["peak"] for r in runs["new"])
    ratio = new / old
    print(f"\nbench-grade-compare: {commit[:7]} (old) {old:.1f} s, this tree (new) {new:.1f} s "
          f"(medians of {len(runs['old'])} runs each, core 0): ratio new/old {ratio:.2f} "
          f"(goal <= {RATIO_GOAL:.2f}: {'met' if ratio <= RATIO_GOAL else 'NOT met'})")
    print(f"bench-grade-compare: peak RSS of the grading tree: old {old_peak} MB, new {new_peak} MB "
          f"(goal <= {MEMORY_GOAL_MB} MB: {'met' if new_peak <= MEMORY_GOAL_MB else 'NOT met'})")
    return ratio, new_peak


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.bench.compare", description=__doc__.split("\n\n")[0])
    parser.add_argument("--homework", default="HW1", help="the homework both trees grade (default: HW1)")
    parser.add_argument("--ref", required=True, help="the earlier commit (any git revision)")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each side (default 2: old, new, new, old)")
    parser.add_argument("--venv", type=Path, default=Path(sys.prefix), help="virtual environment for both trees")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    runs: dict[str, list[dict]] = {"old": [], "new": []}
    with tempfile.TemporaryDirectory(prefix="bench-compare-") as tmp:
        try:
            commit = extract(args.ref, Path(tmp))
        except (subprocess.CalledProcessError, RuntimeError) as exc:
            parser.error(f"cannot extract {args.ref!r}: {exc}")
        trees = {"old": Path(tmp), "new": ROOT}
        print(f"bench-grade-compare: old = {commit[:12]} (git archive in {tmp}), new = {ROOT} (working tree); "
              f"{2 * args.rounds} runs of make bench-grade, alternating", flush=True)
        for i, side in enumerate(order(args.rounds), start=1):
            result = bench(trees[side], args.venv, args.homework.upper().removeprefix("HW"))
            runs[side].append(result)
            (b1, _, _), (a1, _, _) = result["load"]
            print(f"  run {i}: {side}  wall {result['wall']:6.1f} s  peak {result['peak']:4d} MB  score "
                  f"{result['score']}  load average {b1:.2f} -> {a1:.2f}  per problem "
                  + " ".join(f"P{n} {s:.1f}" for n, s in sorted(result["problems"].items()))
                  + ("" if result["ok"] else "  (make bench-grade failed)"), flush=True)
    report(runs, commit)
    return 0 if all(r["ok"] for side in runs.values() for r in side) else 1


if __name__ == "__main__":
    sys.exit(main())
