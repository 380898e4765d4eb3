"""HW2's table: its files, problems, points, tests, contracts and hints, in one place.

``make test``, the autograder and its manifest, the stubs, the audits and the handout all read
this file (``harness.homework`` says what each name means). Test numbers are
``<problem>.<index>`` in the order listed here (public tests first, so the numbers students
see locally match Gradescope's). A parametrized test is one entry: its cases share its points.
Hidden entries sit between the BEGIN HIDDEN and END HIDDEN marker comments and are stripped
from the student handout. Public tests (under ``tests/``) are visible; hidden tests default to
``HIDDEN_VISIBILITY``.
"""

from harness.homework import Problem, Test

RETURNS_PY = "policy_gradient/returns.py"
PG_PY = "policy_gradient/pg.py"
# The files students write, relative to HW2/code, and the problem each belongs to.
STUDENT_FILES = {RETURNS_PY: 1, PG_PY: 2}
# Student functions whose stub points at another problem than their file's.
FUNCTION_PROBLEMS = {
    f"{RETURNS_PY}:gae_advantages": 6,
    f"{PG_PY}:ValueNetwork": 3,
    f"{PG_PY}:state_values": 3,
    f"{PG_PY}:value_loss": 3,
    f"{PG_PY}:normalize_advantages": 3,
    f"{PG_PY}:compute_advantages": 3,
    f"{PG_PY}:baseline_update": 3,
    f"{PG_PY}:a2c_update": 4,
    f"{PG_PY}:gae_update": 6,
}
# Complete files given to students; grading always uses the staff copy of these.
GIVEN_FILES = ("policy_gradient/rollout.py", "policy_gradient/run.py")
# What students may import (the grader installs requirements.txt and nothing else).
PACKAGES = "numpy, gymnasium, torch, matplotlib and tqdm"
HIDDEN_VISIBILITY = "after_published"

# The functions that return a tuple, and the names of its items (make_optimizers is given code that students
# may tune; the grader's loop unpacks its pair).
RETURNS = {"make_optimizers": ("policy_optimizer", "value_optimizer")}

# Tests whose PyTorch oracles have fixed inputs, recorded when the autograder zip is built so that the
# grading test process never imports torch: every unit test of Problems 2-4 and of the extra credit's
# gae_update. Never the outcome tests (they train in the worker and need no oracle).
ORACLE_TESTS = (
    "tests/HW2/policy_gradient/test_reinforce.py",
    "tests/HW2/policy_gradient/test_baseline.py",
    "tests/HW2/policy_gradient/test_a2c.py",
    "tests/HW2/policy_gradient/test_gae.py::test_gae_update_one_step",
    # BEGIN HIDDEN
    "autograder/HW2/hidden/policy_gradient/test_reinforce_hidden.py",
    "autograder/HW2/hidden/policy_gradient/test_baseline_hidden.py",
    "autograder/HW2/hidden/policy_gradient/test_a2c_hidden.py",
    "autograder/HW2/hidden/policy_gradient/test_gae_hidden.py::test_gae_update_hidden",
    # END HIDDEN
)

# Budgets (one core): a minute for each problem of unit tests (each takes 1 to 2 s, the worker's start included).
# Problem 5 trains five learners, each within run.py's 60 s limit of wall time (the reference on seed 0: 0.5 to
# 4 s of CPU; over many training seeds at most about 20 s), and drives 2 x 20 greedy evaluations
# per learner: 5 x 60 s + a minute. The extra credit trains one learner: 60 s + a minute.
BOTH = (RETURNS_PY, PG_PY)  # pg.py imports returns.py: a problem of pg.py needs both files
PROBLEMS = [
    Problem(1, "Returns and targets", 20, (RETURNS_PY,), budget_s=60),
    Problem(2, "REINFORCE", 20, BOTH, budget_s=60),
    Problem(3, "REINFORCE with a learned baseline", 20, BOTH, budget_s=60),
    Problem(4, "N-step advantage actor-critic", 15, BOTH, budget_s=60),
    Problem(5, "The learners balance the pole", 25, BOTH, budget_s=600),
    Problem(6, "Extra credit: GAE(lambda)", 10, BOTH, budget_s=180, extra_credit=True),
]

