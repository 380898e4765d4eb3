"""Public tests for Problem 4 (``a2c_update`` in ``pg.py``), against PyTorch's autograd on copied weights.

The oracle (``torch_oracles.py``) computes the critic's values of ``batch.obs`` and, without
gradient, of ``batch.next_obs`` (the observation after each step: at an episode's end its final
observation), the n-step targets of the loop oracle ``pgdata.n_step_loop``, and one SGD step of
each network by its own loss. The windows hold terminations, a truncation and episodes cut by the
window's end. With ``n >= T`` on whole episodes that all terminate, nothing is bootstrapped: the
update is REINFORCE with a learned baseline (Problem 3's oracle).

A hint of :data:`HINTS` is shown only when that mistake, run in the oracle, reproduces your
result; otherwise the message says what differs.
"""

import pytest
import torch_oracles
from pgchecks import ATOL, RTOL, check_parameters, check_update_call, like, matched, net_weights, pick
from pgdata import describe, whole_episodes, window

from harness.checks import check_close

HINTS = {
    "no_zero_grad": "call zero_grad() on each optimizer before its loss's backward(): your update matches one that "
                    "kept the gradients already stored in .grad",
    "policy_loss_into_critic": "the policy loss must send no gradient into the value network: your critic's step "
                               "matches one that followed the gradient of the policy loss as well (advantages not "
                               "detached, then one backward through both losses)",
    "mask_complete": "A2C counts every real step of the window (mask = batch.valid): your update matches one that "
                     "counted only the complete steps (batch.complete), as the Monte-Carlo learners do",
    "terminated_as_dones": "pass batch.terminated to n_step_targets (a truncated episode bootstraps): your update "
                           "matches one that passed batch.dones, treating time-limit cuts as terminations",
}


def run_a2c(student, batch, n, seed, lrs=(0.5, 0.05), gamma=0.9):
    policy, value = net_weights(seed, 2), net_weights(seed + 1, 1)
    stale = [like(policy, 10 * seed), like(value, 10 * seed + 1)]
    out = student.probe("components.update", "a2c", policy, value, batch, gamma, n, True, "sgd", lrs, stale)
    args = (policy, value, batch, gamma, n, True, lrs, stale)
    return out, args


@pytest.mark.parametrize("n", [1, 3, 10])
def test_a2c_update_window(student, n):
    batch = window(50 + n, T=12, E=3)
    out, args = run_a2c(student, batch, n, seed=5 + n)
    want = torch_oracles.update("a2c", *args)
    mistakes = {m: torch_oracles.update("a2c", *args, mistake=m) for m in torch_oracles.MISTAKES["a2c"]}
    what = (f"a2c_update(policy, value, SGD(lr=0.5), SGD(lr=0.05), batch, gamma=0.9, n={n}) on {describe(batch)} "
            "(staff networks whose .grad already hold gradients)")
    result = check_update_call(out, want, what, has_value=True)
    check_close(result["policy_loss"], want["policy_loss"], f"{what}: the returned policy_loss (before the steps)",
                atol=ATOL, rtol=RTOL, hint=lambda: pick(HINTS, matched(result["policy_loss"], mistakes, "policy_loss")))
    check_close(result["value_loss"], want["value_loss"], f"{what}: the returned value_loss (before the steps; "
                "targets from n_step_targets with next_values = the critic's values of batch.next_obs)",
                atol=ATOL, rtol=RTOL, hint=lambda: pick(HINTS, matched(result["value_loss"], mistakes, "value_loss")))
    for net in ("policy", "value"):
        found = ["no_zero_grad" if m.startswith("no_zero_grad") else m for m in matched(out[net], mistakes, net)]
        check_parameters(out[net], want[net], f"{what}: the {net} network after its step (old - lr * the gradient "
                         f"of the {net} loss alone)", hint=lambda found=found: pick(HINTS, found))


def test_a2c_update_large_n_is_baseline(student):
    batch = whole_episodes(61, E=3, min_steps=5, all_terminated=True)
    T = batch["rewards"].shape[0]
    out, args = run_a2c(student, batch, T + 5, seed=61)
    policy, value, _, gamma, _, normalize, lrs, stale = args
    want = torch_oracles.update("baseline", policy, value, batch, gamma, None, normalize, lrs, stale)
    what = (f"a2c_update(..., n={T + 5}) on {describe(batch)}, every episode terminated (n >= T: the targets are the "
            "Monte-Carlo returns, and the step is REINFORCE with a learned baseline's)")
    result = check_update_call(out, want, what, has_value=True)
    check_close(result["value_loss"], want["value_loss"], f"{what}: the returned value_loss", atol=ATOL, rtol=RTOL)
    check_close(result["policy_loss"], want["policy_loss"], f"{what}: the returned policy_loss", atol=ATOL, rtol=RTOL)
    for net in ("policy", "value"):
        check_parameters(out[net], want[net], f"{what}: the {net} network after its step")
