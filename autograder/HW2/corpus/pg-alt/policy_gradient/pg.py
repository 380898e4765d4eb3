"""Problems 2-4 and the extra credit, written independently (corpus: a correct alternative).

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

import numpy as np
import torch
import torch.nn.functional as F
from returns import discounted_returns, gae_advantages, n_step_targets
from torch import nn

# The learners the training loop knows (``run.LEARNERS`` has their batch sizes and budgets).
ALGORITHMS = ("reinforce", "baseline", "a2c1", "a2c10", "a2c100", "gae")

# Settings the grader uses, through ``make_optimizers`` (you may tune them within the safe
# ranges of its docstring): Adam's learning rate for the policy and for the value network.
POLICY_LR = {"reinforce": 5e-3, "baseline": 5e-3, "a2c1": 1e-3, "a2c10": 1e-3, "a2c100": 1e-3, "gae": 1e-3}
VALUE_LR = 1e-2


class PolicyNetwork(nn.Module):
    """Two hidden layers of 128 ReLU units, PyTorch's default initialisation."""

    def __init__(self, obs_dim=4, n_actions=2):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(obs_dim, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU())
        self.head = nn.Linear(128, n_actions)

    def forward(self, obs):
        return self.head(self.body(obs))


class ValueNetwork(nn.Module):
    """Two hidden layers of 128 ReLU units."""

    def __init__(self, obs_dim=4):
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(obs_dim, 128), nn.Linear(128, 128)])
        self.head = nn.Linear(128, 1)

    def forward(self, obs):
        x = obs
        for layer in self.layers:
            x = F.relu(layer(x))
        return self.head(x)[..., 0]


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


def action_log_probs(policy, obs, actions):
    obs = torch.as_tensor(np.asarray(obs, dtype=np.float32)) if not torch.is_tensor(obs) else obs.float()
    actions = torch.as_tensor(np.asarray(actions)) if not torch.is_tensor(actions) else actions
    leading = actions.shape
    logits = policy(obs.view(-1, obs.shape[-1]))
    dist = torch.distributions.Categorical(logits=logits)
    return dist.log_prob(actions.reshape(-1).long()).view(leading)


def _mask(mask, like):
    return torch.as_tensor(np.asarray(mask.cpu() if torch.is_tensor(mask) else mask, dtype=bool), device=like.device)


def policy_gradient_loss(log_probs, weights, mask):
    keep = _mask(mask, log_probs)
    if not keep.any():
        return log_probs.sum() * 0.0
    w = torch.as_tensor(weights).to(log_probs.dtype).detach()
    return -torch.masked_select(log_probs * w, keep).mean()


def reinforce_update(policy, optimizer, batch, gamma):
    returns = torch.from_numpy(discounted_returns(batch.rewards, batch.dones, gamma)).float()
    loss = policy_gradient_loss(action_log_probs(policy, batch.obs, batch.actions), returns, batch.complete)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    return {"policy_loss": float(loss.detach())}


def state_values(value, obs):
    obs = torch.as_tensor(np.asarray(obs, dtype=np.float32)) if not torch.is_tensor(obs) else obs.float()
    flat = obs.view(-1, obs.shape[-1])
    return value(flat).view(*obs.shape[:-1])


def value_loss(values, targets, mask):
    keep = _mask(mask, values)
    if not keep.any():
        return values.sum() * 0.0
    t = torch.as_tensor(targets).to(values.dtype).detach()
    return F.mse_loss(values[keep], t[keep], reduction="sum") / keep.sum()


def normalize_advantages(advantages, mask, eps=1e-8):
    keep = _mask(mask, advantages)
    n = keep.sum()
    if n == 0:
        return torch.zeros_like(advantages)
    w = keep.to(advantages.dtype)
    mean = (advantages * w).sum() / n
    var = (((advantages - mean) * w) ** 2).sum() / n
    return (advantages - mean) / (var.sqrt() + eps) * w


def compute_advantages(targets, values, mask, normalize=True):
    with torch.no_grad():
        diff = torch.as_tensor(targets).to(values.dtype) - values
        if normalize:
            return normalize_advantages(diff, mask)
        return diff * _mask(mask, diff).to(diff.dtype)


def _both_steps(policy, value, policy_optimizer, value_optimizer, batch, targets, values, mask, normalize):
    advantages = compute_advantages(targets, values, mask, normalize)
    actor = policy_gradient_loss(action_log_probs(policy, batch.obs, batch.actions), advantages, mask)
    critic = value_loss(values, targets, mask)
    policy_optimizer.zero_grad()
    value_optimizer.zero_grad()
    (actor + critic).backward()  # the advantages are constants: each loss reaches only its own network
    policy_optimizer.step()
    value_optimizer.step()
    return {"policy_loss": actor.item(), "value_loss": critic.item()}


def baseline_update(policy, value, policy_optimizer, value_optimizer, batch, gamma, normalize=True):
    targets = torch.tensor(discounted_returns(batch.rewards, batch.dones, gamma), dtype=torch.float32)
    values = state_values(value, batch.obs)
    return _both_steps(policy, value, policy_optimizer, value_optimizer, batch, targets, values, batch.complete,
                       normalize)


def _next_values(value, batch):
    with torch.no_grad():
        return state_values(value, batch.next_obs).numpy()


def a2c_update(policy, value, policy_optimizer, value_optimizer, batch, gamma, n, normalize=True):
    following = _next_values(value, batch)
    values = state_values(value, batch.obs)
    targets = n_step_targets(batch.rewards, following, batch.terminated, batch.dones, gamma, n)
    return _both_steps(policy, value, policy_optimizer, value_optimizer, batch,
                       torch.tensor(targets, dtype=torch.float32), values, batch.valid, normalize)


def gae_update(policy, value, policy_optimizer, value_optimizer, batch, gamma, lam, normalize=True):
    following = _next_values(value, batch)
    values = state_values(value, batch.obs)
    current = values.detach().numpy()
    advantages = gae_advantages(batch.rewards, current, following, batch.terminated, batch.dones, gamma, lam)
    targets = torch.tensor(advantages + current, dtype=torch.float32)
    return _both_steps(policy, value, policy_optimizer, value_optimizer, batch, targets, values, batch.valid,
                       normalize)
