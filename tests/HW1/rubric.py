"""HW1's table: its files, problems, points, tests, contracts and hints, in one place.

``make test``, the autograder and its manifest, the stubs, the audits and the handout all read
this file (``harness.homework`` says what each name means). Test numbers are
``<problem>.<index>`` in the order listed here (public tests first, so the numbers students
see locally match Gradescope's). A parametrized test is one entry: its cases share its points.
Hidden entries sit between the BEGIN HIDDEN and END HIDDEN marker comments and are stripped
from the student handout. Public tests (under ``tests/``) are visible; hidden tests default to
``HIDDEN_VISIBILITY``.
"""

from harness.homework import Problem, Test

# The files students write, relative to HW1/code, and the problem each belongs to.
STUDENT_FILES = {
    "frozen_lake/lake_model.py": 1,
    "frozen_lake/dynamic_programming.py": 2,
    "bandits/agents.py": 3,
    "networks/torch_networks.py": 4,
    "networks/tf_networks.py": 5,
    "imitation/bc_dagger.py": 6,
}
# Student functions whose stub points at another problem than their file's.
FUNCTION_PROBLEMS = {"imitation/bc_dagger.py:train_memory_agent": 7}
# Complete files given to students; grading always uses the staff copy of these.
GIVEN_FILES = (
    "frozen_lake/example.py",
    "frozen_lake/lake_info.py",
    "bandits/testbed.py",
    "imitation/expert.py",
    "imitation/partial_observation.py",
)
# What students may import (the grader installs requirements.txt and nothing else).
PACKAGES = "numpy, gymnasium, torch, tensorflow, matplotlib and tqdm"

# The functions that return a tuple, and the names of its items (docstrings say the same; the drift
# audit checks them against every ``return`` of the reference).
_EVALUATE = ("value_func", "n_sweeps")
_POLICY_ITERATION = ("policy", "value_func", "n_improvements", "n_eval_sweeps")
RETURNS = {
    "extract_model": ("T", "R", "terminal"),
    "run_episode": ("observations", "actions", "rewards"),
    "evaluate_policy_mc": ("mean_return", "success_rate"),
    "evaluate_policy_sync": _EVALUATE,
    "evaluate_policy_async_ordered": _EVALUATE,
    "evaluate_policy_async_randperm": _EVALUATE,
    "improve_policy": ("new_policy", "policy_changed"),
    "policy_iteration_sync": _POLICY_ITERATION,
    "policy_iteration_async_ordered": _POLICY_ITERATION,
    "policy_iteration_async_randperm": _POLICY_ITERATION,
    "value_iteration_sync": _EVALUATE,
    "value_iteration_async_ordered": _EVALUATE,
    "value_iteration_async_randperm": _EVALUATE,
    "value_iteration_async_custom": _EVALUATE,
    "scaled_dot_product_attention": ("output", "weights"),
    "evaluate": ("mean_loss", "accuracy"),
    "tf_scaled_dot_product_attention": ("output", "weights"),
    "collect_demonstrations": ("obs", "actions"),
}

# Hints keyed by an exception a student function raised: (exception type, pattern of its message,
# hint). Each names one cause, which the pattern alone identifies.
ERROR_HINTS = (
    ("AttributeError", r"'(TimeLimit|OrderEnforcing|PassiveEnvChecker|\w*Wrapper\w*)' object has no attribute 'P'",
     "read the dynamics from env.unwrapped.P, not env.P: gymnasium.make wraps the lake "
     "(TimeLimit, OrderEnforcing, ...) and only the unwrapped FrozenLake has P."),
)

# Tests whose PyTorch oracles have fixed inputs, recorded when the autograder zip is built so that the
# grading test process never imports torch: all of Problem 4; of Problems 6 and 7 only the tests that
# compute an oracle (node ids), never the slow training and outcome tests.
ORACLE_TESTS = (
    "tests/HW1/networks/test_torch_networks.py",
    "tests/HW1/imitation/test_bc_dagger.py::test_train_bc_matches_reference_step",
    # BEGIN HIDDEN
    "autograder/HW1/hidden/networks/test_torch_networks_hidden.py",
    "autograder/HW1/hidden/imitation/test_bc_dagger_hidden.py::test_train_bc_minibatch_order",
    # END HIDDEN
)

