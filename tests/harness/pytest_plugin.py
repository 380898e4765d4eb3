"""The pytest side of the harness: fixtures, rubric checks, feedback and the score table.

Loaded with ``-p harness.pytest_plugin`` (see ``pyproject.toml``). Options:
``--homework HWn`` (default: the homework of the test paths given, or the only one there is),
``--code DIR`` (the student files, laid out like ``HWn/code``), ``--given DIR`` (the
given files, default ``HWn/code``), ``--reference DIR`` (the solutions, for hidden tests),
``--problems 1,2`` (run only those; ``graded`` is every problem but the extra credit),
``--debug-inprocess`` (``make test DEBUG=1``), ``--worker-user NAME`` (run student code as
that user; grading as root only). The homework's tests folder goes first on ``sys.path``, so
its tests import its table (``rubric``) and its helpers by bare name.

Within a problem, public tests run before hidden ones, and a case of a function that others call
by the contract (``CALLS``) runs before their cases; each case's failure is recorded as it
finishes (``failures``), so a failing caller's message may cite its dependency's own failed test
(:meth:`harness.diagnosis.Diagnosis.dependency_notes`). A test module may declare
``ERROR_HINTS``: ``(exception type, regex, hint)`` for exceptions of its problem's code.

Tests use four fixtures: ``student`` (a :class:`harness.client.Submission`),
``credit`` (``credit(fraction)`` records partial credit), ``note`` (``note(text)``: what
the test measured, shown to the student whether it passes or fails: under the score table
of ``make test`` and in the test's Gradescope output) and ``reference`` (loads a solution
module in this process; hidden tests only).
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

from harness import homework as homeworks
from harness import procs
from harness.client import InProcessSubmission, Submission, Worker
from harness.contract import Contract
from harness.errors import CheckFailed, NotGraded, NotImplementedYet, NotRun, StudentCodeError
from harness.scoring import case_fraction, entry_score
from harness.text import head_tail

FEEDBACK_LIMIT = 6000
_STATE = pytest.StashKey[dict]()
_CREDIT = pytest.StashKey[float]()
_FEEDBACK = pytest.StashKey[dict]()
_NOTE = pytest.StashKey[str]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grading", "homework grading harness")
    group.addoption("--homework", default=None,
                    help="the homework, HWn (default: the one the test paths belong to, or the only one)")
    group.addoption("--code", default=None, help="folder with the student files (default: HWn/code)")
    group.addoption("--given", default=None, help="folder with the given files (default: HWn/code)")
    group.addoption("--reference", default=None, help="folder with the reference solutions (default: solutions/HWn)")
    group.addoption("--problems", default="",
                    help="comma-separated problems to run: numbers, EC, or graded (every problem but the extra "
                         "credit); default: all")
    group.addoption("--debug-inprocess", action="store_true", help="run student code in this process")
    group.addoption("--worker-user", default=None, help="run student code as this user (name or uid; root only)")
    group.addoption("--no-score-table", action="store_true", help="do not print the score table")
    group.addoption("--results-log", default=None,
                    help="append one JSON line per finished test case (kept even if the run is killed)")
    group.addoption("--confine", action="store_true",
                    help="confine the worker to its own folders with Landlock where the kernel has it (grading)")
    group.addoption("--sandbox-log", default=None,
                    help="write the protections the worker reported (JSON) to this file (grading)")
    group.addoption("--enforce-budgets", action="store_true",
                    help="stop calling student code once a problem's time budget (the homework's table) is spent")
    group.addoption("--grader-tracebacks", action="store_true",
                    help="show the traceback of a grader error (staff; students see only its label)")


def _homework(config: pytest.Config) -> homeworks.Homework:
    return config.stash[_STATE]["homework"]


def _root(config: pytest.Config) -> Path:
    return Path(config.rootpath)


def which_homework(config: pytest.Config) -> homeworks.Homework:
    """``--homework``, else the homework the test paths on the command line belong to, else the only one."""
    root = _root(config)
    wanted = config.getoption("homework")
    if not wanted:
        found = {homeworks.from_path(root, arg.split("::", 1)[0]) for arg in config.args}
        found.discard(None)
        if len(found) > 1:
            raise pytest.UsageError(f"tests of several homeworks ({', '.join(sorted(found))}) in one run: "
                                    "run each homework on its own (--homework HWn)")
        wanted = found.pop() if found else None
    try:
        return homeworks.Homework(root, wanted)
    except homeworks.UnknownHomework as exc:
        raise pytest.UsageError(f"--homework: {exc}") from None


def assemble(code: Path, given: Path, target: Path, homework: homeworks.Homework) -> list[str]:
    """Copy the given files and the student files into ``target``; return the missing student files."""
    missing = []
    for folder in homework.code_folders:
        (target / folder).mkdir(parents=True, exist_ok=True)
    for rel in homework.given_files:
        if (given / rel).is_file():
            shutil.copyfile(given / rel, target / rel)
    for rel in homework.student_files:
        if (code / rel).is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(code / rel, target / rel)
        else:
            missing.append(rel)
    return missing


def pytest_configure(config: pytest.Config) -> None:
    # Oracles in this process are small: one thread is faster on a shared half-core box, and
    # deterministic. Set before any test module imports torch.
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(name, "1")
    try:
        homework = which_homework(config)
    except pytest.UsageError:
        if config.getoption("homework") or any(_names_homework_tests(arg) for arg in config.args):
            raise
        return  # no homework named and none to infer: this run grades nothing
    if str(homework.tests) not in sys.path:  # its tests import its table and helpers by bare name
        sys.path.insert(0, str(homework.tests))
    code = Path(config.getoption("code") or homework.code)
    if not code.is_dir():
        raise pytest.UsageError(f"--code: {code} is not a folder")
    given = Path(config.getoption("given") or homework.code)
    procs.become_subreaper()
    scratch = Path(tempfile.mkdtemp(prefix="grader-code-"))
    missing = assemble(code, given, scratch / "code", homework)
    runtime = scratch / "runtime"
    shutil.copytree(Path(__file__).parent, runtime / "harness", ignore=shutil.ignore_patterns("__pycache__"))
    for path in homeworks.support_files(homework.tests):  # the homework's probes, for the worker
        (runtime / "support" / path.relative_to(homework.tests)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, runtime / "support" / path.relative_to(homework.tests))
    user = config.getoption("worker_user")
    if user:  # the worker user must read the code and the runtime, and nothing else of ours
        for dirpath, _, filenames in os.walk(scratch):
            os.chmod(dirpath, 0o755)
            for name in filenames:
                os.chmod(os.path.join(dirpath, name), 0o644)
    problems = {p.number: p for p in homework.problems}
    wanted = parse_problems(config.getoption("problems"), homework.problems)
    reference = Path(config.getoption("reference") or homework.solutions)
    config.stash[_STATE] = {
        "homework": homework, "scratch": scratch, "code": scratch / "code", "runtime": runtime, "missing": missing,
        "user": user, "problems": problems, "wanted": wanted, "live": None, "results": {},
        "entries": homework.entries(), "reference": reference, "given": given, "notes": {}, "failures": {},
        "contract": Contract([given, reference], homework),
    }


def _base_node(nodeid: str) -> str:
    return nodeid.split("[", 1)[0]


def _graded(nodeid: str, entries: dict) -> bool:
    """Public tests and every table entry are graded; other tests (of the tooling) are not."""
    return nodeid.startswith("tests/") or _base_node(nodeid) in entries


def _names_homework_tests(arg: str) -> bool:
    """Does a command-line path name graded tests (public ones under ``tests/``, or hidden ones)?"""
    parts = Path(arg.split("::", 1)[0]).parts
    return bool(parts) and (parts[0] == "tests" or (len(parts) > 2 and parts[0] == "autograder"
                                                   and parts[2] == "hidden"))


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list) -> None:
    state = config.stash.get(_STATE, None)
    if state is None:
        if any(i.nodeid.startswith("tests/") for i in items):
            raise pytest.UsageError("graded tests need a homework: pass --homework HWn")
        return
    graded = [i for i in items if _graded(i.nodeid, state["entries"])]
    unknown = sorted({_base_node(i.nodeid) for i in graded} - state["entries"].keys())
    if unknown:
        raise pytest.UsageError(f"tests missing from tests/{state['homework'].name}/rubric.py "
                                "(give each a number and points):\n  "
                                + "\n  ".join(unknown))
    if state["wanted"]:
        keep = [i for i in graded if state["entries"][_base_node(i.nodeid)][0] in state["wanted"]]
        dropped = [i for i in items if i not in keep]
        if dropped:
            config.hook.pytest_deselected(items=dropped)
        items[:] = keep
    # One problem at a time, so that only one worker (one framework) is alive at once; in a problem the
    # public tests first (a root cause is explained where students see it), and the cases of functions
    # that others call before the cases of their callers (a caller's note cites their outcome).
    order = {id(item): index for index, item in enumerate(items)}
    items.sort(key=lambda i: _run_order(i.nodeid, state) + (order[id(i)],))


def _run_order(nodeid: str, state: dict) -> tuple:
    if not _graded(nodeid, state["entries"]):
        return (0, False, 0)
    problem, test, _ = state["entries"][_base_node(nodeid)]
    functions = homeworks.case_functions(nodeid, test.functions)
    return (problem, test.hidden, max((state["contract"].rank(f) for f in functions), default=0))


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
            f"{state['homework'].name}/code/{Path(missing[0]).parent}/); `make submit` packs it for you."
        )
    live = state["live"]
    if live is not None and live[0] != number:
        live[1].close()
        state["live"] = live = None
    if live is None:
        if request.config.getoption("debug_inprocess"):
            submission = InProcessSubmission(state["code"], state["contract"], state["failures"])
        else:
            worker = Worker(state["code"], state["runtime"], memory_mb=problem.memory_mb, user=state["user"],
                            confine=request.config.getoption("confine"),
                            sandbox_log=request.config.getoption("sandbox_log"),
                            track=state["contract"].tracked(problem.files))
            budget = problem.budget_s if request.config.getoption("enforce_budgets") else None
            submission = Submission(worker, budget_s=budget, label=f"Problem {number}", contract=state["contract"],
                                    failures=state["failures"])
        state["live"] = live = (number, submission)
    live[1].begin_test(request.node.nodeid, state["entries"][_base_node(request.node.nodeid)][2],
                       getattr(request.module, "ERROR_HINTS", ()))
    return live[1]


@pytest.fixture
def credit(request: pytest.FixtureRequest):
    """``credit(fraction)`` records the partial credit this test case earned (0..1)."""

    def record(fraction: float) -> None:
        request.node.stash[_CREDIT] = float(fraction)

    return record


@pytest.fixture
def note(request: pytest.FixtureRequest):
    """``note(text)`` records what this test case measured, for the student, pass or fail.

    Say the measurement and its bar ("mean 498.3, lowest 471 over 20 hidden seeds; bar 475");
    in hidden tests never an expected value. The last note of a case wins.
    """

    def record(text: str) -> None:
        request.node.stash[_NOTE] = str(text)
        request.config.stash[_STATE]["notes"][request.node.nodeid] = str(text)

    return record


@pytest.fixture(scope="session")
def reference(request: pytest.FixtureRequest):
    """``reference("returns")``: a solution module, imported in this process."""
    state = request.config.stash[_STATE]
    if request.config.getoption("debug_inprocess"):
        pytest.fail("hidden tests do not run with DEBUG=1")
    for folder in state["homework"].code_folders:
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


def could_not_run(exc: BaseException | None) -> bool:
    """Not a verdict on the function: not graded (its module did not import) or not run (budget spent)."""
    return isinstance(exc, (NotGraded, NotRun))


def record_failure(failures: dict, nodeid: str, functions: tuple, number: str, name: str, exc) -> None:
    """Record a failed case as its function's own failure (the first one), when it is one: the case
    exercises that function alone, and its code ran (not "not graded", not "not run"; no grader error)."""
    if len(functions) != 1 or could_not_run(exc) or is_grader_error(exc) or isinstance(exc, pytest.skip.Exception):
        return
    failures.setdefault(functions[0], {"number": number, "case": nodeid.partition("[")[2].rstrip("]"), "name": name})


def _strip_hints(text: str) -> str:
    return "\n".join(line for line in text.split("\n") if not line.startswith("Hint: "))


def _feedback(item: pytest.Item, call: pytest.CallInfo, hidden: bool, functions: tuple[str, ...] = ()) -> dict:
    """The student's message for a failed case. When the case ran a function it calls by the contract
    that fails its own test, a note says so, and a failed check's own hint (which assumed that
    function right) is withheld: the dependency is the first cause to fix."""
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
        info["feedback"] = ("This hidden test failed; its details are hidden. Check your code against the "
                            f"conventions in {item.config.stash[_STATE]['homework'].name}/README.md.")
    else:
        info["feedback"] = str(call.excinfo.getrepr(style="short", chain=False))
    submission = item.funcargs.get("student") if hasattr(item, "funcargs") else None
    diagnosis = getattr(submission, "diagnosis", None)
    if diagnosis is not None and isinstance(exc, (StudentCodeError, CheckFailed)) and not could_not_run(exc):
        dependencies = diagnosis.dependency_notes(functions, told=info["feedback"])
        if dependencies:
            if isinstance(exc, CheckFailed):
                info["feedback"] = _strip_hints(info["feedback"])
            info["feedback"] += "\n" + "\n".join(dependencies)
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
    if _STATE not in item.config.stash or not _graded(item.nodeid, item.config.stash[_STATE]["entries"]):
        return report
    state = item.config.stash[_STATE]
    _, entry, number = state["entries"][_base_node(item.nodeid)]
    functions = homeworks.case_functions(item.nodeid, entry.functions)
    if report.failed and call.excinfo is not None:
        item.stash[_FEEDBACK] = info = _feedback(item, call, entry.hidden, functions)
        record_failure(state["failures"], item.nodeid, functions, number, entry.name, call.excinfo.value)
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
    if _NOTE in item.stash:
        data["note"] = item.stash[_NOTE]
    if _CREDIT in item.stash:
        data["credit"] = item.stash[_CREDIT]
    return data


def problem_label(problem) -> str:
    """How the README and the table name a problem: its number, or "EC" for the extra credit."""
    return problem.label


def parse_problems(text: str, problems) -> set[int]:
    """``--problems`` (``"2,3"``, ``"4"``, ``"EC"``, ``"7"`` or ``"graded"``: every problem but the extra
    credit) as problem numbers; errors name the choices."""
    by_label = {problem_label(p).lower(): p.number for p in problems}
    by_label.update({str(p.number): p.number for p in problems})
    wanted = set()
    for word in text.replace(" ", ",").split(","):
        if not word.strip():
            continue
        if word.strip().lower() == "graded":
            wanted |= {p.number for p in problems if not p.extra_credit}
            continue
        if word.strip().lower() not in by_label:
            choices = ", ".join(problem_label(p) for p in problems) + ", graded"
            raise pytest.UsageError(f"--problems: no problem {word.strip()!r} (choose among {choices}, "
                                    "comma-separated, e.g. P=2,3)")
        wanted.add(by_label[word.strip().lower()])
    return wanted


def case_outcomes(stats: dict) -> dict[str, str]:
    """Each test case's outcome from the terminal reporter's ``stats``: failed, error, skipped or passed.

    A case skipped at setup (``skipif``) never reaches the call phase, so it is counted here,
    not in the harness's per-case results.
    """
    out: dict[str, str] = {}
    for outcome in ("passed", "skipped", "failed", "error"):  # later outcomes win
        for report in stats.get(outcome, []):
            nodeid = getattr(report, "nodeid", None)
            if nodeid:
                out[nodeid] = outcome
    return out


def score_table(results: dict, outcomes: dict[str, str], homework, wanted: set[int]) -> list[str]:
    """The lines of ``make test``'s score table (public tests only; the README explains it).

    One row per problem that ran: its test cases (passed, failed, skipped) and "public
    tests: earned / public points of this problem's N points (the rest is hidden)". The
    extra credit is named "EC" and counted apart, as extra. Skipped cases earn nothing and
    are shown as skipped (the 0-point CUDA test is skipped without a GPU).
    """
    if any(test.hidden for tests in homework.tests_table.values() for test in tests
           if any(_base_node(n) == test.node for n in outcomes)):  # a staff run with hidden tests
        lines = ["", "Score table of the tests run (public and hidden; staff run)",
                 f"{'Problem':<40} {'test cases':<22} earned / points of the tests run"]
        for problem in homework.problems:
            tests = [t for t in homework.tests_table.get(problem.number, [])
                     if any(_base_node(n) == t.node for n in outcomes)]
            if tests:
                fractions = {t.node: [results.get(n, (0.0, False))[0] for n in outcomes if _base_node(n) == t.node]
                             for t in tests}
                earned = sum(entry_score(t.points, fractions[t.node]) for t in tests)
                ran = [o for n, o in outcomes.items() if any(_base_node(n) == t.node for t in tests)]
                cases = f"{ran.count('passed')} passed, {len(ran) - ran.count('passed')} not passed"
                lines.append(f"{problem_label(problem):<4}{problem.title[:35]:<36} {cases:<22} "
                             f"{earned:.1f} / {sum(t.points for t in tests):g} (of {problem.points:g})")
        return lines
    lines = ["", "Score table of the public tests (make test). Each problem's other points are in hidden tests, "
             "run on Gradescope only.",
             f"{'Problem':<40} {'test cases':<22} public tests: earned / public points of the problem's points"]
    totals = {False: [0.0, 0.0, 0.0], True: [0.0, 0.0, 0.0]}  # extra credit? -> earned, public, problem points
    not_run, ran_numbers = [], set()
    for problem in homework.problems:
        tests = homework.tests_table.get(problem.number, [])
        earned = public = 0.0
        passed = skipped = failed = 0
        all_not_impl = True
        ran = False
        for test in tests:
            cases = {n: o for n, o in outcomes.items() if _base_node(n) == test.node}
            if not cases:
                continue
            ran = True
            public += test.points
            earned += entry_score(test.points, [results.get(n, (0.0, False))[0] for n in cases])
            passed += sum(1 for o in cases.values() if o == "passed")
            skipped += sum(1 for o in cases.values() if o == "skipped")
            failed += sum(1 for o in cases.values() if o in ("failed", "error"))
            all_not_impl &= all(results.get(n, (0.0, False))[1] for n, o in cases.items()
                                if o in ("failed", "error"))
        if not ran:
            not_run.append(problem)
            continue
        ran_numbers.add(problem.number)
        label = f"{problem_label(problem):<4}{problem.title}"[:40]
        counts = ((passed, "passed"), (failed, "failed"), (skipped, "skipped"))
        cases = ", ".join(f"{n} {what}" for n, what in counts if n or what == "passed")
        worth = f"+{problem.points:g} extra" if problem.extra_credit else f"{problem.points:g}"
        points = f"{earned:.1f} / {public:g} public points of {worth} ({problem.points - public:g} hidden)"
        note = ""
        if failed and passed == 0 and all_not_impl:
            note = "not implemented yet"
        elif not failed:
            note = "all passed"
        lines.append(f"{label:<40} {cases:<22} {points:<45} {note}".rstrip())
        total = totals[problem.extra_credit]
        total[0] += earned
        total[1] += public
        total[2] += problem.points
    graded, extra = totals[False], totals[True]
    if graded[2]:
        full = sum(p.points for p in homework.problems if not p.extra_credit)
        lines.append(f"Public tests run: {graded[0]:.1f} / {graded[1]:g} public points of these problems' "
                     f"{graded[2]:g} ({homework.name} is out of {full:g}; hidden tests hold the other "
                     f"{graded[2] - graded[1]:g}).")
    if extra[2]:
        lines.append(f"Extra credit (EC): {extra[0]:.1f} / {extra[1]:g} public points of its +{extra[2]:g}, "
                     "extra points on top of the 100.")
    # A problem asked for that did not run is worth a line; the extra credit only after a full run.
    everything = {p.number for p in homework.problems if not p.extra_credit} <= ran_numbers
    not_run = [p for p in not_run if p.number in wanted or (p.extra_credit and everything)]
    if not_run:
        names = ", ".join(problem_label(p) for p in not_run)
        lines.append(f"Not run: {names} (make test P=... picks problems, e.g. P=4 or P=2,3; "
                     "EC=1 or P=EC adds the extra credit).")
    return lines


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus):
    """Print the score table LAST: after pytest's -ra summary and its final count line."""
    result = yield
    config = session.config
    state = config.stash.get(_STATE, None)
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if state is None or reporter is None or config.getoption("no_score_table") or not state["results"]:
        return result
    outcomes = {n: o for n, o in case_outcomes(reporter.stats).items() if _graded(n, state["entries"])}
    notes = [f"  {nodeid.split('::')[-1]}: {text}" for nodeid, text in state["notes"].items()]
    if notes:
        reporter.write_line("")
        reporter.write_line("What the outcome tests measured (pass or fail):")
        for line in notes:
            reporter.write_line(line)
    for line in score_table(state["results"], outcomes, state["homework"], state["wanted"]):
        reporter.write_line(line)
    return result


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(_STATE, None)
    if state is None:
        return
    if state["live"] is not None:
        state["live"][1].close()
    procs.kill_descendants()
    shutil.rmtree(state["scratch"], ignore_errors=True)
