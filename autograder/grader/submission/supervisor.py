"""The supervisor: the only writer of ``results.json`` (``run_autograder`` calls this).

``python -m grader.submission.supervisor --root /autograder`` (``--help`` for the rest):

1. writes a valid fallback ``results/results.json`` (0 points, a visible reason) first;
2. finds the graded files in ``submission/`` (:mod:`grader.submission.discovery`);
3. runs pytest once per problem in a subprocess with the staff configuration only
   (plugin autoloading off, a clean environment), under that problem's budget and an
   overall budget well below Gradescope's timeout; student code runs only in the
   workers those tests start, as an unprivileged user when we are root (a uid of its own
   for this grading: :func:`harness.sandbox.claim_worker_uid`), in the sandbox of
   :mod:`harness.sandbox`, whose protections test 0.1 states;
4. reconciles the JSON report with the manifest fixed at build time: every manifest
   test appears, a case that did not run fails with the reason, unknown ids are ignored;
5. writes ``results.json`` atomically and kills every process the run left behind.
It never trusts pytest's exit code, and it never imports student code.
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from grader.submission import results
from grader.submission.discovery import discover
from grader.submission.secrets import redact, secret_lines
from harness import procs, sandbox
from harness.homework import Problem
from harness.scoring import case_fraction, entry_score

OVERALL_BUDGET_S = 540.0  # Gradescope's default timeout is 600 s; leave time to write results
RESERVE_S = 15.0
PYTEST_GRACE_S = 30.0
OUTCOMES = {"passed", "failed", "error", "skipped", "xfailed", "xpassed"}


def _log(message: str) -> None:
    print(f"[supervisor] {message}", flush=True)


def _pytest_env(source: Path, home: Path) -> dict:
    env = {
        "PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
        "PYTHONPATH": f"{source / 'tests'}:{source / 'autograder'}",
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PYTHONDONTWRITEBYTECODE": "1", "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(home / ".mpl"), "TF_CPP_MIN_LOG_LEVEL": "3", "OMP_NUM_THREADS": "1",
    }
    oracles = source / "autograder" / "oracles" / "torch.json"  # recorded at build time: no torch in the test process
    if oracles.is_file():
        env["GRADER_ORACLE_CACHE"] = str(oracles)
    return env


def run_problem(homework: str, problem: Problem, tests: list[dict], source: Path, code: Path, scratch: Path,
                timeout: float, worker_user: str | None) -> tuple[dict[str, dict], str]:
    """Run one problem's tests; return ``{nodeid: case record}`` and a note for the log."""
    report = scratch / f"report-{problem.number}.json"
    log = scratch / f"cases-{problem.number}.jsonl"
    # Rubric order: public tests first, so a root cause is explained in full where the student sees it.
    files = list(dict.fromkeys(t["path"] for t in tests))
    cmd = [sys.executable, "-m", "pytest", *files, "-c", str(source / "pyproject.toml"), "--rootdir", str(source),
           "-p", "pytest_jsonreport.plugin", "--json-report", f"--json-report-file={report}",
           "--json-report-omit", "collectors", "log", "streams", "traceback",
           "-p", "pytest_timeout", f"--timeout={int(problem.budget_s + PYTEST_GRACE_S)}",
           "--homework", homework, "--code", str(code), "--given", str(source / homework / "code"),
           "--reference", str(source / "solutions" / homework),
           "--problems", str(problem.number), "--enforce-budgets", "--confine", "--results-log", str(log),
           "--no-score-table", "-q", "-p", "no:cacheprovider",
           "--sandbox-log", str(scratch / f"sandbox-{problem.number}.json")]
    if worker_user:
        cmd += ["--worker-user", worker_user]
    started = time.monotonic()
    with open(scratch / f"pytest-{problem.number}.log", "wb") as out:
        proc = subprocess.Popen(cmd, cwd=source, env=_pytest_env(source, scratch), stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            proc.wait(timeout=timeout)
            note = f"pytest exited {proc.returncode}"
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            note = f"killed after {timeout:.0f} s"
    procs.kill_descendants()
    cases = _read_report(report) or _read_log(log)
    return cases, f"{note}, {time.monotonic() - started:.1f} s, {len(cases)} cases reported"


def _read_report(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        cases = {}
        for test in data["tests"]:
            meta = test.get("metadata") or {}
            cases[str(test["nodeid"])] = {"outcome": str(test["outcome"]), "credit": meta.get("credit"),
                                          "feedback": str(meta.get("feedback", "")),
                                          "note": str(meta.get("note", "")),
                                          "not_implemented": bool(meta.get("not_implemented")),
                                          "grader_error": bool(meta.get("grader_error")),
                                          "grader_traceback": str(meta.get("grader_traceback", ""))}
        return cases
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def _read_log(path: Path) -> dict[str, dict]:
    cases = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return cases
    for line in lines:
        try:
            record = json.loads(line)
            cases[str(record["nodeid"])] = record
        except (ValueError, KeyError, TypeError):
            continue
    return cases


def _case_result(record: dict | None, not_run: str) -> tuple[float, str]:
    if record is None:
        return 0.0, f"did not run: {not_run}"
    outcome = record.get("outcome")
    if outcome not in OUTCOMES:
        return 0.0, "did not report a result"
    if outcome in ("xfailed", "xpassed", "skipped"):
        return 0.0, record.get("feedback") or f"{outcome}: graded tests must run and pass"
    fraction = case_fraction(outcome, record.get("credit"))
    if outcome == "passed" and fraction >= 1.0:
        return fraction, "passed"
    text = record.get("feedback") or ("failed" if outcome == "failed" else "error while setting up the test")
    if 0 < fraction < 1:
        text = f"partial credit {fraction:.0%}. {text}"
    return fraction, text


NOT_GRADED = ": not graded: "


def grade_entry(test: dict, cases: dict[str, dict], not_run: str) -> results.GradedTest:
    fractions, lines = [], []
    not_graded: dict[str, list[str]] = {}  # one root cause reported elsewhere: one line, however many cases
    for nodeid in test["cases"]:
        fraction, text = _case_result(cases.get(nodeid), not_run)
        fractions.append(fraction)
        case_id = nodeid[len(test["node"]):] or nodeid
        if NOT_GRADED in text and fraction == 0:
            not_graded.setdefault(text.split(NOT_GRADED, 1)[1].strip(), []).append(case_id)
        elif len(test["cases"]) == 1:
            note = (cases.get(nodeid) or {}).get("note") or ""
            # A passing case says what it measured (an outcome test's returns and training time).
            lines.append(("Passed." + (f" {note}" if note else "")) if text == "passed" else text)
        elif text != "passed":
            lines.append(f"case {case_id}: {text}")
    for cause, ids in not_graded.items():
        which = "this test" if len(test["cases"]) == 1 else f"{len(ids)} case(s) ({', '.join(ids[:4])}" + (
            ", ...)" if len(ids) > 4 else ")")
        lines.append(f"{which[0].upper()}{which[1:]} not graded: {cause}")
    if len(test["cases"]) > 1:
        passed = sum(1 for f in fractions if f >= 1.0)
        lines.insert(0, f"{passed}/{len(fractions)} cases passed.")
    tags = [f"problem {test['problem']}"]
    if any((cases.get(nodeid) or {}).get("grader_error") for nodeid in test["cases"]):
        tags.append("grader error")
    return results.GradedTest(number=test["number"], name=test["name"], score=entry_score(test["points"], fractions),
                              max_score=test["points"], output="\n\n".join(lines), visibility=test["visibility"],
                              tags=tuple(tags))


def grader_errors(tests: list[dict], cases: dict[str, dict]) -> list[dict]:
    """Cases whose test code itself failed: for the staff log and ``extra_data`` (students see a label)."""
    found = []
    for test in tests:
        for nodeid in test["cases"]:
            record = cases.get(nodeid) or {}
            if record.get("grader_error"):
                found.append({"number": test["number"], "case": nodeid,
                              "traceback": str(record.get("grader_traceback", ""))[-4000:]})
    return found


def _worker_user(requested: str | None) -> str | None:
    if os.geteuid() != 0 or not requested:
        return None
    try:
        pwd.getpwnam(requested)
    except KeyError:
        _log(f"worker user {requested!r} does not exist; student code runs as root (run setup.sh)")
        return None
    return requested


def _kill_student_processes(uid: int | None, sweep_user: bool) -> None:
    """Kill everything this run started (we are a subreaper), then the worker uid's processes.

    All of them with ``sweep_user`` (Gradescope: one submission per container) or when the uid
    is an anonymous one this grading claimed (no one else runs as it); otherwise (the named
    worker user on a machine where other tools may run as it) only the ones init adopted.
    """
    procs.kill_descendants()
    if uid is not None:
        procs.kill_user_processes(uid, orphans_only=not (sweep_user or uid >= sandbox.UID_POOL_BASE))


def _claim(user: str | None) -> tuple[str | None, int | None, int | None]:
    """The worker identity of this grading: ``(--worker-user value, uid, lock fd)``."""
    if user is None:
        return None, None, None
    uid, _, lock = sandbox.claim_worker_uid(user)
    if uid >= sandbox.UID_POOL_BASE:
        procs.kill_user_processes(uid)  # only claimants run as it: anything left is a dead grading's
    return (user if uid == pwd.getpwnam(user).pw_uid else str(uid)), uid, lock


def sandbox_report(scratch: Path) -> str:
    """What test 0.1 says about the sandbox: the protections the workers reported."""
    seen = []
    for path in sorted(scratch.glob("sandbox-*.json")):
        try:
            text = sandbox.describe(json.loads(path.read_text()))
        except (OSError, ValueError, TypeError, AttributeError):
            continue
        if text not in seen:
            seen.append(text)
    return "\n".join(seen) if seen else sandbox.describe(None)


def supervise(root: Path, only: set[int], budget_s: float, worker_user: str | None,
              sweep_user: bool = True) -> dict:
    """Grade ``root/submission`` into ``root/results/results.json`` (``sweep_user``: see
    :func:`_kill_student_processes`)."""
    started = time.monotonic()
    results_path = root / "results" / "results.json"
    results.write(results.fallback("The autograder started but did not finish. This is not your fault: "
                                   "tell the course staff (your submission keeps its files)."), results_path,
                  check=False)  # valid by construction: the validator loads only for the final document
    source = root / "source"
    manifest = json.loads((source / "manifest.json").read_text())
    problems = [Problem(**{**p, "files": tuple(p["files"])}) for p in manifest["problems"]]
    procs.become_subreaper()
    user, uid, lock = _claim(_worker_user(worker_user))
    scratch = Path(tempfile.mkdtemp(prefix="grader-grade-"))
    try:
        found = discover(root / "submission", scratch / "submission", manifest["student_files"])
        _log("submission:\n" + found.report())
        graded: list[results.GradedTest] = []
        errors: list[dict] = []
        deadline = started + budget_s
        for problem in problems:
            tests = [t for t in manifest["tests"] if t["problem"] == problem.number]
            if not tests or (only and problem.number not in only):
                continue
            remaining = deadline - time.monotonic() - RESERVE_S
            cases: dict[str, dict] = {}
            if remaining > 5:
                cases, note = run_problem(manifest["homework"], problem, tests, source, scratch / "submission", scratch,
                                          min(problem.budget_s + PYTEST_GRACE_S, remaining), user)
                _log(f"problem {problem.number}: {note}")
            not_run = ("the overall time budget ran out before this test" if remaining <= 5 else
                       f"Problem {problem.number}'s tests did not finish within their time budget "
                       f"({problem.budget_s:.0f} s)")
            graded += [grade_entry(t, cases, not_run) for t in tests]
            for error in grader_errors(tests, cases):
                _log(f"GRADER ERROR in test {error['number']} ({error['case']}):\n{error['traceback']}")
                errors.append(error)
        secrets = secret_lines(source)
        for test in graded:
            test.output = redact(test.output, secrets)
        graded.insert(0, results.GradedTest(
            number="0.1", name="Submission files", score=0, max_score=0,
            output="Files the autograder looked for:\n" + found.report()
            + "\n\nSandbox for your code: " + sandbox_report(scratch), visibility="visible",
            status="failed" if found.missing else "passed"))
        _kill_student_processes(uid, sweep_user)  # nothing of the student's may outlive this point: the final write
        shown = [p for p in problems if not only or p.number in only]
        doc = results.document(graded, "", time.monotonic() - started,
                               extra={"missing": found.missing, "ignored": found.ignored[:50],
                                      "grader_errors": errors[:20]})
        doc["output"] = results.score_table(doc, shown)
        if found.missing:
            doc["output"] += "\n\nMissing files: " + ", ".join(found.missing) + " (see test 0.1)."
        results.write(doc, results_path)
        return doc
    finally:
        _kill_student_processes(uid, sweep_user)
        shutil.rmtree(scratch, ignore_errors=True)
        if lock is not None:
            os.close(lock)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.submission.supervisor",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path("/autograder"),
                        help="the autograder root holding source/, submission/, results/ (default: /autograder)")
    parser.add_argument("--problems", default="", help="comma-separated problems to grade (default: all)")
    parser.add_argument("--budget", type=float, default=OVERALL_BUDGET_S, help="overall budget in seconds")
    parser.add_argument("--worker-user", default="student", help="unprivileged user for student code (root only)")
    parser.add_argument("--no-sweep-user", action="store_true",
                        help="do not kill every process of the worker user at the end (local runs may overlap; "
                             "this run's own descendants, and everything of an anonymous claimed uid, are always "
                             "killed)")
    args = parser.parse_args(argv)
    only = {int(n) for n in args.problems.split(",") if n.strip()}
    try:
        doc = supervise(args.root, only, args.budget, args.worker_user, sweep_user=not args.no_sweep_user)
    except Exception as exc:  # noqa: BLE001 - the fallback results.json stays; say why in the staff log
        _log(f"grading failed: {type(exc).__name__}: {exc}")
        raise
    print(doc["output"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