HIDDEN_VISIBILITY = "after_published"
# Problem 4's modules, in the order of the handout (tests that run each are parametrized by name).
TORCH_MODULES = ("MLP", "ConvEncoder", "GRUCell", "RecurrentPolicy", "MultiHeadAttention",
                 "TransformerEncoderBlock", "TransformerDecoderBlock")

# Problem 2: the test files and the student functions of dynamic_programming.py.
DP = "tests/HW1/frozen_lake/test_dynamic_programming.py"
VI = ("value_iteration_sync", "value_iteration_async_ordered", "value_iteration_async_randperm",
      "value_iteration_async_custom")
VI_NO_RANDOM = ("value_iteration_sync", "value_iteration_async_ordered", "value_iteration_async_custom")
PI = ("policy_iteration_sync", "policy_iteration_async_ordered", "policy_iteration_async_randperm")
EVAL = ("evaluate_policy_sync", "evaluate_policy_async_ordered", "evaluate_policy_async_randperm")
DP_FUNCTIONS = VI + PI + EVAL + ("value_func_to_policy", "improve_policy", "goal_distance_order")

PROBLEMS = [
    Problem(1, "The lake as a model", 10, ("frozen_lake/lake_model.py",), budget_s=60),
    Problem(2, "Dynamic programming on FrozenLake", 25, ("frozen_lake/dynamic_programming.py",), budget_s=90),
    Problem(3, "Exploration in the k-armed testbed", 15, ("bandits/agents.py",), budget_s=60),
    Problem(4, "Network building blocks in PyTorch", 20, ("networks/torch_networks.py",), budget_s=120),
    Problem(5, "The same ideas in TensorFlow", 10, ("networks/tf_networks.py",), budget_s=120, memory_mb=1536),
    Problem(6, "Imitation learning on CartPole", 20, ("imitation/bc_dagger.py",), budget_s=240),
    # Up to two trainings of at most 120 s each: a second one only where the first misses the bar.
    Problem(7, "Extra credit: memory matters", 10, ("imitation/bc_dagger.py", "networks/torch_networks.py"),
            budget_s=300, extra_credit=True),
]

