"""The pytest side of the harness: fixtures, rubric checks, feedback and the score table.

Loaded with ``-p harness.pytest_plugin`` (see ``pyproject.toml``). Options:
``--code DIR`` (the student files, laid out like ``HW1/code``), ``--given DIR`` (the
given files, default ``HW1/code``), ``--reference DIR`` (the solutions, for hidden tests),
``--problems 1,2`` (run only those), ``--debug-inprocess`` (``make test DEBUG=1``),
``--worker-user NAME`` (run student code as that user; grading as root only).

Tests use three fixtures: ``student`` (a :class:`harness.client.Submission`),
``credit`` (``credit(fraction)`` records partial credit) and ``reference`` (loads a
solution module in this process; hidden tests only).
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest

from harness import layout, procs
from harness.client import InProcessSubmission, Submission, Worker
from harness.contract import Contract
from harness.errors import CheckFailed, NotImplementedYet, StudentCodeError
from harness.scoring import case_fraction, entry_score
from harness.text import head_tail

FEEDBACK_LIMIT = 6000
_STATE = pytest.StashKey[dict]()
_CREDIT = pytest.StashKey[float]()
_FEEDBACK = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hw1", "HW1 grading harness")
    group.addoption("--code", default=None, help="folder with the student files (default: HW1/code)")
    group.addoption("--given", default=None, help="folder with the given files (default: HW1/code)")
    group.addoption("--reference", default=None, help="folder with the reference solutions (default: solutions)")
    group.addoption("--problems", default="", help="comma-separated problem numbers to run (default: all)")
    group.addoption("--debug-inprocess", action="store_true", help="run student code in this process")
    group.addoption("--worker-user", default=None, help="run student code as this user (root only)")
    group.addoption("--no-score-table", action="store_true", help="do not print the score table")
    group.addoption("--results-log", default=None,
                    help="append one JSON line per finished test case (kept even if the run is killed)")
    group.addoption("--confine", action="store_true",
                    help="confine the worker to its own folders with Landlock where the kernel has it (grading)")
    group.addoption("--enforce-budgets", action="store_true",
                    help="stop calling student code once a problem's time budget (tests/rubric.py) is spent")
    group.addoption("--grader-tracebacks", action="store_true",
                    help="show the traceback of a grader error (staff; students see only its label)")


def _rubric():
    return importlib.import_module("rubric")


def _root(config: pytest.Config) -> Path:
    return Path(config.rootpath)


def assemble(code: Path, given: Path, target: Path) -> list[str]:
    """Copy the given files and the student files into ``target``; return the missing student files."""
    missing = []
    for folder in layout.CODE_FOLDERS:
        (target / folder).mkdir(parents=True, exist_ok=True)
    for rel in layout.GIVEN_FILES:
        if (given / rel).is_file():
            shutil.copyfile(given / rel, target / rel)
    for rel in layout.STUDENT_FILES:
        if (code / rel).is_file():
            shutil.copyfile(code / rel, target / rel)
        else:
            missing.append(rel)
    return missing


def pytest_configure(config: pytest.Config) -> None:
    # Oracles in this process are small: one thread is faster on a shared half-core box, and
    # deterministic. Set before any test module imports torch.
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    root = _root(config)
    code = Path(config.getoption("code") or root / "HW1" / "code")
    if not code.is_dir():
        raise pytest.UsageError(f"--code: {code} is not a folder")
    given = Path(config.getoption("given") or root / "HW1" / "code")
    procs.become_subreaper()
    scratch = Path(tempfile.mkdtemp(prefix="hw1-code-"))
    missing = assemble(code, given, scratch / "code")
    runtime = scratch / "runtime"
    shutil.copytree(Path(__file__).parent, runtime / "harness", ignore=shutil.ignore_patterns("__pycache__"))
    user = config.getoption("worker_user")
    if user:  # the worker user must read the code and the runtime, and nothing else of ours
        for dirpath, _, filenames in os.walk(scratch):
            os.chmod(dirpath, 0o755)
            for name in filenames:
                os.chmod(os.path.join(dirpath, name), 0o644)
    problems = {p.number: p for p in _rubric().PROBLEMS}
    wanted = {int(n) for n in config.getoption("problems").split(",") if n.strip()}
    config.stash[_STATE] = {
        "scratch": scratch, "code": scratch / "code", "runtime": runtime, "missing": missing,
        "user": user, "problems": problems, "wanted": wanted, "live": None, "results": {},
        "entries": _entries(), "reference": Path(config.getoption("reference") or root / "solutions"),
        "given": given,
    }
    config.stash[_STATE]["contract"] = Contract([given, config.stash[_STATE]["reference"]], _rubric())


def _entries() -> dict[str, tuple[int, object, str]]:
    """Rubric entry of each test node: (problem, Test, number such as "2.3")."""
    rubric = _rubric()
    return {test.node: (problem, test, f"{problem}.{index}")
            for problem, tests in rubric.TESTS.items() for index, test in enumerate(tests, start=1)}


def _base_node(nodeid: str) -> str:
    return nodeid.split("[", 1)[0]


def _graded(nodeid: str, entries: dict) -> bool:
    """Public tests and every rubric entry are graded; other tests (the grader's own) are not."""
    return nodeid.startswith("tests/") or _base_node(nodeid) in entries


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    state = config.stash[_STATE]
    graded = [i for i in items if _graded(i.nodeid, state["entries"])]
    unknown = sorted({_base_node(i.nodeid) for i in graded} - state["entries"].keys())
    if unknown:
        raise pytest.UsageError("tests missing from tests/rubric.py (give each a number and points):\n  "
                                + "\n  ".join(unknown))
    if state["wanted"]:
        keep = [i for i in graded if state["entries"][_base_node(i.nodeid)][0] in state["wanted"]]
        dropped = [i for i in items if i not in keep]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = keep
    # One problem at a time, so that only one worker (one framework) is alive at once.
    items.sort(key=lambda i: state["entries"][_base_node(i.nodeid)][0] if _graded(i.nodeid, state["entries"]) else 0)


def _problem_of(item: pytest.Item) -> int:
    return item.config.stash[_STATE]["entries"][_base_node(item.nodeid)][0]


@pytest.fixture
def student(request: pytest.FixtureRequest):
    """The submission under test, reached through a worker for this test's problem."""
    state = request.config.stash[_STATE]
    number = _problem_of(request.node)
    problem = state["problems"][number]
    missing = [f for f in problem.files if f in state["missing"]]
    if missing:
        raise StudentCodeError(
            f"{missing[0]} is missing from your submission, so Problem {number} cannot be graded. "
            f"Submit the file named exactly {Path(missing[0]).name} (at the top of your zip or in "
            f"HW1/code/{Path(missing[0]).parent}/); `make submit` packs it for you."
        )
    live = state["live"]
    if live is not None and live[0] != number:
        live[1].close()
        state["live"] = live = None
    if live is None:
        if request.config.getoption("debug_inprocess"):
            submission = InProcessSubmission(state["code"], state["contract"])
        else:
            worker = Worker(state["code"], state["runtime"], memory_mb=problem.memory_mb, user=state["user"],
                            confine=request.config.getoption("confine"))
            budget = problem.budget_s if request.config.getoption("enforce_budgets") else None
            submission = Submission(worker, budget_s=budget, label=f"Problem {number}", contract=state["contract"])
        state["live"] = live = (number, submission)
    live[1].begin_test(request.node.nodeid, state["entries"][_base_node(request.node.nodeid)][2])
    return live[1]


@pytest.fixture
def credit(request: pytest.FixtureRequest):
    """``credit(fraction)`` records the partial credit this test case earned (0..1)."""

    def record(fraction: float) -> None:
        request.node.stash[_CREDIT] = float(fraction)

    return record



@pytest.fixture(scope="session")
def reference(request: pytest.FixtureRequest):
    """``reference("dynamic_programming")``: a solution module, imported in this process."""
    state = request.config.stash[_STATE]
    if request.config.getoption("debug_inprocess"):
        pytest.fail("hidden tests do not run with DEBUG=1")
    for folder in layout.CODE_FOLDERS:
        for base in (state["given"], state["reference"]):
            path = str(base / folder)
            if path not in sys.path:
                sys.path.insert(0, path)
    return importlib.import_module


GRADER_ERROR = ("Grader error: this test could not judge your code because the grading code itself failed "
                "({kind}). This is not your fault; course staff have been told and will regrade. "
                "The test earns no points until then.")


def is_grader_error(exc: BaseException | None) -> bool:
    """An exception raised by test or oracle code itself, not a verdict on the student's code.

    Verdicts are the harness's student-facing errors, failed checks (``CheckFailed``, a plain
    ``assert`` in a test, ``pytest.fail``) and skips; anything else escaped the test's own code.
    """
    verdicts = (StudentCodeError, CheckFailed, AssertionError, pytest.fail.Exception, pytest.skip.Exception)
    return exc is not None and not isinstance(exc, verdicts)


def _feedback(item: pytest.Item, call: pytest.CallInfo, hidden: bool) -> dict:
    exc = call.excinfo.value if call.excinfo else None
    info: dict = {"not_implemented": isinstance(exc, NotImplementedYet)}
    if isinstance(exc, (StudentCodeError, CheckFailed)):
        info["feedback"] = str(exc)
    elif isinstance(exc, pytest.skip.Exception):
        info["feedback"] = f"Skipped: {exc}"
    elif is_grader_error(exc):
        info["grader_error"] = True
        info["grader_traceback"] = str(call.excinfo.getrepr(style="short", chain=True))[-8000:]
        info["feedback"] = GRADER_ERROR.format(kind=type(exc).__name__)
    elif hidden:
        info["feedback"] = ("This hidden test failed; its details are hidden. "
                            "Check your code against the conventions in HW1/README.md.")
    else:
        info["feedback"] = str(call.excinfo.getrepr(style="short", chain=False))
    submission = item.funcargs.get("student") if hasattr(item, "funcargs") else None
    diagnosis = getattr(submission, "diagnosis", None)
    notes = diagnosis.notes() if diagnosis is not None else ""
    if notes and not info.get("grader_error"):
        info["feedback"] += f"\n\n{notes}"
    printed = "".join(getattr(submission, "printed", []))
    if printed.strip() and not isinstance(exc, StudentCodeError):
        info["feedback"] += f"\n\nYour code printed:\n{head_tail(printed, 3000)}"
    info["feedback"] = head_tail(info["feedback"], FEEDBACK_LIMIT)
    return info


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    if not _graded(item.nodeid, item.config.stash[_STATE]["entries"]):
        return report
    entry = item.config.stash[_STATE]["entries"][_base_node(item.nodeid)][1]
    if report.failed and call.excinfo is not None:
        item.stash[_FEEDBACK] = info = _feedback(item, call, entry.hidden)
        if isinstance(call.excinfo.value, (StudentCodeError, CheckFailed)):
            # The message says all a student needs; harness frames would only bury it.
            report.longrepr = info["feedback"]
        elif info.get("grader_error"):
            report.longrepr = info["feedback"]
            if item.config.getoption("grader_tracebacks"):
                report.longrepr += "\n\n" + info["grader_traceback"]
    if report.when == "call" or report.failed:
        outcome = report.outcome if report.when == "call" else "error"  # a setup/teardown failure is an error
        credit = item.stash.get(_CREDIT, None)
        info = item.stash.get(_FEEDBACK, {})
        item.config.stash[_STATE]["results"][item.nodeid] = (case_fraction(outcome, credit),
                                                             info.get("not_implemented", False))
        log = item.config.getoption("results_log")
        if log:
            record = {"nodeid": item.nodeid, "outcome": outcome, "credit": credit, **info}
            with open(log, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, allow_nan=False, default=str) + "\n")
    return report


