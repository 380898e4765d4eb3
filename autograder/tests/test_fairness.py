"""Verdicts that are fair to real student code: the diagnosis of root causes, labelled grader
errors, probes shown as student calls, the documented-returns table, and reproducible scores."""

import json
import re
import types

import pytest

from harness import probes
from harness.contract import Contract
from harness.diagnosis import Diagnosis
from harness.errors import CheckFailed, NotGraded, NotImplementedYet, StudentCodeError
from harness.pytest_plugin import GRADER_ERROR, _feedback, is_grader_error
from harness.seeding import seed_for
from hw1grader import audit, build, grade

ROOT = build.ROOT
CONTRACT = Contract([ROOT / "HW1" / "code"], None)


def diagnosis(number="1.1"):
    d = Diagnosis(CONTRACT)
    d.begin_test("tests/x.py::test_a", number)
    return d


def test_import_failure_explained_once_then_cited():
    d = diagnosis("1.1")
    error = {"kind": "exception", "type": "ModuleNotFoundError", "message": "No module named 'seaborn'",
             "traceback": '  File "frozen_lake/lake_model.py", line 3, in <module>\n', "import_of":
             "frozen_lake/lake_model.py"}
    first = d.error(error, {"op": "call", "function": "extract_model"}, "lake_model.extract_model(env)", "")
    assert "lake_model.py could not be imported" in str(first) and "requirements.txt" in str(first)
    d.begin_test("tests/x.py::test_b", "1.4")
    again = d.error(error, {"op": "call", "function": "run_episode"}, "lake_model.run_episode(...)", "")
    assert isinstance(again, NotGraded)
    assert str(again) == "lake_model.run_episode(...): not graded: lake_model.py did not import (see test 1.1)."


def test_missing_function_explained_once_with_its_signature():
    d = diagnosis("2.12")
    error = {"kind": "exception", "type": "AttributeError", "message": "...",
             "missing": "dynamic_programming.goal_distance_order"}
    first = str(d.error(error, {"op": "call"}, "dynamic_programming.goal_distance_order(env)", ""))
    assert "dynamic_programming.py has no goal_distance_order" in first and "`def goal_distance_order(env)`" in first
    assert "see test 2.12" in str(d.error(error, {"op": "call"}, "x", ""))


@pytest.mark.parametrize(("error_type", "message", "hint"), [
    ("AttributeError", "'TimeLimit' object has no attribute 'P'", "env.unwrapped.P"),
    ("AttributeError", "'OrderEnforcing' object has no attribute 'P'", "env.unwrapped.P"),
    ("TypeError", "extract_model() missing 1 required positional argument: 'gamma'", "`def extract_model(env)`"),
    ("TypeError", "value_iteration_sync() got an unexpected keyword argument 'tol'",
     "`def value_iteration_sync(env, gamma, max_iters=1000, tol=0.001)`"),
    ("TypeError", "EpsilonGreedyAgent.__init__() takes 3 positional arguments but 5 were given",
     "keep the documented signature of EpsilonGreedyAgent"),
], ids=["TimeLimit-P", "OrderEnforcing-P", "missing-argument", "unexpected-keyword", "class-arity"])
def test_api_mistakes_get_their_hint(error_type, message, hint):
    text = str(diagnosis().error({"kind": "exception", "type": error_type, "message": message}, {"op": "call"},
                                 "f(...)", ""))
    assert hint in text


@pytest.mark.parametrize(("error_type", "message"), [
    ("AttributeError", "'numpy.ndarray' object has no attribute 'P'"),
    ("TypeError", "unsupported operand type(s) for +: 'int' and 'str'"),
    ("TypeError", "sum() takes at most 2 arguments (3 given)"),
], ids=["array-P", "operand", "builtin-arity"])
def test_no_hint_without_its_cause(error_type, message):
    text = str(diagnosis().error({"kind": "exception", "type": error_type, "message": message}, {"op": "call"},
                                 "f(...)", ""))
    assert "Hint" not in text


def test_failure_inside_a_dependency_names_it_and_its_test():
    contract = Contract([ROOT / "HW1" / "code"], types.SimpleNamespace(
        TESTS={2: [types.SimpleNamespace(functions=("evaluate_policy_sync",))]}, CALLS={}))
    d = Diagnosis(contract)
    d.begin_test("t", "2.9")
    frames = [["frozen_lake/dynamic_programming.py", "policy_iteration_sync"],
              ["frozen_lake/dynamic_programming.py", "evaluate_policy_sync"]]
    stub = d.error({"kind": "not_implemented", "message": "Problem 2: implement evaluate_policy_sync",
                    "frames": frames}, {"op": "call", "function": "policy_iteration_sync"}, "pi(...)", "")
    assert isinstance(stub, NotImplementedYet)
    # no test of evaluate_policy_sync failed in this run: none is cited (test_hint_claims.py: when one did)
    assert str(stub).endswith("it calls evaluate_policy_sync, which is not implemented yet.")
    raised = d.error({"kind": "exception", "type": "IndexError", "message": "boom", "frames": frames},
                     {"op": "call", "function": "policy_iteration_sync"}, "pi(...)", "")
    assert "raised inside evaluate_policy_sync" in str(raised)