RET = "tests/HW2/policy_gradient/test_returns.py"
REI = "tests/HW2/policy_gradient/test_reinforce.py"
BAS = "tests/HW2/policy_gradient/test_baseline.py"
A2C = "tests/HW2/policy_gradient/test_a2c.py"
OUT = "tests/HW2/policy_gradient/test_outcomes.py"
GAE = "tests/HW2/policy_gradient/test_gae.py"
# BEGIN HIDDEN
H_RET = "autograder/HW2/hidden/policy_gradient/test_returns_hidden.py"
H_REI = "autograder/HW2/hidden/policy_gradient/test_reinforce_hidden.py"
H_BAS = "autograder/HW2/hidden/policy_gradient/test_baseline_hidden.py"
H_A2C = "autograder/HW2/hidden/policy_gradient/test_a2c_hidden.py"
H_OUT = "autograder/HW2/hidden/policy_gradient/test_outcomes_hidden.py"
H_GAE = "autograder/HW2/hidden/policy_gradient/test_gae_hidden.py"
# END HIDDEN

TESTS = {
    1: [
        Test(f"{RET}::test_discounted_returns_examples", 2,
             "discounted_returns: the docstring's example and single episodes (geometric sums)",
             functions=("discounted_returns",)),
        Test(f"{RET}::test_discounted_returns_batch", 2.5,
             "discounted_returns: several episodes per column, terminated and truncated, cut by the window",
             functions=("discounted_returns",)),
        Test(f"{RET}::test_discounted_returns_types", 1,
             "discounted_returns: float64 of the inputs' shape, (T,) and (T, E), bool or 0/1 flags, inputs unchanged",
             functions=("discounted_returns",)),
        Test(f"{RET}::test_n_step_targets_examples", 2,
             "n_step_targets: the docstring's examples (terminated, then truncated)",
             functions=("n_step_targets",)),
        Test(f"{RET}::test_n_step_targets_td_and_monte_carlo", 2,
             "n_step_targets: n = 1 is the TD target; n >= T is the Monte-Carlo return where episodes terminate",
             functions=("n_step_targets",)),
        Test(f"{RET}::test_n_step_targets_batch", 3,
             "n_step_targets: n = 2, 3, 5 on several episodes per column (terminal values must not matter)",
             functions=("n_step_targets",)),
        Test(f"{RET}::test_n_step_targets_types", 1,
             "n_step_targets: float64 of the inputs' shape, (T,) and (T, E), inputs unchanged",
             functions=("n_step_targets",)),
        # BEGIN HIDDEN
        Test(f"{H_RET}::test_discounted_returns_hidden", 2.5,
             "discounted_returns: other shapes, gamma 0 and 1, integer rewards, the reference's returns",
             functions=("discounted_returns",)),
        Test(f"{H_RET}::test_n_step_targets_hidden", 4,
             "n_step_targets: other shapes, n from 1 to beyond T, gamma 0 and 1, the reference's targets",
             functions=("n_step_targets",)),
        # END HIDDEN
    ],
    2: [
        Test(f"{REI}::test_policy_network", 2,
             "PolicyNetwork: an nn.Module mapping float32 (B, obs_dim) to finite logits (B, n_actions)",
             functions=("PolicyNetwork",)),
        Test(f"{REI}::test_action_log_probs", 3,
             "action_log_probs: log_softmax at the actions taken and its gradient, against PyTorch's on copied "
             "weights", functions=("action_log_probs",)),
        Test(f"{REI}::test_policy_gradient_loss", 3,
             "policy_gradient_loss: value and gradient, mean over counted entries, no gradient through the weights",
             functions=("policy_gradient_loss",)),
        Test(f"{REI}::test_reinforce_update", 4,
             "reinforce_update: one SGD step on whole episodes equals PyTorch's on copied weights; loss before the "
             "step", functions=("reinforce_update",)),
        # BEGIN HIDDEN
        Test(f"{H_REI}::test_policy_network_hidden", 1,
             "PolicyNetwork: other sizes, any leading batch shape, seeded by torch.manual_seed",
             functions=("PolicyNetwork",)),
        Test(f"{H_REI}::test_action_log_probs_hidden", 2,
             "action_log_probs: tensors and other leading shapes, three actions, the reference's values",
             functions=("action_log_probs",)),
        Test(f"{H_REI}::test_policy_gradient_loss_hidden", 2,
             "policy_gradient_loss: other masks (none counted, all counted), float64, the reference's values",
             functions=("policy_gradient_loss",)),
        Test(f"{H_REI}::test_reinforce_update_hidden", 3,
             "reinforce_update: other batches, Adam, truncated episodes, the reference's update",
             functions=("reinforce_update",)),
        # END HIDDEN
    ],
    3: [
        Test(f"{BAS}::test_value_network_and_state_values", 2,
             "ValueNetwork: (B, obs_dim) -> (B,); state_values: (T, E) with gradients",
             functions=("ValueNetwork", "state_values")),
        Test(f"{BAS}::test_value_loss", 2,
             "value_loss: mean squared error over counted entries (no 1/2), no gradient through the targets",
             functions=("value_loss",)),
        Test(f"{BAS}::test_normalize_advantages", 2.5,
             "normalize_advantages: one mean and one population std over every counted entry of the batch",
             functions=("normalize_advantages",)),
        Test(f"{BAS}::test_compute_advantages", 2,
             "compute_advantages: targets - values without gradient, normalised or masked",
             functions=("compute_advantages",)),
        Test(f"{BAS}::test_baseline_update", 4,
             "baseline_update: one SGD step of each network equals PyTorch's on copied weights; losses before the "
             "steps", functions=("baseline_update",)),
        # BEGIN HIDDEN
        Test(f"{H_BAS}::test_value_network_and_state_values_hidden", 1,
             "ValueNetwork and state_values: other sizes and leading shapes",
             functions=("ValueNetwork", "state_values")),
        Test(f"{H_BAS}::test_value_loss_hidden", 1,
             "value_loss: other masks and dtypes, the reference's values",
             functions=("value_loss",)),
        Test(f"{H_BAS}::test_normalize_advantages_hidden", 1.5,
             "normalize_advantages: one counted entry, none, all, float64, the reference's values",
             functions=("normalize_advantages",)),
        Test(f"{H_BAS}::test_compute_advantages_hidden", 1,
             "compute_advantages: other masks and targets as arrays, the reference's values",
             functions=("compute_advantages",)),
        Test(f"{H_BAS}::test_baseline_update_hidden", 3,
             "baseline_update: other batches, Adam, without normalisation, the reference's update",
             functions=("baseline_update",)),
        # END HIDDEN
    ],
    4: [
        Test(f"{A2C}::test_a2c_update_window", 5,
             "a2c_update (n = 1, 3, 10): one SGD step of each network on a window with terminations, a truncation "
             "and cut episodes", functions=("a2c_update",)),
        Test(f"{A2C}::test_a2c_update_large_n_is_baseline", 2,
             "a2c_update with n >= T on terminated whole episodes is REINFORCE with a learned baseline",
             functions=("a2c_update",)),
        # BEGIN HIDDEN
        Test(f"{H_A2C}::test_a2c_update_hidden", 5,
             "a2c_update: n = 1, 10, 100 on other windows, Adam, the reference's update",
             functions=("a2c_update",)),
        Test(f"{H_A2C}::test_a2c_update_truncations_hidden", 3,
             "a2c_update: truncated episodes and terminal values that must not matter, without normalisation",
             functions=("a2c_update",)),
        # END HIDDEN
    ],
    5: [
        Test(f"{OUT}::test_reinforce_outcome_public", 1,
             "REINFORCE, training seed 0: greedy mean return at the bar (run.BAR) on 20 public seeds",
             functions=("PolicyNetwork", "reinforce_update")),
        Test(f"{OUT}::test_baseline_outcome_public", 1,
             "REINFORCE with a baseline, training seed 0: greedy mean return at the bar (run.BAR) on 20 public seeds",
             functions=("PolicyNetwork", "ValueNetwork", "baseline_update")),
        Test(f"{OUT}::test_a2c1_outcome_public", 1,
             "A2C, N = 1, training seed 0: greedy mean return at the bar (run.BAR) on 20 public seeds",
             functions=("PolicyNetwork", "ValueNetwork", "a2c_update")),
        Test(f"{OUT}::test_a2c10_outcome_public", 1,
             "A2C, N = 10, training seed 0: greedy mean return at the bar (run.BAR) on 20 public seeds",
             functions=("PolicyNetwork", "ValueNetwork", "a2c_update")),
        Test(f"{OUT}::test_a2c100_outcome_public", 1,
             "A2C, N = 100, training seed 0: greedy mean return at the bar (run.BAR) on 20 public seeds",
             functions=("PolicyNetwork", "ValueNetwork", "a2c_update")),
        # BEGIN HIDDEN
        Test(f"{H_OUT}::test_reinforce_outcome_hidden", 4,
             "REINFORCE: the public training run on 20 hidden seeds, mean at the bar (partial credit below)",
             functions=("PolicyNetwork", "reinforce_update")),
        Test(f"{H_OUT}::test_baseline_outcome_hidden", 4,
             "REINFORCE with a baseline: the public training run on 20 hidden seeds (partial credit below)",
             functions=("PolicyNetwork", "ValueNetwork", "baseline_update")),
        Test(f"{H_OUT}::test_a2c1_outcome_hidden", 4,
             "A2C, N = 1: the public training run on 20 hidden seeds (partial credit below)",
             functions=("PolicyNetwork", "ValueNetwork", "a2c_update")),
        Test(f"{H_OUT}::test_a2c10_outcome_hidden", 4,
             "A2C, N = 10: the public training run on 20 hidden seeds (partial credit below)",
             functions=("PolicyNetwork", "ValueNetwork", "a2c_update")),
        Test(f"{H_OUT}::test_a2c100_outcome_hidden", 4,
             "A2C, N = 100: the public training run on 20 hidden seeds (partial credit below)",
             functions=("PolicyNetwork", "ValueNetwork", "a2c_update")),
        # END HIDDEN
    ],
    6: [
        Test(f"{GAE}::test_gae_advantages", 2.5,
             "gae_advantages: the docstring's example, a loop oracle, lambda = 0 the TD errors, lambda = 1 the "
             "Monte-Carlo advantages (extra credit)", functions=("gae_advantages",)),
        Test(f"{GAE}::test_gae_update_one_step", 1,
             "gae_update: one SGD step of each network equals PyTorch's on copied weights (extra credit)",
             functions=("gae_update",)),
        Test(f"{GAE}::test_gae_outcome_public", 1,
             "GAE (lambda = 0.95), training seed 0: greedy mean return at the bar (run.BAR) on 20 public seeds "
             "(extra credit)",
             functions=("PolicyNetwork", "ValueNetwork", "gae_update")),
        # BEGIN HIDDEN
        Test(f"{H_GAE}::test_gae_advantages_hidden", 1.5,
             "gae_advantages: other shapes and lambdas, values[t+1] differing from next_values[t] (extra credit)",
             functions=("gae_advantages",)),
        Test(f"{H_GAE}::test_gae_update_hidden", 1,
             "gae_update: other batches and lambdas, Adam, the reference's update (extra credit)",
             functions=("gae_update",)),
        Test(f"{H_GAE}::test_gae_outcome_hidden", 3,
             "GAE: the public training run on 20 hidden seeds, mean at the bar (partial credit below; extra credit)",
             functions=("PolicyNetwork", "ValueNetwork", "gae_update")),
        # END HIDDEN
    ],
}

# Who calls whom by the contract (the docstrings of pg.py): a test of a function on the left may also
# fail when a function on the right fails, and its message then names that one. A broken function may
# cost only its own tests and those of the functions that call it.
_LOSSES = ("action_log_probs", "policy_gradient_loss", "value_loss", "compute_advantages", "state_values")
CALLS = {
    "reinforce_update": ("discounted_returns", "action_log_probs", "policy_gradient_loss"),
    "compute_advantages": ("normalize_advantages",),
    "baseline_update": ("discounted_returns", *_LOSSES),
    "a2c_update": ("n_step_targets", *_LOSSES),
    "gae_update": ("gae_advantages", *_LOSSES),
}
