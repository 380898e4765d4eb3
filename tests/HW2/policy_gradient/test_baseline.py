"""Public tests for Problem 3 (REINFORCE with a learned baseline in ``pg.py``).

Oracles: closed forms for the losses and the normalisation (NumPy, written in this file), and
PyTorch's autograd on copied weights for the critic and the update (``torch_oracles.py``): one
SGD step of each network, each by its own loss's gradient only. Before the update the parameters'
``.grad`` already hold gradients (as the previous update leaves them): ``zero_grad`` must clear
them.

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
    "half": "value_loss is the mean squared error without a factor 1/2: your loss (and its gradient) is half of it",
    "mean_all": "average the squared errors over the counted entries only (divide by mask.sum(), at least 1): your "
                "loss matches dividing by every entry of the batch",
    "per_column": "normalise with ONE mean and ONE standard deviation over every counted entry of the batch: your "
                  "result matches normalising each column (environment) on its own",
    "unbiased": "use the population standard deviation (divide by the count: torch.std(x, correction=0)): your "
                "result matches the unbiased one (correction=1)",
    "uncounted": "compute the mean and the standard deviation over the counted entries only: your result matches "
                 "statistics taken over every entry, the uncounted ones included",
    "not_detached": "compute_advantages must return constants: detach the values (values.detach()) before "
                    "subtracting; your result carries a gradient into the critic's values",
    "no_zero_grad": "call zero_grad() on each optimizer before its loss's backward(): your update matches one that "
                    "kept the gradients already stored in .grad",
    "policy_loss_into_critic": "the policy loss must send no gradient into the value network: your critic's step "
                               "matches one that followed the gradient of the policy loss as well (advantages not "
                               "detached, then one backward through both losses)",
}


@pytest.mark.parametrize("function", ["ValueNetwork", "state_values"])
def test_value_network_and_state_values(student, function):
    if function == "ValueNetwork":
        out = student.probe("components.value_network", 4, [7], 0)
        what = "ValueNetwork(4)"
        check(out["is_module"], what, f"expected a torch.nn.Module, got {out['type']}")
        check(out["n_parameters"] > 0, what, "the network has no parameters to train")
        values = check_tensor(out["out"], f"{what} applied to a float32 batch of shape (7, 4) (values of shape (7,): "
                              "squeeze the last axis)", (7,))
        check(bool(np.isfinite(values).all()), f"{what}: values", "are not all finite")
        return
    weights = net_weights(4, 1)
    rng = np.random.default_rng(4)
    obs = rng.normal(size=(5, 3, 4)).astype(np.float32)
    coef = rng.normal(size=(5, 3)).astype(np.float32)
    out = student.probe("components.state_values", weights, obs, coef)
    want = torch_oracles.state_values(weights, obs, coef)
    what = "state_values(value, obs float32 (5, 3, 4)) on a staff value network"
    got = check_tensor(out["result"], what, (5, 3), requires_grad=True)
    check_close(got, want["values"], f"{what}: values", atol=ATOL, rtol=RTOL, index_name="(t, e)")
    check(out["calls"] == 1, what, f"called the network {out['calls']} times; flatten the leading axes to "
          "(T * E, obs_dim) and call it once")
    for g, w in zip(out.get("grads") or [None] * 4, want["grads"]):
        check(g is not None, f"{what}: gradient of sum(coef * values)", "no gradient reached a parameter")
        check_close(g, w, f"{what}: gradient of sum(coef * values) with respect to the network's parameters",
                    atol=ATOL, rtol=RTOL)
    check(out["inputs_unchanged"], what, "modified obs; inputs are never modified")


@pytest.mark.parametrize("targets_kind", ["tensor", "numpy"])
def test_value_loss(student, targets_kind):
    rng = np.random.default_rng(5)
    values = rng.normal(0.0, 2.0, size=(6, 3)).astype(np.float32)
    targets = rng.normal(1.0, 2.0, size=(6, 3)).astype(np.float32)
    mask = rng.random((6, 3)) < 0.6
    mask[0, 0], mask[0, 1] = True, False
    count = max(int(mask.sum()), 1)
    want = float(np.sum(mask * (values - targets) ** 2)) / count
    grad = 2.0 * mask * (values - targets) / count
    out = student.probe("components.value_loss", values, targets, mask, "float32", targets_kind)
    what = (f"value_loss(values (6, 3) with gradients, targets as a {targets_kind}, mask with {int(mask.sum())} of 18 "
            "entries counted)")
    got = check_tensor(out["result"], what, (), requires_grad=True)
    mistakes = {"half": want / 2, "mean_all": want * count / mask.size}
    check_close(got, want, f"{what}: the loss (sum over counted entries of (values - targets)**2 / their number)",
                atol=ATOL, rtol=RTOL, hint=lambda: pick(HINTS, [k for k, v in mistakes.items() if close(got, v)]))
    grads = out.get("grads") or {}
    check(grads.get("values") is not None, f"{what}: loss.backward()", "no gradient reached values")
    check_close(grads["values"], grad, f"{what}: gradient with respect to values", atol=ATOL, rtol=RTOL,
                index_name="(t, e)")
    if targets_kind == "tensor":
        reached = grads.get("targets")
        check(reached is None or not np.any(reached), what, "a gradient reached targets; they are constants: detach "
              "them (the loss's gradient flows only into values)")


def normalised(advantages, mask, axis=None, ddof=0, counted_only=True, zero_uncounted=True):
    """The closed form of the docstring (and, with other arguments, of known mistakes)."""
    a = np.asarray(advantages, dtype=np.float64)
    m = np.asarray(mask, dtype=bool)
    if axis is None:
        chosen = a[m] if counted_only else a.ravel()
        mean, std = chosen.mean(), chosen.std(ddof=ddof)
    else:
        mean = np.array([a[m[:, e], e].mean() for e in range(a.shape[1])])
        std = np.array([a[m[:, e], e].std(ddof=ddof) for e in range(a.shape[1])])
    out = (a - mean) / (std + 1e-8)
    return np.where(m, out, 0.0) if zero_uncounted else out


def test_normalize_advantages(student):
    rng = np.random.default_rng(6)
    # Columns with different means and scales: per-column statistics would show.
    advantages = (rng.normal(size=(6, 4)) * np.array([1.0, 5.0, 0.5, 2.0]) + np.array([0.0, 10.0, -3.0, 1.0]))
    advantages = advantages.astype(np.float32)
    mask = np.ones((6, 4), dtype=bool)
    mask[4:, 0] = mask[3:, 2] = mask[5, 3] = False
    out = student.probe("components.normalize", advantages, mask)
    want = normalised(advantages, mask)
    what = "normalize_advantages(advantages float32 (6, 4), mask with 18 of 24 entries counted)"
    got = check_tensor(out["result"], what, (6, 4))
    mistakes = [("per_column", normalised(advantages, mask, axis=0)),
                ("unbiased", normalised(advantages, mask, ddof=1)),
                ("uncounted", normalised(advantages, mask, counted_only=False)),
                ("uncounted", normalised(advantages, mask, counted_only=False, zero_uncounted=False))]
    check_close(got, want, f"{what} ((a - mean) / (std + 1e-8), one mean and one population std over the counted "
                "entries; 0 where not counted)", atol=ATOL, rtol=RTOL, index_name="(t, e)",
                hint=lambda: pick(HINTS, [k for k, v in mistakes if close(got, v)]))
    check(out["input_unchanged"], what, "modified advantages in place; return a new tensor")
    few = np.zeros((3, 2), dtype=bool)
    few[0, 0] = few[2, 1] = True
    small = np.array([[1.0, 7.0], [2.0, -1.0], [4.0, 3.0]], dtype=np.float32)
    out = student.probe("components.normalize", small, few)
    what = "normalize_advantages(advantages (3, 2), mask counting 2 entries, 1.0 and 3.0)"
    got = check_tensor(out["result"], what, (3, 2))
    check_close(got, normalised(small, few), f"{what} (population std 1: the result is -1 and 1 there, 0 elsewhere)",
                atol=ATOL, rtol=RTOL, index_name="(t, e)",
                hint=lambda: pick(HINTS, ["unbiased"] if close(got, normalised(small, few, ddof=1)) else []))
    out = student.probe("components.normalize", small, np.zeros((3, 2), dtype=bool))
    what = "normalize_advantages with a mask that counts no entry"
    check_close(check_tensor(out["result"], what, (3, 2)), np.zeros((3, 2)), f"{what} (all zeros, never NaN)",
                atol=ATOL, rtol=RTOL, index_name="(t, e)")


@pytest.mark.parametrize("normalize", [True, False], ids=["normalize", "raw"])
def test_compute_advantages(student, normalize):
    rng = np.random.default_rng(7)
    targets = rng.normal(5.0, 3.0, size=(5, 3)).astype(np.float32)
    values = rng.normal(4.0, 1.0, size=(5, 3)).astype(np.float32)
    mask = rng.random((5, 3)) < 0.7
    mask[0, 0], mask[0, 1] = True, False
    out = student.probe("components.compute_advantages", targets, values, mask, normalize)
    diff = targets.astype(np.float64) - values
    want = normalised(diff, mask) if normalize else np.where(mask, diff, 0.0)
    what = f"compute_advantages(targets (5, 3), values (5, 3) with gradients, mask, normalize={normalize})"
    desc = out["result"]
    check(isinstance(desc, dict) and desc.get("type") == "Tensor", what, "expected a torch.Tensor")
    check(not desc["requires_grad"], what, "the result carries gradients (requires_grad is True); advantages are "
          "constants for the policy loss", hint=HINTS["not_detached"] if out.get("reaches_values") else None)
    got = check_tensor(desc, what, (5, 3))
    check_close(got, want, f"{what}: " + ("normalize_advantages(targets - values, mask)" if normalize else
                "targets - values at counted entries, 0 elsewhere"), atol=ATOL, rtol=RTOL, index_name="(t, e)")
    check(out["values_unchanged"], what, "modified values; inputs are never modified")


def test_baseline_update(student):
    batch = whole_episodes(8, E=3, min_steps=6)
    policy, value = net_weights(8, 2), net_weights(9, 1)
    stale = [like(policy, 80), like(value, 90)]
    lrs, gamma = (0.5, 0.05), 0.9
    out = student.probe("components.update", "baseline", policy, value, batch, gamma, None, True, "sgd", lrs, stale)
    want = torch_oracles.update("baseline", policy, value, batch, gamma, None, True, lrs, stale)
    mistakes = {m: torch_oracles.update("baseline", policy, value, batch, gamma, None, True, lrs, stale, mistake=m)
                for m in torch_oracles.MISTAKES["baseline"]}
    what = (f"baseline_update(policy, value, SGD(lr={lrs[0]}), SGD(lr={lrs[1]}), batch, gamma={gamma}) on "
            f"{describe(batch)} (staff networks whose .grad already hold gradients)")
    result = check_update_call(out, want, what, has_value=True)
    check_close(result["policy_loss"], want["policy_loss"], f"{what}: the returned policy_loss (before the steps)",
                atol=ATOL, rtol=RTOL, hint=lambda: pick(HINTS, matched(result["policy_loss"], mistakes, "policy_loss")))
    check_close(result["value_loss"], want["value_loss"], f"{what}: the returned value_loss (before the steps)",
                atol=ATOL, rtol=RTOL, hint=lambda: pick(HINTS, matched(result["value_loss"], mistakes, "value_loss")))
    for net in ("policy", "value"):
        found = ["no_zero_grad" if m.startswith("no_zero_grad") else m for m in matched(out[net], mistakes, net)]
        check_parameters(out[net], want[net], f"{what}: the {net} network after its step (old - lr * the gradient "
                         f"of the {net} loss alone)", hint=lambda found=found: pick(HINTS, found))
