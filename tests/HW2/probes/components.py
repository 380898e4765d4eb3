"""Probes for Problems 2-4 and the extra credit's ``gae_update`` (``pg.py``), run in the worker.

Each probe builds staff objects from plain data (networks with given weights, tensors, a
``rollout.Batch``, ``torch.optim.SGD`` or ``Adam``), calls one student function on them and
returns what happened as plain data: values, gradients, parameters after an update, whether an
input changed. The staff networks are ``Linear - Tanh - Linear`` with the weights the test sends
(the value network's output squeezed to ``(B,)``); they record how often they were called.
No expected values live here; the tests judge what comes back.
"""

from __future__ import annotations

import importlib

import numpy as np


def _pg():
    return importlib.import_module("pg")


def _torch():
    import torch

    torch.set_num_threads(1)
    return torch


class _Recorder:
    """Calls of a staff network: how many, and the shapes it was given."""

    def __init__(self):
        self.calls = 0
        self.shapes = []


def _staff_network(weights, squeeze=False):
    """``Linear(I, H) - Tanh - Linear(H, O)`` holding ``weights`` ([W1 (H, I), b1, W2 (O, H), b2]), float32."""
    torch = _torch()
    from torch import nn

    w1, b1, w2, b2 = (np.asarray(w, dtype=np.float32) for w in weights)
    recorder = _Recorder()

    class StaffNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(w1.shape[1], w1.shape[0])
            self.out = nn.Linear(w2.shape[1], w2.shape[0])

        def forward(self, x):  # noqa: D401 - torch's signature
            recorder.calls += 1
            recorder.shapes.append(list(x.shape))
            y = self.out(torch.tanh(self.hidden(x)))
            return y.squeeze(-1) if squeeze else y

    net = StaffNetwork()
    with torch.no_grad():
        for parameter, value in zip(net.parameters(), (w1, b1, w2, b2)):
            parameter.copy_(torch.as_tensor(value))
    net.recorder = recorder
    return net


def _parameters(net):
    return [p.detach().cpu().numpy().copy() for p in net.parameters()]


def _grads(net):
    return [None if p.grad is None else p.grad.detach().cpu().numpy().copy() for p in net.parameters()]


def _describe_tensor(value) -> dict:
    """A returned value as plain data: its type, and for a tensor its dtype, shape, values and grad flag."""
    torch = _torch()
    if not isinstance(value, torch.Tensor):
        return {"type": type(value).__name__}
    return {"type": "Tensor", "dtype": str(value.dtype).replace("torch.", ""), "shape": list(value.shape),
            "values": value.detach().cpu().numpy().copy(), "requires_grad": bool(value.requires_grad)}


def _as(value, kind, dtype="float32"):
    """An argument as the test asks for it: a NumPy array, or a tensor of ``dtype``."""
    torch = _torch()
    array = np.array(value)
    if kind == "numpy":
        return array
    if array.dtype == bool:
        return torch.as_tensor(array)
    return torch.as_tensor(array.astype(np.float64 if dtype == "float64" else np.float32))


# ---------------------------------------------------------------------------------- networks


def policy_network(obs_dim: int, n_actions: int, batch_shape, seed: int) -> dict:
    """``PolicyNetwork(obs_dim, n_actions)`` after ``torch.manual_seed(seed)``, applied to a float32 batch of
    shape ``batch_shape + (obs_dim,)``; built twice with the same seed (same logits expected)."""
    torch = _torch()
    pg = _pg()
    obs = torch.as_tensor(np.random.default_rng(seed).normal(size=(*batch_shape, obs_dim)).astype(np.float32))
    outputs = []
    for _ in range(2):
        torch.manual_seed(seed)
        net = pg.PolicyNetwork(obs_dim, n_actions)
        info = {"is_module": isinstance(net, torch.nn.Module), "type": type(net).__name__}
        if not info["is_module"]:
            return info
        info["n_parameters"] = int(sum(p.numel() for p in net.parameters()))
        with torch.no_grad():
            outputs.append(net(obs))
    info["out"] = _describe_tensor(outputs[0])
    info["same_with_same_seed"] = bool(isinstance(outputs[1], torch.Tensor) and torch.equal(outputs[0], outputs[1]))
    return info


def value_network(obs_dim: int, batch_shape, seed: int) -> dict:
    """``ValueNetwork(obs_dim)`` after ``torch.manual_seed(seed)``, applied to a float32 batch."""
    torch = _torch()
    pg = _pg()
    torch.manual_seed(seed)
    net = pg.ValueNetwork(obs_dim)
    info = {"is_module": isinstance(net, torch.nn.Module), "type": type(net).__name__}
    if not info["is_module"]:
        return info
    info["n_parameters"] = int(sum(p.numel() for p in net.parameters()))
    obs = torch.as_tensor(np.random.default_rng(seed).normal(size=(*batch_shape, obs_dim)).astype(np.float32))
    with torch.no_grad():
        info["out"] = _describe_tensor(net(obs))
    return info


