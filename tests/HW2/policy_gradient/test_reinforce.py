"""Public tests for Problem 2 (REINFORCE in ``pg.py``), against PyTorch's autograd on copied weights.

Your functions run in the worker on staff objects: a small ``Linear - Tanh - Linear`` policy with
known weights, tensors built from known arrays, ``torch.optim.SGD``. The oracles
(``torch_oracles.py``) rebuild the same network in this process and let autograd compute what the
docstrings say; one SGD step moves each weight by ``-lr`` times its gradient, so the weights after
your update show exactly which gradient it followed. Before the update, the parameters' ``.grad``
already hold gradients (as the previous update leaves them): ``zero_grad`` must clear them.

A hint of :data:`HINTS` is shown only when that mistake, run in the oracle, reproduces your
result; otherwise the message says what differs.
"""

import numpy as np
import pytest
import torch_oracles
from pgchecks import (
    ATOL,
    RTOL,
    check_parameters,
    check_tensor,
    check_update_call,
    close,
    like,
    matched,
    net_weights,
    pick,
)
from pgdata import describe, whole_episodes

from harness.checks import check, check_close

HINTS = {
    "logits": "action_log_probs returns log-probabilities, log_softmax(logits) at the actions taken: your values "
              "match the raw logits there",
    "sign": "the loss is minus the weighted mean, -(sum of log_probs * weights) / count, so that a gradient "
            "step raises the probability of actions with positive weights: yours has the opposite sign",
    "mean_all": "average over the counted entries only (divide by mask.sum(), at least 1): your loss matches "
                "dividing by every entry of the batch",
    "no_zero_grad": "call optimizer.zero_grad() before loss.backward(): your update matches one that kept the "
                    "gradients already stored in .grad (they add up from one update to the next)",
}


def test_policy_network(student):
    for obs_dim, n_actions in ((4, 2), (3, 5)):
        out = student.probe("components.policy_network", obs_dim, n_actions, [7], 0)
        what = f"PolicyNetwork({obs_dim}, {n_actions})"
        check(out["is_module"], what, f"expected a torch.nn.Module, got {out['type']}")
        check(out["n_parameters"] > 0, what, "the network has no parameters to train")
        logits = check_tensor(out["out"], f"{what} applied to a float32 batch of shape (7, {obs_dim})",
                              (7, n_actions))
        check(bool(np.isfinite(logits).all()), f"{what}: logits", "are not all finite")
        check(out["same_with_same_seed"], what, "two networks built after the same torch.manual_seed give different "
              "logits: draw the initial weights from PyTorch's global generator only")


def test_action_log_probs(student):
    weights = net_weights(1, 2)
    rng = np.random.default_rng(1)
    obs = rng.normal(size=(6, 3, 4)).astype(np.float32)
    actions = rng.integers(0, 2, size=(6, 3)).astype(np.int64)
    coef = rng.normal(size=(6, 3)).astype(np.float32)
    out = student.probe("components.log_probs", weights, obs, actions, coef)
    want = torch_oracles.log_probs(weights, obs, actions, coef)
    what = "action_log_probs(policy, obs float32 (6, 3, 4), actions int64 (6, 3)) on a staff policy"
    got = check_tensor(out["result"], what, (6, 3), requires_grad=True)
    check_close(got, want["values"], f"{what}: values (log_softmax(policy(obs)) at the actions taken)", atol=ATOL,
                rtol=RTOL, index_name="(t, e)",
                hint=lambda: pick(HINTS, ["logits"] if close(got, want["logits_at_actions"]) else []))
    check(out["calls"] == 1, what, f"called the policy {out['calls']} times; flatten the leading axes to "
          "(T * E, obs_dim) and call it once")
    for name, g, w in zip(("first layer weight", "first layer bias", "output layer weight", "output layer bias"),
                          out.get("grads") or [None] * 4, want["grads"]):
        check(g is not None, f"{what}: gradient of the {name}", "no gradient reached it")
        check_close(g, w, f"{what}: gradient of sum(coef * log_probs) with respect to the {name}", atol=ATOL,
                    rtol=RTOL)
    check(out["inputs_unchanged"], what, "modified obs or actions; inputs are never modified")


