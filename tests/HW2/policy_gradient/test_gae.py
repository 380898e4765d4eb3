"""Public tests for the extra credit: GAE(lambda) (``gae_advantages`` in ``returns.py``, ``gae_update`` in ``pg.py``).

Oracles: the loop oracle ``pgdata.gae_loop`` (the sum of discounted TD errors to the episode's
end), the closed forms of its two ends (lambda = 0: the TD errors; lambda = 1: the bootstrapped
Monte-Carlo advantages ``n_step_targets(n=T) - values`` where ``next_values[t] == values[t+1]``
inside episodes), and PyTorch's autograd on copied weights for ``gae_update``. The outcome test is
graded like Problem 5's (learner ``gae``).

A hint of :data:`HINTS` is shown only when that mistake, run in the oracle, reproduces your
result; otherwise the message says what differs.
"""

import numpy as np
import torch_oracles
from pgchecks import ATOL as ATOL32
from pgchecks import RTOL as RTOL32
from pgchecks import check_parameters, check_update_call, like, matched, net_weights, pick
from pgdata import describe, gae_loop, n_step_loop, td_errors, window
from pgoutcomes import TRAIN_SEED, grade_outcome

from harness.checks import check_array, check_close

ATOL, RTOL = 1e-8, 1e-6  # float64 results
HINTS = {
    "values_for_next": "use next_values[t], the value of the observation that followed step t, never values[t+1]: "
                       "at an episode's end values[t+1] is the next episode's first state. Your advantages match "
                       "values[t+1]",
    "no_reset": "an advantage sums TD errors only to the end of its own episode (dones[t]): your advantages match "
                "sums that run on into the next episode",
    "bootstrap_terminal": "a terminated step's TD error is r[t] - values[t] (the state after it is worth 0): your "
                          "advantages match bootstrapping from next_values there too",
    "raw_targets": "the critic regresses onto the lambda-returns, targets = advantages + values: your critic's step "
                   "matches regressing onto the advantages themselves",
    "no_zero_grad": "call zero_grad() on each optimizer before its loss's backward(): your update matches one that "
                    "kept the gradients already stored in .grad",
}


def diagnose(got, variants):
    try:
        got = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return None
    keys = {k for k, want in variants.items() if got.shape == np.shape(want)
            and np.allclose(got, want, atol=ATOL, rtol=RTOL)}
    return HINTS[keys.pop()] if len(keys) == 1 else None


def check_gae(student, rewards, values, next_values, terminated, dones, gamma, lam, want, what):
    got = student.call("returns", "gae_advantages", rewards, values, next_values, terminated, dones, gamma, lam)
    check_array(got, what, shape=np.shape(rewards), dtype=np.float64)
    args = (rewards, values, next_values, terminated, dones, gamma, lam)
    variants = {"values_for_next": gae_loop(*args, values_for_next=True),
                "no_reset": gae_loop(*args, ignore_dones=True),
                "bootstrap_terminal": gae_loop(*args, ignore_terminated=True)}
    check_close(got, want, what, atol=ATOL, rtol=RTOL, index_name="(t, e)" if np.ndim(rewards) == 2 else "t",
                hint=lambda: diagnose(got, variants))


def test_gae_advantages(student):
    # The docstring's example.
    example = ([1.0] * 4, [2.0] * 4, [10.0, 20.0, 30.0, 40.0], [False, True, False, False],
               [False, True, False, False], 0.5, 0.5)
    check_gae(student, *example, [3.75, -1.0, 18.75, 19.0],
              "gae_advantages([1, 1, 1, 1], [2, 2, 2, 2], [10, 20, 30, 40], terminated = dones = [F, T, F, F], "
              "0.5, 0.5) (the docstring's example)")
    batch = window(71, T=14, E=4)
    rng = np.random.default_rng(71)
    values = rng.normal(2.0, 1.0, size=(14, 4))
    next_values = np.empty_like(values)
    next_values[:-1] = values[1:]
    next_values[-1] = rng.normal(2.0, 1.0, size=4)
    ends = batch["dones"]
    next_values[ends] = rng.normal(-3.0, 1.0, size=int(ends.sum()))  # an episode's final state: not values[t+1]
    next_values[batch["terminated"]] = 1e6  # a terminal state's value must not matter
    flags = (batch["terminated"], batch["dones"])
    r = batch["rewards"]
    for lam in (0.0, 0.8, 1.0):
        args = (r, values, next_values, *flags, 0.9, lam)
        if lam == 0.0:
            want, form = td_errors(r, values, next_values, flags[0], 0.9), "the TD errors"
        elif lam == 1.0:
            want = n_step_loop(r, next_values, *flags, 0.9, 14) - values
            form = "n_step_targets(n=T) - values: the bootstrapped Monte-Carlo advantages"
        else:
            want, form = gae_loop(*args), "the discounted sum of TD errors to the episode's end"
        what = (f"gae_advantages on a window (14, 4) with terminated and truncated ends, gamma=0.9, lam={lam} "
                f"({form})")
        check_gae(student, *args, want, what)


def test_gae_update_one_step(student):
    batch = window(81, T=12, E=3)
    policy, value = net_weights(81, 2), net_weights(82, 1)
    stale = [like(policy, 810), like(value, 820)]
    lrs, gamma, lam = (0.5, 0.05), 0.9, 0.8
    out = student.probe("components.update", "gae", policy, value, batch, gamma, lam, True, "sgd", lrs, stale)
    args = (policy, value, batch, gamma, lam, True, lrs, stale)
    want = torch_oracles.update("gae", *args)
    mistakes = {m: torch_oracles.update("gae", *args, mistake=m) for m in torch_oracles.MISTAKES["gae"]}
    what = (f"gae_update(policy, value, SGD(lr=0.5), SGD(lr=0.05), batch, gamma=0.9, lam=0.8) on {describe(batch)} "
            "(staff networks whose .grad already hold gradients)")
    result = check_update_call(out, want, what, has_value=True)
    check_close(result["policy_loss"], want["policy_loss"], f"{what}: the returned policy_loss (before the steps)",
                atol=ATOL32, rtol=RTOL32,
                hint=lambda: pick(HINTS, matched(result["policy_loss"], mistakes, "policy_loss")))
    check_close(result["value_loss"], want["value_loss"], f"{what}: the returned value_loss (the critic against the "
                "lambda-returns, before the steps)", atol=ATOL32, rtol=RTOL32,
                hint=lambda: pick(HINTS, matched(result["value_loss"], mistakes, "value_loss")))
    for net in ("policy", "value"):
        found = ["no_zero_grad" if m.startswith("no_zero_grad") else m for m in matched(out[net], mistakes, net)]
        check_parameters(out[net], want[net], f"{what}: the {net} network after its step",
                         hint=lambda found=found: pick(HINTS, found))


def test_gae_outcome_public(student, credit, note):
    """GAE (lambda = 0.95, ``gae_update``, windows of 32 x 16), training seed 0, 20 public seeds."""
    seeds = tuple(range(300, 320))
    grade_outcome(student, credit, note, "gae", TRAIN_SEED, seeds, f"20 seeds {seeds[0]}..{seeds[-1]}",
                  "`python run.py --check --learners gae` runs the same protocol on your machine")