# ---------------------------------------------------------------------------------- log-probabilities, values


def log_probs(weights, obs, actions, coef, kind: str = "numpy") -> dict:
    """``action_log_probs(policy, obs, actions)`` on a staff policy; then the gradient of
    ``sum(coef * result)`` with respect to the policy's parameters."""
    torch = _torch()
    policy = _staff_network(weights)
    obs_in, actions_in = _as(obs, kind), (np.array(actions) if kind == "numpy" else torch.as_tensor(actions))
    result = _pg().action_log_probs(policy, obs_in, actions_in)
    out = {"result": _describe_tensor(result), "calls": policy.recorder.calls, "shapes": policy.recorder.shapes,
           "inputs_unchanged": bool(np.array_equal(np.asarray(obs_in), obs)
                                    and np.array_equal(np.asarray(actions_in), actions))}
    if isinstance(result, torch.Tensor) and result.requires_grad and list(result.shape) == list(np.shape(coef)):
        (result * torch.as_tensor(np.asarray(coef, dtype=np.float32))).sum().backward()
        out["grads"] = _grads(policy)
    return out


def state_values(weights, obs, coef, kind: str = "numpy") -> dict:
    """``state_values(value, obs)`` on a staff value network; then the gradient of ``sum(coef * result)``."""
    torch = _torch()
    value = _staff_network(weights, squeeze=True)
    obs_in = _as(obs, kind)
    result = _pg().state_values(value, obs_in)
    out = {"result": _describe_tensor(result), "calls": value.recorder.calls,
           "inputs_unchanged": bool(np.array_equal(np.asarray(obs_in), obs))}
    if isinstance(result, torch.Tensor) and result.requires_grad and list(result.shape) == list(np.shape(coef)):
        (result * torch.as_tensor(np.asarray(coef, dtype=np.float32))).sum().backward()
        out["grads"] = _grads(value)
    return out


# ---------------------------------------------------------------------------------- losses


def _leaf(values, dtype):
    torch = _torch()
    return torch.tensor(np.asarray(values, dtype=np.float64 if dtype == "float64" else np.float32),
                        requires_grad=True)


def _loss_report(loss, inputs: dict) -> dict:
    """A loss as plain data, and the gradients its ``backward()`` left on each input (None: no gradient)."""
    torch = _torch()
    out = {"result": _describe_tensor(loss)}
    if isinstance(loss, torch.Tensor) and loss.requires_grad and loss.dim() == 0:
        loss.backward()
        out["grads"] = {name: (None if t.grad is None else t.grad.detach().numpy().copy())
                        for name, t in inputs.items()}
    return out


def pg_loss(log_probs_values, weights, mask, dtype: str = "float32", weights_kind: str = "tensor",
            mask_kind: str = "numpy") -> dict:
    """``policy_gradient_loss(log_probs, weights, mask)``: ``log_probs`` a leaf tensor with gradients, ``weights``
    a tensor that also asks for gradients (none may reach it) or a NumPy array."""
    logp = _leaf(log_probs_values, dtype)
    inputs = {"log_probs": logp}
    if weights_kind == "tensor":
        weights_in = _leaf(weights, dtype)
        inputs["weights"] = weights_in
    else:
        weights_in = np.array(weights)
    mask_in = _as(mask, mask_kind)
    loss = _pg().policy_gradient_loss(logp, weights_in, mask_in)
    return _loss_report(loss, inputs)


def value_loss(values, targets, mask, dtype: str = "float32", targets_kind: str = "tensor",
               mask_kind: str = "numpy") -> dict:
    """``value_loss(values, targets, mask)``: ``values`` a leaf tensor; ``targets`` a tensor that asks for
    gradients (none may reach it) or a NumPy array."""
    values_in = _leaf(values, dtype)
    inputs = {"values": values_in}
    if targets_kind == "tensor":
        targets_in = _leaf(targets, dtype)
        inputs["targets"] = targets_in
    else:
        targets_in = np.array(targets)
    loss = _pg().value_loss(values_in, targets_in, _as(mask, mask_kind))
    return _loss_report(loss, inputs)


def normalize(advantages, mask, dtype: str = "float32", mask_kind: str = "numpy") -> dict:
    """``normalize_advantages(advantages, mask)`` on a tensor; whether it changed ``advantages``."""
    torch = _torch()
    array = np.asarray(advantages, dtype=np.float64 if dtype == "float64" else np.float32)
    tensor = torch.as_tensor(array.copy())
    result = _pg().normalize_advantages(tensor, _as(mask, mask_kind))
    return {"result": _describe_tensor(result), "input_unchanged": bool(np.array_equal(tensor.numpy(), array))}


