"""Hidden tests for Problem 2 (REINFORCE in ``pg.py``): other sizes, inputs and optimizers, the reference as oracle.

The reference runs on the same staff networks (``refs.py``); its values are recorded when the
autograder is built. Messages never show an expected value (``reveal=False``).
"""

from pathlib import Path

import numpy as np
import pytest
from pgchecks import ATOL, RTOL, check_parameters, check_tensor, check_update_call, net_weights
from pgdata import describe, whole_episodes

from harness.checks import check, check_close
from harness.modules import load_by_path

refs = load_by_path(Path(__file__).with_name("refs.py"), "_hw2_hidden_refs")


def test_policy_network_hidden(student):
    for obs_dim, n_actions, shape in ((6, 3, [2, 5]), (4, 2, [1]), (4, 2, [3, 2, 2])):
        out = student.probe("components.policy_network", obs_dim, n_actions, shape, 11)
        what = f"PolicyNetwork({obs_dim}, {n_actions}) on float32 observations of shape {tuple(shape) + (obs_dim,)}"
        check(out["is_module"], what, f"expected a torch.nn.Module, got {out['type']}")
        logits = check_tensor(out["out"], what, tuple(shape) + (n_actions,))
        check(bool(np.isfinite(logits).all()), what, "the logits are not all finite")
        check(out["same_with_same_seed"], what, "two networks built after the same torch.manual_seed differ")


@pytest.mark.parametrize("shape, n_actions", [((9,), 2), ((4, 5), 3), ((2, 3, 2), 2)])
def test_action_log_probs_hidden(student, reference, shape, n_actions):
    rng = np.random.default_rng(sum(shape) + n_actions)
    weights = net_weights(int(rng.integers(1000)), n_actions, hidden=6)
    obs = rng.normal(size=(*shape, 4)).astype(np.float32)
    actions = rng.integers(0, n_actions, size=shape).astype(np.int64)
    coef = rng.normal(size=shape).astype(np.float32)
    out = student.probe("components.log_probs", weights, obs, actions, coef, "tensor")
    want = refs.log_probs(reference, weights, obs, actions, coef)
    what = f"action_log_probs(policy, obs tensor {obs.shape}, actions tensor {actions.shape}), {n_actions} actions"
    got = check_tensor(out["result"], what, shape, requires_grad=True)
    check_close(got, want["values"], f"{what}: values", atol=ATOL, rtol=RTOL, reveal=False)
    for g, w in zip(out.get("grads") or [None] * 4, want["grads"]):
        check(g is not None, what, "no gradient reached the policy's parameters")
        check_close(g, w, f"{what}: gradients", atol=ATOL, rtol=RTOL, reveal=False)


@pytest.mark.parametrize("case", ["none", "all", "float64", "one"])
def test_policy_gradient_loss_hidden(student, reference, case):
    rng = np.random.default_rng(len(case))
    shape = (7, 3)
    log_probs = -rng.uniform(0.1, 3.0, size=shape)
    weights = rng.normal(0.0, 3.0, size=shape)
    mask = {"none": np.zeros(shape, bool), "all": np.ones(shape, bool), "float64": rng.random(shape) < 0.5,
            "one": np.eye(7, 3, dtype=bool) & (np.arange(7)[:, None] == 2)}[case]
    dtype = "float64" if case == "float64" else "float32"
    out = student.probe("components.pg_loss", log_probs, weights, mask, dtype, "tensor", "tensor")
    want = refs.tensor_function(reference, "policy_gradient_loss", dtype, log_probs, weights, mask)
    what = f"policy_gradient_loss on {shape} with {int(mask.sum())} counted entries ({dtype}, tensors)"
    got = check_tensor(out["result"], what, (), dtype=dtype)
    check_close(got, want["values"], what, atol=ATOL, rtol=RTOL, reveal=False)
    grads = out.get("grads") or {}
    if want["grad"] is not None and mask.any():
        check(grads.get("log_probs") is not None, what, "no gradient reached log_probs")
        check_close(grads["log_probs"], want["grad"], f"{what}: gradient", atol=ATOL, rtol=RTOL, reveal=False)
    reached = grads.get("weights")
    check(reached is None or not np.any(reached), what, "a gradient reached the weights")


@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_reinforce_update_hidden(student, reference, optimizer):
    batch = whole_episodes(3000 + len(optimizer), E=5, min_steps=9, p_end=0.15, truncate_every=2,
                           unit_rewards=optimizer == "adam")
    policy = net_weights(3001, 2, hidden=10)
    lrs, gamma = ((0.01, 0.0) if optimizer == "adam" else (0.3, 0.0)), 0.97
    out = student.probe("components.update", "reinforce", policy, None, batch, gamma, None, True, optimizer, lrs)
    want = refs.update(reference, "reinforce", policy, None, batch, gamma, None, True, optimizer, lrs)
    what = f"reinforce_update with {optimizer} on {describe(batch)}, gamma={gamma}"
    result = check_update_call(out, want, what, has_value=False)
    check_close(result["policy_loss"], want["policy_loss"], f"{what}: policy_loss", atol=ATOL, rtol=RTOL,
                reveal=False)
    check_parameters(out["policy"], want["policy"], f"{what}: the policy after the step", reveal=False)
