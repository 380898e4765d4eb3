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
    3: [
        Test("tests/bandits/test_agents.py::test_agents_types_and_dtypes", 1,
             "agents: q float64 (k,), counts int64 (k,), int actions, update returns None"),
        Test("tests/bandits/test_agents.py::test_update_incremental_sample_average", 1.5,
             "update: exact incremental sample averages and counts for every agent"),
        Test("tests/bandits/test_agents.py::test_epsilon_greedy_zero_is_greedy_with_lowest_index_ties", 1,
             "EpsilonGreedyAgent: epsilon = 0 is greedy, ties to the lowest index"),
        Test("tests/bandits/test_agents.py::test_epsilon_greedy_one_is_uniform_over_all_arms", 1,
             "EpsilonGreedyAgent: epsilon = 1 is uniform over all k arms"),
        Test("tests/bandits/test_agents.py::test_epsilon_greedy_follows_documented_draw_order", 0.5,
             "EpsilonGreedyAgent: the documented random draws, step by step"),
        Test("tests/bandits/test_agents.py::test_ucb_tries_untried_arms_first", 1,
             "UCBAgent: untried arms first, lowest index first"),
        Test("tests/bandits/test_agents.py::test_ucb_bonus_matches_formula", 1.5,
             "UCBAgent: argmax q + c*sqrt(ln t / counts) with t = counts.sum() + 1"),
        Test("tests/bandits/test_agents.py::test_boltzmann_probabilities_match_stable_softmax", 1.5,
             "BoltzmannAgent: probabilities are a stable softmax(q / temperature), no overflow"),
        Test("tests/bandits/test_agents.py::test_boltzmann_samples_follow_probabilities", 0.5,
             "BoltzmannAgent: samples follow the probabilities, one rng.choice per call"),
        Test("tests/bandits/test_agents.py::test_agents_seeding_reproducible", 0.5,
             "agents: reproducible from a seeded rng, all randomness from it"),
        # BEGIN HIDDEN
        Test("autograder/hidden/bandits/test_agents_hidden.py::test_epsilon_greedy_exploration_beats_greedy", 1,
             "EpsilonGreedyAgent: epsilon = 0.1 beats greedy on the testbed (calibrated margin)"),
        Test("autograder/hidden/bandits/test_agents_hidden.py::test_ucb_beats_epsilon_greedy_late", 1,
             "UCBAgent: c = 2 beats epsilon-greedy 0.1 late in the run (calibrated margin)"),
        Test("autograder/hidden/bandits/test_agents_hidden.py::test_optimistic_greedy_early_spike", 1,
             "EpsilonGreedyAgent: optimistic greedy's early spike in optimal actions (calibrated margins)"),
        Test("autograder/hidden/bandits/test_agents_hidden.py::test_boltzmann_limiting_temperatures", 1,
             "BoltzmannAgent: temperature -> 0 is greedy, a huge temperature is uniform"),
        Test("autograder/hidden/bandits/test_agents_hidden.py::test_agents_match_reference_on_hidden_seeds", 1,
             "agents: the reference's curves on hidden seeds (documented draws)"),
        # END HIDDEN
    ],
    4: [],
    5: [],
    6: [
        Test("tests/imitation/test_bc_dagger.py::test_expert_demonstrations", 1,
             "the given expert lasts 500 steps on 1000 seeds; collect_demonstrations records its episodes"),
        Test("tests/imitation/test_bc_dagger.py::test_collect_demonstrations_shapes_and_seeding", 1.5,
             "collect_demonstrations: shapes, dtypes, episode i reset with seed + i"),
        Test("tests/imitation/test_bc_dagger.py::test_collect_demonstrations_expert_relabelling", 1.5,
             "collect_demonstrations: follows policy_fn, labels with expert_fn"),
        Test("tests/imitation/test_bc_dagger.py::test_make_policy", 0.5, "make_policy: a module mapping (B, obs_dim) to logits (B, n_actions)"),
        Test("tests/imitation/test_bc_dagger.py::test_act_is_greedy", 1.5, "act: the argmax of known logits, as an int"),
        Test("tests/imitation/test_bc_dagger.py::test_train_bc_matches_reference_step", 2,
             "train_bc: Adam steps on the mean cross-entropy match PyTorch's; eval mode afterwards"),
        Test("tests/imitation/test_bc_dagger.py::test_train_bc_lowers_loss", 1, "train_bc: the loss falls on expert data"),
        Test("tests/imitation/test_bc_dagger.py::test_dagger_aggregates", 2.5,
             "dagger: trains on all data so far, adds the learner's states labelled by the expert"),
        Test("tests/imitation/test_bc_dagger.py::test_dagger_rollouts_are_seeded", 0.5, "dagger: episode j of iteration k resets with seed + k*E + j"),
        Test("tests/imitation/test_bc_dagger.py::test_bc_outcome_public", 1, "BC from 5 expert episodes: mean return >= 475 on public seeds"),
        Test("tests/imitation/test_bc_dagger.py::test_dagger_outcome_public", 1,
             "DAgger from a 50-step demonstration: mean return >= 475 on public seeds"),
        # BEGIN HIDDEN
        Test("autograder/hidden/imitation/test_bc_dagger_hidden.py::test_train_bc_minibatch_order", 1,
             "train_bc: several mini-batches per epoch, reshuffled from the seeded generator"),
        Test("autograder/hidden/imitation/test_bc_dagger_hidden.py::test_bc_outcome_hidden", 2.5,
             "BC from 5 expert episodes: mean return >= 475 on hidden seeds (partial credit below)"),
        Test("autograder/hidden/imitation/test_bc_dagger_hidden.py::test_dagger_outcome_hidden", 2.5,
             "DAgger from a 50-step demonstration: mean return >= 475 on hidden seeds (partial credit below)"),
        # END HIDDEN
    ],
    7: [
        Test("tests/imitation/test_memory_agent.py::test_memory_agent_public", 3,
             "memory agent on (x, theta) only: mean return >= 475 on public seeds (extra credit)"),
        # BEGIN HIDDEN
        Test("autograder/hidden/imitation/test_memory_agent_hidden.py::test_single_frame_fails_memory_agent_remembers", 2,
             "a single-frame policy fails; the memory agent acts on the history (extra credit)"),
        Test("autograder/hidden/imitation/test_memory_agent_hidden.py::test_memory_agent_outcome_hidden", 5,
             "memory agent on (x, theta) only: mean return >= 475 on hidden seeds (extra credit)"),
        # END HIDDEN
    ],
}
