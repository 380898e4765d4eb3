"""The reference's results on the hidden tests' inputs, for HW2's hidden tests of ``pg.py``.

Each function runs a solution function (``reference("pg")``) on staff objects built exactly as the
probes build them (``Linear - Tanh - Linear`` networks with the test's weights, ``rollout.Batch``,
``torch.optim.SGD`` or ``Adam``) and returns plain data. Values go through the oracle cache: they are
recorded when the autograder zip is built, so the grading test process never imports torch (the
reference is imported only inside the compute functions).
"""

from __future__ import annotations

import numpy as np

from harness import oracle_cache


def cached(name, compute, *args):
    return oracle_cache.cached(oracle_cache.key(name, *args), lambda: compute(*args))


def _network(torch, weights, squeeze=False):
    from torch import nn

    w1, b1, w2, b2 = (np.asarray(w, dtype=np.float32) for w in weights)

    class Staff(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(w1.shape[1], w1.shape[0])
            self.out = nn.Linear(w2.shape[1], w2.shape[0])

        def forward(self, x):
            y = self.out(torch.tanh(self.hidden(x)))
            return y.squeeze(-1) if squeeze else y

    net = Staff()
    with torch.no_grad():
        for parameter, value in zip(net.parameters(), (w1, b1, w2, b2)):
            parameter.copy_(torch.as_tensor(value))
    return net


def _torch():
    import torch

    torch.set_num_threads(1)
    return torch


def log_probs(reference, weights, obs, actions, coef):
    def compute(weights, obs, actions, coef):
        torch = _torch()
        net = _network(torch, weights)
        out = reference("pg").action_log_probs(net, torch.as_tensor(obs), torch.as_tensor(actions))
        (out * torch.as_tensor(coef)).sum().backward()
        return {"values": out.detach().numpy().copy(), "grads": [p.grad.numpy().copy() for p in net.parameters()]}

    return cached("ref_log_probs", compute, weights, obs, actions, coef)


def state_values(reference, weights, obs, coef):
    def compute(weights, obs, coef):
        torch = _torch()
        net = _network(torch, weights, squeeze=True)
        out = reference("pg").state_values(net, torch.as_tensor(obs))
        (out * torch.as_tensor(coef)).sum().backward()
        return {"values": out.detach().numpy().copy(), "grads": [p.grad.numpy().copy() for p in net.parameters()]}

    return cached("ref_state_values", compute, weights, obs, coef)


def tensor_function(reference, function, dtype, *arrays, extra=()):
    """``pg.<function>(*tensors, *extra)`` with float tensors of ``dtype`` (bool arrays stay masks): the result's
    values, and the gradient its backward leaves on the first argument (when it is a scalar with gradients)."""
    def compute(function, dtype, arrays, extra):
        torch = _torch()
        kind = torch.float64 if dtype == "float64" else torch.float32
        tensors = [torch.as_tensor(np.asarray(a)) if np.asarray(a).dtype == bool
                   else torch.tensor(np.asarray(a), dtype=kind, requires_grad=(i == 0)) for i, a in enumerate(arrays)]
        out = getattr(reference("pg"), function)(*tensors, *extra)
        grad = None
        if out.dim() == 0 and out.requires_grad:
            out.backward()
            grad = tensors[0].grad.numpy().copy()
        return {"values": out.detach().numpy().copy(), "grad": grad}

    return cached("ref_tensor_function", compute, function, dtype, list(arrays), list(extra))


def update(reference, kind, policy_weights, value_weights, batch, gamma, extra, normalize, optimizer, lrs):
    """One call of the reference's ``<kind>_update`` on staff networks with fresh optimizers."""
    def compute(kind, policy_weights, value_weights, batch, gamma, extra, normalize, optimizer, lrs):
        torch = _torch()
        pg, rollout = reference("pg"), reference("rollout")
        policy = _network(torch, policy_weights)
        value = None if value_weights is None else _network(torch, value_weights, squeeze=True)
        make = torch.optim.Adam if optimizer == "adam" else torch.optim.SGD
        policy_optimizer = make(policy.parameters(), lr=lrs[0])
        value_optimizer = None if value is None else make(value.parameters(), lr=lrs[1])
        b = rollout.Batch(**{name: np.array(v) for name, v in batch.items()})
        if kind == "reinforce":
            result = pg.reinforce_update(policy, policy_optimizer, b, gamma)
        elif kind == "baseline":
            result = pg.baseline_update(policy, value, policy_optimizer, value_optimizer, b, gamma, normalize=normalize)
        elif kind == "a2c":
            result = pg.a2c_update(policy, value, policy_optimizer, value_optimizer, b, gamma, extra,
                                   normalize=normalize)
        else:
            result = pg.gae_update(policy, value, policy_optimizer, value_optimizer, b, gamma, extra,
                                   normalize=normalize)
        return {**{k: float(v) for k, v in result.items()},
                "policy": [p.detach().numpy().copy() for p in policy.parameters()],
                "value": None if value is None else [p.detach().numpy().copy() for p in value.parameters()]}

    return cached("ref_update", compute, kind, policy_weights, value_weights, batch, gamma, extra, normalize,
                  optimizer, list(lrs))