def test_wrong_tuple_length_names_the_documented_return():
    d = diagnosis()
    d.check_returns("lake_model", "extract_model", (1, 2, 3), "x")  # right: no error
    with pytest.raises(StudentCodeError, match=r"a tuple of 2 values; the documented return is a tuple of 3 "
                                               r"values \(T, R, terminal\)"):
        d.check_returns("lake_model", "extract_model", (1, 2), "lake_model.extract_model(env)")
    with pytest.raises(StudentCodeError, match="returned a single ndarray"):
        import numpy as np

        d.check_returns("dynamic_programming", "value_iteration_sync", np.zeros(3), "vi(...)")


def test_mutation_noted_once_per_function():
    d = diagnosis("2.3")
    d.saw_mutation({"op": "call", "function": "evaluate_policy_sync"}, ["value_func"])
    d.saw_mutation({"op": "call", "function": "evaluate_policy_sync"}, ["value_func"])
    assert d.notes().count("evaluate_policy_sync changed its input value_func in place") == 1
    d.begin_test("t2", "2.7")
    d.saw_mutation({"op": "call", "function": "evaluate_policy_sync"}, ["value_func"])
    assert "first seen in test 2.3" in d.notes()


def test_seeds_are_stable_and_distinct():
    assert seed_for("tests/a.py::t[x]", 1) == seed_for("tests/a.py::t[x]", 1)
    assert len({seed_for("tests/a.py::t[x]", i) for i in range(1, 50)}) == 49


@pytest.mark.parametrize("exc", [StopIteration(), KeyError("k"), ValueError("too many values to unpack"),
                                 ZeroDivisionError()], ids=lambda e: type(e).__name__)
def test_exceptions_in_test_code_are_grader_errors(exc):
    assert is_grader_error(exc)
    def oracle():
        raise exc

    call = pytest.CallInfo.from_call(oracle, "call")
    info = _feedback(types.SimpleNamespace(funcargs={}), call, hidden=False)
    assert info["grader_error"] and info["feedback"] == GRADER_ERROR.format(kind=type(exc).__name__)
    assert "Traceback" not in info["feedback"] and "not your fault" in info["feedback"]


@pytest.mark.parametrize("exc", [CheckFailed("x"), NotImplementedYet("x"), AssertionError("x")],
                         ids=lambda e: type(e).__name__)
def test_verdicts_are_not_grader_errors(exc):
    assert not is_grader_error(exc)


def test_every_probe_is_shown_as_student_code():
    """Feedback never shows an internal probe name: each probe has a display."""
    for path in sorted((ROOT / "tests" / "harness" / "probes").glob("*.py")):
        if path.name == "__init__.py":
            continue
        for name in re.findall(r"^def ([a-z]\w*)\(", path.read_text(), re.M):
            key = f"{path.stem}.{name}"
            assert key in probes._DISPLAY, f"probe {key} has no display in harness/probes/__init__.py"
            assert f"{key}(" not in probes.probe_display(key, ("value_iteration_sync", "env"), {})


def test_returns_audit_catches_a_wrong_table(monkeypatch):
    assert audit.audit_returns() == []
    monkeypatch.setitem(audit.RETURNS, "extract_model", ("T", "R"))
    assert any("extract_model" in line for line in audit.audit_returns())


GLOBAL_RANDOM = {  # the epsilon-greedy agent drawing from NumPy's global generator instead of self.rng
    "if self.rng.random() < self.epsilon:": "if np.random.random() < self.epsilon:",
    "return int(self.rng.integers(self.k))": "return int(np.random.randint(self.k))",
}


def test_global_randomness_scores_the_same_every_time(tmp_path):
    """A submission that (wrongly) uses np.random gets the same score every time: the worker seeds
    the global generators from the test before every call. Graded three times through the real
    autograder (Problem 3), the per-test scores are byte-identical."""
    submission = tmp_path / "submission"
    for rel in ("bandits/agents.py",):
        source = (ROOT / "solutions" / rel).read_text()
        for old, new in GLOBAL_RANDOM.items():
            assert old in source, f"the solution no longer contains {old!r}: update GLOBAL_RANDOM"
            source = source.replace(old, new)
        (submission / rel).parent.mkdir(parents=True)
        (submission / rel).write_text(source)
    zip_path = tmp_path / "autograder.zip"
    build.write_zip(build.contents(), zip_path, executables=("setup.sh", "run_autograder"))
    runs = []
    for attempt in range(3):
        doc = grade.grade(submission, tmp_path / f"results-{attempt}.json", "3", zip_path, quiet=True)
        runs.append(json.dumps([(t["number"], t["score"]) for t in doc["tests"]]))
    assert runs[0] == runs[1] == runs[2]
    assert sum(s for _, s in json.loads(runs[0])) < 15  # it is wrong, and loses points for it
