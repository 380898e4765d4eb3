"""HW1's reference as the knock-out check reads it: its call graph and its stubbing (moved here from the
grader's machinery tests, which use a scratch homework of their own)."""

from hw1 import HW1

from grader.quality import knockout
from grader.release import stubs

SOLUTIONS = HW1.solutions


def test_reference_calls_follow_names_methods_and_bases():
    graph = knockout.reference_calls(HW1, SOLUTIONS)
    calls = {}
    # calls by name, through the reference's private helpers too
    assert graph["policy_iteration_sync"] == {"_policy_iteration"}
    assert {"train_bc", "act"} <= graph["dagger"]
    assert {"RecurrentPolicy", "GRUCell.forward"} <= knockout.closure(["train_memory_agent"], graph, calls)
    # the contract's calls come on top
    assert "goal_distance_order" in knockout.closure(["value_iteration_async_custom"], {}, HW1.calls)
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


def test_knocked_code_stubs_only_the_target(tmp_path):
    code = knockout.knocked_code(HW1, [("frozen_lake/lake_model.py", "run_episode")], SOLUTIONS, HW1.code, tmp_path)
    text = (code / "frozen_lake/lake_model.py").read_text()
    assert "implement run_episode" in text and "implement extract_model" not in text
    for rel in HW1.student_files:
        if rel != "frozen_lake/lake_model.py":
            assert (code / rel).read_text() == (SOLUTIONS / rel).read_text()
    assert stubs.solution_owners((SOLUTIONS / "frozen_lake/lake_model.py").read_text()) == [
        "extract_model", "run_episode", "evaluate_policy_mc"]
