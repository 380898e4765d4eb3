"""Staff self-checks that need a whole pytest run: ``python -m grader.quality.selfcheck --help``.

``stubs-score-zero``: the public and hidden tests against the bare stubs in ``HWn/code``
must fail every test as "not implemented yet" (0 points), with no error in the harness
itself (pytest exit code 1: tests failed; anything else is a harness or usage error).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from harness.homework import Homework, add_homework_argument, chosen_homework

ROOT = Path(__file__).resolve().parents[3]


def stubs_score_zero(homework: Homework, code: Path) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        dirs = [homework.rel(d) for d in (homework.tests, homework.hidden) if d.is_dir()]
        cmd = [sys.executable, "-m", "pytest", *dirs, "--homework", homework.name, "--code", str(code), "-q",
               "--no-score-table", "-p", "pytest_jsonreport", "--json-report", f"--json-report-file={report}",
               "--json-report-omit", "collectors", "log", "streams"]
        root = homework.root
        env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONPATH": f"{root / 'tests'}:{root / 'autograder'}"}
        proc = subprocess.run(cmd, cwd=root, capture_output=True, text=True, env=env)
        if proc.returncode != 1 or not report.exists():
            print(proc.stdout[-3000:], proc.stderr[-3000:])
            print(f"stubs-score-zero: pytest exited {proc.returncode}; expected 1 (tests failed, harness fine)")
            return 1
        tests = json.loads(report.read_text())["tests"]
    bad = [t["nodeid"] for t in tests
           if t["outcome"] == "passed" or not t.get("metadata", {}).get("not_implemented")]
    if not tests or bad:
        print("stubs-score-zero: these tests did not fail as 'not implemented yet' on the stubs:")
        print("\n".join(f"  {n}" for n in bad[:30]) or "  (no tests ran)")
        return 1
    print(f"stubs-score-zero: all {len(tests)} tests fail as 'not implemented yet' on {code}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.quality.selfcheck", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="check", required=True)
    stubs = sub.add_parser("stubs-score-zero", help="the bare stubs fail every test as not implemented")
    add_homework_argument(stubs)
    stubs.add_argument("--code", type=Path, default=None, help="the stubs (default: HWn/code)")
    args = parser.parse_args(argv)
    homework = chosen_homework(parser, ROOT, args.homework)
    return stubs_score_zero(homework, args.code or homework.code)


if __name__ == "__main__":
    sys.exit(main())
