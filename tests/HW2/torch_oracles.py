"""PyTorch oracles for Problems 2-4 and ``gae_update``, written from the docstrings of ``pg.py``.

Each oracle rebuilds the staff network of the probes (``Linear - Tanh - Linear`` with the same
weights) in this process and lets PyTorch's autograd compute what the contract says: the
log-probabilities and their gradient, the values, one update (``torch.optim.SGD``: new weights =
old - lr * gradient of the network's own loss). Targets come from the NumPy loop oracles of
:mod:`pgdata`. Switches reproduce known mistakes, so a test can say which one a student's result
matches.

Values go through :mod:`harness.oracle_cache` (the inputs are fixed by the tests): when grading,
the test process reads them from the file recorded when the autograder was built, and never
imports torch. torch is imported only inside the compute functions.
"""

from __future__ import annotations

import contextlib

import numpy as np
from pgdata import gae_loop, n_step_loop, returns_loop

from harness import oracle_cache


@contextlib.contextmanager
def _torch():
    """PyTorch on one thread (tiny oracles; extra threads only contend on a loaded box)."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield torch
    finally:
        torch.set_num_threads(previous)


def cached(name, compute, *args):
    return oracle_cache.cached(oracle_cache.key(name, *args), lambda: compute(*args))


def _network(torch, weights):
    """The weights as tensors with gradients, and the forward pass ``W2 tanh(W1 x + b1) + b2``."""
    params = [torch.tensor(np.asarray(w, dtype=np.float32), requires_grad=True) for w in weights]

    def forward(x):
        return torch.tanh(x @ params[0].T + params[1]) @ params[2].T + params[3]

    return params, forward


def _numpy(tensors):
    return [t.detach().numpy().copy() for t in tensors]


# ---------------------------------------------------------------------------------- log-probabilities, values


def log_probs(weights, obs, actions, coef):
    """``log_softmax(policy(obs))`` at ``actions`` and the gradient of ``sum(coef * log_probs)``."""
    return cached("log_probs", _log_probs, weights, obs, actions, coef)


def _log_probs(weights, obs, actions, coef):
    with _torch() as torch:
        params, forward = _network(torch, weights)
        x = torch.as_tensor(np.asarray(obs, dtype=np.float32))
        logits = forward(x.reshape(-1, x.shape[-1]))
        a = torch.as_tensor(np.asarray(actions, dtype=np.int64)).reshape(-1)
        out = torch.log_softmax(logits, dim=-1)[torch.arange(len(a)), a].reshape(np.shape(actions))
        grads = torch.autograd.grad((out * torch.as_tensor(np.asarray(coef, np.float32))).sum(), params)
        return {"values": out.detach().numpy().copy(), "grads": _numpy(grads),
                "logits_at_actions": logits[torch.arange(len(a)), a].reshape(np.shape(actions)).detach().numpy()}


def state_values(weights, obs, coef):
    """The value network's output ``(T, E)`` and the gradient of ``sum(coef * values)``."""
    return cached("state_values", _state_values, weights, obs, coef)


def _state_values(weights, obs, coef):
    with _torch() as torch:
        params, forward = _network(torch, weights)
        x = torch.as_tensor(np.asarray(obs, dtype=np.float32))
        out = forward(x.reshape(-1, x.shape[-1])).reshape(np.shape(obs)[:-1])
        grads = torch.autograd.grad((out * torch.as_tensor(np.asarray(coef, np.float32))).sum(), params)
        return {"values": out.detach().numpy().copy(), "grads": _numpy(grads)}


# ---------------------------------------------------------------------------------- updates

# The mistakes an update oracle can reproduce (``mistake=``), by learner.
MISTAKES = {
    "reinforce": ("no_zero_grad",),
    "baseline": ("no_zero_grad_policy", "no_zero_grad_value", "policy_loss_into_critic"),
    "a2c": ("no_zero_grad_policy", "no_zero_grad_value", "policy_loss_into_critic", "mask_complete",
            "terminated_as_dones"),
    "gae": ("no_zero_grad_policy", "no_zero_grad_value", "policy_loss_into_critic", "raw_targets"),
}


