"""The test manifest: every graded test and its cases, fixed when the autograder is built.

``python -m grader.submission.manifest --homework HWn --out manifest.json`` collects the
homework's public and hidden tests with pytest (no student code is involved) and joins them with
its table (``tests/HWn/rubric.py``). The supervisor trusts only this file for which homework it
grades, which files it takes from a submission, and what should have run, with which number,
name, points and visibility; a test that is in the manifest but not in a run's report failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

from harness.homework import Homework

ROOT = Path(__file__).resolve().parents[3]


def collect(homework: Homework) -> list[str]:
    """Node ids of every graded test case of ``homework``, as pytest collects them at its root."""
    root = homework.root
    dirs = [homework.rel(d) for d in (homework.tests, homework.hidden) if d.is_dir()]
    env = {**os.environ, "PYTHONPATH": f"{root / 'tests'}:{root / 'autograder'}", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "--no-score-table",
                           "-c", str(root / "pyproject.toml"), "--rootdir", str(root), "--homework", homework.name,
                           *dirs], cwd=root, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"collecting the tests failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return [line.strip() for line in proc.stdout.splitlines() if "::" in line]


def build(homework: Homework) -> dict:
    nodeids = collect(homework)
    tests_table = homework.tests_table
    listed = {test.node for entries in tests_table.values() for test in entries}
    unlisted = sorted({n.split("[", 1)[0] for n in nodeids} - listed)
    if unlisted:
        raise SystemExit(f"tests missing from {homework.rel(homework.tests)}/rubric.py:\n  " + "\n  ".join(unlisted))
    tests = []
    for problem, entries in tests_table.items():
        for index, test in enumerate(entries, start=1):
            cases = [n for n in nodeids if n.split("[", 1)[0] == test.node]
            if not cases:
                raise SystemExit(f"table entry {test.node} matches no collected test")
            visibility = test.visibility or (homework.hidden_visibility if test.hidden else "visible")
            tests.append({"node": test.node, "problem": problem, "number": f"{problem}.{index}",
                          "name": test.name, "points": test.points, "visibility": visibility,
                          "path": test.path, "cases": cases})
    return {"homework": homework.name, "student_files": list(homework.student_files),
            "problems": [dataclasses.asdict(p) for p in homework.problems], "tests": tests}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.submission.manifest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project root holding tests/ and autograder/")
    parser.add_argument("--homework", default=None, help="the homework (HWn; default: the only one)")
    parser.add_argument("--out", type=Path, required=True, help="where to write manifest.json")
    args = parser.parse_args(argv)
    manifest = build(Homework(args.root, args.homework))
    args.out.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    print(f"manifest: {len(manifest['tests'])} tests, {sum(len(t['cases']) for t in manifest['tests'])} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