TESTS = {
    1: [
        Test("tests/HW1/frozen_lake/test_lake_model.py::test_extract_model_known_rows", 1.5,
             "extract_model: transitions and rewards of known states on the course 4x4",
             functions=("extract_model",)),
        Test("tests/HW1/frozen_lake/test_lake_model.py::test_extract_model_sums_slippery_duplicates", 1.5,
             "extract_model: slippery duplicate transitions are summed",
             functions=("extract_model",)),
        Test("tests/HW1/frozen_lake/test_lake_model.py::test_extract_model_rows_sum_to_one", 1,
             "extract_model: shapes, dtypes, rows of T sum to 1",
             functions=("extract_model",)),
        Test("tests/HW1/frozen_lake/test_lake_model.py::test_extract_model_terminal_flags", 1,
             "extract_model: terminal flags are the holes and the goal",
             functions=("extract_model",)),
        Test("tests/HW1/frozen_lake/test_lake_model.py::test_run_episode_stops_on_truncation", 1,
             "run_episode: stops on truncation and on termination",
             functions=("run_episode",)),
        Test("tests/HW1/frozen_lake/test_lake_model.py::test_evaluate_policy_mc_seeded", 1,
             "evaluate_policy_mc: seeded, deterministic, Python floats",
             functions=("evaluate_policy_mc",)),
        # BEGIN HIDDEN
        Test("autograder/HW1/hidden/frozen_lake/test_lake_model_hidden.py::test_extract_model_random_maps", 1.5,
             "extract_model: random maps, non-default success_rate and reward_schedule",
             functions=("extract_model",)),
        Test("autograder/HW1/hidden/frozen_lake/test_lake_model_hidden.py::test_extract_model_course_8x8", 0.5,
             "extract_model: the course 8x8",
             functions=("extract_model",)),
        Test("autograder/HW1/hidden/frozen_lake/test_lake_model_hidden.py::test_run_episode_matches_reference", 0.5,
             "run_episode: same trajectory as the reference on hidden seeds",
             functions=("run_episode",)),
        Test("autograder/HW1/hidden/frozen_lake/test_lake_model_hidden.py::test_evaluate_policy_mc_matches_reference",
             0.5,
             "evaluate_policy_mc: same estimates as the reference on hidden seeds",
             functions=("evaluate_policy_mc",)),
        # END HIDDEN
    ],
    2: [
        Test(f"{DP}::test_value_iteration_optimal_values_deterministic", 1.5,
             "value iteration (each order): optimal values gamma**(d-1) on deterministic maps", functions=VI),
        Test(f"{DP}::test_policy_iteration_optimal_deterministic", 1.5,
             "policy iteration (each order): optimal policy and values on the course maps", functions=PI),
        Test(f"{DP}::test_evaluate_policy_matches_linear_solve", 2,
             "policy evaluation (each order): agrees with an exact linear solve", functions=EVAL),
        Test(f"{DP}::test_value_func_to_policy_letters_course_4x4", 1,
             "value_func_to_policy: the optimal letters on the course 4x4", functions=("value_func_to_policy",)),
        Test(f"{DP}::test_value_func_to_policy_ties", 0.5,
             "value_func_to_policy: any action within 1e-6 of the best is accepted",
             functions=("value_func_to_policy",)),
        Test(f"{DP}::test_improve_policy_reports_change", 0.5,
             "improve_policy: new policy and policy_changed", functions=("improve_policy",)),
        Test(f"{DP}::test_evaluate_policy_sweep_counts_course_4x4", 1,
             "policy evaluation: sweep counts on the course 4x4", functions=EVAL[:2]),
        Test(f"{DP}::test_value_iteration_sweep_counts_course_4x4", 1,
             "value iteration: sweep counts on the course 4x4",
             functions=("value_iteration_sync", "value_iteration_async_ordered", "value_iteration_async_custom")),
        Test(f"{DP}::test_policy_iteration_counts", 1,
             "policy iteration: improvement and sweep counts on the course maps (warm starts)", functions=PI[:2]),
        Test(f"{DP}::test_randperm_one_permutation_per_sweep", 1,
             "random order: one rng.permutation per sweep, updates in that order",
             functions=("value_iteration_async_randperm", "evaluate_policy_async_randperm",
                        "policy_iteration_async_randperm")),
        Test(f"{DP}::test_randperm_default_rng", 0.5,
             "random order: rng=None means a fresh generator",
             functions=("value_iteration_async_randperm", "evaluate_policy_async_randperm")),
        Test(f"{DP}::test_goal_distance_order_course_maps", 0.5,
             "goal_distance_order on the course maps", functions=("goal_distance_order",)),
        Test(f"{DP}::test_gamma_zero", 0.5,
             "edge case: gamma = 0", functions=VI + ("value_func_to_policy",)),
        Test(f"{DP}::test_zero_reward_map", 0.5,
             "edge case: a map where no reward is reachable", functions=VI + PI),
        Test(f"{DP}::test_return_types", 0.5,
             "return types: float64 values, int64 policies, Python int counts, bool", functions=DP_FUNCTIONS),
        Test(f"{DP}::test_inputs_not_mutated", 0.5,
             "inputs (values, policies, env.unwrapped.P) are not mutated, and the result is well formed",
             functions=EVAL + ("value_func_to_policy", "improve_policy")),
        Test(f"{DP}::test_value_func_to_policy_any_values", 0.5,
             "greedy steps (value_func_to_policy, improve_policy): slippery lakes, non-zero values at terminal states",
             functions=("value_func_to_policy", "improve_policy")),
        Test(f"{DP}::test_improve_policy_keeps_best_actions", 0.5,
             "improve_policy: keeps a still-best action (no cycling between near-ties)",
             functions=("improve_policy",)),
        # BEGIN HIDDEN
        Test("autograder/HW1/hidden/frozen_lake/test_dynamic_programming_hidden.py::test_course_8x8_counts", 1.5,
             "the course 8x8: sweep and improvement counts", functions=VI_NO_RANDOM + PI[:2] + EVAL[:2]),
        Test("autograder/HW1/hidden/frozen_lake/test_dynamic_programming_hidden.py::test_course_8x8_policy", 1,
             "the course 8x8: optimal policies", functions=VI_NO_RANDOM + PI[:2] + ("value_func_to_policy",)),
        Test("autograder/HW1/hidden/frozen_lake/test_dynamic_programming_hidden.py::test_random_maps_match_reference",
             1.25,
             "random deterministic maps (4x4 to 12x12): values, counts, policies", functions=VI_NO_RANDOM + PI[:2]),
        Test("autograder/HW1/hidden/frozen_lake/test_dynamic_programming_hidden.py::test_slippery_maps_match_reference",
             1.25,
             "slippery maps: values, counts, near-optimal policy iteration",
             functions=VI_NO_RANDOM + EVAL[:2] + PI[:2]),
        Test("autograder/HW1/hidden/frozen_lake/test_dynamic_programming_hidden.py::test_randperm_matches_reference_seeded",
             1,
             "random order: same results as the reference with a seeded rng",
             functions=("value_iteration_async_randperm", "evaluate_policy_async_randperm",
                        "policy_iteration_async_randperm")),
        Test("autograder/HW1/hidden/frozen_lake/test_dynamic_programming_hidden.py::test_randperm_reproducible", 0.5,
             "random order: reproducible with a seeded rng",
             functions=("value_iteration_async_randperm", "policy_iteration_async_randperm",
                        "evaluate_policy_async_randperm")),
        Test("autograder/HW1/hidden/frozen_lake/test_dynamic_programming_hidden.py::test_randperm_counts_in_range", 0.5,
             "random order: counts within the calibrated range",
             functions=("value_iteration_async_randperm", "policy_iteration_async_randperm")),
        Test("autograder/HW1/hidden/frozen_lake/test_dynamic_programming_hidden.py::test_goal_distance_order_random_maps",
             0.5,
             "goal_distance_order and the custom sweep on other maps",
             functions=("goal_distance_order", "value_iteration_async_custom")),
        Test("autograder/HW1/hidden/frozen_lake/test_dynamic_programming_hidden.py::test_custom_order_not_slower", 0.5,
             "custom order needs no more sweeps than index order", functions=("value_iteration_async_custom",)),
        Test("autograder/HW1/hidden/frozen_lake/test_dynamic_programming_hidden.py::test_policy_iteration_warm_start",
             0.5,
             "policy iteration warm-starts its evaluations", functions=PI[:2]),
        Test("autograder/HW1/hidden/frozen_lake/test_dynamic_programming_hidden.py::test_max_iters_respected", 0.5,
             "max_iters bounds sweeps and improvements", functions=VI + EVAL[:2] + PI),
        Test("autograder/HW1/hidden/frozen_lake/test_dynamic_programming_hidden.py::test_non_default_tol", 0.5,
             "a non-default tol: counts and values", functions=VI_NO_RANDOM + EVAL[:2] + PI[:2]),
        Test("autograder/HW1/hidden/frozen_lake/test_dynamic_programming_hidden.py::test_policy_iteration_near_ties_terminate",
             0.5,
             "policy iteration stops on a map full of near-ties (no cycling)", functions=PI),
        # END HIDDEN
    ],
    3: [
        Test("tests/HW1/bandits/test_agents.py::test_agents_types_and_dtypes", 1,
             "agents: q float64 (k,), counts int64 (k,), int actions, update returns None",
             functions=("EpsilonGreedyAgent", "UCBAgent", "BoltzmannAgent")),
        Test("tests/HW1/bandits/test_agents.py::test_update_incremental_sample_average", 1.5,
             "update: exact incremental sample averages and counts for every agent (and a constant step size)",
             functions=("EpsilonGreedyAgent", "UCBAgent", "BoltzmannAgent")),
        Test("tests/HW1/bandits/test_agents.py::test_epsilon_greedy_zero_is_greedy_with_lowest_index_ties", 1,
             "EpsilonGreedyAgent: epsilon = 0 is greedy, ties to the lowest index",
             functions=("EpsilonGreedyAgent",)),
        Test("tests/HW1/bandits/test_agents.py::test_epsilon_greedy_one_is_uniform_over_all_arms", 1,
             "EpsilonGreedyAgent: epsilon = 1 is uniform over all k arms",
             functions=("EpsilonGreedyAgent",)),
        Test("tests/HW1/bandits/test_agents.py::test_epsilon_greedy_follows_documented_draw_order", 0.5,
             "EpsilonGreedyAgent: the documented random draws, step by step",
             functions=("EpsilonGreedyAgent",)),
        Test("tests/HW1/bandits/test_agents.py::test_ucb_tries_untried_arms_first", 1,
             "UCBAgent: untried arms first, lowest index first",
             functions=("UCBAgent",)),
        Test("tests/HW1/bandits/test_agents.py::test_ucb_bonus_matches_formula", 1.5,
             "UCBAgent: argmax q + c*sqrt(ln t / counts) with t = counts.sum() + 1",
             functions=("UCBAgent",)),
        Test("tests/HW1/bandits/test_agents.py::test_boltzmann_probabilities_match_stable_softmax", 1.5,
             "BoltzmannAgent: probabilities are a stable softmax(q / temperature), no overflow",
             functions=("BoltzmannAgent",)),
        Test("tests/HW1/bandits/test_agents.py::test_boltzmann_samples_follow_probabilities", 0.5,
             "BoltzmannAgent: samples follow the probabilities, one rng.choice per call",
             functions=("BoltzmannAgent",)),
        Test("tests/HW1/bandits/test_agents.py::test_agents_seeding_reproducible", 0.5,
             "agents: reproducible from a seeded rng, all randomness from it",
             functions=("EpsilonGreedyAgent", "UCBAgent", "BoltzmannAgent")),
        # BEGIN HIDDEN
        Test("autograder/HW1/hidden/bandits/test_agents_hidden.py::test_epsilon_greedy_exploration_beats_greedy", 1,
             "EpsilonGreedyAgent: epsilon = 0.1 beats greedy on the testbed (calibrated margin)",
             functions=("EpsilonGreedyAgent",)),
        Test("autograder/HW1/hidden/bandits/test_agents_hidden.py::test_ucb_beats_epsilon_greedy_late", 1,
             "UCBAgent: c = 2 beats epsilon-greedy 0.1 late in the run (calibrated margin)",
             functions=("UCBAgent",)),
        Test("autograder/HW1/hidden/bandits/test_agents_hidden.py::test_optimistic_greedy_early_spike", 1,
             "EpsilonGreedyAgent: optimistic greedy's early spike, Q0 = 5 and step_size = 0.1 (calibrated margins)",
             functions=("EpsilonGreedyAgent",)),
        Test("autograder/HW1/hidden/bandits/test_agents_hidden.py::test_boltzmann_limiting_temperatures", 1,
             "BoltzmannAgent: temperature -> 0 is greedy, a huge temperature is uniform",
             functions=("BoltzmannAgent",)),
        Test("autograder/HW1/hidden/bandits/test_agents_hidden.py::test_agents_match_reference_on_hidden_seeds", 1,
             "agents: the reference's curves on hidden seeds (documented draws)",
             functions=("EpsilonGreedyAgent", "UCBAgent", "BoltzmannAgent")),
        # END HIDDEN
    ],
    4: [
        Test("tests/HW1/networks/test_torch_networks.py::test_parameter_names_and_counts", 1,
             "parameter names, shapes and counts of every module (load_state_dict compatible)",
             functions=TORCH_MODULES),
        Test("tests/HW1/networks/test_torch_networks.py::test_mlp_matches_linear_stack", 1,
             "MLP: equals an nn.Linear stack with copied weights",
             functions=("MLP",)),
        Test("tests/HW1/networks/test_torch_networks.py::test_conv_encoder_matches_conv_stack", 1,
             "ConvEncoder: equals the DQN convolution stack with copied weights",
             functions=("ConvEncoder",)),
        Test("tests/HW1/networks/test_torch_networks.py::test_gru_cell_matches_torch", 1.5,
             "GRUCell: equals nn.GRUCell with copied weights",
             functions=("GRUCell",)),
        Test("tests/HW1/networks/test_torch_networks.py::test_recurrent_policy_matches_nn_gru", 1,
             "RecurrentPolicy: equals nn.GRU + Linear with copied weights",
             functions=("RecurrentPolicy",)),
        Test("tests/HW1/networks/test_torch_networks.py::test_attention_matches_oracles", 1.5,
             "scaled_dot_product_attention: equals F.scaled_dot_product_attention and the NumPy oracle",
             functions=("scaled_dot_product_attention",)),
        Test("tests/HW1/networks/test_torch_networks.py::test_causal_mask", 0.5,
             "causal_mask: bool lower-triangular mask",
             functions=("causal_mask",)),
        Test("tests/HW1/networks/test_torch_networks.py::test_mha_matches_torch", 1.5,
             "MultiHeadAttention: equals nn.MultiheadAttention (self, cross, causal, padding, per-head masks)",
             functions=("MultiHeadAttention",)),
        Test("tests/HW1/networks/test_torch_networks.py::test_encoder_block_matches_torch", 1,
             "TransformerEncoderBlock: equals nn.TransformerEncoderLayer (post-norm)",
             functions=("TransformerEncoderBlock",)),
        Test("tests/HW1/networks/test_torch_networks.py::test_decoder_block_matches_torch", 1,
             "TransformerDecoderBlock: equals nn.TransformerDecoderLayer (post-norm)",
             functions=("TransformerDecoderBlock",)),
        Test("tests/HW1/networks/test_torch_networks.py::test_gradients_reach_every_parameter", 1,
             "gradients reach every parameter and match PyTorch's",
             functions=TORCH_MODULES),
        Test("tests/HW1/networks/test_torch_networks.py::test_float64_inputs", 0.5,
             "float64 modules on float64 inputs",
             functions=("scaled_dot_product_attention", *TORCH_MODULES[2:])),
        Test("tests/HW1/networks/test_torch_networks.py::test_cuda_when_available", 0,
             "CUDA, when the worker has a GPU (ungraded: skipped without one)",
             functions=("MLP", "RecurrentPolicy")),
        Test("tests/HW1/networks/test_torch_networks.py::test_train_one_epoch_matches_reference_loop", 1,
             "train_one_epoch and evaluate: same losses and parameters as a reference loop",
             functions=("train_one_epoch", "evaluate")),
        Test("tests/HW1/networks/test_torch_networks.py::test_evaluate_matches_reference", 0.5,
             "evaluate: mean batch loss and accuracy, parameters unchanged",
             functions=("evaluate",)),
        # BEGIN HIDDEN
        Test("autograder/HW1/hidden/networks/test_torch_networks_hidden.py::test_attention_without_fused_kernel", 1,
             "attention and the blocks work with PyTorch's fused attention disabled",
             functions=("scaled_dot_product_attention", *TORCH_MODULES[4:])),
        Test("autograder/HW1/hidden/networks/test_torch_networks_hidden.py::test_attention_hidden_shapes", 1,
             "scaled_dot_product_attention: other shapes and broadcast masks",
             functions=("scaled_dot_product_attention",)),
        Test("autograder/HW1/hidden/networks/test_torch_networks_hidden.py::test_mha_cross_attention_hidden", 1,
             "MultiHeadAttention: cross-attention with L_q != L_k, per-batch and per-head masks",
             functions=("MultiHeadAttention",)),
        Test("autograder/HW1/hidden/networks/test_torch_networks_hidden.py::test_transformer_blocks_hidden", 1,
             "Transformer blocks: other sizes and masks, float64",
             functions=("TransformerEncoderBlock", "TransformerDecoderBlock")),
        Test("autograder/HW1/hidden/networks/test_torch_networks_hidden.py::test_recurrent_hidden", 0.5,
             "GRUCell and RecurrentPolicy: other sizes, initialisation range",
             functions=("GRUCell", "RecurrentPolicy")),
        Test("autograder/HW1/hidden/networks/test_torch_networks_hidden.py::test_train_loops_hidden", 1,
             "train loops: Adam, a partial last batch, evaluate in eval mode",
             functions=("train_one_epoch", "evaluate")),
        Test("autograder/HW1/hidden/networks/test_torch_networks_hidden.py::test_mlp_conv_hidden", 0.5,
             "MLP and ConvEncoder: other activations and sizes",
             functions=("MLP", "ConvEncoder")),
        # END HIDDEN
    ],
    5: [
        Test("tests/HW1/networks/test_tf_networks.py::test_tf_attention_matches_oracle", 2,
             "tf_scaled_dot_product_attention: equals the NumPy oracle (masks, leading dims)",
             functions=("tf_scaled_dot_product_attention",)),
        Test("tests/HW1/networks/test_tf_networks.py::test_tfmlp_structure", 1,
             "TFMLP: a Keras model with hidden_layers and output_layer",
             functions=("TFMLP",)),
        Test("tests/HW1/networks/test_tf_networks.py::test_tfmlp_matches_numpy_forward", 1.5,
             "TFMLP: outputs equal a NumPy MLP with the same weights",
             functions=("TFMLP",)),
        Test("tests/HW1/networks/test_tf_networks.py::test_train_step_matches_numpy_sgd", 2,
             "make_train_step: a tf.function whose SGD update equals a NumPy step",
             functions=("make_train_step",)),
        # BEGIN HIDDEN
        Test("autograder/HW1/hidden/networks/test_tf_networks_hidden.py::test_tf_attention_hidden", 1.5,
             "tf_scaled_dot_product_attention: float64, inside tf.function, other shapes",
             functions=("tf_scaled_dot_product_attention",)),
        Test("autograder/HW1/hidden/networks/test_tf_networks_hidden.py::test_tfmlp_hidden", 0.5,
             "TFMLP: other depths and activations",
             functions=("TFMLP",)),
        Test("autograder/HW1/hidden/networks/test_tf_networks_hidden.py::test_train_step_hidden", 1.5,
             "make_train_step: Adam, MSE, several steps",
             functions=("make_train_step",)),
        # END HIDDEN
    ],
    6: [
        Test("tests/HW1/imitation/test_bc_dagger.py::test_expert_demonstrations", 1,
             "the given expert lasts 500 steps on 1000 seeds; collect_demonstrations records its episodes",
             functions=("collect_demonstrations",)),
        Test("tests/HW1/imitation/test_bc_dagger.py::test_collect_demonstrations_shapes_and_seeding", 1.5,
             "collect_demonstrations: shapes, dtypes, episode i reset with seed + i",
             functions=("collect_demonstrations",)),
        Test("tests/HW1/imitation/test_bc_dagger.py::test_collect_demonstrations_expert_relabelling", 1.5,
             "collect_demonstrations: follows policy_fn, labels with expert_fn",
             functions=("collect_demonstrations",)),
        Test("tests/HW1/imitation/test_bc_dagger.py::test_make_policy", 0.5,
             "make_policy: a module mapping (B, obs_dim) to logits (B, n_actions)",
             functions=("make_policy",)),
        Test("tests/HW1/imitation/test_bc_dagger.py::test_act_is_greedy", 1.5,
             "act: the argmax of known logits, as an int",
             functions=("act",)),
        Test("tests/HW1/imitation/test_bc_dagger.py::test_train_bc_matches_reference_step", 2,
             "train_bc: Adam steps on the mean cross-entropy match PyTorch's; eval mode afterwards",
             functions=("train_bc",)),
        Test("tests/HW1/imitation/test_bc_dagger.py::test_train_bc_lowers_loss", 1,
             "train_bc: the loss falls on expert data",
             functions=("train_bc",)),
        Test("tests/HW1/imitation/test_bc_dagger.py::test_dagger_aggregates", 2.5,
             "dagger: trains on all data so far, adds the learner's states labelled by the expert",
             functions=("dagger",)),
        Test("tests/HW1/imitation/test_bc_dagger.py::test_dagger_rollouts_are_seeded", 0.5,
             "dagger: episode j of iteration k resets with seed + k*E + j",
             functions=("dagger",)),
        Test("tests/HW1/imitation/test_bc_dagger.py::test_bc_outcome_public", 1,
             "BC from 5 expert episodes: mean return >= 475 on public seeds",
             functions=("make_policy", "train_bc", "act")),
        Test("tests/HW1/imitation/test_bc_dagger.py::test_dagger_outcome_public", 1,
             "DAgger from a 50-step demonstration: mean return >= 475 on public seeds",
             functions=("make_policy", "dagger", "act")),
        # BEGIN HIDDEN
        Test("autograder/HW1/hidden/imitation/test_bc_dagger_hidden.py::test_train_bc_minibatch_order", 1,
             "train_bc: several mini-batches per epoch, reshuffled from the seeded generator",
             functions=("train_bc",)),
        Test("autograder/HW1/hidden/imitation/test_bc_dagger_hidden.py::test_bc_outcome_hidden", 2.5,
             "BC from 5 expert episodes: mean return >= 475 on hidden seeds (partial credit below)",
             functions=("make_policy", "train_bc", "act")),
        Test("autograder/HW1/hidden/imitation/test_bc_dagger_hidden.py::test_dagger_outcome_hidden", 2.5,
             "DAgger from a 50-step demonstration: mean return >= 475 on hidden seeds (partial credit below)",
             functions=("make_policy", "dagger", "act")),
        # END HIDDEN
    ],
    7: [
        Test("tests/HW1/imitation/test_memory_agent.py::test_memory_agent_public", 3,
             "memory agent on (x, theta) only: mean return >= 475 on public seeds (extra credit)",
             functions=("train_memory_agent",)),
        # BEGIN HIDDEN
        Test("autograder/HW1/hidden/imitation/test_memory_agent_hidden.py::test_memory_agent_acts_on_history", 2,
             "the memory agent acts on the history, and reset() clears it (extra credit)",
             functions=("train_memory_agent",)),
        Test("autograder/HW1/hidden/imitation/test_memory_agent_hidden.py::test_memory_agent_outcome_hidden", 5,
             "memory agent on (x, theta) only: mean return >= 475 on hidden seeds (extra credit)",
             functions=("train_memory_agent",)),
        # END HIDDEN
    ],
}

# Who calls whom by the contract (HW1/README.md, the docstrings): a test of a function on the
# left may also fail when a function on the right fails, and its message then names that one.
# A broken function may cost only its own tests and those of the functions that call it.
CALLS = {
    "policy_iteration_sync": ("evaluate_policy_sync", "improve_policy"),
    "policy_iteration_async_ordered": ("evaluate_policy_async_ordered", "improve_policy"),
    "policy_iteration_async_randperm": ("evaluate_policy_async_randperm", "improve_policy"),
    "value_iteration_async_custom": ("goal_distance_order",),
    "RecurrentPolicy": ("GRUCell",),
    "TransformerEncoderBlock": ("MultiHeadAttention",),
    "TransformerDecoderBlock": ("MultiHeadAttention",),
    "dagger": ("train_bc",),
}
