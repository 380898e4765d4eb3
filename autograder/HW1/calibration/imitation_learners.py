"""Correct Problem 6 learners written independently of the reference, for calibration.

The outcome bars (mean return >= 475 over 20 seeds) and the shipped settings (``BC_EPOCHS``,
``DAGGER_EPOCHS``, ...) must hold for every correct design the contract allows, not only
for the reference's network. This module is a second ``bc_dagger.py``, written from the
handout as a student would (it does not import the reference), whose ``make_policy`` is one
of several architectures and initialisations the contract leaves to the student:

==============  ===========================================================================
learner         ``make_policy``
==============  ===========================================================================
tanh64x2        Linear(4, 64) - Tanh - Linear(64, 64) - Tanh - Linear(64, 2), PyTorch's init
                (the reference's architecture, in this independent implementation)
relu128x2       Linear(4, 128) - ReLU - Linear(128, 128) - ReLU - Linear(128, 2)
relu64x2-orth   2x64 ReLU with orthogonal init (gain sqrt 2, output gain 0.01), zero biases
                (the usual RL initialisation: near-zero initial logits)
relu32          Linear(4, 32) - ReLU - Linear(32, 2) (one hidden layer, as earlier course versions)
relu16          Linear(4, 16) - ReLU - Linear(16, 2)
linear          Linear(4, 2): can represent the linear expert exactly
==============  ===========================================================================

``train_bc``, ``act``, ``collect_demonstrations`` and ``dagger`` follow the documented
contract (Adam, mean cross-entropy, ``randperm`` from a generator seeded once per call,
batch size 64 by default, greedy ``act``); the contract fixes them, so the learners differ
only where students may differ. The grader's settings are module globals, as in the
student file, so the calibration script can set them per run. Select a learner with
:func:`configure` before use.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

BC_EPOCHS = 30
DAGGER_ITERATIONS = 8
DAGGER_EPISODES_PER_ITERATION = 2
DAGGER_EPOCHS = 20

LEARNER = "tanh64x2"


def _mlp(sizes, activation):
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(activation())
    return nn.Sequential(*layers)


def _orthogonal(module: nn.Sequential) -> nn.Sequential:
    linears = [m for m in module if isinstance(m, nn.Linear)]
    for k, layer in enumerate(linears):
        nn.init.orthogonal_(layer.weight, gain=0.01 if k == len(linears) - 1 else math.sqrt(2.0))
        nn.init.zeros_(layer.bias)
    return module


ARCHITECTURES = {
    "tanh64x2": lambda i, a: _mlp((i, 64, 64, a), nn.Tanh),
    "relu128x2": lambda i, a: _mlp((i, 128, 128, a), nn.ReLU),
    "relu64x2-orth": lambda i, a: _orthogonal(_mlp((i, 64, 64, a), nn.ReLU)),
    "relu32": lambda i, a: _mlp((i, 32, a), nn.ReLU),
    "relu16": lambda i, a: _mlp((i, 16, a), nn.ReLU),
    "linear": lambda i, a: nn.Linear(i, a),
}


def configure(learner: str) -> None:
    """Select the architecture ``make_policy`` builds (a key of :data:`ARCHITECTURES`)."""
    global LEARNER
    if learner not in ARCHITECTURES:
        raise ValueError(f"unknown learner {learner!r}; choose from {sorted(ARCHITECTURES)}")
    LEARNER = learner


def make_policy(obs_dim=4, n_actions=2):
    return ARCHITECTURES[LEARNER](obs_dim, n_actions)


def collect_demonstrations(env, policy_fn, n_episodes, seed, expert_fn=None):
    states, labels = [], []
    for episode in range(n_episodes):
        obs, _ = env.reset(seed=seed + episode)
        while True:
            action = int(policy_fn(obs))
            states.append(np.array(obs, dtype=np.float32))
            labels.append(int(expert_fn(obs)) if expert_fn is not None else action)
            obs, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                break
    obs_dim = env.observation_space.shape[0]
    return np.array(states, dtype=np.float32).reshape(-1, obs_dim), np.array(labels, dtype=np.int64)


def train_bc(policy, obs, actions, epochs, batch_size=64, lr=1e-3, seed=0):
    inputs = torch.tensor(obs, dtype=torch.float32)
    targets = torch.tensor(actions, dtype=torch.int64)
    optimizer = torch.optim.Adam(policy.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    g = torch.Generator()
    g.manual_seed(seed)
    epoch_losses = []
    policy.train()
    for _ in range(epochs):
        perm = torch.randperm(inputs.shape[0], generator=g)
        total, batches = 0.0, 0
        for i in range(0, inputs.shape[0], batch_size):
            idx = perm[i:i + batch_size]
            logits = policy(inputs[idx])
            loss = criterion(logits, targets[idx])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
            batches += 1
        epoch_losses.append(total / batches)
    policy.eval()
    return epoch_losses


def act(policy, obs):
    with torch.no_grad():
        logits = policy(torch.tensor(np.asarray(obs), dtype=torch.float32).unsqueeze(0))
    return int(logits.argmax(dim=1)[0])


def dagger(env, expert_fn, policy, n_iterations, episodes_per_iteration, initial_data, seed):
    all_obs = [np.array(initial_data[0], dtype=np.float32)]
    all_actions = [np.array(initial_data[1], dtype=np.int64)]
    mean_returns = []
    for k in range(n_iterations):
        train_bc(policy, np.concatenate(all_obs), np.concatenate(all_actions), epochs=DAGGER_EPOCHS, seed=seed + k)
        new_obs, new_actions = collect_demonstrations(
            env, lambda o: act(policy, o), episodes_per_iteration, seed + k * episodes_per_iteration,
            expert_fn=expert_fn)
        # CartPole pays 1 per step, and every step of these episodes is recorded.
        mean_returns.append(len(new_obs) / episodes_per_iteration)
        all_obs.append(new_obs)
        all_actions.append(new_actions)
    return mean_returns
