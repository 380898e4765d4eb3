"""Every hint is a checked claim (:mod:`grader.quality.hintcheck`), for every homework; and dependency
notes say only what happened (the worker reports which functions ran; the notes cite only tests
that failed).

The audit runs over each homework's public and hidden tests and its corpus; the smaller tests
show that it catches each way a hint can be attached without a diagnosis. That each declared
hint is shown to its entry and to no other is checked when the corpus is graded
(``make corpus``).
"""

import atexit
import shutil
import tempfile
import textwrap
import types
from pathlib import Path

import pytest

from grader.quality import hintcheck
from grader.release import build
from harness.checks import check
from harness.client import Submission, Worker
from harness.contract import Contract
from harness.diagnosis import Diagnosis
from harness.errors import CheckFailed, NotGraded, NotRun, StudentException
from harness.pytest_plugin import _feedback, record_failure

ROOT = build.ROOT
HARNESS = ROOT / "tests" / "harness"


HOMEWORKS = hintcheck.homeworks()


@pytest.mark.course
@pytest.mark.parametrize(("name", "files", "corpus"), HOMEWORKS, ids=[h[0] for h in HOMEWORKS])
def test_every_hint_is_reached_through_a_diagnosis_proven_on_the_corpus(name, files, corpus):
    assert files, f"{name}: no test files found"
    assert hintcheck.hint_problems(files, corpus) == []


BAD = '''
from harness.checks import check

HINTS = {"a": "the cause a", "b": "another reason b", "c": "the cause c"}
TEXT = "a module-level hint"


def helper(x, hint):
    check(x, "what", "problem", hint=hint)


def test_one(student):
    check(1, "what", "problem", hint="a literal")                     # 1 literal
    check(1, "what", "problem", hint=f"an f-string {1}")              # 2 f-string
    check(1, "what", "problem", hint=TEXT)                            # 3 module constant
    check(1, "what", "problem", hint=HINTS["a"])                      # 4 unguarded registry entry
    check(1, "what", "problem", hint=HINTS["a"] if 1 else "fallback")  # 5 a fallback text
    check(1, "what", "problem", hint=lambda: diagnose(1, "fallback"))  # 6 a diagnosis given a text
    hint = "assigned"
    check(1, "what", "problem", hint=hint)                            # 7 a local text
    helper(1, "passed on")                                            # 8 a text passed to a helper
    check(1, "what", "problem Hint: hand-written")                    # 9 a hand-written hint
    check(1, "what", "problem", hint="guarded" if 1 else None)        # 10 a text outside HINTS


def test_two(student):
    ok = HINTS["b"] if student else None
    check(1, "what", "problem", hint=ok)
    check(1, "what", "problem", hint=lambda: diagnose(student, ("a", "b")))
    check(1, "what", "problem", hint=None)
    helper(1, None)
'''


