"""The knock-out check: a broken function costs only the cases that exercise it.

The full run grades the reference once per student function with that function knocked
out (about 50 gradings of single problems); the smaller tests pin down the pieces it relies
on: the reference's call graph, case ids narrowing a test's functions, and the stubbing.
"""

from harness import layout
from hw1grader import knockout, stubs

SOLUTIONS = knockout.ROOT / "solutions"


def test_reference_calls_follow_names_methods_and_bases():
    graph = knockout.reference_calls(SOLUTIONS)
    calls = {}
    # calls by name, through the reference's private helpers too
    assert graph["policy_iteration_sync"] == {"_policy_iteration"}
    assert {"train_bc", "act"} <= graph["dagger"]
    assert {"RecurrentPolicy", "GRUCell.forward"} <= knockout.closure(["train_memory_agent"], graph, calls)
    # the contract's calls come on top
    assert "goal_distance_order" in knockout.closure(["value_iteration_async_custom"], {}, {
        "value_iteration_async_custom": ("goal_distance_order",)})
    # a class reaches its methods and its base class's
    assert {"EpsilonGreedyAgent.get_action", "BanditAgent.update"} <= knockout.closure(["EpsilonGreedyAgent"], graph,
                                                                                       calls)
    # the blocks use MultiHeadAttention, which uses the attention function
    reach = knockout.closure(["TransformerEncoderBlock"], graph, calls)
    assert {"MultiHeadAttention.forward", "scaled_dot_product_attention"} <= reach
    assert "MLP.forward" not in reach


def test_case_functions_narrowed_by_case_id():
    both = ("UCBAgent", "BoltzmannAgent")
    assert knockout.case_functions("t.py::test_x[UCBAgent]", both) == ("UCBAgent",)
    assert knockout.case_functions("t.py::test_x[BoltzmannAgent-hot]", both) == ("BoltzmannAgent",)
    assert knockout.case_functions("t.py::test_x[other]", both) == both
    assert knockout.case_functions("t.py::test_x", both) == both


def test_knocked_code_stubs_only_the_target(tmp_path):
    code = knockout.knocked_code([("frozen_lake/lake_model.py", "run_episode")], SOLUTIONS,
                                 knockout.ROOT / "HW1" / "code", tmp_path)
    text = (code / "frozen_lake/lake_model.py").read_text()
    assert "implement run_episode" in text and "implement extract_model" not in text
    for rel in layout.STUDENT_FILES:
        if rel != "frozen_lake/lake_model.py":
            assert (code / rel).read_text() == (SOLUTIONS / rel).read_text()
    assert stubs.solution_owners((SOLUTIONS / "frozen_lake/lake_model.py").read_text()) == [
        "extract_model", "run_episode", "evaluate_policy_mc"]


def test_every_function_costs_only_its_own_cases():
    """Every student function of the reference, knocked out alone: no case that does not exercise it
    (directly, by the contract's CALLS, or inside the reference) loses a point, and every function
    costs some points (a function no test exercises would be a hole in the grading)."""
    result = knockout.run(jobs=2, log=lambda *_: None)
    assert result["unexpected"] == []
    own = [row for row in result["rows"] if not row["knocked"].startswith("[")]
    assert own and all(row["points_lost"] > 0 for row in own), [r["knocked"] for r in own if not r["points_lost"]]
    assert all(row["points_lost"] == 0 for row in result["rows"] if row["knocked"].startswith("["))
