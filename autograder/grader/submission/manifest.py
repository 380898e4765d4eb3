"""The test manifest: every graded test and its cases, fixed when the autograder is built.

``python -m hw1grader.manifest --out manifest.json`` collects the public and hidden tests
with pytest (no student code is involved) and joins them with ``tests/rubric.py``. The
supervisor trusts only this file for what should have run, with which number, name,
points and visibility; a test that is in the manifest but not in a run's report failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GRADED_DIRS = ("tests", "autograder/hidden")


def collect(root: Path) -> list[str]:
    """Node ids of every graded test case, as pytest collects them in ``root``."""
    dirs = [d for d in GRADED_DIRS if (root / d).is_dir()]
    env = {**os.environ, "PYTHONPATH": f"{root / 'tests'}:{root / 'autograder'}", "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "--no-score-table",
                           "-c", str(root / "pyproject.toml"), "--rootdir", str(root), *dirs],
                          cwd=root, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise SystemExit(f"collecting the tests failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return [line.strip() for line in proc.stdout.splitlines() if "::" in line]


def build(root: Path = ROOT) -> dict:
    sys.path.insert(0, str(root / "tests"))
    import rubric

    nodeids = collect(root)
    listed = {test.node for entries in rubric.TESTS.values() for test in entries}
    unlisted = sorted({n.split("[", 1)[0] for n in nodeids} - listed)
    if unlisted:
        raise SystemExit("tests missing from tests/rubric.py:\n  " + "\n  ".join(unlisted))
    tests = []
    for problem, entries in rubric.TESTS.items():
        for index, test in enumerate(entries, start=1):
            cases = [n for n in nodeids if n.split("[", 1)[0] == test.node]
            if not cases:
                raise SystemExit(f"rubric entry {test.node} matches no collected test")
            visibility = test.visibility or (rubric.HIDDEN_VISIBILITY if test.hidden else "visible")
            tests.append({"node": test.node, "problem": problem, "number": f"{problem}.{index}",
                          "name": test.name, "points": test.points, "visibility": visibility,
                          "path": test.path, "cases": cases})
    return {"problems": [dataclasses.asdict(p) for p in rubric.PROBLEMS], "tests": tests}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hw1grader.manifest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT, help="project root holding tests/ and autograder/hidden/")
    parser.add_argument("--out", type=Path, required=True, help="where to write manifest.json")
    args = parser.parse_args(argv)
    manifest = build(args.root)
    args.out.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    print(f"manifest: {len(manifest['tests'])} tests, {sum(len(t['cases']) for t in manifest['tests'])} cases")
    return 0


if __name__ == "__main__":
    sys.exit(main())
