"""Benchmark a whole grading run: ``python -m grader.bench.grade --homework HWn --help``.

Builds the autograder zip (outside the measurement), then grades a submission (default: the
solutions) through the real autograder pinned to one CPU core (``taskset -c 0``), samples the
resident memory of the whole process tree every 0.1 s, and prints the wall time and the peak
of the summed RSS. Targets: at most 3 min and 650 MB, so the run fits Gradescope's default
box (0.5 CPU, 768 MB, 10 min).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.release import build
from harness import procs
from harness.homework import Homework, add_homework_argument, chosen_homework

ROOT = build.ROOT


def memory(pids: list[int]) -> list[tuple[str, float, float]]:
    """(command, RSS MB, PSS MB) of each live process. PSS splits shared pages (libtorch
    mapped by two processes counts half in each), which is what the container is charged."""
    rows = []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as smaps:
                fields = {line.split(":")[0]: int(line.split()[1]) for line in smaps if line.endswith("kB\n")}
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")[:90]
        except (OSError, IndexError, ValueError):
            continue
        rows.append((command, fields.get("Rss", 0) / 1024, fields.get("Pss", 0) / 1024))
    return rows


def measure(homework: Homework, submission: Path | None, problems: str = "", cores: str = "0") -> dict:
    """Grade ``submission`` (default: the homework's solutions) pinned to ``cores``: wall seconds, the peak
    summed RSS and PSS of the grading tree, the processes at the peak, the grading's output and exit status."""
    with tempfile.TemporaryDirectory() as tmp:
        # Build first, outside the measured tree: recording the torch oracles loads torch twice.
        zip_path = build.build(homework, Path(tmp) / "autograder.zip")
        cmd = [sys.executable, "-m", "grader.operations.grade", "--homework", homework.name,
               "--submission", str(submission or homework.solutions),
               "--results", f"{tmp}/results.json", "--zip", str(zip_path)]
        if problems:
            cmd += ["--problems", problems]
        if shutil.which("taskset"):
            cmd = ["taskset", "-c", cores, *cmd]
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        peak, peak_pss, at_peak = 0.0, 0.0, []
        while proc.poll() is None:
            rows = memory([proc.pid, *procs.descendants(proc.pid)])
            rss = sum(r[1] for r in rows)
            peak_pss = max(peak_pss, sum(r[2] for r in rows))
            if rss > peak:
                peak, at_peak = rss, rows
            time.sleep(0.1)
        wall = time.monotonic() - started
        output = proc.stdout.read()
    return {"wall": wall, "peak": peak, "peak_pss": peak_pss, "at_peak": at_peak, "output": output,
            "status": proc.returncode}


def report(homework: Homework, run: dict, cores: str) -> None:
    print(run["output"][-3000:])
    print("at the peak:")
    for command, rss, pss in sorted(run["at_peak"], key=lambda r: -r[1]):
        print(f"  {rss:6.0f} MB RSS {pss:6.0f} MB PSS  {command}")
    wall, peak = run["wall"], run["peak"]
    print(f"bench-grade: {homework.name}: wall {wall:.1f} s on core(s) {cores}, peak RSS of the process tree "
          f"{peak:.0f} MB (peak PSS, shared pages counted once: {run['peak_pss']:.0f} MB)")
    print(f"bench-grade: targets <= 180 s and <= 650 MB: {'met' if wall <= 180 and peak <= 650 else 'NOT met'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.bench.grade", description=__doc__.split("\n\n")[0])
    add_homework_argument(parser)
    parser.add_argument("--submission", type=Path, default=None,
                        help="folder or zip to grade (default: the homework's solutions)")
    parser.add_argument("--problems", default="", help="comma-separated problems (default: all)")
    parser.add_argument("--cores", default="0", help="CPU list for taskset (default: 0)")
    parser.add_argument("--against", default=None,
                        help="another homework whose solutions are graded in the same run, alternately "
                             "(this, other, other, this, ...): both times, both peaks, and their ratios")
    parser.add_argument("--rounds", type=int, default=2, help="with --against: gradings of each (default 2)")
    args = parser.parse_args(argv)
    homework = chosen_homework(parser, ROOT, args.homework)
    other = chosen_homework(parser, ROOT, args.against) if args.against else None
    if other is None:
        run = measure(homework, args.submission, args.problems, args.cores)
        report(homework, run, args.cores)
        return run["status"]
    runs: dict[str, list[dict]] = {homework.name: [], other.name: []}
    for i in range(2 * max(args.rounds, 1)):
        current = (homework, other, other, homework)[i % 4]
        run = measure(current, None, "", args.cores)
        runs[current.name].append(run)
        print(f"bench-grade: run {i + 1}: {current.name} wall {run['wall']:.1f} s, peak {run['peak']:.0f} MB, "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)
    wall = {name: statistics.median(r["wall"] for r in rs) for name, rs in runs.items()}
    peak = {name: max(r["peak"] for r in rs) for name, rs in runs.items()}
    a, b = homework.name, other.name
    print(f"bench-grade: {a} {wall[a]:.1f} s, {b} {wall[b]:.1f} s (medians of {max(args.rounds, 1)} gradings each, "
          f"core(s) {args.cores}): ratio {a}/{b} {wall[a] / wall[b]:.2f}")
    print(f"bench-grade: peak RSS {a} {peak[a]:.0f} MB, {b} {peak[b]:.0f} MB: ratio {peak[a] / peak[b]:.2f}")
    return max(r["status"] for rs in runs.values() for r in rs)


if __name__ == "__main__":
    sys.exit(main())
