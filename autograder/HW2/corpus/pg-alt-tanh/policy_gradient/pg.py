"""Problems 2-4 and the extra credit, a second independent version (corpus: a correct alternative).

You write the networks, the losses and one update function per learner; the given training
loop (``run.py``) collects batches with ``rollout.Collector``, calls your update function once
per batch, and stops once your policy balances the pole (HW2/README.md, "How you are graded").

Conventions for the whole file:

- Policies map observations, float32 ``(B, obs_dim)``, to logits, ``(B, n_actions)``: the
  probabilities are ``softmax(logits)``, the greedy action is ``argmax(logits)``. Value
  networks map ``(B, obs_dim)`` to values ``(B,)``.
- A ``batch`` is a ``rollout.Batch``: NumPy arrays, time-major, ``(T, E)`` (``(T, E, obs_dim)``
  for observations); read its docstring. ``T`` may change from one batch to the next.
- A step is *counted* where the learner's mask is True: ``batch.complete`` for the Monte-Carlo
  learners (REINFORCE, with or without a baseline: only steps whose episode ends inside the
  batch have a known return), ``batch.valid`` for the bootstrapping ones (A2C, GAE: every real
  step). Means are over counted steps only: the sum over counted entries divided by their
  number, or 0 when no entry is counted.
- Return values use the inputs' dtype (float32 from networks); convert NumPy arrays with
  ``torch.as_tensor(..., dtype=...)``. Never modify a batch or any other input.
- Update functions compute everything from the networks as they are when called, then take
  exactly one optimizer step per network, in the recitation's order (``zero_grad``,
  ``backward``, ``step``): the policy first, then the value network. The policy loss must send
  no gradient into the value network and the value loss none into the policy.
- Nothing here draws random numbers except the networks' initialisation (PyTorch's global
  generator: the loop calls ``torch.manual_seed`` first).
"""

import torch
from returns import discounted_returns, gae_advantages, n_step_targets
from torch import nn

# The learners the training loop knows (``run.LEARNERS`` has their batch sizes and budgets).
ALGORITHMS = ("reinforce", "baseline", "a2c1", "a2c10", "a2c100", "gae")

# Settings the grader uses, through ``make_optimizers`` (you may tune them within the safe
# ranges of its docstring): Adam's learning rate for the policy and for the value network.
POLICY_LR = {"reinforce": 3e-3, "baseline": 3e-3, "a2c1": 7e-4, "a2c10": 7e-4, "a2c100": 7e-4, "gae": 7e-4}
VALUE_LR = 5e-3


def _mlp(obs_dim, out, last_gain):
    layers = [nn.Linear(obs_dim, 64), nn.Tanh(), nn.Linear(64, out)]
    for layer, gain in ((layers[0], 2 ** 0.5), (layers[2], last_gain)):
        nn.init.orthogonal_(layer.weight, gain=gain)
        nn.init.zeros_(layer.bias)
    return nn.Sequential(*layers)


class PolicyNetwork(nn.Module):
    """One hidden layer of 64 tanh units, orthogonal initialisation (last layer gain 0.01)."""

    def __init__(self, obs_dim=4, n_actions=2):
        super().__init__()
        self.mlp = _mlp(obs_dim, n_actions, 0.01)

    def forward(self, obs):
        return self.mlp(obs)


class ValueNetwork(nn.Module):
    """One hidden layer of 64 tanh units, orthogonal initialisation."""

    def __init__(self, obs_dim=4):
        super().__init__()
        self.mlp = _mlp(obs_dim, 1, 1.0)

    def forward(self, obs):
        return self.mlp(obs).squeeze(-1)


def make_optimizers(policy, value, algorithm):
    """The optimizers the training loop uses for ``algorithm`` (one of ``ALGORITHMS``).

    Returns ``(policy_optimizer, value_optimizer)``: a ``torch.optim`` optimizer over
    ``policy.parameters()`` only, and one over ``value.parameters()`` only, or ``None`` when
    ``value`` is ``None`` (REINFORCE has no critic).

    Given (you may change it within the safe range): Adam, policy learning rate
    ``POLICY_LR[algorithm]``, value learning rate ``VALUE_LR``.
    Safe range (staff calibration): Adam with a policy learning rate of 1e-3 to 5e-3 for
    ``reinforce`` and ``baseline`` and 5e-4 to 1e-3 for ``a2c*`` and ``gae``, and a value
    learning rate of 3e-3 to 1e-2. Larger policy steps make the actor-critic learners unstable:
    they reach the bar and then collapse, or collapse before it.
    """
    policy_optimizer = torch.optim.Adam(policy.parameters(), lr=POLICY_LR[algorithm])
    value_optimizer = None if value is None else torch.optim.Adam(value.parameters(), lr=VALUE_LR)
    return policy_optimizer, value_optimizer