def _loss_oracle(log_probs, weights, mask):
    count = max(int(np.sum(mask)), 1)
    value = -float(np.sum(log_probs * weights * mask)) / count
    return value, -(weights * mask) / count


@pytest.mark.parametrize("weights_kind", ["tensor", "numpy"])
def test_policy_gradient_loss(student, weights_kind):
    rng = np.random.default_rng(2)
    log_probs = -rng.uniform(0.05, 2.0, size=(5, 4)).astype(np.float32)
    weights = rng.normal(1.0, 2.0, size=(5, 4)).astype(np.float32)
    mask = rng.random((5, 4)) < 0.6
    mask[0, 0], mask[1, 0] = True, False
    out = student.probe("components.pg_loss", log_probs, weights, mask, "float32", weights_kind)
    want, grad = _loss_oracle(log_probs, weights, mask)
    what = (f"policy_gradient_loss(log_probs (5, 4) with gradients, weights (5, 4) as a {weights_kind}, mask with "
            f"{int(mask.sum())} of 20 entries counted)")
    got = check_tensor(out["result"], what, (), requires_grad=True)
    mistakes = {"sign": -want, "mean_all": want * max(int(mask.sum()), 1) / mask.size}
    check_close(got, want, f"{what}: the loss (-(sum over counted entries of log_probs * weights) / their number)",
                atol=ATOL, rtol=RTOL,
                hint=lambda: pick(HINTS, [k for k, v in mistakes.items() if close(got, v)]))
    grads = out.get("grads") or {}
    check(grads.get("log_probs") is not None, f"{what}: loss.backward()", "no gradient reached log_probs")
    check_close(grads["log_probs"], grad, f"{what}: gradient with respect to log_probs (-weights * mask / count)",
                atol=ATOL, rtol=RTOL, index_name="(t, e)")
    if weights_kind == "tensor":
        reached = grads.get("weights")
        check(reached is None or not np.any(reached), what,
              "a gradient reached weights; they are constants: detach them (the loss's gradient flows only into "
              "log_probs)")
    nothing = student.probe("components.pg_loss", log_probs, weights, np.zeros((5, 4), bool), "float32",
                            weights_kind)
    what = "policy_gradient_loss with a mask that counts no entry"
    check_close(check_tensor(nothing["result"], what, ()), 0.0, f"{what} (0, never NaN)", atol=ATOL, rtol=RTOL)


def test_reinforce_update(student):
    batch = whole_episodes(3, E=3, min_steps=6)
    policy = net_weights(3, 2)
    stale = [like(policy, 30)]
    lrs, gamma = (0.5, 0.0), 0.9
    out = student.probe("components.update", "reinforce", policy, None, batch, gamma, None, True, "sgd", lrs, stale)
    want = torch_oracles.update("reinforce", policy, None, batch, gamma, None, True, lrs, stale)
    mistakes = {m: torch_oracles.update("reinforce", policy, None, batch, gamma, None, True, lrs, stale, mistake=m)
                for m in torch_oracles.MISTAKES["reinforce"]}
    what = (f"reinforce_update(policy, SGD(lr={lrs[0]}), batch, gamma={gamma}) on {describe(batch)} (a staff "
            "policy whose .grad already hold gradients)")
    result = check_update_call(out, want, what, has_value=False)
    hint = lambda: pick(HINTS, matched(out["policy"], mistakes, "policy"))  # noqa: E731
    check_close(result["policy_loss"], want["policy_loss"], f"{what}: the returned policy_loss (before the step: "
                "-(sum over complete steps of log_probs * returns) / their number, returns from discounted_returns)",
                atol=ATOL, rtol=RTOL)
    check_parameters(out["policy"], want["policy"], f"{what}: the policy after one step (old - lr * the loss's "
                     "gradient)", hint=hint)
