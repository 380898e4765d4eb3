"""Grade a submission locally through the real autograder: ``python -m grader.operations.grade --help``.

Builds (or takes) the autograder zip, unpacks it into a simulated ``/autograder`` root in
a temporary folder, puts the submission (a folder or a zip) in ``submission/``, writes a
``submission_metadata.json`` like Gradescope's, runs ``run_autograder`` exactly as
Gradescope would (plus ``--root``), copies ``results.json`` out and prints the score table.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from harness import procs
from harness.homework import Homework, add_homework_argument, chosen_homework

ROOT = Path(__file__).resolve().parents[3]  # grader.release.build (NumPy, oracles) loads only to build a zip


def metadata(title: str = "Homework") -> dict:
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc).isoformat()
    return {"id": 1, "created_at": now, "submission_method": "upload", "assignment_id": 1,
            "assignment": {"id": 1, "course_id": 1, "title": title, "release_date": now, "due_date": now,
                           "late_due_date": None, "group_submission": False, "group_size": None,
                           "total_points": "100.0"},
            "users": [{"email": "student@example.edu", "id": 1, "name": "Local Student"}],
            "previous_submissions": []}


WORKER_USER = "student"


def isolate(root: Path, user: str = WORKER_USER) -> bool:
    """As root, do what setup.sh does on Gradescope: a worker user that cannot read ``root``.

    Returns whether student code will run as a separate user (only possible as root).
    """
    if os.geteuid() != 0:
        return False
    if subprocess.run(["id", "-u", user], capture_output=True).returncode != 0:
        made = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user],
                              capture_output=True, text=True)
        # Concurrent gradings (a batch) may race to create it: only a user still missing is an error.
        if made.returncode != 0 and subprocess.run(["id", "-u", user], capture_output=True).returncode != 0:
            raise RuntimeError(f"could not create the worker user {user!r}: {made.stderr.strip()}")
    for path in (root / "source", root / "results", root / "submission"):
        os.chmod(path, 0o700)
    return True


def prepare_root(zip_path: Path, submission: Path, root: Path, submission_metadata: dict | None = None,
                 worker_user: str = WORKER_USER) -> None:
    """Lay out ``root`` as Gradescope does: source/, run_autograder, submission/, results/.

    ``submission_metadata`` is written as ``submission_metadata.json`` (default: :func:`metadata`,
    titled with the zip's homework).
    """
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root / "source")
    homework = json.loads((root / "source" / "manifest.json").read_text()).get("homework", "Homework")
    for name in ("run_autograder", "setup.sh"):
        os.chmod(root / "source" / name, 0o755)
    shutil.copy2(root / "source" / "run_autograder", root / "run_autograder")
    (root / "submission").mkdir()
    (root / "results").mkdir()
    if submission.is_dir():
        shutil.copytree(submission, root / "submission", dirs_exist_ok=True, symlinks=True)
    elif submission.is_file():
        shutil.copy2(submission, root / "submission" / submission.name)
    (root / "submission_metadata.json").write_text(json.dumps(submission_metadata or metadata(homework), indent=1))
    isolate(root, worker_user)


@dataclasses.dataclass
class Run:
    """One run of ``run_autograder``: what it left in ``results/results.json`` and how it ended.

    ``results_text`` is None when no results file was left; ``returncode`` is None when the run
    was killed after ``timeout`` seconds (``timed_out``).
    """

    results_text: str | None
    returncode: int | None
    stdout: str
    stderr: str
    seconds: float
    timed_out: bool = False


def run(submission: Path, zip_path: Path, problems: str = "", budget: float | None = None,
        timeout: float | None = None, submission_metadata: dict | None = None,
        worker_user: str = WORKER_USER) -> Run:
    """Run the real autograder on ``submission`` in a fresh simulated ``/autograder`` root.

    Each call has its own root and scratch folders, its worker runs under a uid no other grading
    on this machine holds (the supervisor claims one: ``worker_user`` when free, else one of a
    pool, :func:`harness.sandbox.claim_worker_uid`), and it never sweeps that user's processes
    machine-wide, so calls may overlap (the corpus and the batch grade several at once). Past
    ``timeout`` seconds the whole run is killed (its descendants first, then the supervisor).
    """
    with tempfile.TemporaryDirectory(prefix="grader-autograder-") as tmp:
        root = Path(tmp) / "autograder"
        prepare_root(zip_path, submission, root, submission_metadata, worker_user)
        cmd = [str(root / "run_autograder"), "--root", str(root), "--no-sweep-user", "--worker-user", worker_user]
        if problems:
            cmd += ["--problems", problems]
        if budget is not None:
            cmd += ["--budget", str(budget)]
        env = {**os.environ, "AUTOGRADER_PYTHON": sys.executable}
        started = time.monotonic()
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                errors="replace")
        try:
            stdout, stderr = proc.communicate(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            _kill_run(proc)
            stdout, stderr = proc.communicate()
            timed_out = True
        seconds = time.monotonic() - started
        results_path = root / "results" / "results.json"
        try:
            results_text = results_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            results_text = None
    return Run(results_text, None if timed_out else proc.returncode, stdout, stderr, seconds, timed_out)


def _kill_run(proc: subprocess.Popen) -> None:
    """Kill a run that overstayed: every descendant of the supervisor while it is alive (it is a
    subreaper, so escaped daemons are still below it), then the supervisor. Nothing is reaped
    here: other threads of this process may be waiting on their own children."""
    for _ in range(5):
        pids = procs.descendants(proc.pid)
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.05)
    proc.kill()


def grade(submission: Path, results_out: Path, problems: str = "", zip_path: Path | None = None,
          budget: float | None = None, quiet: bool = False, homework: Homework | None = None) -> dict:
    """Run the real autograder on ``submission``; return the results document.

    ``zip_path``: an autograder zip (it names its homework); without one, ``homework``'s is built."""
    if zip_path is None:
        from grader.release import build  # NumPy and the oracle recorder load only to build a zip

        zip_path = build.build(homework)
    done = run(submission, zip_path, problems, budget)
    if done.results_text is None:
        raise FileNotFoundError(f"the autograder left no results.json:\n{done.stderr[-3000:]}")
    results_out.parent.mkdir(parents=True, exist_ok=True)
    results_out.write_text(done.results_text, encoding="utf-8")
    if done.returncode != 0 or not quiet:
        print(done.stdout[-20000:], end="")
        print(done.stderr[-5000:], end="", file=sys.stderr)
    return json.loads(done.results_text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.operations.grade", description=__doc__.split("\n\n")[0])
    add_homework_argument(parser)
    parser.add_argument("--submission", type=Path, default=None,
                        help="folder or zip (default: the homework's solutions, solutions/HWn)")
    parser.add_argument("--results", type=Path, default=ROOT / "results" / "results.json",
                        help="where to copy results.json")
    parser.add_argument("--problems", default="", help="comma-separated problems (default: all)")
    parser.add_argument("--zip", type=Path, default=None,
                        help="use this autograder zip instead of building the homework's (dist/HWn-autograder.zip)")
    parser.add_argument("--budget", type=float, default=None,
                        help="overall budget in seconds (default: the supervisor's)")
    args = parser.parse_args(argv)
    homework = chosen_homework(parser, ROOT, args.homework)
    submission = args.submission or homework.solutions
    if not submission.exists():
        parser.error(f"--submission {submission} does not exist")
    doc = grade(submission, args.results, args.problems, args.zip, args.budget, homework=homework)
    print(f"\nresults: {args.results}  score {doc['score']:g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