def _float(x):
    return x.float() if torch.is_tensor(x) else torch.tensor(x, dtype=torch.float32)


def action_log_probs(policy, obs, actions):
    obs = _float(obs)
    index = torch.as_tensor(actions).long()
    logits = policy(obs.reshape(-1, obs.shape[-1]))
    chosen = logits[torch.arange(logits.shape[0]), index.flatten()]
    return (chosen - torch.logsumexp(logits, dim=1)).reshape(index.shape)


def _counted(mask, like):
    return torch.as_tensor(mask).to(torch.bool).expand_as(like)


def policy_gradient_loss(log_probs, weights, mask):
    keep = _counted(mask, log_probs)
    w = torch.as_tensor(weights, dtype=log_probs.dtype).detach()
    terms = torch.where(keep, log_probs * w, torch.zeros_like(log_probs))
    return -terms.sum() / max(int(keep.sum()), 1)


def reinforce_update(policy, optimizer, batch, gamma):
    weights = discounted_returns(batch.rewards, batch.dones, gamma)
    log_probs = action_log_probs(policy, batch.obs, batch.actions)
    loss = policy_gradient_loss(log_probs, weights, batch.complete)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return {"policy_loss": loss.item()}


def state_values(value, obs):
    obs = _float(obs)
    out = value(obs.reshape(-1, obs.shape[-1]))
    return out.reshape(obs.shape[:-1])


def value_loss(values, targets, mask):
    keep = _counted(mask, values)
    errors = torch.where(keep, values - torch.as_tensor(targets, dtype=values.dtype).detach(), torch.zeros_like(values))
    return (errors * errors).sum() / max(int(keep.sum()), 1)


def normalize_advantages(advantages, mask, eps=1e-8):
    keep = _counted(mask, advantages)
    if not bool(keep.any()):
        return torch.zeros_like(advantages)
    picked = torch.masked_select(advantages, keep)
    mean = picked.mean()
    std = torch.sqrt(((picked - mean) ** 2).mean())
    scaled = (advantages - mean) / (std + eps)
    return torch.where(keep, scaled, torch.zeros_like(scaled))


def compute_advantages(targets, values, mask, normalize=True):
    raw = torch.as_tensor(targets, dtype=values.dtype) - values.detach()
    if normalize:
        return normalize_advantages(raw, mask)
    keep = _counted(mask, raw)
    return torch.where(keep, raw, torch.zeros_like(raw))


def _steps(policy, value, policy_optimizer, value_optimizer, batch, targets, values, mask, normalize):
    advantages = compute_advantages(targets, values, mask, normalize)
    policy_loss = policy_gradient_loss(action_log_probs(policy, batch.obs, batch.actions), advantages, mask)
    critic_loss = value_loss(values, targets, mask)
    for optimizer, loss in ((policy_optimizer, policy_loss), (value_optimizer, critic_loss)):
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return {"policy_loss": float(policy_loss), "value_loss": float(critic_loss)}


def baseline_update(policy, value, policy_optimizer, value_optimizer, batch, gamma, normalize=True):
    targets = _float(discounted_returns(batch.rewards, batch.dones, gamma))
    values = state_values(value, batch.obs)
    return _steps(policy, value, policy_optimizer, value_optimizer, batch, targets, values, batch.complete, normalize)


def a2c_update(policy, value, policy_optimizer, value_optimizer, batch, gamma, n, normalize=True):
    values = state_values(value, batch.obs)
    with torch.no_grad():
        following = state_values(value, batch.next_obs)
    targets = _float(n_step_targets(batch.rewards, following.numpy(), batch.terminated, batch.dones, gamma, n))
    return _steps(policy, value, policy_optimizer, value_optimizer, batch, targets, values, batch.valid, normalize)


def gae_update(policy, value, policy_optimizer, value_optimizer, batch, gamma, lam, normalize=True):
    values = state_values(value, batch.obs)
    with torch.no_grad():
        following = state_values(value, batch.next_obs)
    now = values.detach().numpy()
    lambda_returns = gae_advantages(batch.rewards, now, following.numpy(), batch.terminated, batch.dones, gamma, lam)
    targets = _float(lambda_returns + now)
    return _steps(policy, value, policy_optimizer, value_optimizer, batch, targets, values, batch.valid, normalize)