def update(kind, policy_weights, value_weights, batch, gamma, extra=None, normalize=True, lrs=(0.1, 0.1),
           stale=None, mistake=None):
    """One SGD step of learner ``kind`` as the docstrings say (``extra``: ``n`` for A2C, ``lam`` for GAE):
    ``{"policy_loss", "value_loss", "policy": weights after, "value": weights after}``."""
    return cached("update", _update, kind, policy_weights, value_weights, batch, gamma, extra, normalize,
                  list(lrs), stale, mistake)


def _update(kind, policy_weights, value_weights, batch, gamma, extra, normalize, lrs, stale, mistake):
    with _torch() as torch:
        b = {name: np.asarray(value) for name, value in batch.items()}
        policy_params, policy = _network(torch, policy_weights)
        obs = torch.as_tensor(b["obs"].astype(np.float32))
        flat = obs.reshape(-1, obs.shape[-1])
        shape = b["actions"].shape
        actions = torch.as_tensor(b["actions"]).reshape(-1)
        log_probs = torch.log_softmax(policy(flat), dim=-1)[torch.arange(len(actions)), actions].reshape(shape)
        monte_carlo = kind in ("reinforce", "baseline")
        mask_array = b["complete"] if monte_carlo or mistake == "mask_complete" else b["valid"]
        mask = torch.as_tensor(mask_array.astype(np.float32))
        count = max(float(mask_array.sum()), 1.0)
        value_params, values = None, None
        if value_weights is not None:
            value_params, value_net = _network(torch, value_weights)
            values = value_net(flat).squeeze(-1).reshape(shape)
            with torch.no_grad():
                next_values = value_net(torch.as_tensor(b["next_obs"].astype(np.float32)).reshape(-1, obs.shape[-1]))
                next_values = next_values.squeeze(-1).reshape(shape).numpy()
        if monte_carlo:
            targets = returns_loop(b["rewards"], b["dones"], gamma)
        elif kind == "a2c":
            terminated = b["dones"] if mistake == "terminated_as_dones" else b["terminated"]
            targets = n_step_loop(b["rewards"], next_values, terminated, b["dones"], gamma, extra)
        else:
            current = values.detach().numpy()
            raw = gae_loop(b["rewards"], current, next_values, b["terminated"], b["dones"], gamma, extra)
            targets = raw if mistake == "raw_targets" else raw + current
        targets = torch.as_tensor(np.asarray(targets, dtype=np.float32))
        if kind == "reinforce":
            weights = targets
        else:
            raw_advantages = targets - (values if mistake == "policy_loss_into_critic" else values.detach())
            counted = mask_array.astype(bool)
            if normalize:
                chosen = raw_advantages[torch.as_tensor(counted)]
                if chosen.numel():
                    mean, std = chosen.mean(), chosen.std(correction=0)
                    weights = torch.where(torch.as_tensor(counted), (raw_advantages - mean) / (std + 1e-8),
                                          torch.zeros_like(raw_advantages))
                else:
                    weights = torch.zeros_like(raw_advantages)
            else:
                weights = raw_advantages * mask
        policy_loss = -(log_probs * weights * mask).sum() / count
        out = {"policy_loss": float(policy_loss.item())}
        grads = torch.autograd.grad(policy_loss, policy_params, retain_graph=True)
        if mistake in ("no_zero_grad", "no_zero_grad_policy") and stale is not None:
            grads = [g + torch.as_tensor(np.asarray(s, np.float32)) for g, s in zip(grads, stale[0])]
        out["policy"] = [(p - lrs[0] * g).detach().numpy().copy() for p, g in zip(policy_params, grads)]
        if value_params is not None:
            critic_loss = (mask * (values - targets) ** 2).sum() / count
            out["value_loss"] = float(critic_loss.item())
            total = critic_loss + policy_loss if mistake == "policy_loss_into_critic" else critic_loss
            grads = torch.autograd.grad(total, value_params)
            if mistake == "no_zero_grad_value" and stale is not None:
                grads = [g + torch.as_tensor(np.asarray(s, np.float32)) for g, s in zip(grads, stale[1])]
            out["value"] = [(p - lrs[1] * g).detach().numpy().copy() for p, g in zip(value_params, grads)]
        return out
