"""Problems 2-4 (55 points) and the extra credit: policy-gradient learners in PyTorch.

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
POLICY_LR = {"reinforce": 5e-3, "baseline": 5e-3, "a2c1": 5e-4, "a2c10": 1e-3, "a2c100": 1e-3, "gae": 1e-3}
VALUE_LR = 1e-2


class PolicyNetwork(nn.Module):
    """Problem 2: the policy, ``obs`` float32 ``(B, obs_dim)`` -> logits ``(B, n_actions)``.

    A small MLP. Its weights come from PyTorch's global generator (the loop seeds it). The
    grader calls ``PolicyNetwork(obs_dim, n_actions)`` with CartPole's 4 and 2, then your update
    functions; it samples actions from ``softmax(logits)`` while training and evaluates
    ``argmax(logits)``. Any leading batch shape is fine for ``forward`` as long as the last
    axis is ``obs_dim`` (the loop passes ``(B, obs_dim)``).

    Safe range (measured by the course staff, HW2/README.md): one or two hidden layers of 32 to 128
    units, tanh or ReLU, PyTorch's default initialisation or orthogonal. Scaling the last
    layer's initial weights down (by 0.01, say, so that the first policy is close to uniform)
    is optional.
    """

    def __init__(self, obs_dim=4, n_actions=2):
        super().__init__()
        raise NotImplementedError(
            "Problem 2: implement PolicyNetwork.__init__ in pg.py (see its docstring)"
        )

    def forward(self, obs):
        """``obs`` ``(..., obs_dim)`` -> logits ``(..., n_actions)``."""
        raise NotImplementedError(
            "Problem 2: implement PolicyNetwork.forward in pg.py (see its docstring)"
        )


class ValueNetwork(nn.Module):
    """Problem 3: the critic, ``obs`` float32 ``(B, obs_dim)`` -> values ``(B,)`` (no trailing 1).

    A small MLP with one output, squeezed. Same safe range as ``PolicyNetwork`` (without the
    scaled last layer: values grow to about ``1 / (1 - gamma)`` = 50).
    """

    def __init__(self, obs_dim=4):
        super().__init__()
        raise NotImplementedError(
            "Problem 3: implement ValueNetwork.__init__ in pg.py (see its docstring)"
        )

    def forward(self, obs):
        """``obs`` ``(..., obs_dim)`` -> values ``(...)``."""
        raise NotImplementedError(
            "Problem 3: implement ValueNetwork.forward in pg.py (see its docstring)"
        )


def make_optimizers(policy, value, algorithm):
    """The optimizers the training loop uses for ``algorithm`` (one of ``ALGORITHMS``).

    Returns ``(policy_optimizer, value_optimizer)``: a ``torch.optim`` optimizer over
    ``policy.parameters()`` only, and one over ``value.parameters()`` only, or ``None`` when
    ``value`` is ``None`` (REINFORCE has no critic).

    Given (you may change it within the safe range): Adam, policy learning rate
    ``POLICY_LR[algorithm]``, value learning rate ``VALUE_LR``.
    Safe range (measured by the course staff): Adam with a policy learning rate of 1e-3 to 5e-3 for
    ``reinforce`` and ``baseline`` and 5e-4 to 1e-3 for ``a2c*`` and ``gae``, and a value
    learning rate of 3e-3 to 1e-2. Larger policy steps make the actor-critic learners unstable:
    they reach the bar and then collapse, or collapse before it.
    """
    policy_optimizer = torch.optim.Adam(policy.parameters(), lr=POLICY_LR[algorithm])
    value_optimizer = None if value is None else torch.optim.Adam(value.parameters(), lr=VALUE_LR)
    return policy_optimizer, value_optimizer


def action_log_probs(policy, obs, actions):
    """Problem 2: ``log pi(actions | obs)`` under ``policy``, with gradients, shape ``actions.shape``.

    Parameters
    ----------
    policy : nn.Module
        Maps ``(B, obs_dim)`` to logits ``(B, n_actions)``.
    obs : np.ndarray or Tensor, float32, shape (T, E, obs_dim) (any leading shape ``S + (obs_dim,)``)
    actions : np.ndarray or Tensor, int64, shape (T, E) (the same leading shape ``S``)

    Returns
    -------
    Tensor, float32, shape (T, E)
        ``log_softmax(policy(obs))`` at the action taken, for every entry; differentiable
        with respect to the policy's parameters. Flatten the leading axes into one batch
        (``(T * E, obs_dim)``), call the policy once, and reshape back.
    """
    raise NotImplementedError(
        "Problem 2: implement action_log_probs in pg.py (see its docstring)"
    )


def policy_gradient_loss(log_probs, weights, mask):
    """Problem 2: the surrogate loss whose gradient is the policy-gradient estimate, a scalar.

    ``loss = -(sum over counted entries of log_probs * weights) / (number of counted entries)``,
    and 0 when no entry is counted. Minimising it raises the log-probability of the actions
    with positive weights. ``weights`` are constants: no gradient flows through them (detach
    them), only through ``log_probs``.

    Parameters
    ----------
    log_probs : Tensor, float32, shape (T, E)
        ``action_log_probs`` of the batch (with gradients).
    weights : Tensor or np.ndarray, shape (T, E)
        Returns (REINFORCE) or advantages (the other learners).
    mask : Tensor or np.ndarray, bool, shape (T, E)
        The counted entries.

    Returns
    -------
    Tensor, 0-d, ``log_probs.dtype``
    """
    raise NotImplementedError(
        "Problem 2: implement policy_gradient_loss in pg.py (see its docstring)"
    )


def reinforce_update(policy, optimizer, batch, gamma):
    """Problem 2: one REINFORCE step (Williams, 1992) on a batch of whole episodes.

    1. ``returns = discounted_returns(batch.rewards, batch.dones, gamma)``: every step's
       return-to-go (as a float32 tensor);
    2. ``loss = policy_gradient_loss(action_log_probs(policy, batch.obs, batch.actions),
       returns, batch.complete)``;
    3. ``optimizer.zero_grad()``, ``loss.backward()``, ``optimizer.step()``.

    Parameters
    ----------
    policy : nn.Module
        Updated in place (one step of ``optimizer``).
    optimizer : torch.optim.Optimizer
        Over the policy's parameters (from ``make_optimizers``).
    batch : rollout.Batch
        Not modified.
    gamma : float in [0, 1]

    Returns
    -------
    dict
        ``{"policy_loss": float}``: the loss before the step, as a Python float.
    """
    raise NotImplementedError(
        "Problem 2: implement reinforce_update in pg.py (see its docstring)"
    )


def state_values(value, obs):
    """Problem 3: the critic's values of a time-major batch of observations, with gradients.

    ``obs`` (np.ndarray or Tensor, float32) of shape ``(T, E, obs_dim)`` (any leading shape
    ``S + (obs_dim,)``) -> Tensor float32 of shape ``(T, E)`` (``S``): flatten the leading axes,
    call ``value`` once, reshape back.
    """
    raise NotImplementedError(
        "Problem 3: implement state_values in pg.py (see its docstring)"
    )


def value_loss(values, targets, mask):
    """Problem 3: the critic's mean squared error over the counted entries, a scalar.

    ``loss = (sum over counted entries of (values - targets)**2) / (number counted)``, 0 when
    none is counted (no factor 1/2). ``targets`` are constants (no gradient flows through
    them); the gradient flows into ``values`` only.

    Parameters
    ----------
    values : Tensor, float32, shape (T, E)
        ``state_values`` of the batch (with gradients).
    targets : Tensor or np.ndarray, shape (T, E)
    mask : Tensor or np.ndarray, bool, shape (T, E)

    Returns
    -------
    Tensor, 0-d, ``values.dtype``
    """
    raise NotImplementedError(
        "Problem 3: implement value_loss in pg.py (see its docstring)"
    )


def normalize_advantages(advantages, mask, eps=1e-8):
    """Problem 3: ``(advantages - mean) / (std + eps)`` with statistics over all counted entries.

    ``mean`` and ``std`` are one scalar each, computed over **every counted entry of the whole
    batch at once** (all time steps and all columns together; not per column, not per time
    step). ``std`` is the population standard deviation (divide by the count:
    ``torch.std(x, correction=0)``). Entries that are not counted are 0 in the result; when no
    entry is counted the result is all zeros. Returns a new tensor; ``advantages`` is not
    modified.

    Parameters
    ----------
    advantages : Tensor, float, shape (T, E)
    mask : Tensor or np.ndarray, bool, shape (T, E)
    eps : float

    Returns
    -------
    Tensor, ``advantages.dtype``, shape (T, E)
    """
    raise NotImplementedError(
        "Problem 3: implement normalize_advantages in pg.py (see its docstring)"
    )


def compute_advantages(targets, values, mask, normalize=True):
    """Problem 3: ``targets - values`` as constants for the policy loss, optionally normalised.

    The result must carry no gradient (``requires_grad`` False): the policy loss uses it as a
    weight, and a gradient through ``values`` would train the critic with the policy's loss.
    With ``normalize`` it is ``normalize_advantages(targets - values, mask)``; without, entries
    that are not counted are 0 and the others ``targets - values``.

    Parameters
    ----------
    targets : Tensor or np.ndarray, shape (T, E)
        What the critic is regressed onto (returns, n-step targets, lambda-returns).
    values : Tensor, float32, shape (T, E)
        ``state_values`` of the batch (may carry gradients).
    mask : Tensor or np.ndarray, bool, shape (T, E)
    normalize : bool

    Returns
    -------
    Tensor, ``values.dtype``, shape (T, E), without gradient
    """
    raise NotImplementedError(
        "Problem 3: implement compute_advantages in pg.py (see its docstring)"
    )


def baseline_update(policy, value, policy_optimizer, value_optimizer, batch, gamma, normalize=True):
    """Problem 3: one step of REINFORCE with a learned baseline, on a batch of whole episodes.

    With ``mask = batch.complete``:

    1. ``targets = discounted_returns(batch.rewards, batch.dones, gamma)`` (float32 tensor);
       ``values = state_values(value, batch.obs)``;
    2. ``advantages = compute_advantages(targets, values, mask, normalize)``;
    3. ``policy_loss = policy_gradient_loss(action_log_probs(policy, batch.obs, batch.actions),
       advantages, mask)``; ``value_loss(values, targets, mask)`` is the critic's loss;
    4. the policy step (``policy_optimizer``: ``zero_grad``, ``backward``, ``step``), then the
       value step (``value_optimizer``, likewise).

    Parameters
    ----------
    policy, value : nn.Module
        Each updated in place by one step of its optimizer.
    policy_optimizer, value_optimizer : torch.optim.Optimizer
    batch : rollout.Batch
        Not modified.
    gamma : float in [0, 1]
    normalize : bool
        Normalise the advantages (the training loop passes True).

    Returns
    -------
    dict
        ``{"policy_loss": float, "value_loss": float}``, both before the steps.
    """
    raise NotImplementedError(
        "Problem 3: implement baseline_update in pg.py (see its docstring)"
    )


def a2c_update(policy, value, policy_optimizer, value_optimizer, batch, gamma, n, normalize=True):
    """Problem 4: one step of N-step advantage actor-critic (A2C) on a window of steps.

    As ``baseline_update``, with ``mask = batch.valid`` (every real step counts) and bootstrapped
    targets instead of Monte-Carlo returns:

    1. ``values = state_values(value, batch.obs)``; ``next_values = state_values(value,
       batch.next_obs)`` computed without gradient (``torch.no_grad()``), both from the value
       network as it is before any step;
    2. ``targets = n_step_targets(batch.rewards, next_values, batch.terminated, batch.dones,
       gamma, n)`` (float32 tensor);
    3. then steps 2-4 of ``baseline_update``.

    Parameters
    ----------
    policy, value, policy_optimizer, value_optimizer, batch, gamma, normalize
        As in ``baseline_update``.
    n : int >= 1
        The most rewards a target sums before it bootstraps.

    Returns
    -------
    dict
        ``{"policy_loss": float, "value_loss": float}``, both before the steps.
    """
    raise NotImplementedError(
        "Problem 4: implement a2c_update in pg.py (see its docstring)"
    )


def gae_update(policy, value, policy_optimizer, value_optimizer, batch, gamma, lam, normalize=True):
    """Extra credit: one actor-critic step with GAE(gamma, lambda) advantages.

    As ``a2c_update`` (``mask = batch.valid``; ``values`` and ``next_values`` from the value
    network before any step, ``next_values`` without gradient), except for the targets:
    ``raw = gae_advantages(batch.rewards, values, next_values, batch.terminated, batch.dones,
    gamma, lam)`` (values as a NumPy array, detached) and ``targets = raw + values`` (the
    lambda-returns, float32 tensor, no gradient); then steps 2-4 of ``baseline_update``, so
    the policy's advantages are ``compute_advantages(targets, values, mask, normalize)`` (equal
    to ``raw``, normalised) and the critic regresses onto the lambda-returns.

    Parameters
    ----------
    policy, value, policy_optimizer, value_optimizer, batch, gamma, normalize
        As in ``baseline_update``.
    lam : float in [0, 1]

    Returns
    -------
    dict
        ``{"policy_loss": float, "value_loss": float}``, both before the steps.
    """
    raise NotImplementedError(
        "Extra credit: implement gae_update in pg.py (see its docstring)"
    )