def compute_advantages(targets, values, mask, normalize: bool = True, targets_kind: str = "tensor",
                       dtype: str = "float32") -> dict:
    """``compute_advantages(targets, values, mask, normalize)``, ``values`` carrying gradients as a critic's
    output does (``leaf * 1``); whether the result carries gradients, and what its backward reaches."""
    torch = _torch()
    leaf = _leaf(values, dtype)
    values_in = leaf * 1.0
    targets_in = _as(targets, "numpy") if targets_kind == "numpy" else torch.as_tensor(
        np.asarray(targets, dtype=np.float64 if dtype == "float64" else np.float32))
    result = _pg().compute_advantages(targets_in, values_in, _as(mask, "numpy"), normalize)
    out = {"result": _describe_tensor(result), "values_unchanged": bool(np.array_equal(
        values_in.detach().numpy(), np.asarray(values, dtype=values_in.detach().numpy().dtype)))}
    if isinstance(result, torch.Tensor) and result.requires_grad:
        result.sum().backward()
        out["reaches_values"] = leaf.grad is not None and bool(leaf.grad.abs().sum() > 0)
    return out


# ---------------------------------------------------------------------------------- updates


class _Counted:
    """Counts an optimizer's ``zero_grad`` and ``step`` calls (in order, with the network they belong to)."""

    def __init__(self, optimizer, name, log):
        self.optimizer, self.name, self.log = optimizer, name, log
        for method in ("zero_grad", "step"):
            original = getattr(optimizer, method)

            def counted(*args, _original=original, _method=method, **kwargs):
                self.log.append(f"{self.name}.{_method}")
                return _original(*args, **kwargs)

            setattr(optimizer, method, counted)


def _optimizer(kind, net, lr):
    torch = _torch()
    if kind == "adam":
        return torch.optim.Adam(net.parameters(), lr=lr)
    return torch.optim.SGD(net.parameters(), lr=lr)


def update(kind: str, policy_weights, value_weights, batch: dict, gamma: float, extra=None, normalize: bool = True,
           optimizer: str = "sgd", lrs=(0.1, 0.1), stale=None) -> dict:
    """One call of ``<kind>_update`` (``reinforce``, ``baseline``, ``a2c``: ``extra`` is ``n``; ``gae``:
    ``extra`` is ``lam``) on staff networks with the given weights and fresh optimizers.

    ``stale``: gradients already stored in the parameters' ``.grad`` before the call (``[policy's, value's]``),
    as the previous update leaves them; ``zero_grad`` must clear them. Returns what the function returned,
    the parameters afterwards, the optimizer calls in order, the networks' calls and whether the batch
    changed.
    """
    torch = _torch()
    rollout = importlib.import_module("rollout")
    pg = _pg()
    policy = _staff_network(policy_weights)
    value = None if value_weights is None else _staff_network(value_weights, squeeze=True)
    log: list[str] = []
    policy_optimizer = _optimizer(optimizer, policy, lrs[0])
    _Counted(policy_optimizer, "policy_optimizer", log)
    value_optimizer = None
    if value is not None:
        value_optimizer = _optimizer(optimizer, value, lrs[1])
        _Counted(value_optimizer, "value_optimizer", log)
    if stale is not None:
        for net, grads in zip((policy, value), stale):
            if net is None or grads is None:
                continue
            for parameter, grad in zip(net.parameters(), grads):
                parameter.grad = torch.as_tensor(np.asarray(grad, dtype=np.float32)).clone()
    arrays = {name: np.array(value_) for name, value_ in batch.items()}
    sent = rollout.Batch(**{name: array.copy() for name, array in arrays.items()})
    if kind == "reinforce":
        result = pg.reinforce_update(policy, policy_optimizer, sent, gamma)
    elif kind == "baseline":
        result = pg.baseline_update(policy, value, policy_optimizer, value_optimizer, sent, gamma, normalize=normalize)
    elif kind == "a2c":
        result = pg.a2c_update(policy, value, policy_optimizer, value_optimizer, sent, gamma, extra,
                               normalize=normalize)
    elif kind == "gae":
        result = pg.gae_update(policy, value, policy_optimizer, value_optimizer, sent, gamma, extra,
                               normalize=normalize)
    else:
        raise ValueError(f"unknown update {kind!r}")
    if isinstance(result, dict):
        result = {str(k): (float(v) if isinstance(v, (float, int)) and not isinstance(v, bool) else
                           _describe_tensor(v) if isinstance(v, torch.Tensor) else v) for k, v in result.items()}
    unchanged = all(np.array_equal(getattr(sent, name), array) and getattr(sent, name).dtype == array.dtype
                    for name, array in arrays.items())
    return {"result": result, "policy": _parameters(policy), "value": None if value is None else _parameters(value),
            "optimizer_calls": log, "policy_calls": policy.recorder.calls,
            "value_calls": 0 if value is None else value.recorder.calls, "batch_unchanged": bool(unchanged)}