def test_the_audit_catches_every_unconditional_form(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_bad.py").write_text(textwrap.dedent(BAD))
    corpus = tmp_path / "corpus"
    (corpus / "bug-a").mkdir(parents=True)
    (corpus / "bug-a" / "expected.json").write_text('{"hints": ["the cause"]}')
    found = hintcheck.hint_problems([tests / "test_bad.py"], corpus)
    lines = {int(line.split(":")[1]) for line in found if line.split(":")[1].isdigit()}
    assert len(lines) == 10, found  # the ten forms of test_one (the helper's at its check); test_two's are fine
    assert any("passed to helper" in line for line in found)
    # HINTS["b"] is proven by no entry, and the declared "the cause" names two registry hints (a and c)
    assert any("HINTS['b'] is proven by no corpus entry" in line for line in found)
    assert any("names 2 registry hints" in line for line in found)
    assert not any("HINTS['a'] is proven" in line for line in found)


def test_a_hint_declared_by_an_entry_is_proven(tmp_path):
    module = tmp_path / "test_ok.py"
    module.write_text('HINTS = {"x": "the one cause x"}\nERROR_HINTS = (("KeyError", "k", "the error hint"),)\n')
    corpus = tmp_path / "corpus"
    for entry, hint in (("bug-x", "one cause x"), ("bug-e", "the error hint")):
        (corpus / entry).mkdir(parents=True)
        (corpus / entry / "expected.json").write_text(f'{{"hints": ["{hint}"]}}')
    assert hintcheck.hint_problems([module], corpus) == []
    (corpus / "bug-e" / "expected.json").write_text('{"hints": []}')
    assert [p.split(":")[1] for p in hintcheck.hint_problems([module], corpus)] == ["ERROR_HINTS[0] is proven by no"
                                                                                   " corpus entry (declare a part of"
                                                                                   " it in the \"hints\" of an entry"
                                                                                   " with exactly that bug)"]


# ----------------------------------------------------------------------------- dependency notes

# A made-up homework: its solver calls its evaluation and its improvement by the contract.
CODE = Path(tempfile.mkdtemp(prefix="grader-hint-claims-"))
atexit.register(shutil.rmtree, CODE, True)
(CODE / "planning").mkdir()
(CODE / "planning" / "planner.py").write_text("def solve(env):\n    pass\n\n\ndef evaluate(env):\n    pass\n\n\n"
                                              "def improve(env):\n    pass\n")
CONTRACT = Contract([CODE], types.SimpleNamespace(
    name="HWx", student_files={"planning/planner.py": 2}, modules={"planner": "planning/planner.py"},
    tests_table={2: [types.SimpleNamespace(functions=("evaluate",))]}, returns={}, displays={},
    calls={"solve": ("evaluate", "improve")}, table=types.SimpleNamespace()))
FRAMES = [["planning/planner.py", "solve"], ["planning/planner.py", "evaluate"]]
OWN_FAILURE = {"number": "2.3", "case": "evaluate-x", "name": "policy evaluation"}


def _diagnosis(failures=None, ran=()):
    d = Diagnosis(CONTRACT, failures if failures is not None else {})
    d.begin_test("t", "2.9")
    d.saw_ran(ran)
    return d


def test_a_note_needs_the_dependency_to_have_run_and_failed_its_own_test():
    under_test = ("solve",)
    assert _diagnosis().dependency_notes(under_test) == []  # nothing ran, nothing failed
    assert _diagnosis(ran=["evaluate"]).dependency_notes(under_test) == []  # ran, its test passed
    assert _diagnosis({"evaluate": OWN_FAILURE}).dependency_notes(under_test) == []  # failed, never ran
    notes = _diagnosis({"evaluate": OWN_FAILURE}, ["evaluate"]).dependency_notes(under_test)
    assert notes == ["Note: this test ran your evaluate (called by solve), which fails "
                     "its own test 2.3 (policy evaluation). Fix evaluate first: this test may then pass."]
    # the dependency's own case, and a message that already names it, get no note
    assert _diagnosis({"evaluate": OWN_FAILURE}, ["evaluate"]).dependency_notes(
        ("evaluate",)) == []
    told = "x raised IndexError: boom\nIt was raised inside evaluate, which this function calls."
    assert _diagnosis({"evaluate": OWN_FAILURE}, ["evaluate"]).dependency_notes(
        under_test, told) == []


def test_an_exception_inside_a_dependency_cites_its_test_only_when_it_failed():
    error = {"kind": "exception", "type": "IndexError", "message": "boom", "frames": FRAMES}
    call = {"op": "call", "function": "solve"}
    passed = str(_diagnosis().error(error, call, "pi(...)", ""))
    assert "It was raised inside evaluate, which this function calls." in passed
    assert "test 2." not in passed
    failed = str(_diagnosis({"evaluate": OWN_FAILURE}).error(error, call, "pi(...)", ""))
    assert "evaluate also fails its own test 2.3 (policy evaluation)." in failed
    stub = str(_diagnosis().error({**error, "kind": "not_implemented"}, call, "pi(...)", ""))
    assert stub == "pi(...) could not be graded: it calls evaluate, which is not implemented yet."


def _failed(exc):
    return pytest.CallInfo.from_call(lambda: (_ for _ in ()).throw(exc), "call")


def test_what_could_not_run_is_no_failure_and_gets_no_note():
    """A case not graded (its module did not import) or not run (the budget was spent) is no failure
    of its function, and its message blames no dependency; a failed check's own hint is withheld
    when a dependency that ran fails its own test."""
    failures = {}
    for exc in (NotGraded("x: not graded: m.py did not import (see test 2.1)."), NotRun("x was not run: budget"),
                KeyError("grader")):
        record_failure(failures, "t.py::test_e[evaluate-a]", ("evaluate",), "2.3", "e", exc)
    record_failure(failures, "t.py::test_e[both]", ("evaluate", "improve"), "2.4", "e",
                   CheckFailed("x"))  # a case of two functions is neither's own
    assert failures == {}
    record_failure(failures, "t.py::test_e[evaluate-a]", ("evaluate",), "2.3", "policy "
                   "evaluation", StudentException("raised"))
    assert failures == {"evaluate": {"number": "2.3", "case": "evaluate-a",
                                                 "name": "policy evaluation"}}
    student = types.SimpleNamespace(diagnosis=_diagnosis(failures, ["evaluate"]), printed=[])
    item = types.SimpleNamespace(funcargs={"student": student})
    for exc in (NotRun("pi(...) was not run: the time budget of Problem 2 is used up."),
                NotGraded("pi(...): not graded: planner.py did not import (see test 2.1).")):
        assert "Note:" not in _feedback(item, _failed(exc), False, ("solve",))["feedback"]
    try:
        check(False, "pi(...): n_eval_sweeps", "expected 3, got 4", hint="the caller's own diagnosis")
    except CheckFailed as exc:
        text = _feedback(item, _failed(exc), False, ("solve",))["feedback"]
    assert "Hint:" not in text and "Note: this test ran your evaluate" in text


def test_error_hints_of_the_test_module_name_their_exception():
    d = _diagnosis()
    d.begin_test("t", "2.1", (("AttributeError", r"no attribute 'width'", "the width hint"),))
    text = str(d.error({"kind": "exception", "type": "AttributeError",
                        "message": "'Wrapper' object has no attribute 'width'"}, {"op": "call"}, "f(env)", ""))
    assert "Hint: the width hint" in text
    other = str(d.error({"kind": "exception", "type": "KeyError", "message": "no attribute 'width'"}, {"op": "call"},
                        "f(env)", ""))
    assert "Hint" not in other


MODULE = '''
def inner(x):
    return x + 1

def outer(x, use_inner=True):
    return inner(x) if use_inner else x + 1

alias = inner  # captured before the worker instruments the module: calls through it are not seen
'''


def test_the_worker_reports_which_tracked_functions_ran():
    scratch = Path(tempfile.mkdtemp(prefix="grader-track-test-"))
    try:
        (scratch / "code" / "planning").mkdir(parents=True)
        (scratch / "code" / "planning" / "tracked.py").write_text(textwrap.dedent(MODULE))
        shutil.copytree(HARNESS, scratch / "runtime" / "harness", ignore=shutil.ignore_patterns("__pycache__"))
        submission = Submission(Worker(scratch / "code", scratch / "runtime", track=("tracked.inner",)))
        try:
            assert submission.call("tracked", "outer", 1) == 2
            assert submission.diagnosis.ran == {"inner"}
            submission.begin_test("t2", "1.2")
            assert submission.call("tracked", "outer", 1, use_inner=False) == 2
            assert submission.call("tracked", "alias", 1) == 2
            assert submission.diagnosis.ran == set()
        finally:
            submission.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
