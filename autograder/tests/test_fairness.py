"""Verdicts that are fair to real student code: the diagnosis of root causes, labelled grader
errors, probes shown as student calls, the documented-returns table, and reproducible scores.

The contract (signatures, documented returns, who calls whom, error hints) is the scratch project's
second homework's; each course homework's own hints are checked in its ``autograder/HWn/tests``.
"""

import json
import re
import types

import numpy as np
import pytest
from scratch import ROOT, SECOND

from grader.operations import grade
from grader.release import audit, build
from harness import homework as homeworks
from harness.contract import Contract
from harness.diagnosis import Diagnosis
from harness.display import probe_display, summarise
from harness.errors import CheckFailed, NotGraded, NotImplementedYet, StudentCodeError
from harness.pytest_plugin import GRADER_ERROR, _feedback, is_grader_error
from harness.seeding import seed_for


@pytest.fixture
def contract(project):
    return Contract([project.second.code], project.second)


@pytest.fixture
def diagnosis(contract):
    def make(number="1.1"):
        d = Diagnosis(contract)
        d.begin_test("tests/x.py::test_a", number)
        return d

    return make


def test_import_failure_explained_once_then_cited(diagnosis):
    d = diagnosis("1.1")
    error = {"kind": "exception", "type": "ModuleNotFoundError", "message": "No module named 'seaborn'",
             "traceback": '  File "shapes/figures.py", line 3, in <module>\n', "import_of": "shapes/figures.py"}
    first = d.error(error, {"op": "call", "function": "scale"}, "figures.scale([1.0], 2.0)", "")
    assert "figures.py could not be imported" in str(first) and "requirements.txt (numpy and torch)" in str(first)
    d.begin_test("tests/x.py::test_b", "1.4")
    again = d.error(error, {"op": "call", "function": "spread"}, "figures.spread(...)", "")
    assert isinstance(again, NotGraded)
    assert str(again) == "figures.spread(...): not graded: figures.py did not import (see test 1.1)."


def test_missing_function_explained_once_with_its_signature(diagnosis):
    d = diagnosis("1.3")
    error = {"kind": "exception", "type": "AttributeError", "message": "...", "missing": "figures.spread"}
    first = str(d.error(error, {"op": "call"}, "figures.spread([1.0])", ""))
    assert "figures.py has no spread" in first and "`def spread(values)`" in first
    assert "see test 1.3" in str(d.error(error, {"op": "call"}, "x", ""))


@pytest.mark.parametrize(("error_type", "message", "hint"), [
    ("AttributeError", "'Square' object has no attribute 'side'",
     "a Square keeps its side as its width and its height"),
    ("TypeError", "scale() missing 1 required positional argument: 'factor'", "`def scale(values, factor)`"),
    ("TypeError", "spread() got an unexpected keyword argument 'tol'", "`def spread(values)`"),
    ("TypeError", "Rectangle.__init__() takes 3 positional arguments but 5 were given",
     "keep the documented signature of Rectangle"),
    ("TypeError", "Rectangle.area() takes 1 positional argument but 2 were given", "`def area(self)`"),
    ("ModuleNotFoundError", "No module named 'seaborn'", "requirements.txt (numpy and torch)"),
], ids=["table-hint", "missing-argument", "unexpected-keyword", "class-arity", "method-arity", "package"])
def test_api_mistakes_get_their_hint(diagnosis, error_type, message, hint):
    text = str(diagnosis().error({"kind": "exception", "type": error_type, "message": message}, {"op": "call"},
                                 "f(...)", ""))
    assert hint in text


@pytest.mark.parametrize(("error_type", "message"), [
    ("AttributeError", "'Rectangle' object has no attribute 'depth'"),
    ("TypeError", "unsupported operand type(s) for +: 'int' and 'str'"),
    ("TypeError", "sum() takes at most 2 arguments (3 given)"),
    ("TypeError", "undocumented() missing 1 required positional argument: 'x'"),
], ids=["other-attribute", "operand", "builtin-arity", "not-a-student-function"])
def test_no_hint_without_its_cause(diagnosis, error_type, message):
    text = str(diagnosis().error({"kind": "exception", "type": error_type, "message": message}, {"op": "call"},
                                 "f(...)", ""))
    assert "Hint" not in text


def test_failure_inside_a_dependency_names_it_and_its_test(contract):
    d = Diagnosis(contract)
    d.begin_test("t", "1.5")
    frames = [["shapes/figures.py", "spread"], ["shapes/figures.py", "min_max"]]
    stub = d.error({"kind": "not_implemented", "message": "Problem 1: implement min_max", "frames": frames},
                   {"op": "call", "function": "spread"}, "figures.spread(...)", "")
    assert isinstance(stub, NotImplementedYet)
    # no test of the dependency failed in this run: none is cited (test_hint_claims.py: when one did)
    assert str(stub).endswith("it calls min_max, which is not implemented yet.")
    raised = d.error({"kind": "exception", "type": "IndexError", "message": "boom", "frames": frames},
                     {"op": "call", "function": "spread"}, "figures.spread(...)", "")
    assert str(raised).endswith("It was raised inside min_max, which this function calls.")  # its test passed
    d.failures["min_max"] = {"number": "1.2", "case": "min_max", "name": "min_max"}
    raised = d.error({"kind": "exception", "type": "IndexError", "message": "boom", "frames": frames},
                     {"op": "call", "function": "spread"}, "figures.spread(...)", "")
    assert "min_max also fails its own test 1.2" in str(raised)
    private = d.error({"kind": "exception", "type": "ValueError", "message": "no values",
                       "frames": [["shapes/figures.py", "min_max"], ["shapes/figures.py", "_checked"]]},
                      {"op": "call", "function": "min_max"}, "figures.min_max([])", "")
    assert "raised inside" not in str(private)  # a private helper is the function's own code


