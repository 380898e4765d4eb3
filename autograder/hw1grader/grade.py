"""Grade a submission locally through the real autograder: ``python -m hw1grader.grade --help``.

Builds (or takes) the autograder zip, unpacks it into a simulated ``/autograder`` root in
a temporary folder, puts the submission (a folder or a zip) in ``submission/``, writes a
``submission_metadata.json`` like Gradescope's, runs ``run_autograder`` exactly as
Gradescope would (plus ``--root``), copies ``results.json`` out and prints the score table.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from hw1grader import build

ROOT = build.ROOT


def metadata() -> dict:
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc).isoformat()
    return {"id": 1, "created_at": now, "submission_method": "upload", "assignment_id": 1,
            "assignment": {"id": 1, "course_id": 1, "title": "HW1", "release_date": now, "due_date": now,
                           "late_due_date": None, "group_submission": False, "group_size": None,
                           "total_points": "100.0"},
            "users": [{"email": "student@example.edu", "id": 1, "name": "Local Student"}],
            "previous_submissions": []}


WORKER_USER = "student"


def isolate(root: Path) -> bool:
    """As root, do what setup.sh does on Gradescope: a worker user that cannot read ``root``.

    Returns whether student code will run as a separate user (only possible as root).
    """
    if os.geteuid() != 0:
        return False
    if subprocess.run(["id", "-u", WORKER_USER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", WORKER_USER],
                       check=True, capture_output=True)
    for path in (root / "source", root / "results", root / "submission"):
        os.chmod(path, 0o700)
    return True


def prepare_root(zip_path: Path, submission: Path, root: Path) -> None:
    """Lay out ``root`` as Gradescope does: source/, run_autograder, submission/, results/."""
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    for name in ("run_autograder", "setup.sh"):
        os.chmod(root / "source" / name, 0o755)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    if submission.is_dir():
        shutil.copytree(submission, root / "submission", dirs_exist_ok=True, symlinks=True)
    elif submission.is_file():
        shutil.copy2(submission, root / "submission" / submission.name)
    (root / "submission_metadata.json").write_text(json.dumps(metadata(), indent=1))
    isolate(root)


def grade(submission: Path, results_out: Path, problems: str = "", zip_path: Path | None = None,
          budget: float | None = None, quiet: bool = False) -> dict:
    """Run the real autograder on ``submission``; return the results document."""
    if zip_path is None:
        zip_path = ROOT / "dist" / "autograder.zip"
        build.write_zip(build.contents(), zip_path, executables=("setup.sh", "run_autograder"))
    with tempfile.TemporaryDirectory(prefix="hw1-autograder-") as tmp:
        root = Path(tmp) / "autograder"
        prepare_root(zip_path, submission, root)
        # Local runs may overlap (the corpus grades two at once): no machine-wide user sweep.
        cmd = [str(root / "run_autograder"), "--root", str(root), "--no-sweep-user"]
        if problems:
            cmd += ["--problems", problems]
        if budget is not None:
            cmd += ["--budget", str(budget)]
        env = {**os.environ, "HW1_PYTHON": sys.executable}
        proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, errors="replace")
        (results_out.parent).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / "results" / "results.json", results_out)
        if proc.returncode != 0 or not quiet:
            print(proc.stdout[-20000:], end="")
            print(proc.stderr[-5000:], end="", file=sys.stderr)
    return json.loads(results_out.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hw1grader.grade", description=__doc__.split("\n\n")[0])
    parser.add_argument("--submission", type=Path, default=ROOT / "solutions",
                        help="folder or zip (default: solutions)")
    parser.add_argument("--results", type=Path, default=ROOT / "results" / "results.json",
                        help="where to copy results.json")
    parser.add_argument("--problems", default="", help="comma-separated problems (default: all)")
    parser.add_argument("--zip", type=Path, default=None, help="use this autograder zip instead of building one")
    parser.add_argument("--budget", type=float, default=None,
                        help="overall budget in seconds (default: the supervisor's)")
    args = parser.parse_args(argv)
    if not args.submission.exists():
        parser.error(f"--submission {args.submission} does not exist")
    doc = grade(args.submission, args.results, args.problems, args.zip, args.budget)
    print(f"\nresults: {args.results}  score {doc['score']:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
