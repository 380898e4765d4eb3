"""HW1's feedback wording: its error hints (``ERROR_HINTS``), its documented signatures and tuple returns,
and the tests its messages cite (moved here from the grader's machinery tests, which use a scratch
homework of their own)."""

import numpy as np
import pytest
from hw1 import HW1

from harness.contract import Contract
from harness.diagnosis import Diagnosis
from harness.errors import NotGraded, NotImplementedYet, StudentCodeError

CONTRACT = Contract([HW1.code], HW1)


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
    d = Diagnosis(CONTRACT)
    d.begin_test("t", "2.9")
    own = CONTRACT.tests_of("evaluate_policy_sync")[0]
    frames = [["frozen_lake/dynamic_programming.py", "policy_iteration_sync"],
              ["frozen_lake/dynamic_programming.py", "evaluate_policy_sync"]]
    stub = d.error({"kind": "not_implemented", "message": "Problem 2: implement evaluate_policy_sync",
                    "frames": frames}, {"op": "call", "function": "policy_iteration_sync"}, "pi(...)", "")
    assert isinstance(stub, NotImplementedYet)
    assert str(stub).endswith("it calls evaluate_policy_sync, which is not implemented yet.")  # its test did not fail
    d.failures["evaluate_policy_sync"] = {"number": own, "case": "evaluate_policy_sync", "name": "policy evaluation"}
    raised = d.error({"kind": "exception", "type": "IndexError", "message": "boom", "frames": frames},
                     {"op": "call", "function": "policy_iteration_sync"}, "pi(...)", "")
    assert "raised inside evaluate_policy_sync" in str(raised)
    assert f"evaluate_policy_sync also fails its own test {own}" in str(raised)


def test_wrong_tuple_length_names_the_documented_return():
    d = diagnosis()
    d.check_returns("lake_model", "extract_model", (1, 2, 3), "x")  # right: no error
    with pytest.raises(StudentCodeError, match=r"a tuple of 2 values; the documented return is a tuple of 3 "
                                               r"values \(T, R, terminal\)"):
        d.check_returns("lake_model", "extract_model", (1, 2), "lake_model.extract_model(env)")
    with pytest.raises(StudentCodeError, match="returned a single ndarray"):
        d.check_returns("dynamic_programming", "value_iteration_sync", np.zeros(3), "vi(...)")