def test_wrong_tuple_length_names_the_documented_return(diagnosis):
    d = diagnosis()
    d.check_returns("figures", "min_max", (1, 2), "x")  # right: no error
    d.check_returns("figures", "spread", (1, 2, 3), "x")  # not a documented tuple: not checked here
    with pytest.raises(StudentCodeError, match=r"a tuple of 1 values; the documented return is a tuple of 2 "
                                               r"values \(low, high\)\. Return them in that order: `return low, high`"):
        d.check_returns("figures", "min_max", (1,), "figures.min_max([1.0])")
    with pytest.raises(StudentCodeError, match="returned a single ndarray"):
        d.check_returns("figures", "min_max", np.zeros(3), "figures.min_max(...)")


def test_mutation_noted_once_per_function(diagnosis):
    d = diagnosis("1.1")
    d.saw_mutation({"op": "call", "function": "scale"}, ["values"])
    d.saw_mutation({"op": "call", "function": "scale"}, ["values"])
    assert d.notes().count("scale changed its input values in place") == 1
    assert f"({SECOND}/README.md conventions)" in d.notes()
    d.begin_test("t2", "1.3")
    d.saw_mutation({"op": "call", "function": "scale"}, ["values"])
    assert "first seen in test 1.1" in d.notes()


def test_contract_without_a_homework_words_messages_generically():
    d = Diagnosis()
    d.begin_test("t", "1.1")
    text = str(d.error({"kind": "exception", "type": "ModuleNotFoundError", "message": "No module named 'x'"},
                       {"op": "call"}, "f()", ""))
    assert "requirements.txt (the packages of requirements.txt)" in text
    assert Contract([]).name == "the homework" and Contract([]).signature("f") is None


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


def test_probe_display_shows_student_code_never_the_probe_name():
    def broken(args, kwargs):
        raise IndexError("display bug")

    displays = {"shapes.area_of": lambda args, kwargs: f"figures.{args[0]}(...).area()",
                "shapes.fixed": "figures.Square(2.0).describe()", "shapes.broken": broken}
    assert probe_display("shapes.area_of", ("Square", 2.0), {}, displays) == "figures.Square(...).area()"
    assert probe_display("shapes.fixed", (), {}, displays) == "figures.Square(2.0).describe()"
    for name in ("shapes.broken", "shapes.unlisted"):
        assert probe_display(name, (), {}, displays) == "your shapes code"
    assert probe_display("long_family.x", (), {}) == "your long family code"
    assert summarise(np.zeros((2, 3))) == "array(shape=(2, 3), dtype=float64)" and summarise("x" * 50).endswith("...")


def _probe_homeworks(project) -> list:
    return [project.second, *(homeworks.Homework(ROOT, name) for name in homeworks.names(ROOT))]


def test_every_probe_is_shown_as_student_code(project):
    """Feedback never shows an internal probe name: each probe of each homework (the course's and the
    scratch project's) has a display in its ``probes/__init__.py``."""
    for homework in _probe_homeworks(project):
        found = 0
        for path in sorted((homework.tests / "probes").glob("*.py")):
            if path.name == "__init__.py":
                continue
            for name in re.findall(r"^def ([a-z]\w*)\(", path.read_text(), re.M):
                key = f"{path.stem}.{name}"
                found += 1
                assert key in homework.displays, f"{homework.name}: probe {key} has no display in probes/__init__.py"
                assert f"{key}(" not in probe_display(key, ("x", "y"), {}, homework.displays)
        assert found or homework is not project.second


def test_returns_audit_catches_a_wrong_table(project, monkeypatch):
    second = project.second
    assert audit.audit_returns(second) == []
    monkeypatch.setattr(second.table, "RETURNS", {"min_max": ("low",)})
    assert audit.audit_returns(second) == [
        "RETURNS says min_max returns 1 values; the reference returns tuples of [2]"]
    monkeypatch.setattr(second.table, "RETURNS", {})
    assert audit.audit_returns(second) == ["min_max returns a tuple in the reference but is missing from RETURNS"]
    monkeypatch.setattr(second.table, "RETURNS", {"min_max": ("low", "high"), "gone": ("a", "b")})
    assert audit.audit_returns(second) == ["RETURNS names gone, which no solution defines"]


# Randomness from NumPy's global generator instead of an argument: right or wrong by a coin flip per call.
GLOBAL_RANDOM = '''
import numpy as np


def {function}(rewards, gamma):
    right = float(sum(r * gamma**t for t, r in enumerate(rewards)))
    return right if np.random.random() < 0.5 else right + 1.0
'''


def test_global_randomness_scores_the_same_every_time(project, tmp_path):
    """A submission that (wrongly) uses np.random gets the same score every time: the worker seeds
    the global generators from the test before every call. Graded three times through the real
    autograder, the per-test scores are identical (unseeded, a coin flip per case would differ)."""
    template = project.template
    (rel, _), = template.student_files.items()
    function = next(iter(t.functions[0] for tests in template.tests_table.values() for t in tests))
    submission = tmp_path / "submission"
    (submission / rel).parent.mkdir(parents=True)
    (submission / rel).write_text(GLOBAL_RANDOM.format(function=function))
    zip_path = build.build(template, tmp_path / "autograder.zip")
    runs = []
    for attempt in range(3):
        doc = grade.grade(submission, tmp_path / f"results-{attempt}.json", "", zip_path, quiet=True)
        runs.append(json.dumps([(t["number"], t["score"]) for t in doc["tests"]]))
    assert runs[0] == runs[1] == runs[2]
    total = sum(s for _, s in json.loads(runs[0]))
    assert 0 < total < 100  # it is wrong, and loses points for it
