"""The one table of points: every problem and every graded test, with its number and name.

``make test``, the autograder and its manifest all read this file. Test numbers are
``<problem>.<index>`` in the order listed here (public tests first, so the numbers
students see locally match Gradescope's). A parametrized test is one entry: its cases
share its points. Hidden entries sit between the BEGIN HIDDEN and END HIDDEN marker comments
and are stripped from the student handout. Public tests (under ``tests/``) are visible; hidden
tests default to ``HIDDEN_VISIBILITY``.
"""

from harness.layout import Problem, Test

HIDDEN_VISIBILITY = "after_published"

PROBLEMS = [
    Problem(1, "The lake as a model", 10, ("frozen_lake/lake_model.py",), budget_s=60),
    Problem(2, "Dynamic programming on FrozenLake", 25, ("frozen_lake/dynamic_programming.py",), budget_s=90),
    Problem(3, "Exploration in the k-armed testbed", 15, ("bandits/agents.py",), budget_s=60),
    Problem(4, "Network building blocks in PyTorch", 20, ("networks/torch_networks.py",), budget_s=120),
    Problem(5, "The same ideas in TensorFlow", 10, ("networks/tf_networks.py",), budget_s=120, memory_mb=1536),
    Problem(6, "Imitation learning on CartPole", 20, ("imitation/bc_dagger.py", "networks/torch_networks.py"),
            budget_s=240),
    Problem(7, "Extra credit: memory matters", 10, ("imitation/bc_dagger.py", "networks/torch_networks.py"),
            budget_s=200, extra_credit=True),
]

TESTS = {
    1: [
        Test("tests/frozen_lake/test_lake_model.py::test_extract_model_known_rows", 1.5,
             "extract_model: transitions and rewards of known states on the course 4x4"),
        Test("tests/frozen_lake/test_lake_model.py::test_extract_model_sums_slippery_duplicates", 1.5,
             "extract_model: slippery duplicate transitions are summed"),
        Test("tests/frozen_lake/test_lake_model.py::test_extract_model_rows_sum_to_one", 1,
             "extract_model: shapes, dtypes, rows of T sum to 1"),
        Test("tests/frozen_lake/test_lake_model.py::test_extract_model_terminal_flags", 1,
             "extract_model: terminal flags are the holes and the goal"),
        Test("tests/frozen_lake/test_lake_model.py::test_run_episode_stops_on_truncation", 1,
             "run_episode: stops on truncation and on termination"),
        Test("tests/frozen_lake/test_lake_model.py::test_evaluate_policy_mc_seeded", 1,
             "evaluate_policy_mc: seeded, deterministic, Python floats"),
        # BEGIN HIDDEN
        Test("autograder/hidden/frozen_lake/test_lake_model_hidden.py::test_extract_model_random_maps", 1.5,
             "extract_model: random maps, non-default success_rate and reward_schedule"),
        Test("autograder/hidden/frozen_lake/test_lake_model_hidden.py::test_extract_model_course_8x8", 0.5,
             "extract_model: the course 8x8"),
        Test("autograder/hidden/frozen_lake/test_lake_model_hidden.py::test_run_episode_matches_reference", 0.5,
             "run_episode: same trajectory as the reference on hidden seeds"),
        Test("autograder/hidden/frozen_lake/test_lake_model_hidden.py::test_evaluate_policy_mc_matches_reference", 0.5,
             "evaluate_policy_mc: same estimates as the reference on hidden seeds"),
        # END HIDDEN
    ],
    2: [],
    3: [],
    4: [],
    5: [],
    6: [],
    7: [],
}