@pytest.hookimpl(optionalhook=True)
def pytest_json_runtest_metadata(item: pytest.Item, call: pytest.CallInfo) -> dict:
    data = dict(item.stash.get(_FEEDBACK, {}))
    if _CREDIT in item.stash:
        data["credit"] = item.stash[_CREDIT]
    return data


def pytest_terminal_summary(terminalreporter, exitstatus, config: pytest.Config) -> None:
    if config.getoption("no_score_table"):
        return
    state = config.stash[_STATE]
    results = state["results"]
    if not results:
        return
    rubric = _rubric()
    write = terminalreporter.write_line
    write("")
    write(f"{'Problem':<44} {'tests passed':>12} {'points':>14}   note")
    totals = [0.0, 0.0]
    for problem in rubric.PROBLEMS:
        tests = rubric.TESTS.get(problem.number, [])
        earned = possible = 0.0
        passed = ran = 0
        all_not_impl = True
        for test in tests:
            cases = {n: r for n, r in results.items() if _base_node(n) == test.node}
            if not cases:
                continue
            possible += test.points
            earned += entry_score(test.points, [f for f, _ in cases.values()])
            ran += len(cases)
            passed += sum(1 for f, _ in cases.values() if f == 1.0)
            all_not_impl &= all(ni for f, ni in cases.values() if f < 1.0)
        if not ran:
            continue
        note = "not implemented yet" if passed == 0 and all_not_impl else ("all passed" if passed == ran else "")
        if problem.extra_credit:
            note = (note + " (extra credit)").strip()
        label = f"{problem.number}  {problem.title}"[:44]
        write(f"{label:<44} {passed:>5}/{ran:<6} {earned:>6.1f}/{possible:<6.1f}   {note}")
        if not problem.extra_credit:
            totals[0] += earned
            totals[1] += possible
    full = sum(p.points for p in rubric.PROBLEMS if not p.extra_credit)
    write(f"{'Total (these tests)':<44} {'':>12} {totals[0]:>6.1f}/{totals[1]:<6.1f}")
    write(f"Score from these tests: {totals[0]:.1f} / {full:g}. "
          "Gradescope adds hidden tests; the full points need them too.")


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is None:
        return
    if state["live"] is not None:
        state["live"][1].close()
    procs.kill_descendants()
    shutil.rmtree(state["scratch"], ignore_errors=True)
