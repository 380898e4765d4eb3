"""Hidden tests for Problem 3 (REINFORCE with a learned baseline in ``pg.py``): the reference as oracle.

Other sizes and leading shapes, float64, masks that count one entry, none or all, targets as
arrays, Adam, and updates without normalisation. Messages never show an expected value.
"""

from pathlib import Path

import numpy as np
import pytest
from pgchecks import ATOL, RTOL, check_parameters, check_tensor, check_update_call, net_weights
from pgdata import describe, whole_episodes

from harness.checks import check, check_close
from harness.modules import load_by_path

refs = load_by_path(Path(__file__).with_name("refs.py"), "_hw2_hidden_refs")


@pytest.mark.parametrize("function", ["ValueNetwork", "state_values"])
def test_value_network_and_state_values_hidden(student, reference, function):
    if function == "ValueNetwork":
        for obs_dim, shape in ((6, [3, 5]), (4, [1]), (2, [2, 2, 2])):
            out = student.probe("components.value_network", obs_dim, shape, 12)
            what = f"ValueNetwork({obs_dim}) on float32 observations of shape {tuple(shape) + (obs_dim,)}"
            check(out["is_module"], what, f"expected a torch.nn.Module, got {out['type']}")
            values = check_tensor(out["out"], what, tuple(shape))
            check(bool(np.isfinite(values).all()), what, "the values are not all finite")
        return
    for shape in ((9,), (2, 3, 4)):
        rng = np.random.default_rng(len(shape))
        weights = net_weights(40 + len(shape), 1, hidden=5)
        obs = rng.normal(size=(*shape, 4)).astype(np.float32)
        coef = rng.normal(size=shape).astype(np.float32)
        out = student.probe("components.state_values", weights, obs, coef, "tensor")
        want = refs.state_values(reference, weights, obs, coef)
        what = f"state_values(value, obs tensor {obs.shape})"
        got = check_tensor(out["result"], what, shape, requires_grad=True)
        check_close(got, want["values"], what, atol=ATOL, rtol=RTOL, reveal=False)
        for g, w in zip(out.get("grads") or [None] * 4, want["grads"]):
            check(g is not None, what, "no gradient reached the network's parameters")
            check_close(g, w, f"{what}: gradients", atol=ATOL, rtol=RTOL, reveal=False)


def _mask(case, shape, rng):
    return {"none": np.zeros(shape, bool), "all": np.ones(shape, bool), "float64": rng.random(shape) < 0.5,
            "one": np.arange(np.prod(shape)).reshape(shape) == 4, "array targets": rng.random(shape) < 0.7}[case]


@pytest.mark.parametrize("case", ["none", "all", "float64", "array targets"])
def test_value_loss_hidden(student, reference, case):
    rng = np.random.default_rng(100 + len(case))
    shape = (8, 3)
    values, targets = rng.normal(0, 3, size=shape), rng.normal(2, 3, size=shape)
    mask = _mask(case, shape, rng)
    dtype = "float64" if case == "float64" else "float32"
    kind = "numpy" if case == "array targets" else "tensor"
    out = student.probe("components.value_loss", values, targets, mask, dtype, kind, "tensor")
    want = refs.tensor_function(reference, "value_loss", dtype, values, targets, mask)
    what = f"value_loss on {shape} with {int(mask.sum())} counted entries ({dtype}, targets as a {kind})"
    got = check_tensor(out["result"], what, (), dtype=dtype)
    check_close(got, want["values"], what, atol=ATOL, rtol=RTOL, reveal=False)
    grads = out.get("grads") or {}
    if mask.any():
        check(grads.get("values") is not None, what, "no gradient reached values")
        check_close(grads["values"], want["grad"], f"{what}: gradient", atol=ATOL, rtol=RTOL, reveal=False)
    reached = grads.get("targets")
    check(reached is None or not np.any(reached), what, "a gradient reached the targets")


@pytest.mark.parametrize("case", ["one", "none", "all", "float64"])
def test_normalize_advantages_hidden(student, reference, case):
    rng = np.random.default_rng(200 + len(case))
    shape = (10, 5)
    advantages = rng.normal(size=shape) * rng.uniform(0.5, 8, size=5) + rng.normal(0, 10, size=5)
    mask = _mask(case, shape, rng)
    dtype = "float64" if case == "float64" else "float32"
    out = student.probe("components.normalize", advantages, mask, dtype, "tensor")
    want = refs.tensor_function(reference, "normalize_advantages", dtype, advantages, mask)
    what = f"normalize_advantages on {shape} with {int(mask.sum())} counted entries ({dtype}, mask as a tensor)"
    got = check_tensor(out["result"], what, shape, dtype=dtype)
    check_close(got, want["values"], what, atol=ATOL, rtol=RTOL, reveal=False)
    check(out["input_unchanged"], what, "modified advantages in place")


@pytest.mark.parametrize("normalize", [True, False], ids=["normalize", "raw"])
def test_compute_advantages_hidden(student, reference, normalize):
    rng = np.random.default_rng(300 + normalize)
    shape = (9, 4)
    targets, values = rng.normal(20, 10, size=shape), rng.normal(15, 5, size=shape)
    mask = rng.random(shape) < 0.6
    out = student.probe("components.compute_advantages", targets, values, mask, normalize, "numpy")
    want = refs.tensor_function(reference, "compute_advantages", "float32", targets, values, mask, extra=(normalize,))
    what = f"compute_advantages(targets as a NumPy array {shape}, values, mask, normalize={normalize})"
    got = check_tensor(out["result"], what, shape, requires_grad=False)
    check_close(got, want["values"], what, atol=ATOL, rtol=RTOL, reveal=False)


@pytest.mark.parametrize("optimizer, normalize", [("adam", True), ("sgd", False)], ids=["adam", "sgd-raw"])
def test_baseline_update_hidden(student, reference, optimizer, normalize):
    batch = whole_episodes(3100 + normalize, E=4, min_steps=10, p_end=0.12, truncate_every=2,
                           unit_rewards=optimizer == "adam")
    policy, value = net_weights(3101, 2, hidden=10), net_weights(3102, 1, hidden=10)
    lrs = (0.01, 0.01) if optimizer == "adam" else (0.3, 0.01)
    out = student.probe("components.update", "baseline", policy, value, batch, 0.97, None, normalize, optimizer, lrs)
    want = refs.update(reference, "baseline", policy, value, batch, 0.97, None, normalize, optimizer, lrs)
    what = f"baseline_update with {optimizer}, normalize={normalize}, on {describe(batch)}"
    result = check_update_call(out, want, what, has_value=True)
    for key in ("policy_loss", "value_loss"):
        check_close(result[key], want[key], f"{what}: {key}", atol=ATOL, rtol=RTOL, reveal=False)
    for net in ("policy", "value"):
        check_parameters(out[net], want[net], f"{what}: the {net} network after its step", reveal=False)
